// Where a restore writes, derived from the live host only: the data folder from the installed
// server's data file (InstallPath), each web component's web.config and themes from the
// component of the same identity that inventory finds now (the same vdir, or the only one of
// its kind after a rename), or, when its web.config is too broken for inventory to recognise it,
// from the IIS application of the same site and vdir. A bundle's own paths only name the files
// (below their roots); they never decide a folder. Every target is checked to lie below its
// live root before it is returned.
import { ExitCode, MfaError, badInput } from '../errors.js';
import type { Host } from '../host/ports.js';
import type { Inventory, WebComponentInventory } from '../inventory/types.js';
import { joinWindowsPath, windowsDirname } from '../util/winpath.js';
import { relativeUnder, relativeWindowsPathProblem, type ManifestFile } from './format.js';
import type { BundleGroups, WebGroup } from './group-match.js';
import { ntfsUpper, printable, sameName } from './names.js';

export type RestoreWhat = 'data' | 'webConfig' | 'theme';

export interface TargetFile {
  file: ManifestFile;
  target: string;
  what: RestoreWhat;
}

export interface Skipped {
  target: string;
  what: RestoreWhat;
  reason: string;
}

export interface RestoreTargets {
  files: TargetFile[];
  folders: string[];
  skipped: Skipped[];
}

/** root + rel, refusing a rel that could leave root, and checking the result lies below root. */
function below(root: string, rel: string, bundleDir: string): string {
  const problem = relativeWindowsPathProblem(rel);
  if (problem) throw badInput(`a path below a restore root ${problem}`, bundleDir, { code: 'BUNDLE_PATH' });
  const target = joinWindowsPath(root, rel);
  const back = relativeUnder(root, target);
  if (back === undefined || !sameName(back, rel.replace(/\//g, '\\'))) throw badInput('a path below a restore root does not stay below it', bundleDir, { code: 'BUNDLE_PATH' });
  return target;
}

/** The live folder of a backed-up web component, or undefined when it is not installed here. */
async function liveFolder(host: Host, inv: Inventory, group: WebGroup): Promise<string | undefined> {
  const vdir = (v: string) => v.replace(/^\/+|\/+$/g, '');
  const same = inv.webComponents.filter((c) => c.component === group.component && c.physicalPath);
  const found: WebComponentInventory | undefined = same.find((c) => sameName(vdir(c.vdir), vdir(group.vdir))) ?? (same.length === 1 ? same[0] : undefined);
  if (found) return found.physicalPath;
  // A web.config broken enough to hide the component from inventory: its IIS application still
  // says where it lives (the live applicationHost.config, not the bundle).
  const sites = await host.iis.sites().catch(() => []);
  for (const site of sites) {
    if (!sameName(site.name, group.site)) continue;
    for (const app of site.applications) {
      if (!sameName(vdir(app.path), vdir(group.vdir))) continue;
      const root = app.virtualDirectories.find((v) => v.path === '/')?.physicalPath;
      if (root) return root;
    }
  }
  return undefined;
}

export async function restoreTargets(host: Host, inv: Inventory, groups: BundleGroups, include: { web: boolean; themes: boolean }, bundleDir: string): Promise<RestoreTargets> {
  const out: RestoreTargets = { files: [], folders: [], skipped: [] };
  const server = inv.server;
  if (!server?.installPath || !server.dataFile.path) {
    throw new MfaError('MFA Server is not installed on the target machine: there is nowhere to put the data file', {
      code: 'RESTORE_NO_SERVER',
      exitCode: ExitCode.fatal,
      remedy: 'Reinstall and activate MFA Server first (the version the backup was taken from, or later), then restore.',
    });
  }
  if (!groups.data || groups.data.files.length === 0) {
    throw badInput('the bundle holds no data file (it was taken on a machine without MFA Server)', bundleDir, { code: 'BUNDLE_NO_DATA', remedy: 'Restore from a bundle taken on the MFA Server master.' });
  }
  const dataRoot = windowsDirname(server.dataFile.path);
  for (const f of groups.data.files) out.files.push({ file: f.file, target: below(dataRoot, f.rel, bundleDir), what: 'data' });

  const folders = new Map<WebGroup, string | undefined>();
  const folderOf = async (g: WebGroup) => {
    if (!folders.has(g)) folders.set(g, await liveFolder(host, inv, g));
    return folders.get(g);
  };
  if (include.web) {
    for (const w of groups.web) {
      if (!w.webConfig) continue;
      const root = await folderOf(w.group);
      if (!root) {
        out.skipped.push({ target: w.group.original, what: 'webConfig', reason: `no ${w.group.component} (vdir ${printable(w.group.vdir, 80)}) is installed on the target: install it, then restore its web.config` });
        continue;
      }
      out.files.push({ file: w.webConfig, target: below(root, 'web.config', bundleDir), what: 'webConfig' });
    }
  }
  if (include.themes) {
    for (const t of groups.themes) {
      const root = await folderOf(t.web);
      if (!root) {
        out.skipped.push({ target: t.group.original, what: 'theme', reason: `no ${t.group.component} (vdir ${printable(t.group.vdir, 80)}) is installed on the target: install it, then restore its themes` });
        continue;
      }
      const themeRoot = below(root, `App_Themes\\${t.group.name}`, bundleDir);
      out.folders.push(themeRoot);
      for (const rel of t.folders) out.folders.push(below(themeRoot, rel, bundleDir));
      for (const f of t.files) out.files.push({ file: f.file, target: below(themeRoot, f.rel, bundleDir), what: 'theme' });
    }
  }
  // Two bundle entries landing on one file on this host (after NTFS's case rules): refused.
  const seen = new Set<string>();
  for (const f of out.files) {
    const key = ntfsUpper(f.target);
    if (seen.has(key)) throw badInput('two files of the bundle would be restored to the same file on this machine', bundleDir, { code: 'BUNDLE_PATH', remedy: 'Restore from an intact copy of the bundle backup wrote.' });
    seen.add(key);
  }
  return out;
}
