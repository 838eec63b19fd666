// Install step. Before it starts it records what the install will replace (a major upgrade removes
// it) and where the server lives, so undo can bring the old product back after a crash; after it
// runs, the postcondition holds it to the plan: the product at its version, what it replaced gone,
// MFA Server still in its folder with the data file the backup found, the component's IIS
// application there.
import type { EngineStep } from '../../engine/step.js';
import { ExitCode, MfaError } from '../../errors.js';
import { PHONEFACTOR_KEY, readInstallPath } from '../../inventory/take-inventory.js';
import type { InstallStep } from '../plan-types.js';
import type { UpgradeContext, UpgradeEnv } from './env.js';
import { physicalPathOf } from './locate.js';
import { findProduct, productMissing, sameCode } from './products.js';
import { reinstallFromBackup } from './reinstall.js';
import { logFolderOf, markLogs } from '../service-log.js';
import { logMarkKey } from './wait-conversion.js';

interface Replaced {
  productCode: string;
  name: string;
  version: string;
}

/** A data file far smaller than the one backed up is a fresh empty one, not the converted old one. */
const FRESH_DATA_FILE_RATIO = 4;
const SMALL_DATA_FILE = 64 * 1024;

function failed(what: string, target: string, remedy: string): MfaError {
  return new MfaError(`postcondition not met: ${what}`, { code: 'POSTCONDITION_FAILED', target, exitCode: ExitCode.fatal, remedy });
}

async function verifyServer(ctx: UpgradeContext): Promise<void> {
  const before = ctx.recorded['installPath'];
  const now = (await readInstallPath(ctx.host.registry, '32')) ?? (await readInstallPath(ctx.host.registry, '64'));
  if (typeof before === 'string' && (now ?? '').toLowerCase() !== before.toLowerCase()) {
    throw failed(`InstallPath under ${PHONEFACTOR_KEY} was ${before} before the install and is ${now ?? 'gone'} now: MFA Server did not land in the old folder`, PHONEFACTOR_KEY, 'Do not start the service; run --rollback, then check the registry value and plan again.');
  }
  const data = ctx.runData['dataFile'] as { path: string; size: number } | undefined;
  if (!data) return;
  const st = await ctx.host.files.stat(data.path);
  if (!st || st.isDirectory) throw failed(`the data file ${data.path} the backup found is not there after the install`, data.path, 'Run --rollback (it puts the backed-up data file back), then check where MFA Server was installed.');
  if (data.size >= SMALL_DATA_FILE && st.size * FRESH_DATA_FILE_RATIO < data.size) {
    throw failed(`the data file ${data.path} is ${st.size} bytes after the install, far smaller than the ${data.size} bytes backed up: it looks like a fresh, empty one`, data.path, 'Stop MultiFactorAuth before it is used, run --rollback, and restore the data file from the backup.');
  }
}

export function installStep(step: InstallStep): EngineStep<UpgradeEnv> {
  const what = `Installing ${step.name} ${step.version}`;
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    async preflight(host) {
      const remedy = `Put the package back into the packages folder as it was when planned (or plan again), then run the upgrade.`;
      try {
        const id = await host.installer.readPackage(step.package);
        if (!sameCode(id.productCode, step.productCode) || id.version !== step.version) return [{ message: `${step.package} is now ${id.name} ${id.version} (${id.productCode}), not the ${step.name} ${step.version} the plan was made with`, remedy }];
      } catch (e) {
        return [{ message: `the package ${step.package} cannot be read: ${e instanceof Error ? e.message : String(e)}`, remedy }];
      }
      return [];
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
    },
    async undo(ctx) {
      if (ctx.recorded['wasInstalled'] !== true) await ctx.installer.uninstall(step.productCode, `Uninstalling ${step.name} ${step.version}`, `${step.id}-undo`);
      for (const r of (ctx.recorded['replaced'] as Replaced[] | undefined) ?? []) await reinstallFromBackup(ctx, r, step.component, step.previous ?? {});
    },
  };
}
