// Recognising MFA products by what Windows Installer reports: name patterns and version ranges.
// ProductCodes and UpgradeCodes are not public, so they are kept as found, never matched on.
import type { InstalledProduct } from '../host/ports.js';
import { majorOf, parseVersion } from '../util/version.js';
import type { ComponentKind, Generation, ProductRef } from './types.js';

export type ProductRole = 'server' | ComponentKind | 'adfsAdapter';

const FAMILY = /phone\s*factor|multi-?factor\s*auth/i;

/** Whether a product name belongs to the PhoneFactor / MFA Server family at all. */
export function isFamilyName(name: string): boolean {
  return FAMILY.test(name);
}

/** The role a product plays, from its name; undefined when it is not an MFA product. */
export function roleOf(name: string): ProductRole | undefined {
  if (!FAMILY.test(name)) return undefined;
  if (/ad\s*fs|adfs/i.test(name)) return 'adfsAdapter';
  if (/web\s*service\s*sdk/i.test(name)) return 'webServiceSdk';
  if (/(mobile|phone)\s*app/i.test(name)) return 'mobileAppWebService';
  if (/user\s*portal/i.test(name)) return 'userPortal';
  if (/agent|server/i.test(name) || /^\s*(phone\s*factor|multi-?factor\s*authentication)\s*$/i.test(name)) return 'server';
  return undefined;
}

/** Which era a server product belongs to, and whether its version is one this tool knows. */
export function classifyServer(name: string, version: string): { generation: Generation; versionKnown: boolean; note?: string } {
  const major = majorOf(version);
  const generation: Generation = /phone\s*factor/i.test(name) && !/multi-?factor/i.test(name) ? 'phonefactor-agent' : 'mfa-server';
  if (major === undefined || parseVersion(version) === undefined) {
    return { generation, versionKnown: false, note: `version '${version}' is not a Windows Installer version` };
  }
  if (generation === 'phonefactor-agent') {
    if (major >= 1 && major <= 5) return { generation, versionKnown: true };
    return { generation, versionKnown: false, note: `PhoneFactor Agent ${version} is outside the known range 1.x-5.x` };
  }
  if (major >= 6 && major <= 8) return { generation, versionKnown: true };
  return { generation, versionKnown: false, note: `MFA Server ${version} is outside the known range 6.x-8.x` };
}

export function productRef(p: InstalledProduct): ProductRef {
  return { productCode: p.productCode, upgradeCode: p.upgradeCode, name: p.name, version: p.version, publisher: p.publisher };
}
