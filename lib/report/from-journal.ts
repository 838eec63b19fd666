// The one adapter between today's upgrade journal (lib/upgrade/journal.ts) and the report's run
// section. When the engine's journal replaces it, only this file changes: the renderer and the
// other producers see RunSection alone.
import { join } from 'node:path';
import { Journal, JOURNAL_FILE, type JournalRecord } from '../upgrade/journal.js';
import type { ManualStep, UpgradePlan } from '../upgrade/plan-types.js';
import type { RunSection, RunStepStatus, RunStepView, Tone } from './model.js';

export interface JournalRun {
  plan: UpgradePlan;
  tool: string;
  host: string;
  run: RunSection;
  /** Step ids whose merge was applied (done) or applied and undone. */
  merged: Map<string, 'applied' | 'undone'>;
}

export interface RunFacts {
  mode: 'run' | 'resume' | 'rollback' | 'rehearsal';
  /** What the executor returned, when it returned (a thrown step failure leaves it absent). */
  result?: { outcome: string; exitCode: number; rebootRequired: boolean; leftToDo: Array<{ id: string; title: string; instructions: string }> };
  /** The error that ended the run, when it threw. */
  error?: { message: string; exitCode: number };
  undoCommand?: string;
  resumeCommand?: string;
}

interface StepTimes {
  started?: string;
  ended?: string;
  last?: JournalRecord & { type: 'step' };
  errors: string[];
  reboot: boolean;
}

const TONE: Record<string, Tone> = { completed: 'ok', 'rolled-back': 'info', paused: 'warn', failed: 'fail', interrupted: 'fail' };

function statusOf(t: StepTimes | undefined, manual: boolean): RunStepStatus {
  switch (t?.last?.phase) {
    case undefined:
      return 'not-run';
    case 'start':
      return manual ? 'paused' : 'started';
    case 'done':
      return 'done';
    case 'failed':
      return 'failed';
    case 'left-to-do':
      return 'left-to-do';
    case 'undo-start':
      return 'undoing';
    case 'undone':
      return 'undone';
  }
}

