// The Installer port over Windows Installer (msi.dll through the addon). Results come back as
// the installer gave them (0, 3010, 1602, 1603, 1605, 1618, ...): retry and reboot policy live
// in upgrade/. Reboots are always suppressed (REBOOT=ReallySuppress, as msiexec /norestart):
// the caller reports 3010 and decides.
import { promises as fsp } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { removePath } from '../../util/remove.js';
import { ExitCode, MfaError } from '../../errors.js';
import type { InstallOptions, InstallResult, InstalledProduct, Installer, PackageFile, PackageIdentity } from '../ports.js';
import type { NativeAddon, RawMsiEvent } from './addon.js';
import { awaitNative, callNative } from './native-error.js';
import { ProgressTracker } from './progress.js';

const GUID = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;
const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export function checkGuid(value: string, what: string): string {
  if (typeof value !== 'string' || !GUID.test(value)) {
    throw new MfaError(`${what} '${value}' is not a GUID in braces ({XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX})`, { code: 'BAD_INPUT', target: String(value), exitCode: ExitCode.badInput });
  }
  return value.toUpperCase();
}

/** NAME="value" pairs as msiexec takes them: quotes inside a value are doubled. */
export function propertyString(properties: Record<string, string> = {}): string {
  return Object.entries(properties)
    .map(([name, value]) => {
      if (!PROPERTY_NAME.test(name)) throw new MfaError(`'${name}' is not a Windows Installer property name`, { code: 'BAD_INPUT', target: name, exitCode: ExitCode.badInput });
      if (typeof value !== 'string') throw new TypeError(`property ${name} must be a string`);
      return `${name}="${value.replace(/"/g, '""')}"`;
    })
    .join(' ');
}

/** The command line for an operation: the caller's properties, reboots suppressed unless the caller set REBOOT. */
export function commandLine(properties: Record<string, string> = {}, leading: Record<string, string> = {}): string {
  const all: Record<string, string> = { ...leading, ...properties };
  if (!Object.keys(all).some((k) => k.toUpperCase() === 'REBOOT')) all['REBOOT'] = 'ReallySuppress';
  return propertyString(all);
}

/** 'x64' for x64 (and AMD64, Arm64) packages, 'x86' for Intel ones, from the Template summary property ("x64;1033"). */
export function platformOf(template: string): 'x86' | 'x64' {
  const platform = template.split(';')[0]?.trim() ?? '';
  return /^(x64|amd64|arm64|intel64)$/i.test(platform) ? 'x64' : 'x86';
}

/** Public properties (no lower-case letter in the name): the ones a command line can set. */
export function publicProperties(all: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (k === k.toUpperCase() && /[A-Z]/.test(k)) out[k] = v;
  return out;
}

export class WindowsInstaller implements Installer {
  /** Windows Installer runs one installation at a time; so does this process. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly addon: NativeAddon) {}

  async listProducts(): Promise<InstalledProduct[]> {
    const raw = await awaitNative(() => this.addon.msiProducts());
    return raw.map((p) => {
      const product: InstalledProduct = {
        productCode: p.productCode,
        upgradeCode: p.upgradeCode || null,
        name: p.name,
        version: p.version,
        publisher: p.publisher,
        installLocation: p.installLocation,
        context: p.context,
      };
      if (p.localPackage) product.localPackage = p.localPackage;
      return product;
    });
  }

  async relatedProducts(upgradeCode: string): Promise<string[]> {
    const code = checkGuid(upgradeCode, 'UpgradeCode');
    return callNative(() => this.addon.msiRelated(code));
  }

  async readPackage(packagePath: string): Promise<PackageIdentity> {
    const path = resolve(packagePath);
    const { properties, template } = await awaitNative(() => this.addon.msiReadPackage(path));
    const productCode = properties['ProductCode'];
    if (!productCode) {
      throw new MfaError(`the package has no ProductCode: it is not an installable product (a patch or a merge module?)`, { code: 'BAD_INPUT', target: path, exitCode: ExitCode.badInput });
    }
    return {
      path,
      productCode,
      upgradeCode: properties['UpgradeCode'] ?? null,
      name: properties['ProductName'] ?? '',
      version: properties['ProductVersion'] ?? '',
      manufacturer: properties['Manufacturer'] ?? '',
      platform: platformOf(template),
      properties: publicProperties(properties),
    };
  }

  install(packagePath: string, options: InstallOptions = {}): Promise<InstallResult> {
    return this.run('install', resolve(packagePath), commandLine(options.properties), options);
  }

  uninstall(productCode: string, options: InstallOptions = {}): Promise<InstallResult> {
    return this.run('uninstall', checkGuid(productCode, 'ProductCode'), commandLine(options.properties), options);
  }

  async adminExtract(packagePath: string, targetDir: string, options: InstallOptions = {}): Promise<InstallResult> {
    const target = resolve(targetDir);
    await fsp.mkdir(target, { recursive: true });
    return this.run('admin', resolve(packagePath), commandLine(options.properties, { ACTION: 'ADMIN', TARGETDIR: target }), options);
  }

  async readPackageFiles(packagePath: string, names: string[]): Promise<PackageFile[]> {
    // An administrative extract into a folder of our own, read and removed: nothing is installed.
    const dir = await fsp.mkdtemp(join(tmpdir(), 'mfa-extract-'));
    try {
      const r = await this.adminExtract(packagePath, dir);
      if (r.exitCode !== 0) {
        throw new MfaError(`the administrative extract of the package failed (${r.exitCode})`, { code: `MSI_${r.exitCode}`, target: packagePath, exitCode: ExitCode.fatal, remedy: 'Check that the package is complete and readable (msiexec /a <package> TARGETDIR=<folder> shows the error).' });
      }
      const wanted = new Set(names.map((n) => n.toLowerCase()));
      const out: PackageFile[] = [];
      const walk = async (d: string): Promise<void> => {
        for (const e of await fsp.readdir(d, { withFileTypes: true })) {
          const full = join(d, e.name);
          if (e.isDirectory()) await walk(full);
          else if (e.isFile() && wanted.has(e.name.toLowerCase())) out.push({ target: relative(dir, full), bytes: await fsp.readFile(full) });
        }
      };
      await walk(dir);
      return out.sort((a, b) => a.target.length - b.target.length);
    } finally {
      await removePath(dir);
    }
  }

  private run(op: 'install' | 'uninstall' | 'admin', target: string, cmd: string, options: InstallOptions): Promise<InstallResult> {
    const job = this.tail.then(async () => {
      const logFile = options.logFile ? resolve(options.logFile) : null;
      if (logFile) await fsp.mkdir(dirname(logFile), { recursive: true });
      const tracker = new ProgressTracker((event) => {
        try {
          options.onProgress?.(event);
        } catch {
          /* a listener's failure must not disturb the installation */
        }
      });
      // The installer runs on the addon's own thread; a cancel (Ctrl+C, a stop request) makes its
      // UI handler answer IDCANCEL at the next message, and the result is then 1602 after rollback.
      const run = callNative(() => this.addon.msiRun(op, target, cmd, logFile, (e: RawMsiEvent) => tracker.handle(e)));
      const stopListening = options.cancel?.onCancel(() => run.cancel());
      let exitCode: number;
      try {
        exitCode = await awaitNative(() => run.result);
      } finally {
        stopListening?.();
      }
      if (exitCode === 0 || exitCode === 3010 || exitCode === 1641) tracker.complete();
      const result: InstallResult = { exitCode };
      if (logFile) result.logFile = logFile;
      return result;
    });
    this.tail = job.catch(() => undefined);
    return job;
  }
}
