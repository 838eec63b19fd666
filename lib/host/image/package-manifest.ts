// The package manifest: JSON standing for an .msi on an image host (format in
// docs/package-manifest.md). It says who the product is and what it lays down.
import { badInput } from '../../errors.js';
import { expectObject, parseJson } from '../../util/json-file.js';
import type { PackageIdentity, RegValue, RegistryView, ServiceStartType } from '../ports.js';

export const MANIFEST_FORMAT = 'mfa-upgrade/package-manifest@1';

export interface ManifestFile {
  /** Formatted target path, e.g. "[INSTALLDIR]Data\\readme.txt". */
  target: string;
  /** Inline text content. */
  content?: string;
  /** Binary content, base64: how a cached package (C:\Windows\Installer) carries its files. */
  contentBase64?: string;
  /** Payload path relative to the manifest's folder. */
  source?: string;
  /** Kept on uninstall (msidbComponentAttributesPermanent). */
  permanent?: boolean;
  /** Not replaced when it already exists (msidbComponentAttributesNeverOverwrite). */
  neverOverwrite?: boolean;
}

export interface ManifestRegistryValue {
  key: string;
  name: string;
  value: RegValue | { type: 'REG_SZ' | 'REG_EXPAND_SZ'; data: string } | { type: 'REG_DWORD'; data: number };
  view?: RegistryView;
  permanent?: boolean;
}

export interface ManifestIisApplication {
  site: string;
  path: string;
  physicalPath: string;
  applicationPool?: string;
}

export interface ManifestService {
  name: string;
  displayName: string;
  startType: ServiceStartType;
  path: string;
  /** Start it at the end of the install (ServiceControl start). */
  start?: boolean;
  dependsOn?: string[];
  /**
   * What the service does to its data file when it starts after an install, as MFA Server converts
   * an older data file on its first start (docs/package-manifest.md). Paths are formatted text.
   */
  dataConversion?: ManifestDataConversion;
}

export interface ManifestDataConversion {
  /** The data file, e.g. "[INSTALLDIR]Data\\PhoneFactor.pfdata" (found case-insensitively). */
  dataFile: string;
  /** The service log that gets "Completed performing tasks to upgrade from <n> to <m>". */
  log: string;
  /** The schema this version converts the data file to. */
  schema: number;
  /** Service status queries after the start before the conversion completes (default 0: on the start). */
  polls?: number;
}

export interface ManifestUpgrade {
  upgradeCode: string;
  /** Versions at or above minVersion and below maxVersion are removed first (a major upgrade). */
  minVersion?: string;
  maxVersion: string;
}

export type LaunchCondition =
  | { registryDwordAtLeast: { key: string; name: string; view?: RegistryView; value: number }; message: string }
  | { registryExists: { key: string; view?: RegistryView }; message: string };

export interface ManifestCustomAction {
  name: string;
  /** A custom action that fails makes the whole install fail and roll back. */
  exitCode: number;
  message: string;
}

export interface PackageManifest {
  format: typeof MANIFEST_FORMAT;
  productCode: string;
  upgradeCode: string | null;
  name: string;
  version: string;
  manufacturer: string;
  platform: 'x86' | 'x64';
  /** The install folder property and where its value comes from. */
  installDir?: {
    property: string;
    default: string;
    /** AppSearch: reuse a path recorded by an earlier version (MFA Server's InstallPath). */
    fromRegistry?: { key: string; name: string; view?: RegistryView };
  };
  properties?: Record<string, string>;
  launchConditions?: LaunchCondition[];
  upgrades?: ManifestUpgrade[];
  folders?: string[];
  files?: ManifestFile[];
  registry?: ManifestRegistryValue[];
  iisApplications?: ManifestIisApplication[];
  services?: ManifestService[];
  customActions?: ManifestCustomAction[];
  /** ScheduleReboot: the install succeeds and asks for a restart (3010). */
  scheduleReboot?: boolean;
  /** In a cached package (C:\Windows\Installer\*.msi): the properties it was installed with. */
  installedWith?: Record<string, string>;
}

const GUID = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;

