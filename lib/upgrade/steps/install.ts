// Install step: prepare records what the install will replace (a major upgrade removes it), so
// that undo can uninstall the new product and bring the old one back.
import type { InstalledProduct } from '../../host/ports.js';
import type { InstallStep } from '../plan-types.js';
import type { StepContext } from './context.js';
import { runMsi, UNKNOWN_PRODUCT } from './msi.js';
import { reinstallFromBackup } from './reinstall.js';

interface Replaced {
  productCode: string;
  name: string;
  version: string;
}

function same(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}

export async function prepareInstall(step: InstallStep, ctx: StepContext): Promise<Record<string, unknown>> {
  const products: InstalledProduct[] = await ctx.host.installer.listProducts();
  const replaced: Replaced[] = step.upgradeCode
    ? products.filter((p) => p.upgradeCode && same(p.upgradeCode, step.upgradeCode as string) && !same(p.productCode, step.productCode)).map((p) => ({ productCode: p.productCode, name: p.name, version: p.version }))
    : [];
  const wasInstalled = products.some((p) => same(p.productCode, step.productCode));
  return { replaced, wasInstalled };
}

export async function runInstall(step: InstallStep, ctx: StepContext): Promise<void> {
  await runMsi(ctx, `Installing ${step.name} ${step.version}`, step.id, (o) => ctx.host.installer.install(step.package, { properties: step.properties, ...o }));
}

export async function undoInstall(step: InstallStep, ctx: StepContext): Promise<void> {
  if (ctx.recorded['wasInstalled'] !== true) {
    await runMsi(ctx, `Uninstalling ${step.name} ${step.version}`, `${step.id}-undo`, (o) => ctx.host.installer.uninstall(step.productCode, o), [UNKNOWN_PRODUCT]);
  }
  const replaced = (ctx.recorded['replaced'] as Replaced[] | undefined) ?? [];
  for (const r of replaced) await reinstallFromBackup(ctx, r, step.component, step.previous ?? {});
}