/** Reads the journal in workDir; undefined when there is none (nothing ran yet). */
export function runFromJournal(workDir: string, facts: RunFacts): JournalRun | undefined {
  const journal = new Journal(join(workDir, JOURNAL_FILE));
  if (!journal.exists()) return undefined;
  const records = journal.read();
  const begin = records[0];
  if (!begin || begin.type !== 'begin') return undefined;
  const times = new Map<string, StepTimes>();
  let servicesAt: string | undefined;
  let backupAt: string | undefined;
  let bundle: string | undefined;
  let end: Extract<JournalRecord, { type: 'end' }> | undefined;
  for (const r of records.slice(1)) {
    if (r.type === 'services') servicesAt = r.time;
    else if (r.type === 'backup') {
      backupAt = r.time;
      bundle = r.bundle;
    } else if (r.type === 'end') end = r;
    else if (r.type === 'step') {
      const t = times.get(r.id) ?? { errors: [], reboot: false };
      if ((r.phase === 'start' || r.phase === 'undo-start') && (t.started === undefined || r.phase === 'undo-start')) t.started = r.time;
      if (r.phase !== 'start' && r.phase !== 'undo-start') t.ended = r.time;
      if (r.phase === 'failed' && typeof r.data?.['error'] === 'string') t.errors.push(r.data['error']);
      if (r.data?.['rebootRequired'] === true) t.reboot = true;
      t.last = r;
      times.set(r.id, t);
    }
  }
  const plan = begin.plan;
  const merged = new Map<string, 'applied' | 'undone'>();
  const steps: RunStepView[] = plan.steps.map((s) => {
    if (s.kind === 'backup') {
      const view: RunStepView = { id: s.id, title: s.title, status: backupAt ? 'done' : servicesAt ? 'started' : 'not-run' };
      const started = servicesAt ?? (backupAt ? begin.time : undefined);
      if (started) view.startedAt = started;
      if (backupAt) view.endedAt = backupAt;
      return view;
    }
    const t = times.get(s.id);
    const status = statusOf(t, s.kind === 'manual');
    const view: RunStepView = { id: s.id, title: s.title, status };
    if (t?.started) view.startedAt = t.started;
    if (t?.ended && status !== 'started' && status !== 'undoing') view.endedAt = t.ended;
    if (t && t.errors.length) view.error = status === 'failed' ? (t.errors[t.errors.length - 1] as string) : `an earlier attempt failed (${t.errors[t.errors.length - 1] as string}); repeated on resume`;
    if (t?.reboot) view.rebootRequired = true;
    if (s.kind === 'merge-config' && t?.last) {
      const ph = t.last.phase;
      if (ph === 'done') merged.set(s.id, 'applied');
      else if (ph === 'undone' || ph === 'undo-start') merged.set(s.id, 'undone');
    }
    return view;
  });

  const outcome = facts.result?.outcome ?? end?.outcome ?? (facts.error ? 'failed' : 'interrupted');
  const lastTime = records[records.length - 1]?.time;
  const leftToDo =
    facts.result?.leftToDo ??
    plan.steps.filter((s): s is ManualStep => s.kind === 'manual' && ['left-to-do', 'paused'].includes(statusOf(times.get(s.id), true))).map((s) => ({ id: s.id, title: s.title, instructions: s.instructions }));
  const run: RunSection = {
    mode: facts.mode,
    outcome,
    // A run that ended with steps left to do by hand is not a plain success (exit 5).
    outcomeTone: outcome === 'completed' && leftToDo.length ? 'warn' : TONE[outcome] ?? 'neutral',
    startedAt: begin.time,
    steps,
    leftToDo,
    rebootRequired: facts.result?.rebootRequired ?? steps.some((s) => s.rebootRequired === true),
    notes: [],
  };
  const exitCode = facts.result?.exitCode ?? end?.exitCode ?? facts.error?.exitCode;
  if (exitCode !== undefined) run.exitCode = exitCode;
  if (end || facts.result || facts.error) {
    const ended = end?.time ?? lastTime;
    if (ended) run.endedAt = ended;
  }
  run.journal = journal.path;
  if (bundle) run.backup = bundle;
  if (facts.error) run.notes.push(`The run stopped: ${facts.error.message}`);
  if (outcome === 'interrupted') run.notes.push('The journal has no end record: the run was interrupted (killed, or stopped at a safe point).');
  if (outcome !== 'rolled-back' && facts.undoCommand) run.undoCommand = facts.undoCommand;
  if ((outcome === 'paused' || outcome === 'failed' || outcome === 'interrupted') && facts.resumeCommand) run.resumeCommand = facts.resumeCommand;
  if (outcome === 'rolled-back') run.notes.push('Everything this run did was undone and the data file, web.configs and themes were put back from its backup.');
  return { plan, tool: begin.tool, host: begin.host, run, merged };
}

/** The steps a --resume or --rollback would take, read from the journal (for --what-if). */
export function pendingFromRun(run: RunSection, plan: UpgradePlan, mode: 'resume' | 'rollback'): string[] {
  const byId = new Map(run.steps.map((s) => [s.id, s]));
  if (mode === 'resume') {
    return plan.steps.filter((s) => s.kind !== 'backup' && !['done', 'left-to-do'].includes(byId.get(s.id)?.status ?? '')).map((s) => `${s.id}  ${s.title}`);
  }
  return [...plan.steps]
    .reverse()
    .filter((s) => s.kind !== 'manual' && s.kind !== 'backup' && !['not-run', 'undone', 'left-to-do'].includes(byId.get(s.id)?.status ?? 'not-run'))
    .map((s) => `undo ${s.id}  ${s.title}`)
    .concat(['put the data file, web.configs and themes back from the backup']);
}
