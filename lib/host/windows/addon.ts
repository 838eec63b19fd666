// Loading the native addon (native/*.cc) and its typed surface.
//
// The addon runs as administrator on every server it touches, so it is loaded from exactly one
// place, worked out from this file's own location (never the current folder, argv or a search):
//   - a single executable application (the PowerShell module's bin\mfa-upgrade.exe):
//     bin\prebuilds\win32-<arch>\node.napi.node beside the executable;
//   - the bundle in a package's dist\ (dist\mfa-upgrade.cjs): the package's own prebuilds\;
//   - the bundle anywhere else (the module's bin\mfa-upgrade.cjs run by Node 12): prebuilds\
//     beside it;
//   - the sources (lib\host\windows\addon.ts): the repository's prebuilds\;
//   - MFA_UPGRADE_ADDON: the .node file named (the tests use it), under the same checks.
// Before it is mapped, the file's SHA-256 must be one this package ships (prebuild-digests.ts):
// a planted or altered DLL never runs. JavaScript cannot read a DACL, so the owner and DACL of
// the file and of every folder up to the installation's root are checked right after, through
// the addon, before anything else is called: an installation others can write to is refused
// (the next run could load their code); a process that is not elevated also accepts its own
// account, which gains nothing by loading its own code. Under Wine the owner and DACL are made up from Unix
// permissions and say nothing: that check is reported as not verified there (addonTrust()).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, MfaError } from '../../errors.js';
import { type Security, untrustedWriters } from './file-trust.js';
import { PREBUILD_DIGESTS } from './prebuild-digests.js';

export const ADDON_ENV = 'MFA_UPGRADE_ADDON';
export const ADDON_FILE = 'node.napi.node';
/** The addon's interface version (native/addon.cc exports it as `abi`). */
export const ADDON_ABI = 2;

/** A value as the registry stores it: its kind number and its bytes. */
export interface RawRegValue {
  type: number;
  data: Buffer;
}

export type RawMsiEvent =
  | { kind: 'progress'; fields: [number, number, number, number] }
  | { kind: 'action'; action: string; description: string }
  | { kind: 'data' };

export interface RawProduct {
  productCode: string;
  context: 'machine' | 'userManaged' | 'userUnmanaged';
  userSid: string;
  name: string;
  version: string;
  publisher: string;
  installLocation: string;
  localPackage: string;
  upgradeCode: string;
}

export interface RawService {
  name: string;
  displayName: string;
  state: 'stopped' | 'start_pending' | 'stop_pending' | 'running' | 'continue_pending' | 'pause_pending' | 'paused';
  startType: 'boot' | 'system' | 'auto' | 'manual' | 'disabled';
  path: string;
  /** Present when the service depends on others (load-order groups are left out). */
  dependsOn?: string[];
}

export interface RawFileSecurity extends Security {
  directory: boolean;
  reparsePoint: boolean;
}

/** An installation running on its own thread. */
export interface MsiRunHandle {
  /** The installer's result code, as it is. */
  result: Promise<number>;
  /** The UI handler answers IDCANCEL at the installer's next message: it rolls back (1602). */
  cancel(): void;
}

export type RegRoot = 'HKLM' | 'HKCU' | 'HKCR' | 'HKU' | 'HKCC';
export type RegViewBits = 64 | 32;

/**
 * The functions the addon exports. Failures throw (or reject with) an Error carrying
 * { code: number, api: string, target: string }; wrong argument types throw TypeError.
 */
export interface NativeAddon {
  abi: number;
  regRead(root: RegRoot, path: string, view: RegViewBits, name: string): RawRegValue | undefined;
  regValues(root: RegRoot, path: string, view: RegViewBits): Array<RawRegValue & { name: string }> | undefined;
  regSubkeys(root: RegRoot, path: string, view: RegViewBits): string[] | undefined;
  regExists(root: RegRoot, path: string, view: RegViewBits): boolean;
  regWrite(root: RegRoot, path: string, view: RegViewBits, name: string, type: number, data: Buffer): void;
  regDeleteValue(root: RegRoot, path: string, view: RegViewBits, name: string): boolean;
  regDeleteKey(root: RegRoot, path: string, view: RegViewBits): boolean;

  msiProducts(): Promise<RawProduct[]>;
  msiRelated(upgradeCode: string): string[];
  msiReadPackage(path: string): Promise<{ properties: Record<string, string>; template: string }>;
  msiRun(op: 'install' | 'uninstall' | 'admin', target: string, commandLine: string, logFile: string | null, onEvent: (e: RawMsiEvent) => void): MsiRunHandle;

