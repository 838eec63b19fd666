// Carries the backed-up web.config's settings into the newly installed one (lib/config). The
// installed file is kept in the run's undo store first; afterwards the file must load and hold
// every carried value (merging the old file into it again changes nothing).
import type { EngineStep } from '../../engine/step.js';
import { ExitCode, MfaError } from '../../errors.js';
import { mergeWebConfig } from '../../config/webconfig/merge.js';
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

function merge(step: MergeConfigStep, old: Buffer, current: Buffer, path: string) {
  return mergeWebConfig({ bytes: old, file: `${step.original} (backup)` }, { bytes: current, file: path }, { sdkVdir: step.sdkVdir, sdkVdirKept: step.sdkVdir.length === 0 });
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
      const outcome = merge(step, old, await ctx.host.files.readFile(path), path);
      if (outcome.report.changed) await ctx.host.files.writeFileAtomic(path, outcome.bytes);
      const report = { ...outcome.report, written: outcome.report.changed };
      ctx.reporter.object('MfaUpgrade.WebConfigMerge', report, () => formatMergeReport(report, outcome.diff));
      ctx.record({ changes: outcome.report.changes.length });
    },
    async verify(ctx) {
      const path = await target(step, ctx);
      const again = merge(step, await original(step, ctx), await ctx.host.files.readFile(path), path);
      if (again.report.changed) {
        throw new MfaError(`postcondition not met: ${path} does not hold every carried setting (${again.report.changes.map((c) => c.key).join(', ')})`, { code: 'POSTCONDITION_FAILED', target: path, exitCode: ExitCode.fatal, remedy: 'Something rewrote the file after the merge; run again with --resume to carry the settings again, or --rollback.' });
      }
    },
    async undo(ctx) {
      await ctx.undo.putBack(await target(step, ctx));
    },
  };
}
