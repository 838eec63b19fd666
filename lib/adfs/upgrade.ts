// The AD FS adapter upgrade, end to end on one host: read and check every input before anything
// changes (AD FS present, exactly one adapter registered, the new config well formed, the register
// script holding the registration), plan the farm(s), then run this host's steps.
import { ExitCode, MfaError, badInput } from '../errors.js';
import { compareAdapterConfigs } from '../config/adfs/adapter-config.js';
import { patchRegisterScript } from '../config/ps/register-patch.js';
import type { Host } from '../host/ports.js';
import { parseJson } from '../util/json-file.js';
import { joinWindowsPath, windowsDirname } from '../util/winpath.js';
import { CURRENT_ADAPTER_NAME, discoverAdfs, theAdapter, typeNameVersion, type AdfsDiscovery } from './discovery.js';
import { parseServers, planAdfsUpgrade, planData, type AdfsPlan } from './plan.js';
import { readRegisterCall } from './register-script.js';
import { persistState, runAdfsSteps, STATE_FILE, type RunResult } from './runner.js';
import type { FarmInputs, RunState, StepContext } from './steps.js';

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
  from?: string;
  whatIf?: boolean;
}

export interface PreparedUpgrade {
  localNode: string;
  discovery: AdfsDiscovery;
  inputs: FarmInputs;
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
  const plan = planAdfsUpgrade(farms, localNode, mine ? inputs : undefined, o.package !== undefined);
  return { localNode, discovery, inputs, plan, warnings };
}

export interface AdfsUpgradeReport {
  status: RunResult['status'] | 'what-if';
  localNode: string;
  farms: AdfsPlan['farms'];
  adapter: { old: { name: string; typeName: string; version?: string }; new: { name: string; typeName: string; version?: string } };
  policyBefore: string[];
  policyAfter?: string[];
  withoutAdapterSeconds?: number;
  adapterOutOfPolicy?: boolean;
  next?: RunResult['next'];
  resumeFrom?: string;
  failure?: { step: string; code?: string; message: string; record?: unknown };
  steps: Array<Record<string, unknown>>;
  backupDir: string;
  exportFile?: string;
  carried?: RunState['carried'];
  carriedConfig: string;
  warnings: string[];
}

async function loadState(host: Host, inputs: FarmInputs): Promise<RunState | undefined> {
  const file = joinWindowsPath(inputs.backupDir, STATE_FILE);
  if (!(await host.files.stat(file))) return undefined;
  return parseJson((await host.files.readFile(file)).toString('utf8'), file) as RunState;
}

export async function runAdfsUpgrade(host: Host, o: AdfsUpgradeOptions, logger: Pick<Reporter, 'log'>, now: () => number = Date.now): Promise<AdfsUpgradeReport> {
  const prepared = await prepareAdfsUpgrade(host, o);
  const { inputs, plan, localNode, discovery } = prepared;
  for (const w of prepared.warnings) logger.log('warning', w);
  const previous = o.whatIf ? undefined : await loadState(host, inputs);
  let state: RunState | undefined;
  if (o.whatIf) state = undefined;
  else if (o.from !== undefined) {
    if (!previous || !previous.found) throw new MfaError(`there is no AD FS upgrade to resume in ${inputs.backupDir}`, { code: 'ADFS_NOTHING_TO_RESUME', exitCode: ExitCode.usage, remedy: 'Run without --from to start, or pass the --backup-dir of the run to resume.' });
    if (previous.farm.toLowerCase() !== inputs.farm.toLowerCase()) throw new MfaError(`the run in ${inputs.backupDir} is for farm ${previous.farm}, not ${inputs.farm}`, { code: 'ADFS_NOTHING_TO_RESUME', exitCode: ExitCode.usage });
    state = previous;
    // The farm as it was found when the run started: the adapter may be unregistered or out of the policy now.
    Object.assign(inputs, previous.found);
  } else {
    if (previous && (previous.status === 'running' || previous.status === 'paused' || previous.status === 'failed')) {
      throw new MfaError(`an AD FS adapter upgrade started ${previous.startedAt} is ${previous.status} (${inputs.backupDir})`, {
        code: 'ADFS_RUN_IN_PROGRESS',
        exitCode: ExitCode.badInput,
        target: joinWindowsPath(inputs.backupDir, STATE_FILE),
        remedy: 'Resume it with --from <step id> (see --what-if), or, once AD FS is checked by hand, remove the state file.',
      });
    }
    state = {
      format: 'mfa-upgrade/adfs-run@1',
      farm: inputs.farm,
      startedAt: new Date(now()).toISOString(),
      status: 'running',
      completed: [],
      replaced: {},
      found: { old: { ...inputs.old }, originalPolicy: [...inputs.originalPolicy], adapterInPolicy: inputs.adapterInPolicy },
    };
  }
  const version = (t: string) => (typeNameVersion(t) ? { version: typeNameVersion(t) as string } : {});
  const base: AdfsUpgradeReport = {
    status: 'what-if',
    localNode,
    farms: plan.farms,
    adapter: { old: { ...inputs.old, ...version(inputs.old.typeName) }, new: { ...inputs.next, ...version(inputs.next.typeName) } },
    policyBefore: o.from !== undefined ? inputs.originalPolicy : discovery.additionalProviders,
    steps: planData(plan, localNode),
    backupDir: inputs.backupDir,
    carriedConfig: inputs.carriedConfig,
    warnings: prepared.warnings,
  };
  if (!state) return base;
  state.status = 'running';
  const ctx: StepContext = {
    host,
    inputs,
    state,
    now,
    log: (level, message) => logger.log(level, message),
    persist: () => persistState(ctx),
  };
  const result = await runAdfsSteps(plan.steps, ctx, localNode, o.from);
  const after = (await host.powershell.invoke('Get-AdfsGlobalAuthenticationPolicy').catch(() => []))[0] as Record<string, unknown> | undefined;
  const policyAfter = Array.isArray(after?.['AdditionalAuthenticationProvider']) ? (after['AdditionalAuthenticationProvider'] as string[]) : [];
  const report: AdfsUpgradeReport = {
    ...base,
    status: result.status,
    policyAfter,
    adapterOutOfPolicy: result.adapterOutOfPolicy,
    steps: base.steps.map((s) => ({ ...s, ...(result.steps.find((r) => r.id === s['id']) ?? {}) })),
    ...(result.withoutAdapterSeconds !== undefined ? { withoutAdapterSeconds: result.withoutAdapterSeconds } : {}),
    ...(result.next ? { next: result.next } : {}),
    ...(result.resumeFrom ? { resumeFrom: result.resumeFrom } : {}),
    ...(state.exportFile ? { exportFile: state.exportFile } : {}),
    ...(state.carried ? { carried: state.carried } : {}),
  };
  if (result.failure) {
    const e = result.failure.error;
    report.failure = { step: result.failure.step, message: e.message, ...(e instanceof MfaError ? { code: e.code } : {}), ...('record' in e ? { record: (e as { record: unknown }).record } : {}) };
  }
  return report;
}

export function reportExitCode(r: AdfsUpgradeReport): (typeof ExitCode)[keyof typeof ExitCode] {
  if (r.status === 'completed' || r.status === 'what-if') return ExitCode.success;
  if (r.status === 'paused') return ExitCode.manualStepsPending;
  return ExitCode.fatal;
}
