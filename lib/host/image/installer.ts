// The Installer port over an image host: products.json is what Windows Installer reports, and
// package manifests (package-manifest.ts) stand for .msi files. Installs behave as Windows
// Installer's do where it matters to an upgrade: one install at a time (1618), launch conditions
// (1603), major upgrades removing the old product first, the install folder reused from the
// registry, rollback of everything on failure, a cached package for uninstall, a verbose log.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { MfaError } from '../../errors.js';
import { expectArrayOf, parseJson } from '../../util/json-file.js';
import { writeFileAtomicLocal } from '../../util/local-fs.js';
import { compareVersions } from '../../util/version.js';
import { windowsDirname } from '../../util/winpath.js';
import { readDword, readString } from '../registry-values.js';
import { APPHOST_CONFIG, parseIisXml } from '../iis/apphost-config.js';
import { addApplication, hasApplication, removeApplication } from '../iis/apphost-edit.js';
import { movedSitesFile, readConfigText } from '../iis/config-iis.js';
import { encodeText } from '../../config/xml/codec.js';
import type { InstallOptions, InstallResult, InstalledProduct, Installer, PackageFile, PackageIdentity, RegValue } from '../ports.js';
import type { ImageFiles } from './files.js';
import { RollbackStore } from './rollback-store.js';
import { formatted, identityOf, parseManifest, type PackageManifest } from './package-manifest.js';
import type { ImageRegistry } from './registry.js';
import type { ImageServiceInfo, ImageServices } from './services.js';
import { isProcessAlive } from '../../util/process.js';
import { removePath } from '../../util/remove.js';

export const ERROR_UNKNOWN_PRODUCT = 1605;
const STATE_FILES = ['registry.reg', 'services.json', 'products.json'];
export const ERROR_INSTALL_ALREADY_RUNNING = 1618;
export const ERROR_INSTALL_FAILURE = 1603;
export const ERROR_INSTALL_PACKAGE_OPEN_FAILED = 1619;
export const ERROR_SUCCESS_REBOOT_REQUIRED = 3010;

class InstallLog {
  private lines: string[] = [];
  line(text: string): void {
    const t = new Date().toTimeString().slice(0, 8);
    this.lines.push(`MSI (s) [${t}]: ${text}`);
  }
  action(name: string): void {
    this.line(`Action start ${new Date().toTimeString().slice(0, 8)}: ${name}.`);
  }
  text(): string {
    return `${this.lines.join('\r\n')}\r\n`;
  }
}

/** Steps in Windows Installer's own order, named as its actions are, for progress and logs. */
interface Step {
  action: string;
  run: () => Promise<void>;
}

export class ImageInstaller implements Installer {
  constructor(
    private readonly root: string,
    private readonly files: ImageFiles,
    private readonly registry: ImageRegistry,
    private readonly services: ImageServices,
  ) {}

  private get productsFile(): string {
    return join(this.root, 'products.json');
  }

  /**
   * A rollback store whose 'begun' marker was never written (the process died while making it) is
   * not a transaction: nothing was changed under it. It is removed the first time this image's
   * installer is asked anything, so it does not linger until the next install; a store that did
   * begin stays for the next operation to roll back, as Windows Installer keeps C:\Config.Msi.
   */
  private halfMadeSwept = false;
  private async sweepHalfMadeStore(): Promise<void> {
    if (this.halfMadeSwept) return;
    this.halfMadeSwept = true;
    const dir = join(this.root, 'drive', 'C', 'Config.Msi');
    const exists = await fsp.stat(dir).then(() => true, () => false);
    if (exists && !(await new RollbackStore(this.root, this.files, STATE_FILES).pending())) await removePath(dir);
  }

