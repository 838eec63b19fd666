// What a backup of a host holds, decided from its inventory (never from hard-coded paths):
// the Data folder, each web component's folder (web.config, themes), the AD FS adapter config
// and scripts, the install folder's non-binary files, IIS configuration, and the cached
// packages of the MFA products. Files are listed here; take-backup.ts copies them.
import { MfaError } from '../errors.js';
import { APPHOST_CONFIG } from '../host/iis/apphost-config.js';
import type { Host, InstalledProduct, ServiceInfo } from '../host/ports.js';
import { roleOf } from '../inventory/products.js';
import { takeInventory } from '../inventory/take-inventory.js';
import type { Inventory } from '../inventory/types.js';
import { joinWindowsPath, windowsDirname } from '../util/winpath.js';
import { relativeUnder, type FileTag, type ManifestGroup, type NotTaken } from './format.js';
import { caseFoldHazard, ntfsUpper, segmentProblem } from './names.js';

export interface PlannedFile {
  original: string;
  size: number;
  tags: FileTag[];
}

export interface BackupPlan {
  inventory: Inventory;
  /** Services as found, before anything was stopped. */
  services: ServiceInfo[];
  products: InstalledProduct[];
  /** The Data folder's files first (they are copied while the server's services are stopped). */
  files: PlannedFile[];
  directories: string[];
  groups: ManifestGroup[];
  dataFolder: string | null;
  /** Server services running when found: stopped around the data copy, in this order. */
  toStop: string[];
  notTaken: NotTaken[];
  warnings: string[];
}

/** Install-folder files that are program binaries: laid down again by the installer, not backed up. */
const BINARY = /\.(exe|dll|sys|ocx|msi|msp|cab|pdb|mui|cat)$/i;
const FAMILY = /phone\s*factor|multi-?factor/i;

class FileList {
  readonly files: PlannedFile[] = [];
  readonly directories: string[] = [];
  private readonly byPath = new Map<string, PlannedFile>();
  private readonly dirSet = new Set<string>();

  add(original: string, size: number, tag: FileTag): void {
    const key = ntfsUpper(original);
    const existing = this.byPath.get(key);
    if (existing) {
      if (!existing.tags.includes(tag)) existing.tags.push(tag);
      return;
    }
    const f: PlannedFile = { original, size, tags: [tag] };
    this.byPath.set(key, f);
    this.files.push(f);
  }

  addDir(original: string): void {
    const key = ntfsUpper(original);
    if (this.dirSet.has(key)) return;
    this.dirSet.add(key);
    this.directories.push(original);
  }

  has(original: string): boolean {
    return this.byPath.has(ntfsUpper(original));
  }
}

/** Every file under a folder, through the Files port; `keep` filters by path relative to the folder. */
async function walk(host: Host, folder: string, list: FileList, tag: (rel: string) => FileTag | undefined, notTaken: NotTaken[], depth = 0): Promise<void> {
  const entries = await host.files.listDir(folder);
  if (!entries) return;
  list.addDir(folder);
  if (depth > 64) return;
  for (const e of entries) {
    const path = joinWindowsPath(folder, e.name);
    // A name a bundle could not carry safely (its case folds disagree, or Windows would not
    // store it as written) is left out and said so: the bundle stays restorable.
    const unsafe = caseFoldHazard(e.name) !== undefined ? 'its upper and lower case forms match different names' : segmentProblem(e.name, { shortNames: false });
    if (unsafe) {
      notTaken.push({ item: path, reason: `the name ${unsafe}` });
      continue;
    }
    if (e.isDirectory) {
      await walk(host, path, list, (rel) => tag(joinWindowsPath(e.name, rel)), notTaken, depth + 1);
      continue;
    }
    const t = tag(e.name);
    if (t === undefined) continue;
    const st = await host.files.stat(path);
    if (st && !st.isDirectory) list.add(path, st.size, t);
  }
}

