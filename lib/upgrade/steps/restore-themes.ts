// Puts custom portal themes back from the backup; every file it creates or replaces is kept in
// the run's undo store first. Afterwards each theme file holds the backed-up bytes.
import type { EngineStep } from '../../engine/step.js';
import { ExitCode, MfaError } from '../../errors.js';
import { joinWindowsPath, windowsDirname } from '../../util/winpath.js';
import type { RestoreThemesStep } from '../plan-types.js';
import { bundleOf, type UpgradeContext, type UpgradeEnv } from './env.js';
import { physicalPathOf } from './locate.js';

/** Each backed-up theme file and where it goes. */
async function themeFiles(step: RestoreThemesStep, ctx: UpgradeContext): Promise<Array<{ dest: string; bytes: Buffer }>> {
  const appThemes = joinWindowsPath(await physicalPathOf(ctx.host, step.site, step.vdir, windowsDirname(step.targetAppThemes)), 'App_Themes');
  const bundle = bundleOf(ctx);
  const out: Array<{ dest: string; bytes: Buffer }> = [];
  for (const theme of step.themes) {
    const from = joinWindowsPath(step.originalAppThemes, theme);
    for (const rel of await ctx.env.backup.listOriginal(bundle, from)) {
      const bytes = await ctx.env.backup.readOriginal(bundle, joinWindowsPath(from, rel));
      if (bytes) out.push({ dest: joinWindowsPath(appThemes, theme, rel), bytes });
    }
  }
  return out;
}

export function restoreThemesStep(step: RestoreThemesStep): EngineStep<UpgradeEnv> {
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    async run(ctx) {
      const files = await themeFiles(step, ctx);
      ctx.record({ files: files.map((f) => f.dest) });
      for (const f of files) {
        const existing = (await ctx.host.files.stat(f.dest)) ? await ctx.host.files.readFile(f.dest) : undefined;
        if (existing?.equals(f.bytes)) continue;
        await ctx.undo.keep(f.dest);
        await ctx.host.files.writeFileAtomic(f.dest, f.bytes);
      }
    },
    async verify(ctx) {
      for (const f of await themeFiles(step, ctx)) {
        const st = await ctx.host.files.stat(f.dest);
        if (!st || !(await ctx.host.files.readFile(f.dest)).equals(f.bytes)) {
          throw new MfaError(`postcondition not met: the theme file ${f.dest} does not hold the backed-up bytes`, { code: 'POSTCONDITION_FAILED', target: f.dest, exitCode: ExitCode.fatal, remedy: 'Run again with --resume to copy the themes again, or --rollback.' });
        }
      }
    },
    async undo(ctx) {
      for (const dest of (ctx.recorded['files'] as string[] | undefined) ?? []) await ctx.undo.putBack(dest);
    },
  };
}
