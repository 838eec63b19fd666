// The packages an administrator hands over (--packages <dir>), recognised by what they say
// about themselves (name, version, platform), never by file name or code.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, MfaError } from '../errors.js';
import type { Host, PackageIdentity } from '../host/ports.js';
import { roleOf, type ProductRole } from '../inventory/products.js';
import type { ComponentKind } from '../inventory/types.js';
import { NEW_DEFAULT_SDK_VDIR, OLD_DEFAULT_SDK_VDIR } from '../config/webconfig/sdk-vdir.js';
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

/** A package the folder holds that could not be read (the plan's package check blocks on it). */
export interface UnreadablePackage {
  path: string;
  code: string;
}

/**
 * Reads every package in the folder (.msi, or .msi.json manifests on image hosts). With
 * `unreadable`, a package that cannot be read is listed there instead of failing the whole read.
 */
export async function readPackages(host: Host, dir: string, unreadable?: UnreadablePackage[]): Promise<KnownPackage[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (e) {
    throw new MfaError(`cannot read the packages folder: ${(e as Error).message}`, { code: 'PACKAGES_DIR', target: dir, exitCode: ExitCode.badInput, remedy: 'Pass the folder holding the MFA Server installers (--packages <dir>).' });
  }
  const out: KnownPackage[] = [];
  for (const name of names.sort()) {
    if (!/\.msi(\.json)?$/i.test(name)) continue;
    let identity: PackageIdentity;
    try {
      identity = await host.installer.readPackage(join(dir, name));
    } catch (e) {
      if (!unreadable) throw e;
      unreadable.push({ path: join(dir, name), code: e instanceof MfaError ? e.code : (e as NodeJS.ErrnoException).code ?? 'error' });
      continue;
    }
    const role = packageRole(identity);
    if (role) out.push({ role, identity });
  }
  return out;
}

/** The major version the server package brings (8 when the folder has none). */
export function targetMajorOf(packages: KnownPackage[]): number {
  const server = packages.find((p) => p.role === 'server');
  return server ? (majorOf(server.identity.version) ?? 8) : 8;
}

export function redistributablesIn(packages: KnownPackage[]): Array<'x86' | 'x64'> {
  return [...new Set(packages.filter((p) => p.role === 'vcredist').map((p) => p.identity.platform))];
}

/** Documented default vdir names of the new versions (procedure.md §1). */
export const NEW_DEFAULT_VDIR: Record<ComponentKind, string> = {
  webServiceSdk: NEW_DEFAULT_SDK_VDIR,
  userPortal: 'MultiFactorAuth',
  mobileAppWebService: 'MultiFactorAuthMobileAppWebService',
};

/** And of the PhoneFactor 5.x ones. */
export const OLD_DEFAULT_VDIR: Record<ComponentKind, string> = {
  webServiceSdk: OLD_DEFAULT_SDK_VDIR,
  userPortal: 'PhoneFactor',
  mobileAppWebService: 'PhoneFactorPhoneAppWebService',
};

function propertyWithDefault(identity: PackageIdentity, values: string[]): string | undefined {
  const props = identity.properties ?? {};
  return Object.keys(props).find((k) => values.some((v) => props[k]?.toLowerCase() === v.toLowerCase()));
}

/**
 * The property that sets a component's virtual directory: the one whose default is the
 * documented default vdir name. The real property names are not public; the package says.
 */
export function vdirPropertyOf(identity: PackageIdentity, kind: ComponentKind): string | undefined {
  return propertyWithDefault(identity, [NEW_DEFAULT_VDIR[kind], OLD_DEFAULT_VDIR[kind]]);
}

export function sitePropertyOf(identity: PackageIdentity): string | undefined {
  return propertyWithDefault(identity, ['Default Web Site']);
}
