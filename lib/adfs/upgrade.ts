// The AD FS adapter upgrade, end to end on one host: read and check every input before anything
// changes (AD FS present, exactly one adapter registered, the new config well formed, the register
// script holding the registration), plan the farm(s), then run this host's steps.
import { ExitCode, MfaError, badInput } from '../errors.js';
import { compareAdapterConfigs } from '../config/adfs/adapter-config.js';
import { patchRegisterScript } from '../config/ps/register-patch.js';
import type { Host } from '../host/ports.js';
import { joinWindowsPath, windowsDirname } from '../util/winpath.js';
import { CURRENT_ADAPTER_NAME, discoverAdfs, theAdapter, typeNameVersion, type AdfsDiscovery } from './discovery.js';
import { parseServers, planAdfsUpgrade, planData, runsHere, sameNode, type AdfsPlan, type FarmSpec } from './plan.js';
import { readRegisterCall } from './register-script.js';
import type { AdfsEnv, AdfsRunData, FarmInputs } from './steps.js';
import { resumeRun, rollbackRun, startRun, type RunOptions, type RunOutcome, type RunResult } from '../engine/engine.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../engine/installer-op.js';
import { Journal, type JournalState } from '../engine/journal.js';
import { withHostLock } from '../engine/locked-run.js';
import { NEVER_CANCELLED, type CancelSignal } from '../util/cancel.js';
import { readPolicy } from './adfs-state.js';
import { isPrimary, newAdapterOnNode, readSyncRole } from './preconditions.js';

export const DEFAULT_BACKUP_DIR = 'C:\\ProgramData\\mfa-upgrade\\adfs';
export const REGISTER_SCRIPT_NAME = 'Register-MultiFactorAuthenticationAdfsAdapter.ps1';
import { ADFS_ADAPTER_CONFIG as ADAPTER_CONFIG_NAME, readInstallPath } from '../inventory/take-inventory.js';
import type { Reporter } from '../reporting/reporter.js';

export interface AdfsUpgradeOptions {
  /** The new adapter config (the one the new version ships). */
  config: string;
  registerScript?: string;
  /** Where the carried-over config is written and registered from (default: --config itself). */
  out?: string;
  oldConfig?: string;
  servers?: string[];
  farm?: string;
  typeName?: string;
  name?: string;
  oldTypeName?: string;
  backupDir?: string;
  package?: string;
  sdkVdir?: Array<{ from: string; to: string }>;
  /** Begin this server's part at this step (the steps before it were done on other servers), or go on with its open run. */
  from?: string;
  resume?: boolean;
  rollback?: boolean;
  whatIf?: boolean;
  cancel?: CancelSignal;
  retry?: RetryPolicy;
  /** Host folder for the Windows Installer logs of the adapter install. */
  logDir?: string;
  toolVersion?: string;
}

export interface PreparedUpgrade {
  localNode: string;
  discovery: AdfsDiscovery;
  inputs: FarmInputs;
  farms: FarmSpec[];
  plan: AdfsPlan;
  warnings: string[];
}

async function readRequired(host: Host, path: string, what: string, option: string): Promise<Buffer> {
  const st = await host.files.stat(path);
  if (!st) throw badInput(`the ${what} does not exist`, path, { code: 'FILE_NOT_FOUND', remedy: `Check the path given to --${option}.` });
  if (st.isDirectory) throw badInput(`this is a folder, not the ${what}`, path, { code: 'FILE_IS_FOLDER', remedy: `Give --${option} the file itself.` });
  return host.files.readFile(path);
}

async function installFolder(host: Host): Promise<string | undefined> {
  return (await readInstallPath(host.registry, '32')) ?? (await readInstallPath(host.registry, '64')) ?? undefined;
}

