// Uninstall step; a product already gone (1605) counts as done, so a resumed run can repeat it.
import type { EngineStep } from '../../engine/step.js';
import type { UninstallStep } from '../plan-types.js';
import type { UpgradeEnv } from './env.js';
import { cachedPackageBlockers, findProduct, productMissing } from './products.js';
import { reinstallFromBackup } from './reinstall.js';

export function uninstallStep(step: UninstallStep): EngineStep<UpgradeEnv> {
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    preflight: (host) => cachedPackageBlockers(host, step.productCode, `${step.name} ${step.version}`),
    async run(ctx) {
      const code = await ctx.installer.uninstall(step.productCode, `Uninstalling ${step.name} ${step.version}`, step.id);
      if (code === 1605) ctx.reporter.log('verbose', `${step.name} was already uninstalled.`);
    },
    async verify(ctx) {
      if (await findProduct(ctx.host, step.productCode)) throw productMissing(`${step.name} ${step.version} is still installed after its uninstall`, step.productCode);
    },
    undo: (ctx) => reinstallFromBackup(ctx, step, step.component, step.previous),
  };
}
