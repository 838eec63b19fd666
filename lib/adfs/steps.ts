// The AD FS adapter upgrade as engine steps (procedure.md §3.7). Each step has a journal-friendly
// id, the node it runs on (another server's steps and a person's steps pause the run), a
// describe(), its run, its postcondition and its undo. Steps share the farm's facts (FarmInputs,
// fixed when the run starts and kept in its journal) and record what they learn for each other
// in the run's data (the export file, when the adapter left and came back into the policy).
import { ExitCode, MfaError } from '../errors.js';
import { compareAdapterConfigs } from '../config/adfs/adapter-config.js';
import { joinWindowsPath, windowsDirname } from '../util/winpath.js';
import { isAdapterName } from './discovery.js';
import { isRegistered, readPolicy, readProviders, setPolicy } from './adfs-state.js';
import { ADFS_ADMIN_LOG, adfsErrorsSince, newAdapterOnNode } from './preconditions.js';
import { createHash } from 'node:crypto';
import { postconditionFailed, type EngineStep, type StepContext } from '../engine/step.js';

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
  /** What the package installs (its ProductCode and version): the node has it before the adapter leaves the policy. */
  packageProduct?: { productCode: string; version: string };
}

/** Facts the steps record for each other in the run's journal (its run data). */
export interface AdfsRunData {
  exportFile?: string;
  exportHadData?: boolean;
  /** ms since epoch: the adapter left the policy / came back. */
  removedFromPolicyAt?: number;
  restoredToPolicyAt?: number;
  /** Wall-clock ISO time the new provider was registered: AD FS Admin log errors after it are read. */
  registeredAt?: string;
  carried?: { changed: number; added: number; removed: number; source: 'export' | 'file' };
}

export interface AdfsEnv {
  /** The farm's inputs, when this host belongs to the farm (remote farms are planned, not run, here). */
  inputs: FarmInputs | undefined;
}

export type AdfsContext = StepContext<AdfsEnv>;

export type StepScope = 'farm' | 'node' | 'manual';

/** An AD FS step: an engine step with where it runs and its place in the procedure. */
export interface AdfsStep extends EngineStep<AdfsEnv> {
  /** procedure.md §3.7 letter (a-j), or 'prep' for the preparation before the farm is touched. */
  phase: string;
  scope: StepScope;
  /** Where it runs (the farm's first node for farm-wide steps); every node for a manual step. */
  node: string;
  manual?: boolean;
  describe(): string;
  /** The undo in words, for the plan. */
  undoText?: string;
}

function data(ctx: AdfsContext): AdfsRunData {
  return ctx.runData as AdfsRunData;
}

const CONFIRM_FALSE = { Confirm: false };

export function policyWithout(list: string[]): string[] {
  return list.filter((n) => !isAdapterName(n));
}

/** The policy with the adapter back where it was (under its new name); others as they are now. */
export function policyWithAdapter(current: string[], original: string[], adapterName: string): string[] {
  const others = policyWithout(current);
  const at = original.findIndex((n) => isAdapterName(n));
  const before = at === -1 ? others.length : policyWithout(original.slice(0, at)).filter((n) => others.some((o) => o.toLowerCase() === n.toLowerCase())).length;
  return [...others.slice(0, before), adapterName, ...others.slice(before)];
}

/** Replaces a file, its original kept in the run's undo store (once per run). */
async function replaceFile(ctx: AdfsContext, path: string, bytes: Uint8Array): Promise<void> {
  await ctx.undo.keep(path);
  await ctx.host.files.writeFileAtomic(path, bytes);
}

function notHere(step: string, node: string): never {
  throw new MfaError(`step ${step} runs on ${node}, not here`, { code: 'ADFS_STEP_REMOTE', exitCode: ExitCode.manualStepsPending });
}