export async function prepareAdfsUpgrade(host: Host, o: AdfsUpgradeOptions): Promise<PreparedUpgrade> {
  const warnings: string[] = [];
  const localNode = (await host.info()).computerName;
  const discovery = await discoverAdfs(host.powershell);
  const adapter = theAdapter(discovery);
  const oldTypeName = adapter.typeName ?? o.oldTypeName;
  if (!oldTypeName) {
    throw new MfaError(`AD FS does not report the type name of ${adapter.name}, so it could not be registered again if the upgrade fails`, {
      code: 'ADFS_OLD_TYPE_UNKNOWN',
      exitCode: ExitCode.badInput,
      remedy: 'Pass the registered type name with --old-type-name (it is in the old Register-MultiFactorAuthenticationAdfsAdapter.ps1).',
    });
  }

  // The new config must be an adapter config before anything changes (malformed: refused here).
  const newBytes = await readRequired(host, o.config, 'new AD FS adapter config', 'config');
  compareAdapterConfigs({ bytes: newBytes, file: o.config }, { bytes: newBytes, file: o.config });
  const carriedConfig = o.out ?? o.config;

  let registerScript: FarmInputs['registerScript'];
  let scriptCall: { typeName?: string; name?: string } = {};
  const scriptPath = o.registerScript ?? joinWindowsPath(windowsDirname(o.config), REGISTER_SCRIPT_NAME);
  if (o.registerScript !== undefined || (await host.files.stat(scriptPath))) {
    const bytes = await readRequired(host, scriptPath, 'register script', 'register-script');
    const patched = await patchRegisterScript({ bytes, file: scriptPath }, carriedConfig);
    warnings.push(...patched.report.warnings);
    scriptCall = await readRegisterCall(patched.bytes, scriptPath);
    registerScript = { path: scriptPath, patched: patched.bytes };
  }
  const typeName = o.typeName ?? scriptCall.typeName;
  if (!typeName) {
    throw new MfaError('the new adapter type name is not known', {
      code: 'ADFS_NEW_TYPE_UNKNOWN',
      exitCode: ExitCode.usage,
      remedy: registerScript
        ? `The register script computes -TypeName at run time: pass --type-name.`
        : `Pass --register-script (${REGISTER_SCRIPT_NAME} from the new adapter) or --type-name.`,
    });
  }
  const name = o.name ?? scriptCall.name ?? CURRENT_ADAPTER_NAME;
  const oldVersion = typeNameVersion(oldTypeName);
  const newVersion = typeNameVersion(typeName);
  if (oldVersion && newVersion && oldVersion === newVersion) warnings.push(`the new type name has the same version as the registered one (${oldVersion})`);

  let oldConfigOnDisk = o.oldConfig;
  if (oldConfigOnDisk === undefined) {
    const dir = await installFolder(host);
    if (dir) oldConfigOnDisk = joinWindowsPath(dir, ADAPTER_CONFIG_NAME);
  }
  if (oldConfigOnDisk !== undefined && o.oldConfig === undefined && [o.config, carriedConfig].some((p) => p.toLowerCase() === (oldConfigOnDisk as string).toLowerCase())) {
    oldConfigOnDisk = undefined;
  }

  const inputs: FarmInputs = {
    farm: o.farm ?? 'farm',
    old: { name: adapter.name, typeName: oldTypeName },
    adapterInPolicy: discovery.additionalProviders.some((n) => n.toLowerCase() === adapter.name.toLowerCase()),
    originalPolicy: [...discovery.additionalProviders],
    next: { name, typeName },
    newConfig: o.config,
    carriedConfig,
    ...(oldConfigOnDisk ? { oldConfigOnDisk } : {}),
    ...(registerScript ? { registerScript } : {}),
    sdkVdir: o.sdkVdir ?? [],
    backupDir: o.backupDir ?? DEFAULT_BACKUP_DIR,
    ...(o.package ? { package: o.package } : {}),
  };
  const farms = o.servers && o.servers.length > 0 ? parseServers(o.servers, inputs.farm) : [{ name: inputs.farm, nodes: [localNode] }];
  const mine = farms.find((f) => f.nodes.some((n) => n.toLowerCase() === localNode.toLowerCase() || n.split('.')[0]?.toLowerCase() === localNode.toLowerCase()));
  if (mine) inputs.farm = mine.name;
  else if (!o.whatIf) {
    throw new MfaError(`this server (${localNode}) is not in --servers`, {
      code: 'ADFS_NOT_IN_FARM',
      exitCode: ExitCode.usage,
      remedy: 'Run adfs-upgrade on a server of the farm (it runs the once-per-farm steps), or list this server in --servers; --what-if shows the plan from anywhere.',
    });
  }
  if (mine) await farmPreconditions(host, o, inputs, mine, localNode, warnings);
  const plan = planAdfsUpgrade(farms, localNode, mine ? inputs : undefined, o.package !== undefined);
  return { localNode, discovery, inputs, farms, plan, warnings };
}