  svcList(): RawService[];
  svcGet(name: string): RawService | undefined;
  /** Resolves to the services stopped, dependents first; a rejection carries them as `stopped`. */
  svcStop(name: string, timeoutMs: number): Promise<string[]>;
  svcStart(name: string, timeoutMs: number): Promise<void>;

  /** ReplaceFileW with a backup name: the original stays there until the caller removes it. */
  replaceFile(target: string, replacement: string, backup: string): void;
  moveFile(from: string, to: string, replaceExisting: boolean): void;
  getSecurity(path: string): RawFileSecurity;
  setSecurity(path: string, sddl: string): void;
  protectDirectory(path: string, trustedOwners: string[]): { created: boolean };
  diskFreeSpace(path: string): { available: number; total: number; free: number };

  isAdministrator(): boolean;
  /** "Wine 8.0" under Wine, undefined on Windows. */
  wineVersion(): string | undefined;
  /** Full path of a module loaded in this process (e.g. "msi.dll"), or undefined. */
  loadedModule(name: string): string | undefined;
  systemDirectory(): string;
  currentUserSid(): string;
}

export type AddonSource = 'override' | 'single-executable' | 'package' | 'beside-bundle' | 'source';

export interface AddonLocation {
  file: string;
  /** The installation's root: the file and every folder from it up to here are checked. */
  root: string;
  source: AddonSource;
}

export interface LocateContext {
  env: NodeJS.ProcessEnv;
  platform: string;
  arch: string;
  execPath: string;
  isSingleExecutable: boolean;
  /** This module's own file: the bundle, or lib/host/windows/addon.ts. */
  selfFile: string;
  /** The path module of the target platform (win32 on Windows; tests pass posix paths). */
  path?: { dirname(p: string): string; basename(p: string): string; join(...p: string[]): string; resolve(...p: string[]): string; isAbsolute(p: string): boolean };
}

/** The one place the addon is loaded from (pure: tested on every OS). */
export function locateAddon(ctx: LocateContext): AddonLocation {
  const p = ctx.path ?? { dirname, basename, join, resolve, isAbsolute };
  const relativeFile = p.join('prebuilds', `${ctx.platform}-${ctx.arch}`, ADDON_FILE);
  const override = ctx.env[ADDON_ENV];
  if (override) {
    if (!p.isAbsolute(override) || !override.toLowerCase().endsWith('.node')) {
      throw new MfaError(`${ADDON_ENV} must be the absolute path of the addon's .node file, not '${override}'`, {
        code: 'ADDON_VERIFY_FAILED',
        target: override,
        remedy: `Unset ${ADDON_ENV} (the addon is found beside the tool), or set it to the full path of ${relativeFile}.`,
      });
    }
    return { file: override, root: p.dirname(override), source: 'override' };
  }
  if (ctx.isSingleExecutable) {
    const root = p.dirname(ctx.execPath);
    return { file: p.join(root, relativeFile), root, source: 'single-executable' };
  }
  const selfDir = p.dirname(ctx.selfFile);
  if (/\.c?js$/i.test(ctx.selfFile) && !/[\\/]lib[\\/]host[\\/]windows[\\/]addon\.js$/i.test(ctx.selfFile)) {
    // A bundle: in a package's dist/, the package's prebuilds/; anywhere else, beside it.
    if (p.basename(selfDir).toLowerCase() === 'dist') {
      const root = p.dirname(selfDir);
      return { file: p.join(root, relativeFile), root, source: 'package' };
    }
    return { file: p.join(selfDir, relativeFile), root: selfDir, source: 'beside-bundle' };
  }
  const root = p.resolve(selfDir, '..', '..', '..');
  return { file: p.join(root, relativeFile), root, source: 'source' };
}