/** The farm's once-per-farm and node steps, and where each runs: another server's steps pause this run there. */
function placed(localNode: string, step: Omit<AdfsStep, 'kind' | 'external'> & { remoteText?: string }): AdfsStep {
  const { remoteText, ...rest } = step;
  const remote = !step.manual && !sameNode(step.node, localNode);
  return {
    kind: 'adfs',
    ...rest,
    ...(step.manual ? { external: { who: 'person' as const, blocking: true, instructions: step.title } } : {}),
    ...(remote ? { external: { who: 'server' as const, node: step.node, instructions: remoteText ?? `Run adfs-upgrade on ${step.node} (the farm walk of Invoke-MfaAdfsAdapterUpgrade does).` } } : {}),
  };
}

export function sameNode(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || a.split('.')[0]?.toLowerCase() === b.split('.')[0]?.toLowerCase();
}

export interface StepFactoryArgs {
  farm: string;
  /** The farm's inputs, when this host belongs to the farm (remote farms are planned, not run, here). */
  inputs?: FarmInputs;
  primary: string;
  localNode: string;
}

function need(ctx: AdfsContext, id: string, primary: string): FarmInputs {
  return ctx.env.inputs ?? notHere(id, primary);
}

export function exportStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/export`;
  return placed(a.localNode, {
    id,
    title: 'Export the registered adapter configuration into the backup',
    phase: 'prep',
    scope: 'farm',
    node: a.primary,
    describe: () => {
      const i = a.inputs;
      return i ? `Export-AdfsAuthenticationProviderConfigurationData -Name ${i.old.name} -FilePath ${joinWindowsPath(i.backupDir, `${i.old.name}.export.config`)}` : 'Export-AdfsAuthenticationProviderConfigurationData for the registered adapter';
    },
    async run(ctx) {
      const i = need(ctx, id, a.primary);
      const files = ctx.host.files;
      await files.mkdirp(i.backupDir);
      await files.protect(i.backupDir);
      const file = joinWindowsPath(i.backupDir, `${i.old.name}.export.config`);
      await ctx.host.powershell.invoke('Export-AdfsAuthenticationProviderConfigurationData', { Name: i.old.name, FilePath: file, ...CONFIRM_FALSE });
      const st = await files.stat(file);
      if (!st) throw new MfaError('the export wrote no file', { code: 'ADFS_EXPORT_MISSING', target: file, remedy: 'Check that the backup folder is writable by the AD FS service account and run again.' });
      ctx.setRunData({ exportFile: file, exportHadData: st.size > 0 });
      ctx.reporter.log('info', `Exported the configuration of ${i.old.name} to ${file} (${st.size > 0 ? `${st.size} bytes` : 'no configuration data registered: the adapter read its config file'})`);
    },
    async verify(ctx) {
      const file = data(ctx).exportFile;
      if (!file || !(await ctx.host.files.stat(file))) throw postconditionFailed(`the export ${file ?? ''} is not in the backup folder`, 'Run again with --resume to export it again.', file);
    },
    undoText: 'nothing to undo (the export stays in the backup)',
  });
}

export function carryStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/carry-config`;
  return placed(a.localNode, {
    id,
    title: 'Carry the old adapter settings into the new adapter config',
    phase: 'prep',
    scope: 'farm',
    node: a.primary,
    describe: () => (a.inputs ? `compare the exported (or on-disk) config with ${a.inputs.newConfig} and write ${a.inputs.carriedConfig}` : 'compare and carry the adapter config'),
    async run(ctx) {
      const i = need(ctx, id, a.primary);
      const files = ctx.host.files;
      let oldFile = data(ctx).exportFile;
      let source: 'export' | 'file' = 'export';
      if (!data(ctx).exportHadData || !oldFile) {
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
      // A repeated attempt may read the carried file over --config: carrying into it again changes nothing.
      const newBytes = await files.readFile(i.newConfig);
      const { bytes, report } = compareAdapterConfigs({ bytes: oldBytes, file: oldFile }, { bytes: newBytes, file: i.newConfig }, { sdkVdir: i.sdkVdir });
      await replaceFile(ctx, i.carriedConfig, bytes);
      ctx.setRunData({ carried: { changed: report.changed.length, added: report.added.length, removed: report.removed.length, source } });
      for (const c of report.changed) ctx.reporter.log('verbose', `carried ${c.path}: ${JSON.stringify(c.old)} -> ${JSON.stringify(c.new)}`);
      if (report.reshaped.length) ctx.reporter.log('warning', `carry by hand (shape changed): ${report.reshaped.join(', ')}`);
      ctx.reporter.log('info', `Carried ${report.changed.length} setting(s) from ${oldFile} into ${i.carriedConfig}`);
      ctx.record({ written: createHash('sha256').update(bytes).digest('hex') });
    },
    async verify(ctx) {
      const i = need(ctx, id, a.primary);
      const written = ctx.recorded['written'];
      const now = (await ctx.host.files.stat(i.carriedConfig)) ? createHash('sha256').update(await ctx.host.files.readFile(i.carriedConfig)).digest('hex') : undefined;
      if (now !== written) throw postconditionFailed(`${i.carriedConfig} does not hold the carried configuration`, 'Something rewrote the file; run again with --resume.', i.carriedConfig);
    },
    async undo(ctx) {
      const i = need(ctx, id, a.primary);
      await ctx.undo.putBack(i.carriedConfig);
    },
    undoText: 'the config file is put back as it was',
  });
}

