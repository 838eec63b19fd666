// The portal's Default theme is the new version's after the install. A locally changed one (its
// files differ from what the old version's package laid down, read from the backup's copy of the
// cached package) is copied from the backup into App_Data\mfa-upgrade under the portal (ASP.NET
// never serves App_Data, nor compiles it as a theme) and re-applying the change is left to do.
// Without the old package it cannot tell: the copy is kept and the doubt reported.
import type { EngineStep } from '../../engine/step.js';
import { joinWindowsPath } from '../../util/winpath.js';
import type { KeepThemeStep } from '../plan-types.js';
import { bundleOf, type UpgradeContext, type UpgradeEnv } from './env.js';
import { physicalPathOf } from './locate.js';

async function shippedFiles(step: KeepThemeStep, ctx: UpgradeContext, names: string[]): Promise<Map<string, Buffer> | undefined> {
  if (!step.oldProduct) return undefined;
  try {
    const pkg = await ctx.env.backup.cachedPackage(bundleOf(ctx), step.oldProduct.productCode);
    if (!pkg) return undefined;
    const files = await ctx.host.installer.readPackageFiles(pkg.path, names);
    const marker = `\\app_themes\\${step.theme.toLowerCase()}\\`;
    const out = new Map<string, Buffer>();
    for (const f of files) {
      const at = f.target.toLowerCase().replace(/\//g, '\\').indexOf(marker);
      if (at !== -1) out.set(f.target.replace(/\//g, '\\').slice(at + marker.length).toLowerCase(), f.bytes);
    }
    return out;
  } catch {
    return undefined;
  }
}

async function keptFolder(step: KeepThemeStep, ctx: UpgradeContext): Promise<string> {
  const portal = await physicalPathOf(ctx.host, step.site, step.vdir, step.targetFolder);
  return joinWindowsPath(portal, 'App_Data', 'mfa-upgrade', `${step.theme} theme before the upgrade`);
}

export function keepThemeStep(step: KeepThemeStep): EngineStep<UpgradeEnv> {
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    async run(ctx) {
      const bundle = bundleOf(ctx);
      const from = joinWindowsPath(step.originalAppThemes, step.theme);
      const rels = await ctx.env.backup.listOriginal(bundle, from);
      if (rels.length === 0) return;
      const shipped = await shippedFiles(step, ctx, [...new Set(rels.map((r) => r.split('\\').pop() ?? r))]);
      const changed: string[] = [];
      const old = new Map<string, Buffer>();
      for (const rel of rels) {
        const bytes = await ctx.env.backup.readOriginal(bundle, joinWindowsPath(from, rel));
        if (!bytes) continue;
        old.set(rel, bytes);
        const s = shipped?.get(rel.toLowerCase());
        if (shipped && (!s || !s.equals(bytes))) changed.push(rel);
      }
      if (shipped) for (const rel of shipped.keys()) if (![...old.keys()].some((r) => r.toLowerCase() === rel)) changed.push(`${rel} (removed)`);
      if (shipped && changed.length === 0) {
        ctx.reporter.log('verbose', `The ${step.theme} theme is as ${step.oldProduct?.name ?? 'the old version'} shipped it: nothing to keep.`);
        return;
      }
      const dest = await keptFolder(step, ctx);
      const written: string[] = [];
      for (const [rel, bytes] of old) {
        const path = joinWindowsPath(dest, rel);
        await ctx.undo.keep(path);
        await ctx.host.files.mkdirp(path.replace(/\\[^\\]*$/, ''));
        await ctx.host.files.writeFileAtomic(path, bytes);
        written.push(path);
      }
      ctx.record({ kept: dest, files: written, changed });
      if (shipped) {
        ctx.reporter.log('warning', `The ${step.theme} portal theme had local changes (${changed.join(', ')}); the new version's ${step.theme} theme replaced it. The old one is kept in ${dest}.`);
        ctx.leaveToDo({
          title: `Re-apply the local changes to the ${step.theme} portal theme`,
          instructions: `${changed.join(', ')} differed from what ${step.oldProduct?.name ?? 'the old version'} ${step.oldProduct?.version ?? ''} shipped; the new ${step.theme} theme is in place and the old one is kept in ${dest}. Re-apply the changes, or better move them into a custom theme (App_Themes\\<name>, with THEME and <pages theme> naming it) so the next upgrade keeps them.`,
        });
      } else {
        ctx.reporter.log('warning', `The ${step.theme} portal theme could not be compared with what the old version shipped (its package is not in the backup); the new version's replaced it and the old one is kept in ${dest}: compare them by hand.`);
      }
    },
    async undo(ctx) {
      for (const f of (ctx.recorded['files'] as string[] | undefined) ?? []) await ctx.undo.putBack(f);
    },
  };
}
