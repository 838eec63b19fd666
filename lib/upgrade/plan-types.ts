// The upgrade plan: an ordered list of typed steps, each with its preconditions, what it
// protects and its undo, so an administrator can read it before anything runs.
import type { CheckResult } from '../readiness/types.js';
import type { ComponentKind } from '../inventory/types.js';
import type { PackageRole } from './packages.js';
import type { ReplicationRole } from './replication-role.js';

export const PLAN_FORMAT = 'mfa-upgrade/plan@1';

export type VdirChoice = 'keep' | 'new';

export interface StepBase {
  /** Stable within a plan: the journal refers to steps by it. */
  id: string;
  title: string;
  description: string;
  preconditions: string[];
  protects: string[];
  /** How the step is undone, in words. */
  undo: string;
}

/** Where a product lived before the step removed or replaced it: enough to reinstall it as it was. */
export interface PreviousPlacement {
  site?: string;
  vdir?: string;
}

export interface InstallStep extends StepBase {
  kind: 'install';
  role: PackageRole;
  package: string;
  name: string;
  version: string;
  productCode: string;
  upgradeCode: string | null;
  properties: Record<string, string>;
  /** The component this install brings back or upgrades, for the web components. */
  component?: ComponentKind;
  /** For an upgrade in place: where the replaced product lived. */
  previous?: PreviousPlacement;
  /** For a web component: where IIS will serve it (its site and vdir). */
  placement?: PreviousPlacement;
}

export interface UninstallStep extends StepBase {
  kind: 'uninstall';
  role: PackageRole;
  productCode: string;
  name: string;
  version: string;
  component?: ComponentKind;
  previous: PreviousPlacement;
}

export interface MergeConfigStep extends StepBase {
  kind: 'merge-config';
  component: ComponentKind;
  /** The web.config as it was (read back from the backup). */
  original: string;
  /** Where the new web.config is expected; the step finds it through IIS (site/vdir) when it runs. */
  target: string;
  site: string;
  vdir: string;
  sdkVdir: Array<{ from: string; to: string }>;
  /** The new version's package, whose web.config the preview merges into (plan and --what-if). */
  package?: string;
  /** The product whose web.config this was: its cached package (kept in the backup) holds the baseline. */
  oldProduct?: { productCode: string; name: string; version: string };
  /** Carry keys only the old file has (--carry-removed). */
  carryRemoved?: boolean;
  /** The merge done ahead on the new package's web.config (secrets masked), when it could be. */
  preview?: MergePreview;
}

/** What a merge is expected to do, worked out when planning (the installed file decides when it runs). */
export interface MergePreview {
  /** The diff against the new package's web.config, passwords masked. */
  diff: string;
  decision: string[];
  /** Where the baseline came from (the old version's cached package), or null when none could be read. */
  baseline: string | null;
  carried: string[];
  leftToDo: string[];
  warnings: string[];
  /** Why there is no preview (a package that cannot be read). */
  unavailable?: string;
}

export interface RestoreThemesStep extends StepBase {
  kind: 'restore-themes';
  /** Theme folder names under App_Themes, as they were (read back from the backup). */
  themes: string[];
  originalAppThemes: string;
  /** Expected; found through IIS (site/vdir) when the step runs. */
  targetAppThemes: string;
  site: string;
  vdir: string;
}

/** The portal's Default theme: the new version's replaces it, so a locally changed one is kept aside and reported. */
export interface KeepThemeStep extends StepBase {
  kind: 'keep-theme';
  /** The theme folder name as found (Default). */
  theme: string;
  originalAppThemes: string;
  /** Expected portal folder; found through IIS (site/vdir) when the step runs. */
  targetFolder: string;
  site: string;
  vdir: string;
  /** The product the old theme came with: its package (in the backup) tells a local change. */
  oldProduct?: { productCode: string; name: string; version: string };
}

export interface ManualStep extends StepBase {
  kind: 'manual';
  instructions: string;
  /** Pauses the run even with --unattended (what follows must not run before a person did it). */
  blocking?: boolean;
}

export interface BackupStep extends StepBase {
  kind: 'backup';
}

/** After MFA Server is installed: follow its service log until the data file is converted. */
export interface WaitConversionStep extends StepBase {
  kind: 'wait-conversion';
  /** The service that converts the data file on its first start. */
  service: string;
  /** The install step it follows: the service log is read from where it stood before that install. */
  installStep: string;
  /** The install folder as planned (the log is under its Logs folder); InstallPath is read again when it runs. */
  installPath: string | null;
}

export type PlanStep = BackupStep | InstallStep | UninstallStep | MergeConfigStep | RestoreThemesStep | KeepThemeStep | ManualStep | WaitConversionStep;

export interface Blocker {
  message: string;
  remedy: string;
}

/** components: a web server with the portal or mobile app but no MFA Server (procedure.md §2.9). */
export type UpgradePath = 'phonefactor-agent' | 'mfa-server' | 'components' | 'none';

export interface UpgradePlan {
  format: typeof PLAN_FORMAT;
  computerName: string;
  path: UpgradePath;
  from: { name: string; version: string } | null;
  to: { name: string; version: string } | null;
  vdirNames: VdirChoice;
  steps: PlanStep[];
  /** Everything is already at the packages' versions: no steps, and a run changes nothing. */
  upToDate: boolean;
  /** What stops the plan from running; empty when it can run. */
  blockers: Blocker[];
  warnings: string[];
  readiness: CheckResult[];
  /** Components left to the administrator (--skip-component): reported as left to do, never as done. */
  skippedComponents: ComponentKind[];
  /** Where the server lives, as found when planning: the postconditions hold the run to it. */
  server: { installPath: string | null; dataFile: string | null } | null;
  /** This server's replication role as given (null: a person confirms it) and whether it sits behind a load balancer. */
  replication: { role: ReplicationRole | null; loadBalanced: boolean };
}
