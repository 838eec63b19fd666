// The AD FS adapter upgrade as typed steps (procedure.md §3.7). Each step has a journal-friendly id,
// the node it runs on, a describe(), its run and its undo. Steps share the farm's facts
// (FarmInputs, fixed when the plan is made) and a run state persisted in the backup folder
// (RunState), so the sequence can stop at a manual step and resume later with --from.
import { ExitCode, MfaError } from '../errors.js';
import { compareAdapterConfigs } from '../config/adfs/adapter-config.js';
import type { Host } from '../host/ports.js';
import { joinWindowsPath, windowsDirname } from '../util/winpath.js';
import { isAdapterName } from './discovery.js';

export interface FarmInputs {
  farm: string;
  /** The registration being replaced (re-registered as it was if the new one fails). */
  old: { name: string; typeName: string };
  /** Whether the old adapter was in the global policy (it is put back only then). */
  adapterInPolicy: boolean;
  /** The global policy's additional providers before anything changed. */
  originalPolicy: string[];
  /** What gets registered: from the register script, or --type-name/--name. */
  next: { name: string; typeName: string };
  /** The new adapter config (--config) and where the carried-over config is written (registered with -ConfigurationFilePath). */
  newConfig: string;
  carriedConfig: string;
  /** The old config on disk, used when the registration holds no configuration data. */
  oldConfigOnDisk?: string;
  /** The register script to patch (-ConfigurationFilePath), with its patched text. */
  registerScript?: { path: string; patched: Uint8Array };
  sdkVdir: Array<{ from: string; to: string }>;
  backupDir: string;
  /** The adapter package to install on this node (b / i), when given. */
  package?: string;
}

export interface RunState {
  format: 'mfa-upgrade/adfs-run@1';
  farm: string;
  startedAt: string;
  status: 'running' | 'paused' | 'completed' | 'rolled-back' | 'failed';
  completed: string[];
  exportFile?: string;
  exportHadData?: boolean;
  /** ms since epoch: the adapter left the policy / came back. */
  removedFromPolicyAt?: number;
  restoredToPolicyAt?: number;
  carried?: { changed: number; added: number; removed: number; source: 'export' | 'file' };
  /** Backups of files the run replaced: Windows path -> backup file (absent: the file did not exist). */
  replaced: Record<string, string | null>;
  /** The farm as found when the run started: a resumed run undoes and restores towards this, not what it finds then. */
  found?: Pick<FarmInputs, 'old' | 'originalPolicy' | 'adapterInPolicy'>;
}

export interface StepContext {
  host: Host;
  inputs: FarmInputs;
  state: RunState;
  now(): number;
  log(level: 'verbose' | 'info' | 'warning' | 'error', message: string): void;
  persist(): Promise<void>;
}

export type StepScope = 'farm' | 'node' | 'manual';

export interface AdfsStep {
  id: string;
  title: string;
  kind: 'adfs';
  /** procedure.md §3.7 letter (a-j), or 'prep' for the preparation before the farm is touched. */
  phase: string;
  scope: StepScope;
  /** Where it runs (the farm's first node for farm-wide steps); every node for a manual step. */
  node: string;
  manual?: boolean;
  /** Whether the step leaves the farm without the adapter in the policy when it completes. */
  describe(): string;
  run(ctx: StepContext): Promise<void>;
  undo?(ctx: StepContext): Promise<void>;
  /** The undo in words, for the plan. */
  undoText?: string;
}

const CONFIRM_FALSE = { Confirm: false };

function policyWithout(list: string[]): string[] {
  return list.filter((n) => !isAdapterName(n));
}

/** The policy with the adapter back where it was (under its new name); others as they are now. */
export function policyWithAdapter(current: string[], original: string[], adapterName: string): string[] {
  const others = policyWithout(current);
  const at = original.findIndex((n) => isAdapterName(n));
  const before = at === -1 ? others.length : policyWithout(original.slice(0, at)).filter((n) => others.some((o) => o.toLowerCase() === n.toLowerCase())).length;
  return [...others.slice(0, before), adapterName, ...others.slice(before)];
}