/**
 * Before anything is planned to run here: this node must be where the farm's configuration is
 * written (the WID primary), and a farm of one, which cannot be drained, needs the package (or the
 * new adapter already installed) so the adapter is installed before it leaves the policy.
 */
async function farmPreconditions(host: Host, o: AdfsUpgradeOptions, inputs: FarmInputs, farm: FarmSpec, localNode: string, warnings: string[]): Promise<void> {
  const sync = await readSyncRole(host.powershell);
  if (sync.unavailable) warnings.push(`the AD FS sync role could not be read (${sync.unavailable}): make sure ${localNode} is the farm's primary node on a WID farm`);
  else if (!isPrimary(sync)) {
    throw new MfaError(`${localNode} is not the primary node of its WID farm (Get-AdfsSyncProperties: Role ${sync.role ?? '?'}${sync.primary ? `, primary ${sync.primary}` : ''}); the farm's configuration (the policy, the registration) is changed on the primary`, {
      code: 'ADFS_NOT_PRIMARY',
      target: localNode,
      exitCode: ExitCode.notReady,
      remedy: `Run adfs-upgrade on ${sync.primary ?? 'the primary node'}${farm.nodes.length > 1 ? `, listing it first in --servers` : ''}.`,
    });
  }
  if (o.package !== undefined) {
    const id = await host.installer.readPackage(o.package).catch(() => undefined);
    if (id) inputs.packageProduct = { productCode: id.productCode, version: id.version };
    return;
  }
  if (farm.nodes.length !== 1) return;
  const on = await newAdapterOnNode(host, inputs.next);
  if (on.installed) {
    warnings.push(`the new adapter is already installed on ${localNode} (${on.evidence})`);
    return;
  }
  throw new MfaError(`${inputs.farm} is a farm of one server (${localNode}) and the new adapter is not installed on it (${on.evidence}); it must be installed before the adapter leaves the global policy`, {
    code: 'ADFS_PACKAGE_REQUIRED',
    target: localNode,
    exitCode: ExitCode.notReady,
    remedy: `Pass --package <path of MultiFactorAuthenticationAdfsAdapterSetup64.msi> (it lies in the new MFA Server's install folder): the run installs it as step b, after the export and before the adapter leaves the policy.`,
  });
}

export interface AdfsUpgradeReport {
  status: RunOutcome | 'what-if';
  localNode: string;
  farms: AdfsPlan['farms'];
  adapter: { old: { name: string; typeName: string; version?: string }; new: { name: string; typeName: string; version?: string } };
  policyBefore: string[];
  policyAfter?: string[];
  withoutAdapterSeconds?: number;
  adapterOutOfPolicy?: boolean;
  next?: RunResult['next'];
  /** The first step after `next` that this server runs: go on here with --resume once `next` is done. */
  resumeFrom?: string;
  failure?: { step: string; code?: string; message: string; record?: unknown };
  steps: Array<Record<string, unknown>>;
  backupDir: string;
  journal?: string;
  exportFile?: string;
  carried?: AdfsRunData['carried'];
  carriedConfig: string;
  warnings: string[];
}

export const JOURNAL_NAME = 'adfs-journal.jsonl';

