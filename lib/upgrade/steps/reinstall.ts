// Brings a removed product back from the copy of its cached package kept in the backup, in the
// place it had (its vdir and site): the core of every rollback that crosses an uninstall.
import { ExitCode, MfaError } from '../../errors.js';
import type { ComponentKind } from '../../inventory/types.js';
import { sitePropertyOf, vdirPropertyOf } from '../packages.js';
import type { PreviousPlacement } from '../plan-types.js';
import { bundleOf, type UpgradeContext } from './env.js';

export async function reinstallFromBackup(ctx: UpgradeContext, product: { productCode: string; name: string; version: string }, component: ComponentKind | undefined, previous: PreviousPlacement): Promise<void> {
  const installed = await ctx.host.installer.listProducts();
  if (installed.some((p) => p.productCode.toUpperCase() === product.productCode.toUpperCase())) return;
  const pkg = await ctx.env.backup.cachedPackage(bundleOf(ctx), product.productCode);
  if (!pkg) {
    throw new MfaError(`the backup has no cached package for ${product.name} ${product.version}, so it cannot be reinstalled`, {
      code: 'ROLLBACK_NO_PACKAGE',
      target: product.productCode,
      exitCode: ExitCode.fatal,
      remedy: `Reinstall ${product.name} ${product.version} from its original installer, then run mfa-upgrade restore with the backup bundle.`,
    });
  }
  const properties: Record<string, string> = {};
  if (component && previous.vdir) {
    const vdirProp = vdirPropertyOf(pkg, component);
    if (vdirProp) properties[vdirProp] = previous.vdir;
    const siteProp = sitePropertyOf(pkg);
    if (siteProp && previous.site) properties[siteProp] = previous.site;
  }
  await ctx.installer.install(pkg.path, `Reinstalling ${product.name} ${product.version}`, `reinstall-${product.productCode}`, properties);
}