export function patchScriptStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/patch-register-script`;
  return placed(a.localNode, {
    id,
    title: 'Add -ConfigurationFilePath to the register script',
    phase: 'prep',
    scope: 'farm',
    node: a.primary,
    describe: () => (a.inputs?.registerScript ? `patch ${a.inputs.registerScript.path}: Register-AdfsAuthenticationProvider ... -ConfigurationFilePath '${a.inputs.carriedConfig}'` : 'patch the register script'),
    async run(ctx) {
      const i = need(ctx, id, a.primary);
      if (!i.registerScript) return;
      await replaceFile(ctx, i.registerScript.path, i.registerScript.patched);
      ctx.reporter.log('info', `Patched ${i.registerScript.path} (-ConfigurationFilePath '${i.carriedConfig}')`);
    },
    async undo(ctx) {
      const i = need(ctx, id, a.primary);
      if (i.registerScript) await ctx.undo.putBack(i.registerScript.path);
    },
    undoText: 'the script is put back as it was',
  });
}

export function manualStep(localNode: string, farm: string, phase: string, idPart: string, title: string, nodes: string[]): AdfsStep {
  return placed(localNode, {
    id: `${farm}/${idPart}`,
    title,
    phase,
    scope: 'manual',
    node: nodes.join(','),
    manual: true,
    describe: () => title,
    run: async () => notHere(`${farm}/${idPart}`, 'the administrator (load balancer)'),
  });
}

export const UNREGISTER_SCRIPT_NAME = 'Unregister-MultiFactorAuthenticationAdfsAdapter.ps1';

/** What a node needs on its own disk (procedure.md §3.7): the adapter MSI; the farm's primary also the scripts and config. */
function stagedFiles(i: FarmInputs | undefined, node: string, primary: string): Array<{ what: string; path: string | undefined; needed: boolean; package?: boolean }> {
  const files: Array<{ what: string; path: string | undefined; needed: boolean; package?: boolean }> = [{ what: 'the adapter installer (MultiFactorAuthenticationAdfsAdapterSetup64.msi, from the MFA Server install folder)', path: i?.package, needed: i?.package !== undefined, package: true }];
  if (sameNode(node, primary)) {
    const script = i?.registerScript?.path;
    files.push({ what: 'the register script', path: script, needed: script !== undefined });
    files.push({ what: 'the unregister script', path: script ? joinWindowsPath(windowsDirname(script), UNREGISTER_SCRIPT_NAME) : undefined, needed: false });
    files.push({ what: 'the new adapter config', path: i?.newConfig, needed: i?.newConfig !== undefined });
  }
  return files;
}

/**
 * Staging (procedure.md §3.7: copy the MSI, both scripts and the config to the AD FS servers): on
 * its node, the step checks what the node needs is there. Copying to another server is the farm
 * walk's (Copy-Item -ToSession) or the administrator's; the step says what goes where.
 */
export function stageStep(a: StepFactoryArgs, phase: string, node: string): AdfsStep {
  const id = `${a.farm}/stage@${node}`;
  const files = () => stagedFiles(a.inputs, node, a.primary);
  const copy = (path: string) => `Copy-Item -Path '${path}' -Destination '${windowsDirname(path)}' -ToSession (New-PSSession ${node})`;
  return placed(a.localNode, {
    id,
    title: `Stage the adapter files on ${node}`,
    phase,
    scope: 'node',
    node,
    describe: () => `on ${node}: ${files().map((f) => `${f.what}${f.path ? ` at ${f.path}` : ''}`).join('; ')}`,
    remoteText: `Copy to ${node}, at the same paths: ${files().map((f) => (f.path ? copy(f.path) : f.what)).join('; ')}. Then run adfs-upgrade there (the farm walk of Invoke-MfaAdfsAdapterUpgrade copies and runs it).`,
    async run(ctx) {
      const missing: string[] = [];
      for (const f of files()) {
        if (!f.path) continue;
        // The package is read where the installer reads it (the machine running the tool); the rest are the server's files.
        const there = f.package ? await ctx.host.installer.readPackage(f.path).then(() => true, () => false) : await ctx.host.files.stat(f.path).then((st) => st !== undefined && !st.isDirectory);
        if (there) continue;
        if (f.needed) missing.push(`${f.what} (${f.path})`);
        else ctx.reporter.log('warning', `${f.what} is not at ${f.path} on ${node}; the run does not need it, keep it with the register script for a manual re-registration.`);
      }
      if (missing.length) {
        throw new MfaError(`${node} lacks ${missing.join(', ')}`, { code: 'ADFS_STAGING_MISSING', target: node, exitCode: ExitCode.notReady, remedy: `Copy them to ${node} at the same paths (for example from the server that has them: ${files().filter((f) => f.path).map((f) => copy(f.path as string)).join('; ')}), then run adfs-upgrade again.` });
      }
      ctx.reporter.log('info', `The adapter files are staged on ${node}`);
    },
    undoText: 'nothing to undo (it only checks the files are there)',
  });
}

export function installStep(a: StepFactoryArgs, phase: string, node: string, withPackage: boolean): AdfsStep {
  const id = `${a.farm}/install@${node}`;
  const title = `Install the new AD FS adapter on ${node}`;
  return placed(a.localNode, {
    id,
    title,
    phase,
    scope: 'node',
    node,
    ...(withPackage ? {} : { manual: true }),
    describe: () => (a.inputs?.package ? `install ${a.inputs.package} on ${node}` : `install MultiFactorAuthenticationAdfsAdapterSetup64.msi on ${node}`),
    async run(ctx) {
      const i = need(ctx, id, node);
      if (!i.package) notHere(id, node);
      // Through the one installer policy: 1618 retried with backoff, a verbose log, 3010 recorded.
      await ctx.installer.install(i.package, `Installing the AD FS adapter ${i.next.name}`, id.replace(/[^A-Za-z0-9.@-]/g, '_'));
      ctx.reporter.log('info', `Installed ${i.package} on ${node}`);
    },
    undoText: 'not undone automatically (the old adapter package would have to be reinstalled)',
  });
}

export function policyRemoveStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/policy-remove`;
  return placed(a.localNode, {
    id,
    title: 'Take the adapter out of the global authentication policy (users get no second factor from here)',
    phase: 'c',
    scope: 'farm',
    node: a.primary,
    describe: () => {
      const i = a.inputs;
      return i ? `Set-AdfsGlobalAuthenticationPolicy -AdditionalAuthenticationProvider ${JSON.stringify(policyWithout(i.originalPolicy))}` : 'Set-AdfsGlobalAuthenticationPolicy without the adapter';
    },
    async run(ctx) {
      const i = need(ctx, id, a.primary);
      // The farm's nodes must be able to load the new adapter once it is registered: it is installed first.
      const on = await newAdapterOnNode(ctx.host, i.next, i.packageProduct);
      if (!on.installed) {
        throw new MfaError(`the new AD FS adapter is not installed on ${a.primary} (${on.evidence}), so it must not leave the global policy yet`, {
          code: 'ADFS_ADAPTER_NOT_INSTALLED',
          target: a.primary,
          exitCode: ExitCode.notReady,
          remedy: `Install MultiFactorAuthenticationAdfsAdapterSetup64.msi on ${a.primary} first (or pass --package <msi> so the run installs it), then run adfs-upgrade again.`,
        });
      }
      const now = await readPolicy(ctx.host.powershell);
      if (!now.some(isAdapterName)) {
        ctx.reporter.log('info', 'The adapter is not in the global policy: nothing to take out');
        return;
      }
      await setPolicy(ctx.host.powershell, policyWithout(now));
      ctx.setRunData({ removedFromPolicyAt: ctx.now() });
      ctx.reporter.log('warning', `${i.old.name} is out of the global policy: users get no second factor until it is back`);
    },
    async verify(ctx) {
      if ((await readPolicy(ctx.host.powershell)).some(isAdapterName)) throw postconditionFailed('the adapter is still in the global policy', 'Check Get-AdfsGlobalAuthenticationPolicy; run again with --resume.');
    },
    async undo(ctx) {
      const i = need(ctx, id, a.primary);
      const now = await readPolicy(ctx.host.powershell);
      const restored = i.adapterInPolicy ? policyWithAdapter(now, i.originalPolicy, i.old.name) : policyWithout(now);
      await setPolicy(ctx.host.powershell, restored);
      if (data(ctx).removedFromPolicyAt !== undefined) ctx.setRunData({ restoredToPolicyAt: ctx.now() });
      ctx.reporter.log('info', `Global policy restored: ${JSON.stringify(restored)}`);
    },
    undoText: 'the policy is set back as it was',
  });
}