/** What the journal keeps to rebuild the plan on --resume / --rollback, whatever AD FS looks like by then. */
interface AdfsSpec {
  localNode: string;
  farms: FarmSpec[];
  withPackage: boolean;
  inputs: Omit<FarmInputs, 'registerScript'> & { registerScript?: { path: string; patched: string } };
  policyBefore: string[];
  warnings: string[];
}

function toSpec(p: PreparedUpgrade, farms: FarmSpec[], withPackage: boolean): AdfsSpec {
  const { registerScript, ...rest } = p.inputs;
  return { localNode: p.localNode, farms, withPackage, inputs: { ...rest, ...(registerScript ? { registerScript: { path: registerScript.path, patched: Buffer.from(registerScript.patched).toString('base64') } } : {}) }, policyBefore: p.discovery.additionalProviders, warnings: p.warnings };
}

function fromSpec(spec: AdfsSpec): { inputs: FarmInputs; plan: AdfsPlan } {
  const { registerScript, ...rest } = spec.inputs;
  const inputs: FarmInputs = { ...rest, ...(registerScript ? { registerScript: { path: registerScript.path, patched: Buffer.from(registerScript.patched, 'base64') } } : {}) };
  const mine = spec.farms.some((f) => f.name.toLowerCase() === inputs.farm.toLowerCase() && f.nodes.some((n) => sameNode(n, spec.localNode)));
  return { inputs, plan: planAdfsUpgrade(spec.farms, spec.localNode, mine ? inputs : undefined, spec.withPackage) };
}

function journalOf(host: Host, backupDir: string): string {
  return host.localPath(joinWindowsPath(backupDir, JOURNAL_NAME));
}

/** The run this server's journal holds that may be continued: an open one, or for --rollback also a completed one. */
function openRun(journal: string, rollback: boolean): JournalState | undefined {
  const state = new Journal(journal).state();
  if (!state) return undefined;
  if (!state.ended) return state;
  return rollback && state.ended.outcome === 'completed' ? state : undefined;
}

export async function runAdfsUpgrade(host: Host, o: AdfsUpgradeOptions, reporter: Reporter, now: () => number = Date.now): Promise<AdfsUpgradeReport> {
  const backupDir = o.backupDir ?? DEFAULT_BACKUP_DIR;
  const journal = journalOf(host, backupDir);
  const open = openRun(journal, o.rollback === true);
  // --resume, --rollback, and --from on a server whose run is open, continue that run from its journal.
  const continuing = o.resume === true || o.rollback === true || (o.from !== undefined && open !== undefined);
  if (continuing && !open) {
    const nothing = new MfaError(`there is no AD FS upgrade to continue in ${backupDir}`, { code: 'ADFS_NOTHING_TO_RESUME', target: journal, exitCode: ExitCode.usage, remedy: 'Run without --resume/--rollback to start, or pass the --backup-dir of the run to continue.' });
    // Still under the lock: a killed run's stale lock (it never began a journal) is cleared on the way.
    if (o.whatIf) throw nothing;
    return withHostLock(host, reporter, { command: 'adfs-upgrade', kind: 'adfs' }, async () => {
      throw nothing;
    });
  }
  let spec: AdfsSpec;
  if (continuing && open) spec = open.begin.spec as AdfsSpec;
  else {
    const prepared = await prepareAdfsUpgrade(host, o);
    spec = toSpec(prepared, prepared.farms, o.package !== undefined);
  }
  const { inputs, plan } = fromSpec(spec);
  if (!continuing) for (const w of spec.warnings) reporter.log('warning', w);
  const version = (t: string) => (typeNameVersion(t) ? { version: typeNameVersion(t) as string } : {});
  const base: AdfsUpgradeReport = {
    status: 'what-if',
    localNode: spec.localNode,
    farms: plan.farms,
    adapter: { old: { ...inputs.old, ...version(inputs.old.typeName) }, new: { ...inputs.next, ...version(inputs.next.typeName) } },
    policyBefore: spec.policyBefore,
    steps: planData(plan, spec.localNode),
    backupDir,
    carriedConfig: inputs.carriedConfig,
    warnings: spec.warnings,
  };
  if (o.whatIf) return base;

  const request = { command: `adfs-upgrade${o.rollback ? ' --rollback' : continuing ? ' --resume' : ''}`, kind: 'adfs' as const, ...(continuing && open ? { continues: { journal, runId: open.begin.runId } } : {}) };
  const result = await withHostLock(host, reporter, request, async (lock) => {
    const run: RunOptions<AdfsEnv> = {
      journalPath: journal,
      workDir: host.localPath(backupDir),
      kind: 'adfs',
      spec,
      // AD FS is never left half way by a failure: what this run did is undone at once.
      policy: 'undo',
      steps: plan.steps,
      env: { inputs: plan.farms.some((f) => f.local) ? inputs : undefined },
      host,
      reporter,
      cancel: o.cancel ?? NEVER_CANCELLED,
      localNode: spec.localNode,
      unattended: false,
      retry: o.retry ?? DEFAULT_RETRY,
      logDir: o.logDir ?? 'C:\\Windows\\Logs\\MfaUpgrade',
      toolVersion: o.toolVersion ?? 'unknown',
      activity: 'AD FS adapter upgrade',
      lock,
      now,
      ...(o.from !== undefined ? { startAt: o.from } : {}),
    };
    await host.files.mkdirp(backupDir);
    if (o.rollback) return rollbackRun(run);
    if (continuing) return resumeRun(run);
    return startRun(run);
  });
  return reportOf(host, base, plan, spec.localNode, result);
}