async function currentPolicy(ctx: StepContext): Promise<string[]> {
  const p = (await ctx.host.powershell.invoke('Get-AdfsGlobalAuthenticationPolicy'))[0] as Record<string, unknown> | undefined;
  const raw = p?.['AdditionalAuthenticationProvider'];
  return (Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []).filter((x): x is string => typeof x === 'string');
}

async function setPolicy(ctx: StepContext, list: string[]): Promise<void> {
  await ctx.host.powershell.invoke('Set-AdfsGlobalAuthenticationPolicy', { AdditionalAuthenticationProvider: list, ...CONFIRM_FALSE });
}

async function isRegistered(ctx: StepContext, name: string): Promise<boolean> {
  return (await ctx.host.powershell.invoke('Get-AdfsAuthenticationProvider', { Name: name })).length > 0;
}

/** Replaces a file, keeping its original in the backup folder (once per run) for undo. */
async function replaceFile(ctx: StepContext, path: string, bytes: Uint8Array, backupName: string): Promise<void> {
  const files = ctx.host.files;
  if (!(path in ctx.state.replaced)) {
    const st = await files.stat(path);
    if (st && !st.isDirectory) {
      const backup = joinWindowsPath(ctx.inputs.backupDir, backupName);
      await files.copyFile(path, backup);
      ctx.state.replaced[path] = backup;
    } else ctx.state.replaced[path] = null;
    await ctx.persist();
  }
  await files.writeFileAtomic(path, bytes);
}

async function restoreFile(ctx: StepContext, path: string): Promise<void> {
  const backup = ctx.state.replaced[path];
  if (backup === undefined) return;
  if (backup === null) await ctx.host.files.remove(path);
  else await ctx.host.files.writeFileAtomic(path, await ctx.host.files.readFile(backup));
  delete ctx.state.replaced[path];
  await ctx.persist();
}

function notHere(step: string, node: string): never {
  throw new MfaError(`step ${step} runs on ${node}, not here`, { code: 'ADFS_STEP_REMOTE', exitCode: ExitCode.manualStepsPending });
}

export interface StepFactoryArgs {
  farm: string;
  /** The farm's inputs, when this host belongs to the farm (remote farms are planned, not run, here). */
  inputs?: FarmInputs;
  primary: string;
}

function need(args: StepFactoryArgs, id: string): FarmInputs {
  return args.inputs ?? notHere(id, args.primary);
}