export async function collectBackup(host: Host): Promise<BackupPlan> {
  const services = await host.services.list();
  const products = await host.installer.listProducts();
  const inventory = await takeInventory(host);
  const list = new FileList();
  const groups: ManifestGroup[] = [];
  const notTaken: NotTaken[] = [];
  const warnings: string[] = [];
  let dataFolder: string | null = null;
  const toStop: string[] = [];

  const server = inventory.server;
  if (server) {
    if (!server.installPath) {
      throw new MfaError(`${server.product.name} is installed but its install path is not recorded, so its data file cannot be found`, {
        code: 'DATA_FILE_MISSING',
        target: 'HKLM\\SOFTWARE\\Positive Networks\\PhoneFactor',
        remedy: 'Check InstallPath under HKLM\\SOFTWARE\\WOW6432Node\\Positive Networks\\PhoneFactor, then back up again.',
      });
    }
    if (!server.dataFile.exists) {
      throw new MfaError('the data file is missing: there is nothing to protect the users and settings with', {
        code: 'DATA_FILE_MISSING',
        target: server.dataFile.path,
        remedy: 'Check that MFA Server is installed and activated on this machine and that the data file was not moved; back up the master server if this is a new subordinate.',
      });
    }
    dataFolder = windowsDirname(server.dataFile.path);
    groups.push({ kind: 'data', original: dataFolder });
    await walk(host, dataFolder, list, () => 'data', notTaken);
    // The server's services that were running are stopped while the data file is copied:
    // satellites (AD sync) first, the main service last.
    const running = server.services.filter((s) => s.state === 'running' || s.state === 'start_pending');
    running.sort((a, b) => Number(/adsync/i.test(b.name)) - Number(/adsync/i.test(a.name)));
    toStop.push(...running.map((s) => s.name));
    const logs = server.logFile.exists ? server.logFile.path : undefined;
    await walk(host, server.installPath.replace(/\\+$/, ''), list, (rel) => {
      if (BINARY.test(rel)) return undefined;
      const top = rel.split('\\')[0]?.toLowerCase();
      if (top === 'data') return undefined;
      // Logs grow without bound on a live server: only the current service log is kept.
      if (top === 'logs') return logs && relativeUnder(server.installPath as string, logs)?.toLowerCase() === rel.toLowerCase() ? 'installFolder' : undefined;
      return 'installFolder';
    }, notTaken);
  }

  for (const c of inventory.webComponents) {
    if (!c.physicalPath) continue;
    groups.push({ kind: 'webComponent', component: c.component, site: c.site, vdir: c.vdir, original: c.physicalPath, webConfig: c.webConfigExists ? c.webConfigPath : null });
    await walk(host, c.physicalPath, list, (rel) => {
      if (rel.toLowerCase() === 'web.config') return 'webConfig';
      if (/^app_themes\\[^\\]+\\/i.test(rel)) return 'theme';
      return 'webComponent';
    }, notTaken);
    for (const theme of c.themes) {
      if (segmentProblem(theme)) continue; // its files were left out above, with the reason
      groups.push({ kind: 'theme', component: c.component, vdir: c.vdir, name: theme, original: joinWindowsPath(c.physicalPath, 'App_Themes', theme) });
    }
  }

  const adapter = inventory.adfsAdapter;
  if (adapter?.installPath) {
    groups.push({ kind: 'adfsAdapter', original: adapter.installPath.replace(/\\+$/, ''), configFile: adapter.configFile?.exists ? adapter.configFile.path : null });
    if (adapter.configFile?.exists) {
      const st = await host.files.stat(adapter.configFile.path);
      if (st) list.add(adapter.configFile.path, st.size, 'adfsAdapterConfig');
    } else {
      notTaken.push({ item: 'AD FS adapter config file', reason: adapter.configFile ? `${adapter.configFile.path} does not exist` : 'the adapter has no install folder' });
    }
    for (const e of (await host.files.listDir(adapter.installPath)) ?? []) {
      if (!e.isDirectory && /adfsadapter.*\.ps1$/i.test(e.name)) {
        const path = joinWindowsPath(adapter.installPath, e.name);
        const st = await host.files.stat(path);
        if (st) list.add(path, st.size, 'adfsAdapterScript');
      }
    }
  }

  // IIS configuration: applicationHost.config and its neighbours (a configSource file among them).
  const iisFolder = windowsDirname(APPHOST_CONFIG);
  for (const e of (await host.files.listDir(iisFolder)) ?? []) {
    if (e.isDirectory || !/\.config$/i.test(e.name)) continue;
    const path = joinWindowsPath(iisFolder, e.name);
    const st = await host.files.stat(path);
    if (st) list.add(path, st.size, 'iisConfig');
  }

  // The cached packages of MFA products: what a rollback reinstalls an uninstalled product from.
  for (const p of products) {
    if (!FAMILY.test(p.name) && roleOf(p.name) === undefined) continue;
    if (!p.localPackage) {
      notTaken.push({ item: `cached package of ${p.name} ${p.version}`, reason: 'Windows Installer records no cached package for it' });
      continue;
    }
    const st = await host.files.stat(p.localPackage);
    if (!st || st.isDirectory) {
      notTaken.push({ item: `cached package of ${p.name} ${p.version}`, reason: `${p.localPackage} does not exist` });
      continue;
    }
    list.add(p.localPackage, st.size, 'cachedPackage');
  }

  if (!server && inventory.webComponents.length === 0 && !adapter) {
    throw new MfaError('there is nothing to back up here: no MFA Server, PhoneFactor Agent, web component or AD FS adapter was found', {
      code: 'NOTHING_TO_BACK_UP',
      remedy: 'Run mfa-upgrade inventory to see what this machine holds; back up the MFA Server itself.',
    });
  }
  if (!server) warnings.push('No MFA Server or PhoneFactor Agent is installed here: the bundle holds no data file (back up the master server for that).');

  // Data files first: they are copied inside the window where the services are stopped.
  const files = [...list.files.filter((f) => f.tags.includes('data')), ...list.files.filter((f) => !f.tags.includes('data'))];
  return { inventory, services, products, files, directories: list.directories, groups, dataFolder, toStop, notTaken, warnings };
}
