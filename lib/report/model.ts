// What a change report says, as plain data: the producers (plan, rehearse, upgrade, adfs-upgrade)
// fill it from their own objects, the renderer turns it into one HTML file. The renderer knows
// nothing of journals, plans or AD FS types: only these shapes. Every string here is text (the
// renderer escapes it) and already free of secrets (the producers mask; the diff view masks again).

export const REPORT_FORMAT = 'mfa-upgrade/report@1';

/** How a status reads: the renderer gives each tone a colour and always a text label beside it. */
export type Tone = 'ok' | 'warn' | 'fail' | 'info' | 'neutral';

export interface ReportModel {
  format: typeof REPORT_FORMAT;
  header: ReportHeader;
  /** Absent: the producer had no readiness checks (fleet, AD FS). */
  readiness?: ReadinessRow[];
  plan?: PlanSection;
  merges?: MergeSection;
  adfs?: AdfsSection;
  fleet?: FleetSection;
  run?: RunSection;
}

export interface ReportHeader {
  title: string;
  /** The command that produced the report, as typed (without secrets). */
  command: string;
  servers: string[];
  from: string | null;
  to: string | null;
  toolVersion: string;
  /** ISO time the report was written. */
  generatedAt: string;
  outcome: { label: string; tone: Tone };
  /** Short facts worth a line of their own (what-if, where the backup is). */
  notes: string[];
}

export interface ReadinessRow {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail';
  evidence: string;
  remedy?: string;
}

export interface PlanSection {
  /** e.g. "PhoneFactor Agent 5.x -> MFA Server (uninstall, then install)". */
  route: string;
  steps: PlanStepView[];
  blockers: Array<{ message: string; remedy: string }>;
  warnings: string[];
  upToDate: boolean;
}

export interface PlanStepView {
  id: string;
  /** The step kind as the plan names it; unknown kinds are rendered generically. */
  kind: string;
  title: string;
  description: string;
  needs: string[];
  protects: string[];
  undo: string;
  manual: boolean;
  /** A step that waits for something on the server (the data file conversion). */
  wait: boolean;
  /** 'required': the step asks for a reboot; 'possible': an install that may return 3010. */
  reboot?: 'required' | 'possible';
  /** For manual steps: what the administrator does. */
  instructions?: string;
  /** Further facts (package, version, site/vdir), values masked. */
  details: Array<{ label: string; value: string }>;
}

export interface MergeSection {
  /** Why there is or is no diff (a plan has no new file yet). */
  note?: string;
  items: MergeView[];
}

export interface MergeView {
  title: string;
  stepId?: string;
  oldFile: string;
  newFile: string;
  /** planned: not merged yet (no diff); applied: written; preview: computed, not written; undone: rolled back. */
  state: 'planned' | 'applied' | 'preview' | 'undone' | 'unchanged';
  decision?: string;
  hunks: DiffHunk[];
  /** The values carried, masked. */
  changes: Array<{ key: string; scope: string; old?: string; new: string; why: string; secret: boolean }>;
  /** Settings that will be carried (a plan: read from the current file), masked. */
  carried?: Array<{ key: string; scope: string; value: string }>;
  checklist: ChecklistItem[];
  warnings: string[];
}

/** A block of the merged file: lines before and after, as the merge's own diff shows them (masked). */
export interface DiffHunk {
  /** 1-based line in the file the edits apply to. */
  line: number;
  before: string[];
  after: string[];
}

export interface ChecklistItem {
  text: string;
  detail?: string;
  done: boolean;
}

export interface AdfsSection {
  localNode: string;
  status: string;
  statusTone: Tone;
  adapterOld: string;
  adapterNew: string;
  policyBefore: string[];
  policyAfter?: string[];
  farms: AdfsFarmView[];
  steps: AdfsStepView[];
  withoutAdapterSeconds?: number;
  adapterOutOfPolicy: boolean;
  next?: string;
  resumeCommand?: string;
  /** The exact command that undoes the run on this server. */
  undoCommand?: string;
  journal?: string;
  failure?: string;
  warnings: string[];
  carried?: string;
}

export interface AdfsFarmView {
  name: string;
  firstHalf: string[];
  secondHalf: string[];
  primary: string;
  local: boolean;
}

export interface AdfsStepView {
  index: number;
  id: string;
  farm: string;
  /** procedure.md §3.7 letter (a-j) or 'prep'. */
  phase: string;
  title: string;
  /** Where it runs: a node name, or 'farm' for the farm-wide steps, 'everyone' for a person's. */
  node: string;
  /** Which half of the farm it concerns (a farm-wide step runs on the first half's primary). */
  half: 'first' | 'second' | 'both' | 'farm';
  manual: boolean;
  runsHere: boolean;
  /** The farm has no adapter in its global policy while this step runs. */
  withoutAdapter: boolean;
  action: string;
  undo: string;
  status?: string;
  ms?: number;
  error?: string;
}

export interface FleetSection {
  master: string;
  promote: string | null;
  lanes: FleetLane[];
  actions: FleetActionView[];
  warnings: string[];
}

export interface FleetLane {
  server: string;
  /** e.g. "master", "subordinate, webServiceSdk", "AD FS sts.contoso.com (first half)". */
  role: string;
}

export interface FleetActionView {
  order: number;
  /** The lanes it happens in (an AD FS farm action spans the farm's servers). */
  servers: string[];
  /** drain, backup, upgrade, return, promote, adfs-first-half, adfs-second-half, or an unknown kind as is. */
  kind: string;
  label: string;
  title: string;
  manual: boolean;
  command?: string;
}

export interface RunSection {
  mode: 'run' | 'resume' | 'rollback' | 'rehearsal' | 'what-if';
  outcome: string;
  outcomeTone: Tone;
  exitCode?: number;
  startedAt?: string;
  endedAt?: string;
  journal?: string;
  backup?: string;
  steps: RunStepView[];
  leftToDo: Array<{ id: string; title: string; instructions: string }>;
  rebootRequired: boolean;
  /** The exact command that undoes the run (absent where nothing on a server changed). */
  undoCommand?: string;
  /** The exact command that finishes an interrupted or paused run. */
  resumeCommand?: string;
  /** For --what-if --resume/--rollback: the steps that would run, in order. */
  pending?: string[];
  notes: string[];
}

export type RunStepStatus = 'done' | 'failed' | 'left-to-do' | 'undone' | 'undoing' | 'undo-failed' | 'started' | 'paused' | 'not-run' | 'skipped';

export interface RunStepView {
  id: string;
  title: string;
  status: RunStepStatus;
  startedAt?: string;
  endedAt?: string;
  error?: string;
  rebootRequired?: boolean;
}
