// Inventory + readiness + packages -> plan, for one host: shared by plan, upgrade and rehearse.
import type { Host } from '../host/ports.js';
import { takeInventory } from '../inventory/take-inventory.js';
import { runChecks } from '../readiness/run-checks.js';
import { buildPlan, type PlanOptions } from './build-plan.js';
import { readPackages, redistributablesIn, targetMajorOf } from './packages.js';
import type { UpgradePlan } from './plan-types.js';

export interface MakePlanOptions extends PlanOptions {
  packagesDir: string;
  users?: number;
}

export async function makePlan(host: Host, options: MakePlanOptions): Promise<UpgradePlan> {
  const inventory = await takeInventory(host);
  const packages = await readPackages(host, options.packagesDir);
  const targetMajor = targetMajorOf(packages);
  const readiness = await runChecks({ host, inventory, targetMajor, redistributables: redistributablesIn(packages), ...(options.users !== undefined ? { users: options.users } : {}) });
  return buildPlan(inventory, readiness, packages, options);
}