export function exportStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/export`;
  return {
    id,
    title: 'Export the registered adapter configuration into the backup',
    kind: 'adfs',
    phase: 'prep',
    scope: 'farm',
    node: a.primary,
    describe: () => {
      const i = a.inputs;
      return i ? `Export-AdfsAuthenticationProviderConfigurationData -Name ${i.old.name} -FilePath ${joinWindowsPath(i.backupDir, `${i.old.name}.export.config`)}` : 'Export-AdfsAuthenticationProviderConfigurationData for the registered adapter';
    },
    async run(ctx) {
      const i = need(a, id);
      const files = ctx.host.files;
      await files.mkdirp(i.backupDir);
      await files.protect(i.backupDir);
      const file = joinWindowsPath(i.backupDir, `${i.old.name}.export.config`);
      await ctx.host.powershell.invoke('Export-AdfsAuthenticationProviderConfigurationData', { Name: i.old.name, FilePath: file, ...CONFIRM_FALSE });
      const st = await files.stat(file);
      if (!st) throw new MfaError('the export wrote no file', { code: 'ADFS_EXPORT_MISSING', target: file, remedy: 'Check that the backup folder is writable by the AD FS service account and run again.' });
      ctx.state.exportFile = file;
      ctx.state.exportHadData = st.size > 0;
      ctx.log('info', `Exported the configuration of ${i.old.name} to ${file} (${st.size > 0 ? `${st.size} bytes` : 'no configuration data registered: the adapter read its config file'})`);
    },
    undoText: 'nothing to undo (the export stays in the backup)',
  };
}

export function carryStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/carry-config`;
  return {
    id,
    title: 'Carry the old adapter settings into the new adapter config',
    kind: 'adfs',
    phase: 'prep',
    scope: 'farm',
    node: a.primary,
    describe: () => (a.inputs ? `compare the exported (or on-disk) config with ${a.inputs.newConfig} and write ${a.inputs.carriedConfig}` : 'compare and carry the adapter config'),
    async run(ctx) {
      const i = need(a, id);
      const files = ctx.host.files;
      let oldFile = ctx.state.exportFile;
      let source: 'export' | 'file' = 'export';
      if (!ctx.state.exportHadData || !oldFile) {
        if (!i.oldConfigOnDisk || !(await files.stat(i.oldConfigOnDisk))) {
          throw new MfaError('the registration holds no configuration data and the old adapter config file was not found', {
            code: 'ADFS_NO_OLD_CONFIG',
            exitCode: ExitCode.badInput,
            ...(i.oldConfigOnDisk ? { target: i.oldConfigOnDisk } : {}),
            remedy: 'Pass the old MultiFactorAuthenticationAdfsAdapter.config with --old-config.',
          });
        }
        oldFile = i.oldConfigOnDisk;
        source = 'file';
      }
      const oldBytes = await files.readFile(oldFile);
      const newBytes = await files.readFile(i.newConfig);
      const { bytes, report } = compareAdapterConfigs({ bytes: oldBytes, file: oldFile }, { bytes: newBytes, file: i.newConfig }, { sdkVdir: i.sdkVdir });
      await replaceFile(ctx, i.carriedConfig, bytes, 'carried-config.original');
      ctx.state.carried = { changed: report.changed.length, added: report.added.length, removed: report.removed.length, source };
      for (const c of report.changed) ctx.log('verbose', `carried ${c.path}: ${JSON.stringify(c.old)} -> ${JSON.stringify(c.new)}`);
      if (report.reshaped.length) ctx.log('warning', `carry by hand (shape changed): ${report.reshaped.join(', ')}`);
      ctx.log('info', `Carried ${report.changed.length} setting(s) from ${oldFile} into ${i.carriedConfig}`);
    },
    async undo(ctx) {
      const i = need(a, id);
      await restoreFile(ctx, i.carriedConfig);
    },
    undoText: 'the config file is put back as it was',
  };
}

