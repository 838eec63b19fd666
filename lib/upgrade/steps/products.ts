// Postcondition and preflight facts about installed products, shared by the install and uninstall steps.
import { ExitCode, MfaError } from '../../errors.js';
import type { Blocker } from '../../engine/step.js';
import type { Host, InstalledProduct } from '../../host/ports.js';

export const sameCode = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();

export async function findProduct(host: Host, productCode: string): Promise<InstalledProduct | undefined> {
  return (await host.installer.listProducts()).find((p) => sameCode(p.productCode, productCode));
}

/**
 * An uninstall (and a rollback that reinstalls) needs the product's cached package: Windows
 * Installer removes a product with it, and the backup keeps a copy to bring it back.
 */
export async function cachedPackageBlockers(host: Host, productCode: string, name: string): Promise<Blocker[]> {
  const product = await findProduct(host, productCode);
  if (!product) return [];
  const cached = product.localPackage;
  const remedy = `Repair ${name} from its original installer (msiexec /fvomus <its .msi>) so Windows Installer caches its package again, then plan again.`;
  if (!cached) return [{ message: `Windows Installer reports no cached package for ${name}, so it could neither be uninstalled nor brought back by a rollback`, remedy }];
  const st = await host.files.stat(cached);
  if (!st || st.isDirectory) return [{ message: `the cached package of ${name} (${cached}) is missing, so it could neither be uninstalled nor brought back by a rollback`, remedy }];
  try {
    const id = await host.installer.readPackage(host.localPath(cached));
    if (!sameCode(id.productCode, productCode)) return [{ message: `the cached package ${cached} is ${id.name} ${id.version} (${id.productCode}), not ${name}`, remedy }];
  } catch (e) {
    return [{ message: `the cached package of ${name} (${cached}) cannot be read: ${e instanceof Error ? e.message : String(e)}`, remedy }];
  }
  return [];
}

export function productMissing(what: string, productCode: string): MfaError {
  return new MfaError(`postcondition not met: ${what}`, { code: 'POSTCONDITION_FAILED', target: productCode, exitCode: ExitCode.fatal, remedy: 'Read the verbose Windows Installer log of the step, then run again with --resume, or --rollback.' });
}
