// Inventory + readiness + packages -> plan, for one host: shared by plan, upgrade and rehearse.
// Preflight runs here, when the plan is made and accepted: everything a step needs that can be
// checked before the first change (cached packages, the packages themselves) becomes a blocker.
import type { Host } from '../host/ports.js';
import { takeInventory } from '../inventory/take-inventory.js';
import { runChecks } from '../readiness/run-checks.js';
import { buildPlan, type PlanOptions } from './build-plan.js';
import { engineSteps } from './engine-steps.js';
import { inspectPackageFolder } from './package-check.js';
import { readPackages, redistributablesIn, targetMajorOf, type UnreadablePackage } from './packages.js';
import type { UpgradePlan } from './plan-types.js';
import type { UpgradeEnv } from './steps/env.js';

export interface MakePlanOptions extends PlanOptions {
  packagesDir: string;
  users?: number;
}

export async function makePlan(host: Host, options: MakePlanOptions): Promise<UpgradePlan> {
  const inventory = await takeInventory(host);
  const unreadable: UnreadablePackage[] = [];
  const packages = await readPackages(host, options.packagesDir, unreadable);
  // The folder as a whole, before the plan may be accepted: its blockers stop it (exit 7).
  const packageFolder = await inspectPackageFolder(host, options.packagesDir, packages, unreadable);
  const targetMajor = targetMajorOf(packages);
  const readiness = await runChecks({ host, inventory, targetMajor, redistributables: redistributablesIn(packages), ...(options.users !== undefined ? { users: options.users } : {}) });
  const plan = buildPlan(inventory, readiness, packages, { ...options, packageFolder });
  if (!plan.upToDate) await preflight(host, plan);
  return plan;
}

async function preflight(host: Host, plan: UpgradePlan): Promise<void> {
  const env = { plan } as Pick<UpgradeEnv, 'plan'> as UpgradeEnv;
  for (const step of engineSteps(plan.steps)) {
    if (step.preflight) plan.blockers.push(...(await step.preflight(host, env)));
  }
}