export function patchScriptStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/patch-register-script`;
  return {
    id,
    title: 'Add -ConfigurationFilePath to the register script',
    kind: 'adfs',
    phase: 'prep',
    scope: 'farm',
    node: a.primary,
    describe: () => (a.inputs?.registerScript ? `patch ${a.inputs.registerScript.path}: Register-AdfsAuthenticationProvider ... -ConfigurationFilePath '${a.inputs.carriedConfig}'` : 'patch the register script'),
    async run(ctx) {
      const i = need(a, id);
      if (!i.registerScript) return;
      await replaceFile(ctx, i.registerScript.path, i.registerScript.patched, 'register-script.original.ps1');
      ctx.log('info', `Patched ${i.registerScript.path} (-ConfigurationFilePath '${i.carriedConfig}')`);
    },
    async undo(ctx) {
      const i = need(a, id);
      if (i.registerScript) await restoreFile(ctx, i.registerScript.path);
    },
    undoText: 'the script is put back as it was',
  };
}

export function manualStep(farm: string, phase: string, idPart: string, title: string, nodes: string[]): AdfsStep {
  return {
    id: `${farm}/${idPart}`,
    title,
    kind: 'adfs',
    phase,
    scope: 'manual',
    node: nodes.join(','),
    manual: true,
    describe: () => title,
    run: async () => notHere(`${farm}/${idPart}`, 'the administrator (load balancer)'),
  };
}

export function installStep(a: StepFactoryArgs, phase: string, node: string, withPackage: boolean): AdfsStep {
  const id = `${a.farm}/install@${node}`;
  return {
    id,
    title: `Install the new AD FS adapter on ${node}`,
    kind: 'adfs',
    phase,
    scope: 'node',
    node,
    ...(withPackage ? {} : { manual: true }),
    describe: () => (a.inputs?.package ? `install ${a.inputs.package} on ${node}` : `install MultiFactorAuthenticationAdfsAdapterSetup64.msi on ${node}`),
    async run(ctx) {
      const i = need(a, id);
      if (!i.package) notHere(id, node);
      const r = await ctx.host.installer.install(i.package);
      if (r.exitCode !== 0 && r.exitCode !== 3010) {
        throw new MfaError(`installing ${i.package} failed with ${r.exitCode}`, { code: `MSI_${r.exitCode}`, target: i.package, exitCode: r.exitCode === 1618 ? ExitCode.anotherInstallRunning : ExitCode.fatal, ...(r.logFile ? { remedy: `See ${r.logFile}.` } : {}) });
      }
      ctx.log('info', `Installed ${i.package} on ${node} (exit code ${r.exitCode})`);
    },
    undoText: 'not undone automatically (the old adapter package would have to be reinstalled)',
  };
}

export function policyRemoveStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/policy-remove`;
  return {
    id,
    title: 'Take the adapter out of the global authentication policy (users get no second factor from here)',
    kind: 'adfs',
    phase: 'c',
    scope: 'farm',
    node: a.primary,
    describe: () => {
      const i = a.inputs;
      return i ? `Set-AdfsGlobalAuthenticationPolicy -AdditionalAuthenticationProvider ${JSON.stringify(policyWithout(i.originalPolicy))}` : 'Set-AdfsGlobalAuthenticationPolicy without the adapter';
    },
    async run(ctx) {
      const i = need(a, id);
      const now = await currentPolicy(ctx);
      if (!now.some(isAdapterName)) {
        ctx.log('info', 'The adapter is not in the global policy: nothing to take out');
        return;
      }
      await setPolicy(ctx, policyWithout(now));
      ctx.state.removedFromPolicyAt = ctx.now();
      ctx.log('warning', `${i.old.name} is out of the global policy: users get no second factor until it is back`);
    },
    async undo(ctx) {
      const i = need(a, id);
      const now = await currentPolicy(ctx);
      const restored = i.adapterInPolicy ? policyWithAdapter(now, i.originalPolicy, i.old.name) : policyWithout(now);
      await setPolicy(ctx, restored);
      if (ctx.state.removedFromPolicyAt !== undefined) ctx.state.restoredToPolicyAt = ctx.now();
      ctx.log('info', `Global policy restored: ${JSON.stringify(restored)}`);
    },
    undoText: 'the policy is set back as it was',
  };
}