  private async readProducts(): Promise<InstalledProduct[]> {
    await this.sweepHalfMadeStore();
    const text = await fsp.readFile(this.productsFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '[]';
      throw e;
    });
    return expectArrayOf<InstalledProduct>(parseJson(text, this.productsFile), this.productsFile, {
      productCode: 'string',
      upgradeCode: 'string|null',
      name: 'string',
      version: 'string',
      publisher: 'string',
      installLocation: 'string',
      context: 'string',
    });
  }

  private async writeProducts(products: InstalledProduct[]): Promise<void> {
    await writeFileAtomicLocal(this.productsFile, Buffer.from(`${JSON.stringify(products, null, 2)}\n`));
  }

  listProducts(): Promise<InstalledProduct[]> {
    return this.readProducts();
  }

  async relatedProducts(upgradeCode: string): Promise<string[]> {
    return (await this.readProducts()).filter((p) => p.upgradeCode?.toUpperCase() === upgradeCode.toUpperCase()).map((p) => p.productCode);
  }

  async readPackage(packagePath: string): Promise<PackageIdentity> {
    return identityOf(await this.loadManifest(packagePath), packagePath);
  }

  private async loadManifest(packagePath: string): Promise<PackageManifest> {
    const text = await fsp.readFile(packagePath, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new MfaError(`cannot open the installation package: ${e.code ?? e.message}`, {
        code: `MSI_${ERROR_INSTALL_PACKAGE_OPEN_FAILED}`,
        target: packagePath,
        remedy: 'Check the package path and that the file is a complete download.',
        cause: e,
      });
    });
    return parseManifest(text, packagePath);
  }

  /**
   * The _MSIExecute mutex: a lock file in the image holding its owner's process id, released when
   * that process is gone. It is created with its content in one step (written beside, then
   * hard-linked into place, which fails when the name exists), so no other process ever reads an
   * empty lock and takes it for a stale one.
   */
  private async acquireLock(): Promise<(() => Promise<void>) | undefined> {
    const lock = join(this.root, 'msiexec.lock');
    // Candidates left by a process that died inside this function go first.
    for (const name of await fsp.readdir(this.root)) {
      const owner = /^\.msiexec\.lock\.(\d+)\.[0-9a-f]{8}$/.exec(name)?.[1];
      if (owner !== undefined && Number(owner) !== process.pid && !isProcessAlive(Number(owner))) await removePath(join(this.root, name));
    }
    const mine = join(this.root, `.msiexec.lock.${process.pid}.${randomBytes(4).toString('hex')}`);
    await fsp.writeFile(mine, String(process.pid), { flag: 'wx' });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await linkOrCreate(mine, lock);
          return () => removePath(lock);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          const pid = Number(await fsp.readFile(lock, 'utf8').catch(() => ''));
          if (pid === process.pid) return undefined;
          if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) return undefined;
          // Stale: its process is gone (or it was never a lock this tool wrote).
          await removePath(lock);
        }
      }
      return undefined;
    } finally {
      await removePath(mine);
    }
  }

  async install(packagePath: string, options: InstallOptions = {}): Promise<InstallResult> {
    const manifest = await this.loadManifest(packagePath);
    return this.run(options, async (log, steps, props) => {
      Object.assign(props, manifest.properties ?? {}, options.properties ?? {});
      log.line(`Product: ${manifest.name} -- Installation started. Version ${manifest.version}, ProductCode ${manifest.productCode}.`);
      const products = await this.readProducts();
      if (products.some((p) => p.productCode.toUpperCase() === manifest.productCode.toUpperCase())) {
        log.line('Product is already installed: maintenance mode, nothing to do.');
        return 0;
      }
      await this.resolveInstallDir(manifest, props, log);
      const failed = await this.checkLaunchConditions(manifest, log);
      if (failed) return ERROR_INSTALL_FAILURE;
      for (const u of manifest.upgrades ?? []) {
        for (const p of products) {
          if (p.upgradeCode?.toUpperCase() !== u.upgradeCode.toUpperCase()) continue;
          if (u.minVersion && compareVersions(p.version, u.minVersion) < 0) continue;
          if (compareVersions(p.version, u.maxVersion) >= 0) continue;
          steps.push({ action: 'RemoveExistingProducts', run: async () => {
            log.line(`Removing older version ${p.version} (${p.productCode}) as a major upgrade.`);
            const old = await this.cachedManifest(p);
            await this.layDown(old, old.installedWith ?? {}, 'remove', log, steps);
            await this.forgetProduct(p.productCode);
            if (p.localPackage) await this.removeWithUndo(p.localPackage, steps);
          } });
        }
      }
      steps.push({ action: 'InstallFiles', run: () => this.layDown(manifest, props, 'install', log, steps) });
      for (const ca of manifest.customActions ?? []) {
        steps.push({ action: ca.name, run: async () => {
          if (ca.exitCode !== 0) throw new CustomActionFailure(ca.name, ca.exitCode, ca.message);
        } });
      }
      steps.push({ action: 'PublishProduct', run: () => this.publish(manifest, props, log, steps) });
      if (manifest.scheduleReboot) steps.rebootScheduled = true;
      steps.push({ action: 'StartServices', run: async () => {
        for (const s of manifest.services ?? []) if (s.start) await this.services.start(s.name);
      } });
      return undefined;
    }, packagePath);
  }

  async uninstall(productCode: string, options: InstallOptions = {}): Promise<InstallResult> {
    return this.run(options, async (log, steps) => {
      const product = (await this.readProducts()).find((p) => p.productCode.toUpperCase() === productCode.toUpperCase());
      if (!product) {
        log.line(`Product ${productCode} is not installed (1605).`);
        return ERROR_UNKNOWN_PRODUCT;
      }
      log.line(`Product: ${product.name} -- Removal started.`);
      const manifest = await this.cachedManifest(product);
      steps.push({ action: 'StopServices', run: async () => {
        for (const s of manifest.services ?? []) {
          const info = await this.services.get(s.name);
          if (info && info.state !== 'stopped') await this.services.stop(s.name);
        }
      } });
      steps.push({ action: 'RemoveFiles', run: () => this.layDown(manifest, manifest.installedWith ?? {}, 'remove', log, steps) });
      steps.push({ action: 'UnpublishProduct', run: async () => {
        await this.forgetProduct(product.productCode);
        // Windows deletes the cached package with the product: a rollback needs its own copy.
        if (product.localPackage) await this.removeWithUndo(product.localPackage, steps);
      } });
      return undefined;
    });
  }

  async adminExtract(packagePath: string, targetDir: string, options: InstallOptions = {}): Promise<InstallResult> {
    const manifest = await this.loadManifest(packagePath);
    return this.run(options, async (log, steps, props) => {
      // An administrative image lays files under TARGETDIR by their folder names, nothing else.
      Object.assign(props, manifest.properties ?? {}, options.properties ?? {});
      props[manifest.installDir?.property ?? 'INSTALLDIR'] = `${targetDir.replace(/\\$/, '')}\\`;
      steps.push({ action: 'InstallAdminPackage', run: async () => {
        for (const f of manifest.files ?? []) {
          const target = formatted(f.target, props);
          const rel = target.replace(/^[A-Za-z]:\\/, '');
          const dest = target.toUpperCase().startsWith(targetDir.toUpperCase()) ? target : `${targetDir.replace(/\\$/, '')}\\${rel}`;
          await this.writeWithUndo(dest, await this.payload(manifest, packagePath, f), steps);
          log.line(`Extracted ${dest}`);
        }
      } });
      return undefined;
    }, packagePath);
  }

  async readPackageFiles(packagePath: string, names: string[]): Promise<PackageFile[]> {
    const manifest = await this.loadManifest(packagePath);
    const props = { ...(manifest.properties ?? {}), ...(manifest.installedWith ?? {}) };
    if (manifest.installDir && !props[manifest.installDir.property]) props[manifest.installDir.property] = manifest.installDir.default;
    const wanted = new Set(names.map((n) => n.toLowerCase()));
    const out: PackageFile[] = [];
    for (const f of manifest.files ?? []) {
      const target = formatted(f.target, props);
      if (!wanted.has((target.split('\\').pop() ?? '').toLowerCase())) continue;
      out.push({ target, bytes: await this.payload(manifest, packagePath, f) });
    }
    return out;
  }

  /**
   * Runs an operation as Windows Installer does: take the mutex, build the steps, run them with
   * progress, and on failure undo every change made so far in reverse.
   */
  private async run(
    options: InstallOptions,
    prepare: (log: InstallLog, steps: UndoableSteps, props: Record<string, string>) => Promise<number | undefined>,
    packagePath?: string,
  ): Promise<InstallResult> {
    const log = new InstallLog();
    const release = await this.acquireLock();
    if (!release) {
      log.line('Another installation is in progress (_MSIExecute is held): 1618.');
      return this.finish(log, options, ERROR_INSTALL_ALREADY_RUNNING);
    }
    const store = new RollbackStore(this.root, this.files, STATE_FILES);
    if (await store.pending()) {
      log.line('An installation that did not finish left rollback information in C:\\Config.Msi: rolling it back first.');
      await store.rollback();
      this.reloadState();
    }
    const steps = new UndoableSteps(packagePath, store);
    let begun = false;
    try {
      // Deciding (maintenance mode, 1605, launch conditions) changes nothing, so nothing is kept
      // for rollback until there is work to do: as Windows Installer writes C:\Config.Msi only
      // when its script runs.
      const early = await prepare(log, steps, {});
      if (early !== undefined) return await this.finish(log, options, early);
      await store.begin();
      begun = true;
      let percent = 0;
      const report = (action: string, p: number) => {
        percent = Math.max(percent, p);
        options.onProgress?.({ action, percent });
      };
      report('InstallInitialize', 0);
      for (let i = 0; i < steps.list.length; i++) {
        const step = steps.list[i] as Step;
        log.action(step.action);
        report(step.action, Math.round((i / steps.list.length) * 100));
        await step.run();
      }
      report('InstallFinalize', 100);
      await store.commit();
      const code = steps.rebootScheduled ? ERROR_SUCCESS_REBOOT_REQUIRED : 0;
      if (code) log.line('ScheduleReboot: a restart is required to complete the installation.');
      log.line(`MainEngineThread is returning ${code}`);
      return await this.finish(log, options, code);
    } catch (e) {
      const code = e instanceof CustomActionFailure ? e.exitCode : ERROR_INSTALL_FAILURE;
      log.line(e instanceof CustomActionFailure ? `CustomAction ${e.action} returned actual error code ${e.exitCode}: ${e.message}` : `Error: ${e instanceof Error ? e.message : String(e)}`);
      if (begun) {
        log.line('Rollback: undoing the changes made so far.');
        await store.rollback();
        this.reloadState();
      }
      log.line(`MainEngineThread is returning ${code}`);
      return await this.finish(log, options, code);
    } finally {
      await release();
    }
  }

  /** After the state files were put back from a rollback store, forget what was read. */
  private reloadState(): void {
    this.registry.reload();
    this.services.reload();
  }

  private async finish(log: InstallLog, options: InstallOptions, exitCode: number): Promise<InstallResult> {
    if (options.logFile) {
      await this.files.mkdirp(windowsDirname(options.logFile));
      await this.files.writeFileAtomic(options.logFile, Buffer.from(log.text(), 'utf8'));
      return { exitCode, logFile: options.logFile };
    }
    return { exitCode };
  }

  private async resolveInstallDir(m: PackageManifest, props: Record<string, string>, log: InstallLog): Promise<void> {
    if (!m.installDir) return;
    const { property, fromRegistry } = m.installDir;
    if (props[property]) return;
    if (fromRegistry) {
      const v = await readString(this.registry, fromRegistry.key, fromRegistry.name, fromRegistry.view ?? '64');
      if (v) {
        props[property] = v.endsWith('\\') ? v : `${v}\\`;
        log.line(`AppSearch: ${property} = ${props[property]} (from ${fromRegistry.key}\\${fromRegistry.name})`);
        return;
      }
    }
    props[property] = m.installDir.default;
  }

  private async checkLaunchConditions(m: PackageManifest, log: InstallLog): Promise<boolean> {
    for (const c of m.launchConditions ?? []) {
      let ok: boolean;
      if ('registryDwordAtLeast' in c) {
        const r = c.registryDwordAtLeast;
        ok = ((await readDword(this.registry, r.key, r.name, r.view ?? '64')) ?? -1) >= r.value;
      } else {
        ok = await this.registry.keyExists(c.registryExists.key, c.registryExists.view ?? '64');
      }
      if (!ok) {
        log.line(`LaunchCondition failed: ${c.message}`);
        return true;
      }
    }
    return false;
  }

  private async payload(m: PackageManifest, packagePath: string, f: { content?: string; contentBase64?: string; source?: string; target: string }): Promise<Buffer> {
    if (f.content !== undefined) return Buffer.from(f.content, 'utf8');
    if (f.contentBase64 !== undefined) return Buffer.from(f.contentBase64, 'base64');
    if (f.source !== undefined) return fsp.readFile(join(dirname(packagePath), f.source));
    throw new MfaError(`file '${f.target}' has neither content nor source`, { code: 'PACKAGE_FORMAT', target: `${m.name} ${m.version}` });
  }

  private async writeWithUndo(target: string, data: Buffer, steps: UndoableSteps): Promise<void> {
    await steps.store.save(target);
    await this.files.writeFileAtomic(target, data);
  }

  private async removeWithUndo(target: string, steps: UndoableSteps): Promise<void> {
    if (!(await this.files.stat(target))) return;
    await steps.store.save(target);
    await this.files.remove(target);
    // Windows Installer removes folders it emptied.
    let dir = target.replace(/\\[^\\]*$/, '');
    while (/^[A-Za-z]:\\.+\\/.test(dir)) {
      const entries = await this.files.listDir(dir);
      if (!entries || entries.length > 0) break;
      await this.files.remove(dir);
      dir = dir.replace(/\\[^\\]*$/, '');
    }
  }

  private async editAppHost(edit: (text: string, file: string) => string, steps: UndoableSteps): Promise<void> {
    // <sites> may live in applicationHost.config or in the file its configSource names.
    const file = movedSitesFile(parseIisXml((await readConfigText(this.files, APPHOST_CONFIG)).text, APPHOST_CONFIG)) ?? APPHOST_CONFIG;
    const { text, format } = await readConfigText(this.files, file);
    const after = edit(text, file);
    if (after === text) return;
    await steps.store.save(file);
    await this.files.writeFileAtomic(file, encodeText(after, format));
  }

  /** Lays a product down (install) or takes it away (remove), every change undoable. */
  private async layDown(m: PackageManifest, props: Record<string, string>, mode: 'install' | 'remove', log: InstallLog, steps: UndoableSteps): Promise<void> {
    const pkg = steps.packagePath;
    if (mode === 'remove') {
      for (const s of m.services ?? []) {
        const existing = (await this.services.list()).find((x) => x.name.toLowerCase() === s.name.toLowerCase());
        if (!existing) continue;
        if (existing.state !== 'stopped') await this.services.stop(s.name);
        await this.services.unregister(s.name);
        log.line(`DeleteServices: ${s.name}`);
      }
      for (const a of m.iisApplications ?? []) {
        const site = formatted(a.site, props);
        const path = formatted(a.path, props);
        await this.editAppHost((t, f) => removeApplication(t, f, site, path), steps);
        log.line(`Removed IIS application ${site}${path}`);
      }
      for (const f of m.files ?? []) {
        if (f.permanent) continue;
        const target = formatted(f.target, props);
        await this.removeWithUndo(target, steps);
        log.line(`RemoveFiles: ${target}`);
      }
      for (const r of m.registry ?? []) {
        if (r.permanent) continue;
        const key = formatted(r.key, props);
        await this.registry.deleteValue(key, r.name, r.view ?? '64');
        await this.registry.deleteEmptyKeys(key, r.view ?? '64');
      }
      return;
    }
    for (const folder of m.folders ?? []) await this.files.mkdirp(formatted(folder, props));
    for (const f of m.files ?? []) {
      const target = formatted(f.target, props);
      if (f.neverOverwrite && (await this.files.stat(target))) {
        log.line(`InstallFiles: ${target} exists and is never overwritten`);
        continue;
      }
      if (!pkg) throw new MfaError('package path unknown', { code: 'INTERNAL' });
      await this.writeWithUndo(target, await this.payload(m, pkg, f), steps);
      log.line(`InstallFiles: ${target}`);
    }
    for (const r of m.registry ?? []) {
      const value: RegValue = r.value.type === 'REG_SZ' || r.value.type === 'REG_EXPAND_SZ' ? { type: r.value.type, data: formatted(r.value.data as string, props) } : (r.value as RegValue);
      await this.registry.setValue(formatted(r.key, props), r.name, value, r.view ?? '64');
      log.line(`WriteRegistryValues: ${r.key}\\${r.name}`);
    }
    for (const a of m.iisApplications ?? []) {
      const app = { site: formatted(a.site, props), path: formatted(a.path, props), physicalPath: formatted(a.physicalPath, props), applicationPool: a.applicationPool ?? 'DefaultAppPool' };
      await this.editAppHost((t, f) => (hasApplication(t, app.site, app.path, f) ? t : addApplication(t, f, app)), steps);
      log.line(`Created IIS application ${app.site}${app.path} -> ${app.physicalPath}`);
    }
    for (const s of m.services ?? []) {
      const svc: ImageServiceInfo = { name: s.name, displayName: s.displayName, state: 'stopped', startType: s.startType, path: formatted(s.path, props) };
      if (s.dependsOn) svc.dependsOn = s.dependsOn;
      if (s.dataConversion) {
        const c = s.dataConversion;
        svc.dataConversion = { dataFile: formatted(c.dataFile, props), log: formatted(c.log, props), schema: c.schema, ...(c.polls ? { polls: c.polls } : {}) };
      }
      await this.services.register(svc);
      log.line(`InstallServices: ${s.name}`);
    }
  }

  /** Registers the product and caches its package (C:\Windows\Installer\*.msi) for uninstall. */
  private async publish(m: PackageManifest, props: Record<string, string>, log: InstallLog, steps: UndoableSteps): Promise<void> {
    const pkg = steps.packagePath;
    if (!pkg) throw new MfaError('package path unknown', { code: 'INTERNAL' });
    const cached = `C:\\Windows\\Installer\\${randomBytes(4).toString('hex')}.msi`;
    // The cached package carries its payload, as the real cache keeps the whole .msi: an uninstall
    // needs only the targets, but a repair or a reinstall from the cache needs the bytes.
    const files = [];
    for (const f of m.files ?? []) {
      const { target, permanent, neverOverwrite } = f;
      files.push({ target, contentBase64: (await this.payload(m, pkg, f)).toString('base64'), ...(permanent ? { permanent } : {}), ...(neverOverwrite ? { neverOverwrite } : {}) });
    }
    // The manifest's own key order is kept (files in place, installedWith last or in place), so a
    // product reinstalled from its cached package is cached again byte for byte, as Windows
    // re-caches the same stripped .msi.
    const record = { ...m, files, installedWith: props } as PackageManifest;
    await this.writeWithUndo(cached, Buffer.from(`${JSON.stringify(record, null, 2)}\n`), steps);
    const products = await this.readProducts();
    const entry: InstalledProduct = {
      productCode: m.productCode,
      upgradeCode: m.upgradeCode,
      name: m.name,
      version: m.version,
      publisher: m.manufacturer,
      installLocation: m.installDir ? (props[m.installDir.property] ?? '') : '',
      context: 'machine',
      localPackage: cached,
    };
    await this.writeProducts([...products, entry]);
    log.line(`Product: ${m.name} -- Installation completed successfully.`);
  }

  private async forgetProduct(productCode: string): Promise<void> {
    const products = await this.readProducts();
    await this.writeProducts(products.filter((p) => p.productCode.toUpperCase() !== productCode.toUpperCase()));
  }

  private async cachedManifest(p: InstalledProduct): Promise<PackageManifest> {
    if (!p.localPackage) {
      throw new MfaError(`the cached installation package of '${p.name}' is not recorded`, {
        code: 'MSI_1612',
        target: p.productCode,
        remedy: 'Point Windows Installer at the original package (the source), or repair the product first.',
      });
    }
    const text = (await this.files.readFile(p.localPackage)).toString('utf8');
    return parseManifest(text, p.localPackage);
  }
}

/**
 * Puts `to` in place with the content of `from`, failing with EEXIST when `to` exists: a hard
 * link where the file system has them, else an exclusive create (FAT and some shares have no
 * links; there an empty lock is visible for a moment).
 */
async function linkOrCreate(from: string, to: string): Promise<void> {
  try {
    await fsp.link(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw e;
    await fsp.writeFile(to, await fsp.readFile(from), { flag: 'wx' });
  }
}

/** The operation's steps, and where each change is saved before it is made. */
class UndoableSteps {
  readonly list: Step[] = [];
  rebootScheduled = false;
  constructor(
    readonly packagePath: string | undefined,
    readonly store: RollbackStore,
  ) {}
  push(step: Step): void {
    this.list.push(step);
  }
}

class CustomActionFailure extends Error {
  constructor(
    readonly action: string,
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

