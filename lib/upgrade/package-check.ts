// The packages folder, validated as a whole before a plan that uses it is accepted: no link
// anywhere in it (checked with lstat, never followed), every package readable, every file a
// package manifest lays down inside the root it declares (its install folder or one of its IIS
// applications) by a plain relative path, every payload it references present as a regular
// file inside the folder, and every package still the product the plan was made from (its
// ProductCode, version and UpgradeCode read again through the Installer port: on Windows the
// real MSI, opened read-only by the addon). Each problem is a plan blocker with a remedy; a
// blocked plan changes nothing (exit 7).
import { promises as fsp } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { segmentProblem } from '../backup/names.js';
import type { Host, PackageIdentity } from '../host/ports.js';
import { MANIFEST_FORMAT } from '../host/image/package-manifest.js';
import type { KnownPackage, UnreadablePackage } from './packages.js';
import type { Blocker } from './plan-types.js';

/** What inspecting a packages folder found: problems, as blockers. */
export interface PackageFolderReport {
  dir: string;
  blockers: Blocker[];
}

const MAX_ENTRIES = 20000;
const MAX_DEPTH = 32;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A name from a package, as a message may show it. */
function shown(s: unknown): string {
  // eslint-disable-next-line no-control-regex
  const t = String(s).replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
  return t.length > 120 ? `${t.slice(0, 120)}...` : t;
}

