// Carries the backed-up web.config's settings (with the configSource files it names), theme and
// the administrator's changes into the newly installed one (lib/config/webconfig/carry.ts), judged
// against the old version's own web.config taken from the copy of its cached package in the
// backup. The installed file (and each configSource file written) is kept in the run's undo store
// first. What cannot be carried is left to do (the run ends with exit 5). Afterwards the file must
// load and hold everything carried (carrying again changes nothing), and the application answer.
import type { EngineStep } from '../../engine/step.js';
import { ExitCode, MfaError } from '../../errors.js';
import { carryWebConfig, type CarryOutcome } from '../../config/webconfig/carry.js';
import { formatCarryReport } from '../../config/webconfig/carry-report.js';
import { configSourcesOf, type FileInput } from '../../config/webconfig/merge.js';
import { configSourcePath } from '../../config/webconfig/settings.js';
import { joinWindowsPath, windowsDirname } from '../../util/winpath.js';
import { packageWebConfig } from '../package-config.js';
import type { MergeConfigStep } from '../plan-types.js';
import type { BackupAccess } from '../backup-access.js';
import type { Host } from '../../host/ports.js';
import { bundleOf, type UpgradeContext, type UpgradeEnv } from './env.js';
import { physicalPathOf } from './locate.js';
import { probeComponent } from '../../health/probe-component.js';

async function target(step: MergeConfigStep, ctx: UpgradeContext): Promise<string> {
  const recorded = ctx.recorded['target'];
  if (typeof recorded === 'string') return recorded;
  return joinWindowsPath(await physicalPathOf(ctx.host, step.site, step.vdir, windowsDirname(step.target)), 'web.config');
}

async function original(step: MergeConfigStep, backup: BackupAccess, bundle: string): Promise<Buffer> {
  const old = await backup.readOriginal(bundle, step.original);
  if (!old) {
    throw new MfaError(`the backup has no copy of ${step.original}`, { code: 'BACKUP_MISSING_FILE', target: bundle, exitCode: ExitCode.fatal, remedy: 'Check the bundle with mfa-upgrade verify-backup; carry the settings by hand with merge-config if you have another copy.' });
  }
  return old;
}

/** A configSource file named by a web.config, beside it (appSettings.config and the like). */
const besideConfig = (webConfig: string, configSource: string) => joinWindowsPath(windowsDirname(webConfig), (configSourcePath(configSource) as string).split('/').join('\\'));

/** The web.config with the configSource files it names (settings kept there are carried too). */
async function withSources(bytes: Buffer, file: string, read: (path: string) => Promise<Buffer | undefined>): Promise<FileInput> {
  const sources = new Map<string, { bytes: Uint8Array; file: string }>();
  for (const cs of configSourcesOf({ bytes, file })) {
    if (configSourcePath(cs) === undefined) continue;
    const path = besideConfig(file, cs);
    const found = await read(path);
    if (found) sources.set(cs, { bytes: found, file: path });
  }
  return { bytes, file, sources };
}

/** The old version's own web.config, from the copy of its cached package the backup keeps. */
async function baseline(step: MergeConfigStep, host: Host, backup: BackupAccess, bundle: string): Promise<{ input?: FileInput; missing?: string }> {
  if (!step.oldProduct) return { missing: 'the old web.config belongs to no installed product' };
  try {
    const pkg = await backup.cachedPackage(bundle, step.oldProduct.productCode);
    if (!pkg) return { missing: `the backup holds no cached package of ${step.oldProduct.name} ${step.oldProduct.version}` };
    return await packageWebConfig(host, pkg.path, `${step.oldProduct.name} ${step.oldProduct.version}'s package (backup copy)`);
  } catch (e) {
    return { missing: e instanceof Error ? e.message : String(e) };
  }
}

