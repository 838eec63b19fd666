// A bundle's groups and restore-tagged files, checked as data before restore believes any of
// them: every group of a kind restore knows, named by component identity (a known component
// kind and its vdir), at most one of each identity; a theme inside its own component's
// App_Themes; each web.config exactly at its component's root; each data and theme file below
// its root by a plain relative path. Anything else is a problem: verify names it and restore
// refuses the bundle before touching anything. Where files go is not decided here: restore
// derives every destination from the live host (restore-targets.ts).
import { badInput } from '../errors.js';
import type { ComponentKind } from '../inventory/types.js';
import { MANIFEST_NAME, parseWindowsPath, relativeUnder, relativeWindowsPathProblem, type Manifest, type ManifestFile, type ManifestGroup } from './format.js';
import { ntfsUpper, printable, sameName, segmentProblem } from './names.js';

export const COMPONENT_KINDS: readonly ComponentKind[] = ['userPortal', 'mobileAppWebService', 'webServiceSdk'];

export type WebGroup = Extract<ManifestGroup, { kind: 'webComponent' }>;
export type ThemeGroup = Extract<ManifestGroup, { kind: 'theme' }>;

export interface RelFile {
  file: ManifestFile;
  /** Backslash-separated path below the group's root, checked safe. */
  rel: string;
}

export interface BundleGroups {
  data: { group: Extract<ManifestGroup, { kind: 'data' }>; files: RelFile[] } | undefined;
  web: Array<{ group: WebGroup; webConfig: ManifestFile | undefined }>;
  themes: Array<{ group: ThemeGroup; web: WebGroup; files: RelFile[]; folders: string[] }>;
}

function isComponent(v: unknown): v is ComponentKind {
  return typeof v === 'string' && (COMPONENT_KINDS as readonly string[]).includes(v);
}

/** A vdir as written in a manifest: an IIS application path below the site, without hazards. */
function vdirProblem(vdir: unknown): string | undefined {
  if (typeof vdir !== 'string' || vdir === '') return 'has no vdir';
  for (const seg of vdir.replace(/^\/+/, '').split('/')) {
    const p = segmentProblem(seg, { shortNames: false });
    if (p) return `has a vdir that ${p}`;
  }
  return undefined;
}

const identity = (component: string, vdir: string) => `${component}|${ntfsUpper(vdir.replace(/^\/+|\/+$/g, ''))}`;

