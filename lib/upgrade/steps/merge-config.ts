// Carries the backed-up web.config's settings into the newly installed one (lib/config). The
// installed file is kept in the run's undo store first; afterwards the file must load and hold
// every carried value (merging the old file into it again changes nothing).
import type { EngineStep } from '../../engine/step.js';
import { ExitCode, MfaError } from '../../errors.js';
import { configSourcesOf, mergeWebConfig, type FileInput } from '../../config/webconfig/merge.js';
import { configSourcePath } from '../../config/webconfig/settings.js';
import { formatMergeReport } from '../../config/webconfig/report.js';
import { joinWindowsPath, windowsDirname } from '../../util/winpath.js';
import type { MergeConfigStep } from '../plan-types.js';
import { bundleOf, type UpgradeContext, type UpgradeEnv } from './env.js';
import { physicalPathOf } from './locate.js';

async function target(step: MergeConfigStep, ctx: UpgradeContext): Promise<string> {
  const recorded = ctx.recorded['target'];
  if (typeof recorded === 'string') return recorded;
  return joinWindowsPath(await physicalPathOf(ctx.host, step.site, step.vdir, windowsDirname(step.target)), 'web.config');
}

async function original(step: MergeConfigStep, ctx: UpgradeContext): Promise<Buffer> {
  const old = await ctx.env.backup.readOriginal(bundleOf(ctx), step.original);
  if (!old) {
    throw new MfaError(`the backup has no copy of ${step.original}`, { code: 'BACKUP_MISSING_FILE', target: bundleOf(ctx), exitCode: ExitCode.fatal, remedy: 'Check the bundle with mfa-upgrade verify-backup; carry the settings by hand with merge-config if you have another copy.' });
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

async function merge(step: MergeConfigStep, ctx: UpgradeContext, old: Buffer, current: Buffer, path: string) {
  const bundle = bundleOf(ctx);
  const oldInput = await withSources(old, step.original, (p) => ctx.env.backup.readOriginal(bundle, p));
  const newInput = await withSources(current, path, async (p) => ((await ctx.host.files.stat(p)) ? ctx.host.files.readFile(p) : undefined));
  return mergeWebConfig({ ...oldInput, file: `${step.original} (backup)` }, newInput, { sdkVdir: step.sdkVdir, sdkVdirKept: step.sdkVdir.length === 0 });
}

export function mergeConfigStep(step: MergeConfigStep): EngineStep<UpgradeEnv> {
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    async run(ctx) {
      const old = await original(step, ctx);
      const path = await target(step, ctx);
      ctx.record({ target: path });
      // A repeated attempt keeps the first copy: the installed file as the installer left it.
      await ctx.undo.keep(path);
      const outcome = await merge(step, ctx, old, await ctx.host.files.readFile(path), path);
      // The configSource files first (kept for undo too): the web.config that names them is written last.
      const sourced = outcome.sourced.filter((f) => f.changed).map((f) => besideConfig(path, f.configSource));
      for (const [i, f] of outcome.sourced.filter((x) => x.changed).entries()) {
        const target = sourced[i] as string;
        await ctx.undo.keep(target);
        await ctx.host.files.writeFileAtomic(target, f.bytes);
      }
      ctx.record({ sourced });
      if (outcome.report.changed) await ctx.host.files.writeFileAtomic(path, outcome.bytes);
      const report = { ...outcome.report, written: outcome.report.changed };
      ctx.reporter.object('MfaUpgrade.WebConfigMerge', report, () => formatMergeReport(report, outcome.diff));
      ctx.record({ changes: outcome.report.changes.length });
    },
    async verify(ctx) {
      const path = await target(step, ctx);
      const again = await merge(step, ctx, await original(step, ctx), await ctx.host.files.readFile(path), path);
      if (again.report.changed || again.sourced.some((f) => f.changed)) {
        throw new MfaError(`postcondition not met: ${path} does not hold every carried setting (${again.report.changes.map((c) => c.key).join(', ')})`, { code: 'POSTCONDITION_FAILED', target: path, exitCode: ExitCode.fatal, remedy: 'Something rewrote the file after the merge; run again with --resume to carry the settings again, or --rollback.' });
      }
    },
    async undo(ctx) {
      await ctx.undo.putBack(await target(step, ctx));
      for (const f of (ctx.recorded['sourced'] as string[] | undefined) ?? []) await ctx.undo.putBack(f);
    },
  };
}
