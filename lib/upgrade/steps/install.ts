// Install step. Before it starts it records what the install will replace (a major upgrade removes
// it) and where the server lives, so undo can bring the old product back after a crash; after it
// runs, the postcondition holds it to the plan: the product at its version, what it replaced gone,
// MFA Server still in its folder with the data file the backup found, the component's IIS
// application there.
import type { EngineStep } from '../../engine/step.js';
import { ExitCode, MfaError } from '../../errors.js';
import { readInstallPath } from '../../inventory/take-inventory.js';
import { dataFileProblem, installPathProblem } from './server-placement.js';
import { probeComponent } from '../../health/probe-component.js';
import type { InstallStep } from '../plan-types.js';
import type { UpgradeContext, UpgradeEnv } from './env.js';
import { physicalPathOf } from './locate.js';
import { plannedPackageBlocker } from '../package-check.js';
import { findProduct, productMissing, sameCode } from './products.js';
import { reinstallFromBackup } from './reinstall.js';
import { logFolderOf, markLogs } from '../service-log.js';
import { logMarkKey } from './wait-conversion.js';

interface Replaced {
  productCode: string;
  name: string;
  version: string;
}

function failed(what: string, target: string, remedy: string): MfaError {
  return new MfaError(`postcondition not met: ${what}`, { code: 'POSTCONDITION_FAILED', target, exitCode: ExitCode.fatal, remedy });
}

async function verifyServer(ctx: UpgradeContext): Promise<void> {
  const before = ctx.recorded['installPath'];
  const moved = typeof before === 'string' ? await installPathProblem(ctx.host, before) : undefined;
  if (moved) throw failed(moved.what, moved.target, moved.remedy);
  const data = ctx.runData['dataFile'] as { path: string; size: number } | undefined;
  const lost = data ? await dataFileProblem(ctx.host, data) : undefined;
  if (lost) throw failed(lost.what, lost.target, lost.remedy);
}

export function installStep(step: InstallStep): EngineStep<UpgradeEnv> {
  const what = `Installing ${step.name} ${step.version}`;
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    async preflight(host) {
      const b = await plannedPackageBlocker(host, step);
      return b ? [b] : [];
    },
    async prepare(ctx) {
      const products = await ctx.host.installer.listProducts();
      const replaced: Replaced[] = step.upgradeCode
        ? products.filter((p) => p.upgradeCode && sameCode(p.upgradeCode, step.upgradeCode as string) && !sameCode(p.productCode, step.productCode)).map((p) => ({ productCode: p.productCode, name: p.name, version: p.version }))
        : [];
      const wasInstalled = products.some((p) => sameCode(p.productCode, step.productCode));
      const installPath = step.role === 'server' ? ((await readInstallPath(ctx.host.registry, '32')) ?? (await readInstallPath(ctx.host.registry, '64'))) : null;
      // The service converts the data file when the install starts it: the wait reads its log from here.
      const folder = installPath ?? ctx.env.plan.server?.installPath;
      if (step.role === 'server' && folder) ctx.setRunData({ [logMarkKey(step.id)]: await markLogs(ctx.host, logFolderOf(folder)) });
      return { replaced, wasInstalled, ...(installPath ? { installPath } : {}) };
    },
    async run(ctx) {
      // Checked again right before it runs (and on every resume): the package may have been swapped since the plan.
      const changed = await plannedPackageBlocker(ctx.host, step);
      if (changed) throw new MfaError(changed.message, { code: 'PACKAGE_CHANGED', target: step.package, exitCode: ExitCode.badInput, remedy: changed.remedy });
      await ctx.installer.install(step.package, what, step.id, step.properties);
    },
    async verify(ctx) {
      const p = await findProduct(ctx.host, step.productCode);
      if (!p || p.version !== step.version) throw productMissing(`${step.name} ${step.version} is not installed after its install (${p ? `found ${p.version}` : 'not found'})`, step.productCode);
      for (const r of (ctx.recorded['replaced'] as Replaced[] | undefined) ?? []) {
        if (await findProduct(ctx.host, r.productCode)) throw productMissing(`${r.name} ${r.version} is still installed beside ${step.name} ${step.version}: the major upgrade did not remove it`, r.productCode);
      }
      if (step.role === 'server') await verifyServer(ctx);
      const at = step.placement;
      if (at?.site && at.vdir && (await physicalPathOf(ctx.host, at.site, at.vdir, '')) === '') {
        throw failed(`IIS serves no application ${at.site}/${at.vdir} after installing ${step.name}`, `${at.site}/${at.vdir}`, 'Check the install log and IIS Manager, then run again with --resume, or --rollback.');
      }
      // The SDK has no settings to carry: it must answer as installed (the others answer after their merge).
      if (step.component === 'webServiceSdk' && at?.site && at.vdir) {
        const answer = await probeComponent(ctx.host, at.site, at.vdir, step.component, 60_000);
        if (answer?.unknown) ctx.reporter.log('warning', `${answer.evidence}: check it by hand (mfa-upgrade verify-upgrade).`);
        else if (answer && !answer.healthy) throw failed(answer.evidence, answer.url ?? `${at.site}/${at.vdir}`, 'Read the Application event log and the install log; fix it and run again with --resume, or --rollback.');
      }
    },
    async undo(ctx) {
      if (ctx.recorded['wasInstalled'] !== true) await ctx.installer.uninstall(step.productCode, `Uninstalling ${step.name} ${step.version}`, `${step.id}-undo`);
      for (const r of (ctx.recorded['replaced'] as Replaced[] | undefined) ?? []) await reinstallFromBackup(ctx, r, step.component, step.previous ?? {});
    },
  };
}