/** The folders checked with the file: its own, up to and including the root. */
export function foldersUpTo(file: string, root: string, p: { dirname(p: string): string } = { dirname }): string[] {
  const out: string[] = [];
  let dir = p.dirname(file);
  for (let i = 0; i < 16; i++) {
    out.push(dir);
    if (dir.toLowerCase() === root.toLowerCase()) return out;
    const up = p.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return out;
}

export interface AddonTrust {
  location: AddonLocation;
  sha256: string;
  /** Whether the owner and DACL check ran (it cannot mean anything under Wine). */
  aclChecked: boolean;
  /** Why it did not run, when it did not. */
  note?: string;
}

let loaded: NativeAddon | undefined;
let trust: AddonTrust | undefined;

function selfFile(): string {
  const url = (import.meta as { url?: string }).url;
  if (typeof url === 'string' && url.startsWith('file:')) return fileURLToPath(url);
  if (typeof __filename === 'string') return __filename;
  throw new Error('cannot tell where the mfa-upgrade code lives (no import.meta.url, no __filename)');
}

function isSingleExecutable(): boolean {
  try {
    return (createRequire(process.execPath)('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    // node:sea is missing before Node 20.12 (and in Node 12): then this is no single executable of ours.
    return false;
  }
}

function untrusted(message: string, target: string, remedy: string): MfaError {
  return new MfaError(message, { code: 'ADDON_VERIFY_FAILED', target, remedy });
}

const ACL_REMEDY = (root: string) =>
  `Install mfa-upgrade where only administrators can write (under Program Files), or restrict the folder: icacls "${root}" /setowner *S-1-5-32-544 /T /C, then icacls "${root}" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /T /C`;

/** Loads the addon once per process from its one place, after checking it; an MfaError says why not. */
export function loadAddon(env: NodeJS.ProcessEnv = process.env): NativeAddon {
  if (loaded) return loaded;
  if (process.platform !== 'win32') throw notWindows();
  const location = locateAddon({ env, platform: process.platform, arch: process.arch, execPath: process.execPath, isSingleExecutable: isSingleExecutable(), selfFile: selfFile() });
  const key = `${process.platform}-${process.arch}`;
  let bytes: Buffer;
  try {
    bytes = readFileSync(location.file);
  } catch (e) {
    throw new MfaError(`the native addon for ${key} is missing: ${location.file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      code: 'ADDON_MISSING',
      target: location.file,
      remedy: `Reinstall mfa-upgrade so prebuilds${sep}${key}${sep}${ADDON_FILE} lies in its folder (npm run build:native builds it from source).`,
    });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const expected = PREBUILD_DIGESTS[key];
  if (!expected || sha256 !== expected) {
    throw untrusted(`${location.file} is not the addon this version of mfa-upgrade ships (SHA-256 ${sha256}${expected ? `, expected ${expected}` : `; none is listed for ${key}`}): it was not loaded`, location.file, `Reinstall mfa-upgrade; after rebuilding the addon from source, run "npm run build:native -- --update-digests" and "npm run build".`);
  }
  const module = { exports: {} as unknown };
  try {
    process.dlopen(module, location.file);
  } catch (e) {
    throw new MfaError(`the native addon could not be loaded from ${location.file}: ${(e as Error).message.split('\n')[0]}`, { code: 'ADDON_MISSING', target: location.file, remedy: 'Check that the file is intact (reinstall mfa-upgrade) and that this is 64-bit Node on Windows Server 2008 or later.' });
  }
  const addon = module.exports as NativeAddon;
  if (addon.abi !== ADDON_ABI) throw untrusted(`${location.file} has interface ${String(addon.abi)}, this mfa-upgrade needs ${ADDON_ABI}`, location.file, 'Reinstall mfa-upgrade (the addon and the bundle come from different versions).');
  trust = checkInstallation(addon, location, sha256);
  loaded = addon;
  return addon;
}

function checkInstallation(addon: NativeAddon, location: AddonLocation, sha256: string): AddonTrust {
  const wine = addon.wineVersion();
  if (wine) return { location, sha256, aclChecked: false, note: `${wine} makes owners and DACLs up from Unix permissions: the installation's permissions were not checked` };
  // The danger is code run with more rights than its writer has: a process that is not elevated
  // may load what its own account can write (nothing is gained), never what others can.
  const alsoTrusted = addon.isAdministrator() ? [] : [addon.currentUserSid()];
  const problems: string[] = [];
  for (const path of [location.file, ...foldersUpTo(location.file, location.root)]) {
    let security: RawFileSecurity;
    try {
      security = addon.getSecurity(path);
    } catch (e) {
      problems.push(`${path}: ${(e as Error).message}`);
      continue;
    }
    if (security.reparsePoint) problems.push(`${path}: a junction or link`);
    for (const p of untrustedWriters(security, alsoTrusted)) problems.push(`${path}: ${p}`);
  }
  if (problems.length) {
    throw untrusted(`the native addon's installation can be changed by non-administrators, so it is not used: ${problems.join('; ')}`, location.root, ACL_REMEDY(location.root));
  }
  return { location, sha256, aclChecked: true };
}

/** How the loaded addon was checked (undefined before loadAddon succeeded). */
export function addonTrust(): AddonTrust | undefined {
  return trust;
}

export function notWindows(): MfaError {
  return new MfaError(`the live-machine backend needs Windows (this is ${process.platform})`, {
    code: 'NOT_WINDOWS',
    exitCode: ExitCode.notWindows,
    remedy: 'Run mfa-upgrade on the Windows server itself, or pass --host <image folder> to work on an image of one.',
  });
}
