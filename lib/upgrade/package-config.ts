// The web.config a package lays down, read through the Installer port without installing it: the
// new version's (for the plan's preview of each merge) and the old version's own (the baseline,
// from its cached package on the machine while planning, from the backup's copy when the merge
// runs: by then the installer has deleted the cached package with the product).
import { rootWebConfig } from '../config/webconfig/baseline.js';
import type { FileInput } from '../config/webconfig/merge.js';
import type { Host, InstalledProduct } from '../host/ports.js';

export interface PackageConfig {
  input?: FileInput;
  /** Why there is none. */
  missing?: string;
}

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The root web.config of a package at a local path. */
export async function packageWebConfig(host: Host, localPackage: string, label: string): Promise<PackageConfig> {
  try {
    const file = rootWebConfig(await host.installer.readPackageFiles(localPackage, ['web.config']));
    if (!file) return { missing: `${label} lays down no web.config` };
    return { input: { bytes: file.bytes, file: `${label}: ${file.target}` } };
  } catch (e) {
    return { missing: `${label} could not be read: ${why(e)}` };
  }
}

/** The old version's own web.config, from its cached package on this machine. */
export async function cachedBaseline(host: Host, productCode: string): Promise<PackageConfig> {
  const product: InstalledProduct | undefined = (await host.installer.listProducts()).find((p) => p.productCode.toUpperCase() === productCode.toUpperCase());
  if (!product?.localPackage) return { missing: `Windows Installer reports no cached package for ${product?.name ?? productCode}` };
  return packageWebConfig(host, host.localPath(product.localPackage), `the cached package of ${product.name} ${product.version} (${product.localPackage})`);
}