/** The carry-over of a plan's merge into the file at `path`, from the backup (the step, its postcondition, verify-upgrade). */
export async function carryFromBackup(step: MergeConfigStep, host: Host, backup: BackupAccess, bundle: string, path: string): Promise<{ outcome: CarryOutcome; baselineMissing?: string }> {
  const base = await baseline(step, host, backup, bundle);
  const oldInput = await withSources(await original(step, backup, bundle), step.original, (p) => backup.readOriginal(bundle, p));
  const newInput = await withSources(await host.files.readFile(path), path, async (p) => ((await host.files.stat(p)) ? host.files.readFile(p) : undefined));
  const outcome = carryWebConfig({ ...oldInput, file: `${step.original} (backup)` }, newInput, {
    sdkVdir: step.sdkVdir,
    sdkVdirKept: step.sdkVdir.length === 0,
    ...(step.carryRemoved ? { carryRemoved: true } : {}),
    ...(base.input ? { baseline: base.input } : {}),
  });
  return { outcome, ...(base.missing ? { baselineMissing: base.missing } : {}) };
}

/** Whether the carry-over would change anything (the file, or a configSource file it names). */
export function stillToCarry(outcome: CarryOutcome): boolean {
  return outcome.report.changed || outcome.sourced.some((f) => f.changed);
}

export function mergeConfigStep(step: MergeConfigStep): EngineStep<UpgradeEnv> {
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    async run(ctx) {
      const path = await target(step, ctx);
      ctx.record({ target: path });
      // A repeated attempt keeps the first copy: the installed file as the installer left it.
      await ctx.undo.keep(path);
      const { outcome, baselineMissing } = await carryFromBackup(step, ctx.host, ctx.env.backup, bundleOf(ctx), path);
      if (baselineMissing) ctx.reporter.log('warning', `No baseline for ${step.original}: ${baselineMissing}. Only security and branding settings are carried beyond appSettings and applicationSettings.`);
      // The configSource files first (kept for undo too): the web.config that names them is written last.
      const sourced = outcome.sourced.filter((f) => f.changed).map((f) => besideConfig(path, f.configSource));
      for (const [i, f] of outcome.sourced.filter((x) => x.changed).entries()) {
        const file = sourced[i] as string;
        await ctx.undo.keep(file);
        await ctx.host.files.writeFileAtomic(file, f.bytes);
      }
      ctx.record({ sourced });
      if (outcome.report.changed) await ctx.host.files.writeFileAtomic(path, outcome.bytes);
      const report = { ...outcome.report, written: outcome.report.changed };
      ctx.reporter.object('MfaUpgrade.WebConfigMerge', report, () => formatCarryReport(report, outcome.diff));
      for (const item of outcome.report.leftToDo) ctx.leaveToDo(item);
      ctx.record({ changes: outcome.report.changes.length, carried: outcome.report.elements.entries.filter((e) => e.action === 'carried').length });
    },
    async verify(ctx) {
      const path = await target(step, ctx);
      const { outcome } = await carryFromBackup(step, ctx.host, ctx.env.backup, bundleOf(ctx), path);
      if (stillToCarry(outcome)) {
        const what = [...outcome.report.changes.map((c) => c.key), ...outcome.report.elements.entries.filter((e) => e.action === 'carried').map((e) => e.path), ...outcome.sourced.filter((f) => f.changed).map((f) => f.configSource)];
        throw new MfaError(`postcondition not met: ${path} does not hold every carried setting (${what.join(', ')})`, { code: 'POSTCONDITION_FAILED', target: path, exitCode: ExitCode.fatal, remedy: 'Something rewrote the file after the merge; run again with --resume to carry the settings again, or --rollback.' });
      }
      // With its settings in place, the application answers.
      const answer = await probeComponent(ctx.host, step.site, step.vdir, step.component, 60_000);
      if (answer?.unknown) ctx.reporter.log('warning', `${answer.evidence}: check it by hand (mfa-upgrade verify-upgrade).`);
      else if (answer && !answer.healthy) {
        throw new MfaError(`postcondition not met: ${answer.evidence}`, { code: 'POSTCONDITION_FAILED', target: answer.url ?? path, exitCode: ExitCode.fatal, remedy: `Read the Application event log and ${path}; fix it and run again with --resume, or --rollback.` });
      }
    },
    async undo(ctx) {
      await ctx.undo.putBack(await target(step, ctx));
      for (const f of (ctx.recorded['sourced'] as string[] | undefined) ?? []) await ctx.undo.putBack(f);
    },
  };
}
