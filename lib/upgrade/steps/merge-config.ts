// Carries the backed-up web.config's settings into the newly installed one (lib/config), keeping
// the pre-merge file beside the journal so the step can be undone.
import { existsSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, MfaError } from '../../errors.js';
import { mergeWebConfig } from '../../config/webconfig/merge.js';
import { formatMergeReport } from '../../config/webconfig/report.js';
import { writeFileAtomicLocal } from '../../util/local-fs.js';
import { joinWindowsPath, windowsDirname } from '../../util/winpath.js';
import type { MergeConfigStep } from '../plan-types.js';
import type { StepContext } from './context.js';
import { physicalPathOf } from './locate.js';

async function target(step: MergeConfigStep, ctx: StepContext): Promise<string> {
  return joinWindowsPath(await physicalPathOf(ctx.host, step.site, step.vdir, windowsDirname(step.target)), 'web.config');
}

function undoCopy(step: MergeConfigStep, ctx: StepContext): string {
  return join(ctx.workDir, 'undo', `${step.id}.web.config`);
}

export async function runMergeConfig(step: MergeConfigStep, ctx: StepContext): Promise<void> {
  const old = await ctx.backup.readOriginal(ctx.bundle, step.original);
  if (!old) {
    throw new MfaError(`the backup has no copy of ${step.original}`, { code: 'BACKUP_MISSING_FILE', target: ctx.bundle, exitCode: ExitCode.fatal, remedy: 'Check the bundle with mfa-upgrade verify-backup; carry the settings by hand with merge-config if you have another copy.' });
  }
  const path = await target(step, ctx);
  const current = await ctx.host.files.readFile(path);
  // The first attempt keeps the installed file as it was; a repeated attempt must not overwrite that.
  const copy = undoCopy(step, ctx);
  if (!existsSync(copy)) {
    await fsp.mkdir(join(ctx.workDir, 'undo'), { recursive: true });
    await writeFileAtomicLocal(copy, current);
  }
  const outcome = mergeWebConfig({ bytes: old, file: `${step.original} (backup)` }, { bytes: current, file: path }, { sdkVdir: step.sdkVdir, sdkVdirKept: step.sdkVdir.length === 0 });
  if (outcome.report.changed) await ctx.host.files.writeFileAtomic(path, outcome.bytes);
  const report = { ...outcome.report, written: outcome.report.changed };
  ctx.out.object('MfaUpgrade.WebConfigMerge', report, () => formatMergeReport(report, outcome.diff));
  ctx.record({ target: path, changes: outcome.report.changes.length });
}

export async function undoMergeConfig(step: MergeConfigStep, ctx: StepContext): Promise<void> {
  const copy = undoCopy(step, ctx);
  if (!existsSync(copy)) return;
  const path = typeof ctx.recorded['target'] === 'string' ? ctx.recorded['target'] : await target(step, ctx);
  if (await ctx.host.files.stat(path)) await ctx.host.files.writeFileAtomic(path, await fsp.readFile(copy));
}