export function unregisterStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/unregister`;
  return {
    id,
    title: 'Unregister the old adapter (once for the farm)',
    kind: 'adfs',
    phase: 'd',
    scope: 'farm',
    node: a.primary,
    describe: () => `Unregister-AdfsAuthenticationProvider -Name ${a.inputs?.old.name ?? '<adapter>'}`,
    async run(ctx) {
      const i = need(a, id);
      await ctx.host.powershell.invoke('Unregister-AdfsAuthenticationProvider', { Name: i.old.name, ...CONFIRM_FALSE });
      ctx.log('info', `Unregistered ${i.old.name}`);
    },
    async undo(ctx) {
      const i = need(a, id);
      if (await isRegistered(ctx, i.old.name)) return;
      const params: Record<string, unknown> = { TypeName: i.old.typeName, Name: i.old.name };
      if (ctx.state.exportHadData && ctx.state.exportFile) params['ConfigurationFilePath'] = ctx.state.exportFile;
      await ctx.host.powershell.invoke('Register-AdfsAuthenticationProvider', params);
      ctx.log('info', `Re-registered the old adapter ${i.old.name}${params['ConfigurationFilePath'] ? ' with its exported configuration' : ''}`);
    },
    undoText: 'the old adapter is registered again with its exported configuration',
  };
}

export function registerStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/register`;
  return {
    id,
    title: 'Register the new adapter with -ConfigurationFilePath (once for the farm)',
    kind: 'adfs',
    phase: 'e',
    scope: 'farm',
    node: a.primary,
    describe: () => (a.inputs ? `Register-AdfsAuthenticationProvider -TypeName '${a.inputs.next.typeName}' -Name ${a.inputs.next.name} -ConfigurationFilePath '${a.inputs.carriedConfig}'` : 'Register-AdfsAuthenticationProvider for the new adapter'),
    async run(ctx) {
      const i = need(a, id);
      try {
        await ctx.host.powershell.invoke('Register-AdfsAuthenticationProvider', { TypeName: i.next.typeName, Name: i.next.name, ConfigurationFilePath: i.carriedConfig });
      } catch (e) {
        // A registration that failed half-way may have left the new provider behind; it would
        // block re-registering the old one under the same name.
        try {
          if (await isRegistered(ctx, i.next.name)) {
            await ctx.host.powershell.invoke('Unregister-AdfsAuthenticationProvider', { Name: i.next.name, ...CONFIRM_FALSE });
            ctx.log('warning', `Removed the half-registered ${i.next.name}`);
          }
        } catch (cleanup) {
          ctx.log('error', `Could not remove the half-registered ${i.next.name}: ${cleanup instanceof Error ? cleanup.message : String(cleanup)}`);
        }
        throw e;
      }
      ctx.log('info', `Registered ${i.next.name} (${i.next.typeName})`);
    },
    async undo(ctx) {
      const i = need(a, id);
      if (await isRegistered(ctx, i.next.name)) await ctx.host.powershell.invoke('Unregister-AdfsAuthenticationProvider', { Name: i.next.name, ...CONFIRM_FALSE });
    },
    undoText: 'the new adapter is unregistered',
  };
}

export function restartStep(a: StepFactoryArgs, phase: string, node: string): AdfsStep {
  const id = `${a.farm}/restart@${node}`;
  const restart = async (ctx: StepContext) => {
    await ctx.host.services.stop('adfssrv', { timeoutMs: 120_000 });
    await ctx.host.services.start('adfssrv', { timeoutMs: 300_000 });
  };
  return {
    id,
    title: `Restart AD FS (adfssrv) on ${node}`,
    kind: 'adfs',
    phase,
    scope: 'node',
    node,
    describe: () => `Restart-Service adfssrv on ${node}`,
    async run(ctx) {
      await restart(ctx);
      ctx.log('info', `Restarted adfssrv on ${node}`);
    },
    async undo(ctx) {
      await restart(ctx);
    },
    undoText: 'AD FS is restarted again so it loads the registration as it was',
  };
}

export function policyAddStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/policy-add`;
  return {
    id,
    title: 'Put the adapter back into the global authentication policy',
    kind: 'adfs',
    phase: 'h',
    scope: 'farm',
    node: a.primary,
    describe: () => {
      const i = a.inputs;
      return i ? `Set-AdfsGlobalAuthenticationPolicy -AdditionalAuthenticationProvider ${JSON.stringify(i.adapterInPolicy ? policyWithAdapter(i.originalPolicy, i.originalPolicy, i.next.name) : policyWithout(i.originalPolicy))}` : 'Set-AdfsGlobalAuthenticationPolicy with the adapter';
    },
    async run(ctx) {
      const i = need(a, id);
      if (!i.adapterInPolicy) {
        ctx.log('info', 'The adapter was not in the global policy before: it is not added');
        return;
      }
      const list = policyWithAdapter(await currentPolicy(ctx), i.originalPolicy, i.next.name);
      await setPolicy(ctx, list);
      ctx.state.restoredToPolicyAt = ctx.now();
      ctx.log('info', `${i.next.name} is back in the global policy`);
    },
    async undo(ctx) {
      const i = need(a, id);
      if (i.adapterInPolicy) await setPolicy(ctx, policyWithout(await currentPolicy(ctx)));
    },
    undoText: 'the adapter is taken out of the policy again (then the earlier undos restore the old one)',
  };
}

export function backupPath(i: FarmInputs, name: string): string {
  return joinWindowsPath(i.backupDir, name);
}

export { joinWindowsPath, windowsDirname };
