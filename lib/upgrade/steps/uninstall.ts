// Uninstall step; a product already gone (1605) counts as done, so a resumed run can repeat it.
import type { UninstallStep } from '../plan-types.js';
import type { StepContext } from './context.js';
import { runMsi, UNKNOWN_PRODUCT } from './msi.js';
import { reinstallFromBackup } from './reinstall.js';

export async function runUninstall(step: UninstallStep, ctx: StepContext): Promise<void> {
  const code = await runMsi(ctx, `Uninstalling ${step.name} ${step.version}`, step.id, (o) => ctx.host.installer.uninstall(step.productCode, o), [UNKNOWN_PRODUCT]);
  if (code === UNKNOWN_PRODUCT) ctx.out.log('verbose', `${step.name} was already uninstalled.`);
}

export async function undoUninstall(step: UninstallStep, ctx: StepContext): Promise<void> {
  await reinstallFromBackup(ctx, step, step.component, step.previous);
}