export function unregisterStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/unregister`;
  return placed(a.localNode, {
    id,
    title: 'Unregister the old adapter (once for the farm)',
    phase: 'd',
    scope: 'farm',
    node: a.primary,
    describe: () => `Unregister-AdfsAuthenticationProvider -Name ${a.inputs?.old.name ?? '<adapter>'}`,
    async run(ctx) {
      const i = need(ctx, id, a.primary);
      if (!(await isRegistered(ctx.host.powershell, i.old.name))) {
        ctx.reporter.log('info', `${i.old.name} is not registered: nothing to unregister`);
        return;
      }
      await ctx.host.powershell.invoke('Unregister-AdfsAuthenticationProvider', { Name: i.old.name, ...CONFIRM_FALSE });
      ctx.reporter.log('info', `Unregistered ${i.old.name}`);
    },
    async verify(ctx) {
      const i = need(ctx, id, a.primary);
      if (await isRegistered(ctx.host.powershell, i.old.name)) throw postconditionFailed(`${i.old.name} is still registered`, 'Check Get-AdfsAuthenticationProvider; run again with --resume.');
    },
    async undo(ctx) {
      const i = need(ctx, id, a.primary);
      if (await isRegistered(ctx.host.powershell, i.old.name)) return;
      const params: Record<string, unknown> = { TypeName: i.old.typeName, Name: i.old.name };
      const d = data(ctx);
      if (d.exportHadData && d.exportFile) params['ConfigurationFilePath'] = d.exportFile;
      await ctx.host.powershell.invoke('Register-AdfsAuthenticationProvider', params);
      ctx.reporter.log('info', `Re-registered the old adapter ${i.old.name}${params['ConfigurationFilePath'] ? ' with its exported configuration' : ''}`);
    },
    undoText: 'the old adapter is registered again with its exported configuration',
  });
}

export function registerStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/register`;
  return placed(a.localNode, {
    id,
    title: 'Register the new adapter with -ConfigurationFilePath (once for the farm)',
    phase: 'e',
    scope: 'farm',
    node: a.primary,
    describe: () => (a.inputs ? `Register-AdfsAuthenticationProvider -TypeName '${a.inputs.next.typeName}' -Name ${a.inputs.next.name} -ConfigurationFilePath '${a.inputs.carriedConfig}'` : 'Register-AdfsAuthenticationProvider for the new adapter'),
    async run(ctx) {
      const i = need(ctx, id, a.primary);
      const ps = ctx.host.powershell;
      // A repeated attempt after a crash may find the registration made.
      if ((await readProviders(ps, i.next.name)).some((p) => p.name.toLowerCase() === i.next.name.toLowerCase() && (p.typeName === undefined || p.typeName === i.next.typeName))) return;
      // Wall-clock time: the AD FS Admin log is read from here on for errors naming the new provider.
      ctx.setRunData({ registeredAt: new Date().toISOString() });
      try {
        await ps.invoke('Register-AdfsAuthenticationProvider', { TypeName: i.next.typeName, Name: i.next.name, ConfigurationFilePath: i.carriedConfig });
      } catch (e) {
        // A registration that failed half-way may have left the new provider behind; it would
        // block re-registering the old one under the same name.
        try {
          if (await isRegistered(ps, i.next.name)) {
            await ps.invoke('Unregister-AdfsAuthenticationProvider', { Name: i.next.name, ...CONFIRM_FALSE });
            ctx.reporter.log('warning', `Removed the half-registered ${i.next.name}`);
          }
        } catch (cleanup) {
          ctx.reporter.log('error', `Could not remove the half-registered ${i.next.name}: ${cleanup instanceof Error ? cleanup.message : String(cleanup)}`);
        }
        throw e;
      }
      ctx.reporter.log('info', `Registered ${i.next.name} (${i.next.typeName})`);
    },
    async verify(ctx) {
      const i = need(ctx, id, a.primary);
      const found = (await readProviders(ctx.host.powershell, i.next.name)).find((p) => p.name.toLowerCase() === i.next.name.toLowerCase());
      if (!found) throw postconditionFailed(`${i.next.name} is not registered after Register-AdfsAuthenticationProvider`, 'Check the AD FS Admin event log; the run undoes itself.');
      if (found.typeName !== undefined && found.typeName !== i.next.typeName) throw postconditionFailed(`${i.next.name} is registered with ${found.typeName}, not ${i.next.typeName}`, 'Check Get-AdfsAuthenticationProvider; the run undoes itself.');
      await noAdfsErrors(ctx, i);
    },
    async undo(ctx) {
      const i = need(ctx, id, a.primary);
      if (await isRegistered(ctx.host.powershell, i.next.name)) await ctx.host.powershell.invoke('Unregister-AdfsAuthenticationProvider', { Name: i.next.name, ...CONFIRM_FALSE });
    },
    undoText: 'the new adapter is unregistered',
  });
}

