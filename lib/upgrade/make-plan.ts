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
import { carryWebConfig } from '../config/webconfig/carry.js';
import { decisionLines } from '../config/webconfig/decision.js';
import { cachedBaseline, packageWebConfig } from './package-config.js';

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
  if (!plan.upToDate) await previewMerges(host, plan);
  return plan;
}

/**
 * Each merge worked out ahead on the new package's web.config, against the old version's own
 * (from its cached package, still on the machine): the diff and what is left to do, for the plan
 * and --what-if. Read-only; the merge decides again on the installed file when it runs.
 */
async function previewMerges(host: Host, plan: UpgradePlan): Promise<void> {
  for (const step of plan.steps) {
    if (step.kind !== 'merge-config' || !step.package) continue;
    const empty = { diff: '', decision: [], carried: [], leftToDo: [], warnings: [] };
    try {
      const neu = await packageWebConfig(host, step.package, 'the new package');
      if (!neu.input) {
        step.preview = { ...empty, baseline: null, unavailable: neu.missing ?? 'no web.config in the new package' };
        continue;
      }
      const base = step.oldProduct ? await cachedBaseline(host, step.oldProduct.productCode) : { missing: 'no installed product owns it' };
      const outcome = carryWebConfig({ bytes: await host.files.readFile(step.original), file: step.original }, { ...neu.input, file: `${step.target} (from the new package)` }, {
        sdkVdir: step.sdkVdir,
        sdkVdirKept: step.sdkVdir.length === 0,
        ...(step.carryRemoved ? { carryRemoved: true } : {}),
        ...(base.input ? { baseline: base.input } : {}),
      });
      const r = outcome.report;
      step.preview = {
        diff: outcome.diff,
        decision: decisionLines(r),
        baseline: base.input ? base.input.file : null,
        carried: [...r.changes.map((c) => `${c.scope ? `[${c.scope}] ` : ''}${c.key}`), ...r.elements.entries.filter((e) => e.action === 'carried').map((e) => `${e.scope ? `[${e.scope}] ` : ''}${e.path}`)],
        leftToDo: r.leftToDo.map((l) => l.title),
        warnings: [...r.warnings, ...(base.missing ? [`no baseline (${base.missing}): only security and branding settings are carried beyond the settings`] : [])],
      };
    } catch (e) {
      step.preview = { ...empty, baseline: null, unavailable: e instanceof Error ? e.message : String(e) };
    }
  }
}

async function preflight(host: Host, plan: UpgradePlan): Promise<void> {
  const env = { plan } as Pick<UpgradeEnv, 'plan'> as UpgradeEnv;
  for (const step of engineSteps(plan.steps)) {
    if (step.preflight) plan.blockers.push(...(await step.preflight(host, env)));
  }
}
