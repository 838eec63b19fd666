// Inventory + readiness + packages -> plan, for one host: shared by plan, upgrade and rehearse.
import type { Host } from '../host/ports.js';
import { takeInventory } from '../inventory/take-inventory.js';
import { runChecks } from '../readiness/run-checks.js';
import { buildPlan, type PlanOptions } from './build-plan.js';
import { readPackages } from './packages.js';
import type { UpgradePlan } from './plan-types.js';
import { majorOf } from '../util/version.js';

export interface MakePlanOptions extends PlanOptions {
  packagesDir: string;
  users?: number;
}

export async function makePlan(host: Host, options: MakePlanOptions): Promise<UpgradePlan> {
  const inventory = await takeInventory(host);
  const packages = await readPackages(host, options.packagesDir);
  const server = packages.find((p) => p.role === 'server');
  const targetMajor = server ? (majorOf(server.identity.version) ?? 8) : 8;
  const readiness = await runChecks({ host, inventory, targetMajor, ...(options.users !== undefined ? { users: options.users } : {}) });
  return buildPlan(inventory, readiness, packages, options);
}