export function restartStep(a: StepFactoryArgs, phase: string, node: string): AdfsStep {
  const id = `${a.farm}/restart@${node}`;
  // Stopping AD FS stops its running dependents (the Device Registration Service): all are started again, in reverse.
  const restart = async (ctx: AdfsContext) => {
    const stopped = await ctx.services.stop(['adfssrv'], 'to load the adapter registration', { timeoutMs: 120_000 });
    await ctx.services.start([...(stopped.length ? stopped : ['adfssrv'])].reverse(), { timeoutMs: 300_000 });
  };
  return placed(a.localNode, {
    id,
    title: `Restart AD FS (adfssrv) on ${node}`,
    phase,
    scope: 'node',
    node,
    describe: () => `Restart-Service adfssrv on ${node}`,
    async run(ctx) {
      await restart(ctx);
      ctx.reporter.log('info', `Restarted adfssrv on ${node}`);
    },
    async verify(ctx) {
      const s = await ctx.host.services.get('adfssrv');
      if (s && s.state !== 'running') throw postconditionFailed(`adfssrv is ${s.state} after its restart`, 'Start-Service adfssrv and read the AD FS Admin event log.', 'adfssrv');
      // Restarted, AD FS loads the adapter: a failure to load it is logged now.
      if (ctx.env.inputs && data(ctx).registeredAt) await noAdfsErrors(ctx, ctx.env.inputs);
    },
    async undo(ctx) {
      await restart(ctx);
    },
    undoText: 'AD FS is restarted again so it loads the registration as it was',
  });
}

