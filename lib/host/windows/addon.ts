// Loading the native addon (native/*.cc) and its typed surface. The addon lives in the package's
// prebuilds/win32-<arch>/ (prebuildify's layout) and is found by node-gyp-build from the package
// root. That root is found the same way from source and from the esbuild bundle
// (dist/mfa-upgrade.cjs: the root is the bundle's folder's parent), and can be overridden with
// MFA_UPGRADE_ADDON: a .node file, or a folder holding prebuilds/.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { ExitCode, MfaError } from '../../errors.js';

export const ADDON_ENV = 'MFA_UPGRADE_ADDON';

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
  msiRun(op: 'install' | 'uninstall' | 'admin', target: string, commandLine: string, logFile: string | null, onEvent: (e: RawMsiEvent) => void): Promise<number>;

  svcList(): RawService[];
  svcGet(name: string): RawService | undefined;
  svcStop(name: string, timeoutMs: number): Promise<void>;
  svcStart(name: string, timeoutMs: number): Promise<void>;

  replaceFile(target: string, replacement: string): void;
  moveFile(from: string, to: string): void;
  protectPath(path: string): void;
  getDacl(path: string): string;
  setDacl(path: string, sddl: string): void;

  isAdministrator(): boolean;
  /** "Wine 8.0" under Wine, undefined on Windows. */
  wineVersion(): string | undefined;
}

/** The folders that may be the package root (the one holding prebuilds/), most likely first. */
export function packageRootCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  const override = env[ADDON_ENV];
  if (override && !override.toLowerCase().endsWith('.node')) out.push(resolve(override));
  // In the CommonJS bundle (dist/mfa-upgrade.cjs), __dirname is dist/: the root is its parent.
  // From source (ESM, no __dirname) the main script's folders are walked up instead.
  if (typeof __dirname === 'string') out.push(resolve(__dirname, '..'), resolve(__dirname, '..', '..', '..'));
  const main = process.argv[1];
  if (main) {
    let dir = dirname(resolve(main));
    for (let i = 0; i < 5; i++) {
      out.push(dir);
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  // A single executable application keeps its prebuilds/ beside the executable.
  out.push(dirname(process.execPath), process.cwd());
  return [...new Set(out)];
}

let loaded: NativeAddon | undefined;

/** Loads the addon once per process; an MfaError says where it looked when it is missing. */
export function loadAddon(env: NodeJS.ProcessEnv = process.env): NativeAddon {
  if (loaded) return loaded;
  if (process.platform !== 'win32') throw notWindows();
  const req = createRequire(join(process.cwd(), 'package.json'));
  const override = env[ADDON_ENV];
  const problems: string[] = [];
  if (override?.toLowerCase().endsWith('.node')) {
    try {
      loaded = req(resolve(override)) as NativeAddon;
      return loaded;
    } catch (e) {
      problems.push(`${override}: ${(e as Error).message}`);
    }
  }
  // In a single executable application, node-gyp-build would probe package.json through the
  // executable's require, which loads built-in modules only (and says so on stderr): the addon
  // lies beside the executable, in prebuildify's layout.
  if (isSingleExecutable(req)) {
    const file = join(dirname(process.execPath), 'prebuilds', `${process.platform}-${process.arch}`, 'node.napi.node');
    if (existsSync(file)) {
      loaded = createRequire(process.execPath)(file) as NativeAddon;
      return loaded;
    }
    problems.push(`${file}: not found beside the executable`);
  }
  const nodeGypBuild = loadNodeGypBuild(req);
  for (const root of packageRootCandidates(env)) {
    if (!existsSync(join(root, 'prebuilds')) && !existsSync(join(root, 'build', 'Release'))) continue;
    try {
      const file = nodeGypBuild.path(root);
      loaded = req(file) as NativeAddon;
      return loaded;
    } catch (e) {
      problems.push(`${root}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new MfaError(`the native addon for ${process.platform}-${process.arch} could not be loaded${problems.length ? ` (${problems.join('; ')})` : ': no prebuilds folder was found'}`, {
    code: 'ADDON_MISSING',
    target: `prebuilds/${process.platform}-${process.arch}/node.napi.node`,
    remedy: `Reinstall mfa-upgrade so prebuilds/ lies beside its dist/ folder, run "npm run build:native", or set ${ADDON_ENV} to the addon's .node file.`,
  });
}

function isSingleExecutable(req: NodeRequire): boolean {
  try {
    return (req('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    // node:sea is missing before Node 20.12: then this is no single executable of ours.
    return false;
  }
}

interface NodeGypBuild {
  path(dir: string): string;
}

function loadNodeGypBuild(req: NodeRequire): NodeGypBuild {
  // Bundled by esbuild into the CommonJS file (node-gyp-build is plain CommonJS); from source,
  // resolved from node_modules.
  if (typeof require === 'function') {
    try {
      return require('node-gyp-build') as NodeGypBuild;
    } catch {
      /* fall through to the package's own node_modules */
    }
  }
  return req('node-gyp-build') as NodeGypBuild;
}

export function notWindows(): MfaError {
  return new MfaError(`the live-machine backend needs Windows (this is ${process.platform})`, {
    code: 'NOT_WINDOWS',
    exitCode: ExitCode.notWindows,
    remedy: 'Run mfa-upgrade on the Windows server itself, or pass --host <image folder> to work on an image of one.',
  });
}
