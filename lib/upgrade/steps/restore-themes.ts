// Puts custom portal themes back from the backup, recording what it created or replaced.
import { existsSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicLocal } from '../../util/local-fs.js';
import { joinWindowsPath, windowsDirname } from '../../util/winpath.js';
import type { RestoreThemesStep } from '../plan-types.js';
import type { StepContext } from './context.js';
import { physicalPathOf } from './locate.js';

export async function runRestoreThemes(step: RestoreThemesStep, ctx: StepContext): Promise<void> {
  const appThemes = joinWindowsPath(await physicalPathOf(ctx.host, step.site, step.vdir, windowsDirname(step.targetAppThemes)), 'App_Themes');
  const created: string[] = [...((ctx.recorded['created'] as string[] | undefined) ?? [])];
  const replaced: string[] = [...((ctx.recorded['replaced'] as string[] | undefined) ?? [])];
  let n = replaced.length;
  for (const theme of step.themes) {
    const from = joinWindowsPath(step.originalAppThemes, theme);
    for (const rel of await ctx.backup.listOriginal(ctx.bundle, from)) {
      const bytes = await ctx.backup.readOriginal(ctx.bundle, joinWindowsPath(from, rel));
      if (!bytes) continue;
      const dest = joinWindowsPath(appThemes, theme, rel);
      const existing = (await ctx.host.files.stat(dest)) ? await ctx.host.files.readFile(dest) : undefined;
      if (existing?.equals(bytes)) continue;
      if (existing) {
        const copy = join(ctx.workDir, 'undo', `${step.id}.${n++}`);
        await fsp.mkdir(join(ctx.workDir, 'undo'), { recursive: true });
        await writeFileAtomicLocal(copy, existing);
        replaced.push(`${dest}|${copy}`);
      } else created.push(dest);
      await ctx.host.files.writeFileAtomic(dest, bytes);
    }
  }
  ctx.record({ created, replaced });
}

export async function undoRestoreThemes(_step: RestoreThemesStep, ctx: StepContext): Promise<void> {
  for (const path of (ctx.recorded['created'] as string[] | undefined) ?? []) await ctx.host.files.remove(path);
  for (const pair of (ctx.recorded['replaced'] as string[] | undefined) ?? []) {
    const [dest, copy] = pair.split('|') as [string, string];
    if (existsSync(copy)) await ctx.host.files.writeFileAtomic(dest, await fsp.readFile(copy));
  }
}