/** The names AD FS writes about the new provider: its registered name, its type and its assembly. */
function providerNames(i: FarmInputs): string[] {
  const [type, assembly] = i.next.typeName.split(',').map((x) => x.trim());
  return [i.next.name, type ?? '', assembly ?? ''].filter((n) => n.length > 3);
}

/** A postcondition: no Error in the AD FS Admin log names the new provider since it was registered. */
async function noAdfsErrors(ctx: AdfsContext, i: FarmInputs): Promise<void> {
  const since = data(ctx).registeredAt;
  if (!since) return;
  const r = await adfsErrorsSince(ctx.host.powershell, since, providerNames(i));
  if (r.unavailable) {
    ctx.reporter.log('warning', `The AD FS Admin event log could not be read (${r.unavailable}): check it by hand for errors about ${i.next.name}.`);
    return;
  }
  const first = r.entries[0];
  if (first) {
    const text = first.message.replace(/\s+/g, ' ').slice(0, 300);
    throw postconditionFailed(`the AD FS Admin event log has ${r.entries.length} error(s) naming ${i.next.name} since it was registered${first.time ? ` (${first.time})` : ''}: ${text}`, 'The new adapter does not load: the run undoes the registration. Read the AD FS Admin log (Event Viewer, Applications and Services Logs, AD FS, Admin), fix the cause (the adapter installed on every node, its config), then run again.', ADFS_ADMIN_LOG);
  }
}