export function parseManifest(text: string, file: string): PackageManifest {
  const data = parseJson(text, file);
  expectObject(data, file, { format: 'string', productCode: 'string', upgradeCode: 'string|null', name: 'string', version: 'string', manufacturer: 'string', platform: 'string' });
  const m = data as PackageManifest;
  if (m.format !== MANIFEST_FORMAT) {
    throw badInput(`not a package manifest of format '${MANIFEST_FORMAT}' (found '${String(m.format)}')`, file, { code: 'PACKAGE_FORMAT' });
  }
  if (!GUID.test(m.productCode)) throw badInput(`productCode '${m.productCode}' is not a {GUID}`, file, { code: 'PACKAGE_FORMAT' });
  if (m.upgradeCode !== null && !GUID.test(m.upgradeCode)) throw badInput(`upgradeCode '${m.upgradeCode}' is not a {GUID}`, file, { code: 'PACKAGE_FORMAT' });
  if (m.platform !== 'x86' && m.platform !== 'x64') throw badInput(`platform must be x86 or x64`, file, { code: 'PACKAGE_FORMAT' });
  // Found by the fuzzer: a list field holding something else made the loops below throw a TypeError.
  for (const field of ['files', 'folders', 'registry', 'iisApplications', 'services', 'upgrades', 'launchConditions', 'customActions'] as const) {
    const v = (m as unknown as Record<string, unknown>)[field];
    if (v !== undefined && (!Array.isArray(v) || (field !== 'folders' && v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) || (field === 'folders' && v.some((x) => typeof x !== 'string')))) {
      throw badInput(`field '${field}' must be a list of ${field === 'folders' ? 'folder paths' : 'objects'}`, file, { code: 'PACKAGE_FORMAT' });
    }
  }
  if (m.installDir !== undefined && (typeof m.installDir !== 'object' || m.installDir === null || typeof m.installDir.property !== 'string' || typeof m.installDir.default !== 'string')) {
    throw badInput("'installDir' needs a property and a default folder", file, { code: 'PACKAGE_FORMAT' });
  }
  if (m.properties !== undefined && (typeof m.properties !== 'object' || m.properties === null || Object.values(m.properties).some((v) => typeof v !== 'string'))) {
    throw badInput("'properties' must map names to text", file, { code: 'PACKAGE_FORMAT' });
  }
  for (const s of m.services ?? []) {
    const c = s.dataConversion;
    if (c === undefined) continue;
    if (typeof c !== 'object' || c === null || typeof c.dataFile !== 'string' || typeof c.log !== 'string') throw badInput(`service ${s.name}: dataConversion needs dataFile and log`, file, { code: 'PACKAGE_FORMAT' });
    if (!Number.isInteger(c.schema) || c.schema < 0) throw badInput(`service ${s.name}: dataConversion.schema must be a whole number`, file, { code: 'PACKAGE_FORMAT' });
    if (c.polls !== undefined && !(Number.isInteger(c.polls) && c.polls >= 0)) throw badInput(`service ${s.name}: dataConversion.polls must be a whole number`, file, { code: 'PACKAGE_FORMAT' });
  }
  for (const f of m.files ?? []) {
    if (typeof f.target !== 'string') throw badInput('every file needs a target', file, { code: 'PACKAGE_FORMAT' });
    if (f.source !== undefined && (/^[\\/]/.test(f.source) || /(^|[\\/])\.\.([\\/]|$)/.test(f.source) || /^[A-Za-z]:/.test(f.source))) {
      throw badInput(`payload source '${f.source}' must stay inside the package folder`, file, { code: 'PACKAGE_FORMAT' });
    }
  }
  return m;
}

export function identityOf(m: PackageManifest, path: string): PackageIdentity {
  const id: PackageIdentity = { path, productCode: m.productCode, upgradeCode: m.upgradeCode, name: m.name, version: m.version, manufacturer: m.manufacturer, platform: m.platform };
  if (m.properties) id.properties = { ...m.properties };
  return id;
}

/** Windows Installer formatted text: [PROPERTY] replaced by its value, unknown ones by ''. */
export function formatted(text: string, props: Record<string, string>): string {
  return text.replace(/\[([A-Za-z_][A-Za-z0-9_.]*)\]/g, (_m, name: string) => props[name] ?? '');
}
