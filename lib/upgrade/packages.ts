// The packages an administrator hands over (--packages <dir>), recognised by what they say
// about themselves (name, version, platform), never by file name or code.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, MfaError } from '../errors.js';
import type { Host, PackageIdentity } from '../host/ports.js';
import { roleOf, type ProductRole } from '../inventory/products.js';
import { majorOf } from '../util/version.js';

export type PackageRole = ProductRole | 'vcredist';

export interface KnownPackage {
  role: PackageRole;
  identity: PackageIdentity;
}

export function packageRole(identity: PackageIdentity): PackageRole | undefined {
  if (/visual c\+\+ (2015|2017|2019|2022|2015-20\d\d).*redistributable/i.test(identity.name)) return 'vcredist';
  return roleOf(identity.name);
}

/** Reads every package in the folder (.msi, or .msi.json manifests on image hosts). */
export async function readPackages(host: Host, dir: string): Promise<KnownPackage[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    throw new MfaError(`cannot read the packages folder: ${(e as Error).message}`, { code: 'PACKAGES_DIR', target: dir, exitCode: ExitCode.badInput, remedy: 'Pass the folder holding the MFA Server installers (--packages <dir>).' });
  }
  const out: KnownPackage[] = [];
  for (const name of names.sort()) {
    if (!/\.msi(\.json)?$/i.test(name)) continue;
    const identity = await host.installer.readPackage(join(dir, name));
    const role = packageRole(identity);
    if (role) out.push({ role, identity });
  }
  return out;
}

/** The major version the server package brings (8 when the folder has none). */
export async function targetMajorFromPackages(host: Host, dir: string): Promise<number> {
  const server = (await readPackages(host, dir)).find((p) => p.role === 'server');
  return server ? (majorOf(server.identity.version) ?? 8) : 8;
}