/** The groups and restore-tagged files of a manifest, or the list of what is wrong with them. */
export function matchGroups(manifest: Manifest): { groups: BundleGroups; problems: string[] } {
  const problems: string[] = [];
  const groups: BundleGroups = { data: undefined, web: [], themes: [] };
  const webById = new Map<string, WebGroup>();
  const themes: ThemeGroup[] = [];
  let adfs = 0;
  manifest.groups.forEach((g: ManifestGroup, i) => {
    const at = `groups[${i}] (${printable((g as { kind: unknown }).kind, 40)})`;
    try {
      parseWindowsPath(g.original, MANIFEST_NAME);
    } catch (e) {
      problems.push(`${at}: ${(e as Error).message}`);
      return;
    }
    switch (g.kind) {
      case 'data':
        if (groups.data) problems.push(`${at}: a second data group`);
        else groups.data = { group: g, files: [] };
        return;
      case 'webComponent': {
        if (!isComponent(g.component)) return void problems.push(`${at}: names no component this tool knows`);
        const vp = vdirProblem(g.vdir);
        if (vp) return void problems.push(`${at}: ${vp}`);
        if (typeof g.site !== 'string') return void problems.push(`${at}: has no site`);
        const id = identity(g.component, g.vdir);
        if (webById.has(id)) return void problems.push(`${at}: a second ${g.component} with vdir ${printable(g.vdir, 80)}`);
        if (g.webConfig !== null && (typeof g.webConfig !== 'string' || !sameName(g.webConfig, `${g.original.replace(/\\+$/, '')}\\web.config`))) {
          return void problems.push(`${at}: its web.config is not at the root of its folder`);
        }
        webById.set(id, g);
        groups.web.push({ group: g, webConfig: undefined });
        return;
      }
      case 'theme':
        themes.push(g);
        return;
      case 'adfsAdapter':
        if (++adfs > 1) problems.push(`${at}: a second AD FS adapter group`);
        return;
      default:
        problems.push(`${at}: a kind of group restore does not know`);
    }
  });
  for (const g of themes) {
    const at = `theme group '${printable(g.name, 80)}'`;
    if (!isComponent(g.component) || vdirProblem(g.vdir)) {
      problems.push(`${at}: names no known component and vdir`);
      continue;
    }
    const np = typeof g.name === 'string' && !/[\\/]/.test(g.name) ? segmentProblem(g.name) : 'is not a plain folder name';
    if (np) {
      problems.push(`${at}: its name ${np}`);
      continue;
    }
    const web = webById.get(identity(g.component, g.vdir));
    if (!web) {
      problems.push(`${at}: belongs to no ${g.component} group with vdir ${printable(g.vdir, 80)}`);
      continue;
    }
    if (!sameName(g.original, `${web.original.replace(/\\+$/, '')}\\App_Themes\\${g.name}`)) {
      problems.push(`${at}: does not lie in its component's App_Themes folder`);
      continue;
    }
    if (groups.themes.some((t) => t.web === web && sameName(t.group.name, g.name))) {
      problems.push(`${at}: listed twice`);
      continue;
    }
    groups.themes.push({ group: g, web, files: [], folders: [] });
  }

  // Every file restore would write belongs to exactly one root, by a plain relative path.
  const claim = (f: ManifestFile, tag: string, root: string | undefined, rel: string | undefined, sink: RelFile[] | undefined): void => {
    if (root === undefined || rel === undefined || sink === undefined) {
      problems.push(`${printable(f.stored)}: tagged ${tag} but lies under no ${tag} root of the manifest`);
      return;
    }
    const p = relativeWindowsPathProblem(rel);
    if (p) problems.push(`${printable(f.stored)}: its path below its ${tag} root ${p}`);
    else sink.push({ file: f, rel });
  };
  for (const f of manifest.files) {
    const restoreTags = f.tags.filter((t) => t === 'data' || t === 'webConfig' || t === 'theme');
    if (restoreTags.length === 0) continue;
    if (f.original === null) {
      problems.push(`${printable(f.stored)}: tagged ${restoreTags.join(', ')} but has no original path`);
      continue;
    }
    if (restoreTags.length > 1) {
      problems.push(`${printable(f.stored)}: tagged for more than one kind of restore (${restoreTags.join(', ')})`);
      continue;
    }
    const original = f.original;
    if (restoreTags[0] === 'data') {
      const rel = groups.data ? relativeUnder(groups.data.group.original, original) : undefined;
      claim(f, 'data', groups.data?.group.original, rel, groups.data?.files);
    } else if (restoreTags[0] === 'webConfig') {
      const owner = groups.web.find((w) => sameName(original, `${w.group.original.replace(/\\+$/, '')}\\web.config`));
      if (!owner) problems.push(`${printable(f.stored)}: tagged webConfig but is not the web.config at the root of a web component group`);
      else if (owner.webConfig) problems.push(`${printable(f.stored)}: a second web.config for ${owner.group.component} ${printable(owner.group.vdir, 80)}`);
      else owner.webConfig = f;
    } else {
      const owner = groups.themes.find((t) => relativeUnder(t.group.original, original) !== undefined);
      claim(f, 'theme', owner?.group.original, owner ? relativeUnder(owner.group.original, original) : undefined, owner?.files);
    }
  }
  for (const t of groups.themes) {
    for (const d of manifest.directories) {
      const rel = relativeUnder(t.group.original, d.original);
      if (rel === undefined) continue;
      const p = relativeWindowsPathProblem(rel);
      if (p) problems.push(`${printable(d.stored)}: its path below its theme root ${p}`);
      else t.folders.push(rel);
    }
  }
  // Two entries that NTFS would store as one file: the second would silently replace the first.
  const seen = new Map<string, string>();
  for (const f of manifest.files) {
    if (f.original === null) continue;
    const key = ntfsUpper(f.original);
    const first = seen.get(key);
    if (first !== undefined) problems.push(`${printable(f.stored)}: names the same file on Windows as ${printable(first)}`);
    else seen.set(key, f.stored);
  }
  return { groups, problems };
}

/** The groups restore acts on; a bundle with any problem in them is refused (exit 3). */
export function bundleGroups(manifest: Manifest, bundleDir: string): BundleGroups {
  const { groups, problems } = matchGroups(manifest);
  if (problems.length > 0) {
    throw badInput(`the bundle's groups cannot be restored safely, so nothing was touched: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`, bundleDir, {
      code: 'BUNDLE_GROUP',
      remedy: 'Run mfa-upgrade verify-backup on it for the list; restore from an intact copy of the bundle backup wrote.',
    });
  }
  return groups;
}