/** Every entry below the folder, by lstat: links are reported and never followed. */
async function walk(dir: string, blockers: Blocker[]): Promise<string[]> {
  const files: string[] = [];
  let count = 0;
  const visit = async (folder: string, depth: number): Promise<void> => {
    let entries: string[];
    try {
      entries = await fsp.readdir(folder);
    } catch (e) {
      blockers.push({ message: `the packages folder cannot be read at ${shown(relative(dir, folder) || '.')} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, remedy: 'Pass a packages folder you can read (--packages <dir>).' });
      return;
    }
    for (const name of entries.sort()) {
      if (++count > MAX_ENTRIES) {
        blockers.push({ message: `the packages folder holds more than ${MAX_ENTRIES} entries`, remedy: 'Pass a folder with only the MFA Server installers and their payloads.' });
        return;
      }
      const full = join(folder, name);
      const st = await fsp.lstat(full).catch(() => undefined);
      if (!st) continue;
      const rel = relative(dir, full);
      if (st.isSymbolicLink()) {
        blockers.push({ message: `the packages folder holds a link: ${shown(rel)} (a package or payload that is a link could bring in any file)`, remedy: 'Replace the link with the file itself (copy the installers into the folder), then plan again.' });
      } else if (st.isDirectory()) {
        if (depth >= MAX_DEPTH) blockers.push({ message: `the packages folder nests folders more than ${MAX_DEPTH} deep at ${shown(rel)}`, remedy: 'Flatten the packages folder.' });
        else await visit(full, depth + 1);
      } else if (st.isFile()) {
        files.push(rel);
      } else {
        blockers.push({ message: `the packages folder holds ${shown(rel)}, which is not a regular file`, remedy: 'Remove it from the packages folder.' });
      }
    }
  };
  await visit(dir, 0);
  return files;
}

/** The roots a package manifest declares: "[INSTALLDIR]" and each IIS application's physical path. */
function declaredRoots(m: Record<string, unknown>): string[] {
  const roots: string[] = [];
  const installDir = m['installDir'];
  if (isObj(installDir) && typeof installDir['property'] === 'string') roots.push(`[${installDir['property']}]`);
  for (const app of Array.isArray(m['iisApplications']) ? m['iisApplications'] : []) {
    if (isObj(app) && typeof app['physicalPath'] === 'string') roots.push(app['physicalPath'].replace(/\\+$/, ''));
  }
  return roots;
}

/** Why a target (Windows formatted text) does not lie inside one of the roots, or undefined. */
function targetProblem(target: string, roots: string[]): string | undefined {
  const root = roots.filter((r) => target.toUpperCase().startsWith(r.toUpperCase())).sort((a, b) => b.length - a.length)[0];
  if (root === undefined) return 'lies under none of the roots the package declares (its install folder or an IIS application folder)';
  let rest = target.slice(root.length);
  // "[INSTALLDIR]x" (the property ends with a backslash) and "C:\inetpub\wwwroot\[TARGETVDIR]\x".
  if (root.startsWith('[') ? rest.startsWith('\\') : !rest.startsWith('\\')) return rest === '' ? undefined : 'does not continue its root with a path';
  rest = rest.replace(/^\\/, '');
  if (rest === '') return undefined;
  if (/[[\]]/.test(rest)) return 'uses a property below its root (its value could climb out)';
  for (const seg of rest.split('\\')) {
    const p = segmentProblem(seg, { shortNames: true });
    if (p) return p;
  }
  return undefined;
}

/** A property a root is made of must hold a plain folder name (a vdir), never a path. */
function rootPropertyProblems(m: Record<string, unknown>, roots: string[]): string[] {
  const props = isObj(m['properties']) ? m['properties'] : {};
  const out: string[] = [];
  for (const root of roots.filter((r) => !r.startsWith('['))) {
    if (!/^[A-Za-z]:\\/.test(root)) out.push(`IIS application folder '${shown(root)}' is not an absolute local path`);
    for (const [, name] of root.matchAll(/\[([A-Za-z_][A-Za-z0-9_.]*)\]/g)) {
      const value = props[name as string];
      if (value !== undefined && (typeof value !== 'string' || value.includes('\\') || value.includes('/') || segmentProblem(value) !== undefined)) {
        out.push(`property ${shown(name)}, which makes up an IIS application folder, holds a path instead of a folder name`);
      }
    }
    const rest = root.replace(/^[A-Za-z]:\\/, '');
    for (const seg of rest.split('\\')) {
      const p = seg.includes('[') ? undefined : segmentProblem(seg, { shortNames: false });
      if (p) out.push(`IIS application folder '${shown(root)}' ${p}`);
    }
  }
  return out;
}

/** Problems of one package manifest (.msi.json) as the plan would use it. */
async function manifestProblems(dir: string, rel: string): Promise<string[]> {
  const file = join(dir, rel);
  let m: unknown;
  try {
    m = JSON.parse((await fsp.readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
  } catch {
    return ['is not a readable package manifest (malformed JSON)'];
  }
  if (!isObj(m) || m['format'] !== MANIFEST_FORMAT) return [`is not a package manifest of format ${MANIFEST_FORMAT}`];
  const problems: string[] = [];
  for (const field of ['files', 'folders', 'iisApplications', 'registry', 'services', 'upgrades', 'launchConditions', 'customActions']) {
    if (m[field] !== undefined && !Array.isArray(m[field])) problems.push(`field '${field}' is not a list`);
  }
  if (m['installDir'] !== undefined && (!isObj(m['installDir']) || typeof m['installDir']['property'] !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(m['installDir']['property']) || typeof m['installDir']['default'] !== 'string' || !/^[A-Za-z]:\\/.test(m['installDir']['default']))) {
    problems.push("'installDir' does not name a property and an absolute default folder");
  }
  if (problems.length) return problems;
  const roots = declaredRoots(m);
  problems.push(...rootPropertyProblems(m, roots));
  const folderDir = rel.split(sep).slice(0, -1).join(sep);
  for (const [i, folder] of (Array.isArray(m['folders']) ? m['folders'] : []).entries()) {
    if (typeof folder !== 'string') problems.push(`folders[${i}] is not text`);
    else {
      const p = targetProblem(folder, roots);
      if (p) problems.push(`folder '${shown(folder)}' ${p}`);
    }
  }
  for (const [i, f] of (Array.isArray(m['files']) ? m['files'] : []).entries()) {
    if (!isObj(f) || typeof f['target'] !== 'string') {
      problems.push(`files[${i}] has no target`);
      continue;
    }
    const p = targetProblem(f['target'], roots);
    if (p) problems.push(`file target '${shown(f['target'])}' ${p}`);
    const contents = ['content', 'contentBase64', 'source'].filter((k) => f[k] !== undefined);
    if (contents.length !== 1) problems.push(`file '${shown(f['target'])}' needs exactly one of content, contentBase64 or source`);
    if (f['source'] === undefined) continue;
    if (typeof f['source'] !== 'string') {
      problems.push(`file '${shown(f['target'])}' has a source that is not text`);
      continue;
    }
    const src = f['source'].replace(/\\/g, '/');
    if (src === '' || src.startsWith('/') || /^[A-Za-z]:/.test(src) || src.split('/').some((s) => s === '..' || s === '.' || s === '' || s.includes(':'))) {
      problems.push(`payload '${shown(f['source'])}' does not stay inside the packages folder`);
      continue;
    }
    // Each step of the path by lstat: present, a regular file, and no link on the way.
    let at = join(dir, folderDir);
    let bad: string | undefined;
    const parts = src.split('/');
    for (const [k, part] of parts.entries()) {
      at = join(at, part);
      const st = await fsp.lstat(at).catch(() => undefined);
      if (!st) bad = 'is missing';
      else if (st.isSymbolicLink()) bad = 'is (or runs through) a link';
      else if (k < parts.length - 1 ? !st.isDirectory() : !st.isFile()) bad = k < parts.length - 1 ? 'runs through something that is not a folder' : 'is not a regular file';
      if (bad) break;
    }
    if (bad) problems.push(`payload '${shown(f['source'])}' ${bad}`);
  }
  return problems;
}

function sameIdentity(a: PackageIdentity, b: Pick<PackageIdentity, 'productCode' | 'version' | 'upgradeCode'>): boolean {
  return a.productCode.toUpperCase() === b.productCode.toUpperCase() && a.version === b.version && (a.upgradeCode ?? '').toUpperCase() === (b.upgradeCode ?? '').toUpperCase();
}

/**
 * Inspects a packages folder as a whole. `packages` are the identities the plan is made from
 * (readPackages): each is read again through the Installer port and must be the same product.
 */
export async function inspectPackageFolder(host: Host, dir: string, packages: KnownPackage[], unreadable: UnreadablePackage[] = []): Promise<PackageFolderReport> {
  const blockers: Blocker[] = [];
  const files = await walk(dir, blockers);
  const remedy = 'Use the packages as Microsoft ships them (or, on an image host, package manifests whose files stay inside their declared folders), then plan again.';
  const named = new Set<string>();
  for (const rel of files.filter((f) => /\.msi\.json$/i.test(f))) {
    const problems = await manifestProblems(dir, rel);
    if (problems.length) named.add(rel);
    for (const p of problems) blockers.push({ message: `package ${shown(rel)}: ${p}`, remedy });
  }
  for (const pkg of packages) {
    let now: PackageIdentity;
    try {
      now = await host.installer.readPackage(pkg.identity.path);
    } catch (e) {
      blockers.push({ message: `package ${shown(relative(dir, pkg.identity.path))} can no longer be read (${(e as { code?: string }).code ?? 'error'})`, remedy });
      continue;
    }
    if (!sameIdentity(now, pkg.identity)) {
      blockers.push({
        message: `package ${shown(relative(dir, pkg.identity.path))} is not the product the plan assumes: it now reads ${shown(now.productCode)} ${shown(now.version)} (UpgradeCode ${shown(now.upgradeCode ?? 'none')}), the plan has ${shown(pkg.identity.productCode)} ${shown(pkg.identity.version)} (UpgradeCode ${shown(pkg.identity.upgradeCode ?? 'none')})`,
        remedy: 'The package was replaced while the plan was made: check where the packages folder comes from, then plan again.',
      });
    }
  }
  for (const u of unreadable.filter((x) => !named.has(relative(dir, x.path)))) blockers.push({ message: `package ${shown(relative(dir, u.path))} cannot be read (${shown(u.code)})`, remedy });
  return { dir, blockers };
}

/**
 * Before an install step runs (and on resume): the package at the step's path must still be the
 * product the plan recorded. Returns a blocker when it is not.
 */
export async function plannedPackageBlocker(host: Host, step: { package: string; name: string; productCode: string; version: string; upgradeCode: string | null }): Promise<Blocker | undefined> {
  let now: PackageIdentity;
  try {
    now = await host.installer.readPackage(step.package);
  } catch {
    return { message: `the package for ${shown(step.name)} ${shown(step.version)} can no longer be read (${shown(step.package)})`, remedy: 'Put the package back where the plan found it, or plan again.' };
  }
  if (sameIdentity(now, step)) return undefined;
  return {
    message: `the package at ${shown(step.package)} is no longer ${shown(step.name)} ${shown(step.version)} (${shown(step.productCode)}): it reads ${shown(now.productCode)} ${shown(now.version)}`,
    remedy: 'The package was replaced after the plan was made: check where it comes from, then plan again.',
  };
}

/** The blockers a packages folder brings to a plan (the one call the plan builder makes). */
export function packageBlockers(report: PackageFolderReport | undefined): Blocker[] {
  return report ? report.blockers : [];
}