export function policyAddStep(a: StepFactoryArgs): AdfsStep {
  const id = `${a.farm}/policy-add`;
  return placed(a.localNode, {
    id,
    title: 'Put the adapter back into the global authentication policy',
    phase: 'h',
    scope: 'farm',
    node: a.primary,
    describe: () => {
      const i = a.inputs;
      return i ? `Set-AdfsGlobalAuthenticationPolicy -AdditionalAuthenticationProvider ${JSON.stringify(i.adapterInPolicy ? policyWithAdapter(i.originalPolicy, i.originalPolicy, i.next.name) : policyWithout(i.originalPolicy))}` : 'Set-AdfsGlobalAuthenticationPolicy with the adapter';
    },
    async run(ctx) {
      const i = need(ctx, id, a.primary);
      if (!i.adapterInPolicy) {
        ctx.reporter.log('info', 'The adapter was not in the global policy before: it is not added');
        return;
      }
      const list = policyWithAdapter(await readPolicy(ctx.host.powershell), i.originalPolicy, i.next.name);
      await setPolicy(ctx.host.powershell, list);
      ctx.setRunData({ restoredToPolicyAt: ctx.now() });
      ctx.reporter.log('info', `${i.next.name} is back in the global policy`);
    },
    async verify(ctx) {
      const i = need(ctx, id, a.primary);
      if (i.adapterInPolicy && !(await readPolicy(ctx.host.powershell)).some((n) => n.toLowerCase() === i.next.name.toLowerCase())) throw postconditionFailed(`${i.next.name} is not in the global policy`, 'Check Get-AdfsGlobalAuthenticationPolicy; run again with --resume.');
    },
    async undo(ctx) {
      const i = need(ctx, id, a.primary);
      if (i.adapterInPolicy) await setPolicy(ctx.host.powershell, policyWithout(await readPolicy(ctx.host.powershell)));
    },
    undoText: 'the adapter is taken out of the policy again (then the earlier undos restore the old one)',
  });
}

export { joinWindowsPath, windowsDirname };