async function reportOf(host: Host, base: AdfsUpgradeReport, plan: AdfsPlan, localNode: string, result: RunResult): Promise<AdfsUpgradeReport> {
  const d = result.data as AdfsRunData;
  const policyAfter = await readPolicy(host.powershell).catch(() => [] as string[]);
  const report: AdfsUpgradeReport = {
    ...base,
    status: result.outcome,
    policyAfter,
    journal: result.journal,
    steps: base.steps.map((s) => {
      const r = result.steps.find((x) => x.id === s['id']);
      return r ? { ...s, status: r.status, ...(r.startedAt ? { startedAt: r.startedAt } : {}), ...(r.endedAt ? { endedAt: r.endedAt } : {}), ...(r.error ? { error: r.error } : {}) } : s;
    }),
    ...(result.next ? { next: result.next } : {}),
    ...(d.exportFile ? { exportFile: d.exportFile } : {}),
    ...(d.carried ? { carried: d.carried } : {}),
  };
  const out = d.removedFromPolicyAt;
  const back = d.restoredToPolicyAt;
  if (out !== undefined && back !== undefined && back >= out) report.withoutAdapterSeconds = Math.round((back - out) / 100) / 10;
  report.adapterOutOfPolicy = out !== undefined && (back === undefined || back < out);
  if (result.next) {
    const at = plan.steps.findIndex((s) => s.id === result.next?.id);
    const resume = plan.steps.slice(at + 1).find((s) => runsHere(s, localNode));
    if (resume) report.resumeFrom = resume.id;
  }
  if (result.failure) {
    const e = result.failure.error;
    const cause = (e as { cause?: unknown }).cause;
    report.failure = { step: result.failure.step, message: e.message, code: e.code, ...(cause && typeof cause === 'object' && 'record' in cause ? { record: (cause as { record: unknown }).record } : 'record' in e ? { record: (e as { record: unknown }).record } : {}) };
  }
  return report;
}

export function reportExitCode(r: AdfsUpgradeReport): (typeof ExitCode)[keyof typeof ExitCode] {
  if (r.status === 'completed' || r.status === 'what-if') return ExitCode.success;
  // Asked for (--rollback) and clean: a success. Rolled back because a step failed: the failure stands.
  if (r.status === 'rolled-back' && !r.failure) return ExitCode.success;
  if (r.status === 'paused') return ExitCode.manualStepsPending;
  if (r.status === 'interrupted') return ExitCode.interrupted;
  return ExitCode.fatal;
}
