// verify-backup: re-reads and re-hashes every file of a bundle, and names each missing, extra,
// altered or unsafe one. The same check runs at the end of every backup and before every restore.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Reporter } from '../reporting/reporter.js';
import type { BundleKeys } from './crypto.js';
import {
  ENCRYPTED_SUFFIX,
  MANIFEST_NAME,
  SEAL_NAME,
  parseWindowsPath,
  snapshotPathOf,
  storedPathProblem,
  type Manifest,
  type ManifestFile,
  type NotTaken,
} from './format.js';
import { matchGroups } from './group-match.js';
import { ntfsUpper, printable } from './names.js';
import type { PassphraseInput } from './passphrase.js';
import { ByteProgress, PROGRESS_IDS } from './progress.js';
import { openBundle, readStored, type OpenOptions, type OpenedBundle } from './read-bundle.js';

export type ProblemKind = 'missing' | 'extra' | 'altered' | 'unsafe' | 'link' | 'manifest';

export interface VerifyProblem {
  kind: ProblemKind;
  /** The path inside the bundle ('/'-separated). */
  path: string;
  detail: string;
}

export interface VerifyReport {
  bundle: string;
  ok: boolean;
  encrypted: boolean;
  /** Whether the manifest's seal was checked (an encrypted bundle's needs the passphrase). */
  authenticated: boolean;
  formatVersion: number;
  /** The manifest's digest ("sha256:<hex>"), to compare with the one backup printed. */
  digest: string;
  createdAt: string;
  computerName: string;
  files: number;
  bytes: number;
  problems: VerifyProblem[];
  notTaken: NotTaken[];
  warnings: string[];
  /** What a bundle of an older format lacks. */
  formatWarnings: string[];
}

export interface VerifyOptions {
  passphrase?: PassphraseInput;
  /** The digest backup printed: another digest is refused (exit 3). */
  expectDigest?: string;
  keys?: BundleKeys;
  output?: Reporter;
  /** Names at the bundle's top level that are not part of it (the writer's lock file). */
  ignoreTopLevel?: string[];
  /** The writer checks its own <out>.partial before renaming it. */
  allowPartial?: boolean;
}

interface TreeEntry {
  kind: 'file' | 'dir' | 'link' | 'other';
  size: number;
}

async function listTree(root: string): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  const walk = async (dir: string, rel: string, depth: number) => {
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const full = join(dir, e.name);
      if (e.isSymbolicLink()) out.set(r, { kind: 'link', size: 0 });
      else if (e.isDirectory()) {
        out.set(r, { kind: 'dir', size: 0 });
        if (depth < 128) await walk(full, r, depth + 1);
      } else if (e.isFile()) out.set(r, { kind: 'file', size: (await fsp.lstat(full)).size });
      else out.set(r, { kind: 'other', size: 0 });
    }
  };
  await walk(root, '', 0);
  return out;
}

/** Problems in what the manifest says, before any file is read: paths that could escape, entries that do not belong. */
function checkManifestPaths(manifest: Manifest): { problems: VerifyProblem[]; unsafe: Set<string> } {
  const problems: VerifyProblem[] = [];
  const unsafe = new Set<string>();
  const flag = (f: ManifestFile | { stored: string }, detail: string, kind: ProblemKind = 'unsafe') => {
    problems.push({ kind, path: printable(f.stored), detail });
    unsafe.add(f.stored);
  };
  const suffix = manifest.encryption ? ENCRYPTED_SUFFIX : '';
  const seen = new Set<string>();
  for (const f of manifest.files) {
    const p = storedPathProblem(f.stored);
    if (p) {
      flag(f, `the bundle path ${p}`);
      continue;
    }
    // Compared as NTFS compares names: a bundle copied to Windows must not fold two entries into one file.
    const key = ntfsUpper(f.stored);
    if (seen.has(key)) flag(f, 'is listed twice in the manifest (or names the same file on Windows as another entry)', 'manifest');
    seen.add(key);
    if (!f.stored.startsWith('snapshot/') && !f.stored.startsWith('extra/')) flag(f, 'lies outside snapshot/ and extra/');
    if (f.original === null) {
      if (f.stored.startsWith('snapshot/drive/')) flag(f, 'is a machine file without an original path');
      continue;
    }
    try {
      parseWindowsPath(f.original, MANIFEST_NAME);
    } catch {
      flag(f, 'has an original path that is not an absolute local Windows path without ".." or forbidden characters');
      continue;
    }
    if (ntfsUpper(snapshotPathOf(f.original) + suffix) !== key) flag(f, `does not lie where its original path belongs in the snapshot`);
  }
  for (const d of manifest.directories) {
    const p = storedPathProblem(d.stored);
    if (p) flag(d, `the bundle path ${p}`);
    // A backup lists the machine's folders only, all in the snapshot.
    else if (!d.stored.startsWith('snapshot/')) flag(d, 'is a folder outside snapshot/');
  }
  // The groups and what restore would write: one identity per group, every file below its root.
  for (const detail of matchGroups(manifest).problems) problems.push({ kind: 'unsafe', path: MANIFEST_NAME, detail });
  return { problems, unsafe };
}

async function hashLocal(path: string, progress: ByteProgress, name: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    progress.add((chunk as Buffer).length, name);
  }
  return { size, sha256: hash.digest('hex') };
}

export async function verifyOpened(bundle: OpenedBundle, options: VerifyOptions = {}): Promise<VerifyReport> {
  const { manifest } = bundle;
  const encrypted = manifest.encryption !== null;
  const { problems, unsafe } = checkManifestPaths(manifest);
  if (bundle.sealProblem) problems.unshift({ kind: 'altered', path: MANIFEST_NAME, detail: bundle.sealProblem });

  const tree = await listTree(bundle.dir);
  const expected = new Map<string, 'file' | 'dir'>();
  expected.set(MANIFEST_NAME, 'file');
  expected.set(SEAL_NAME, 'file');
  for (const name of options.ignoreTopLevel ?? []) expected.set(name, 'file');
  const addParents = (stored: string) => {
    const segs = stored.split('/');
    for (let i = 1; i < segs.length; i++) expected.set(segs.slice(0, i).join('/'), 'dir');
  };
  for (const f of manifest.files) {
    if (unsafe.has(f.stored)) continue;
    expected.set(f.stored, 'file');
    addParents(f.stored);
  }
  for (const d of manifest.directories) {
    if (unsafe.has(d.stored)) continue;
    expected.set(d.stored, 'dir');
    addParents(d.stored);
  }
  for (const [path, entry] of tree) {
    if (entry.kind === 'link') {
      problems.push({ kind: 'link', path, detail: 'is a link: a bundle holds plain files and folders only, and links are never followed' });
      continue;
    }
    const want = expected.get(path);
    if (want === undefined) {
      // A listed file whose entry is unsafe was named as such: it is not also an unlisted one.
      if (unsafe.has(path)) continue;
      // Name the outermost unexpected entry only, not everything inside an extra folder.
      const parent = path.split('/').slice(0, -1).join('/');
      if (parent === '' || expected.get(parent) === 'dir') {
        problems.push({ kind: 'extra', path, detail: entry.kind === 'dir' ? 'is a folder the manifest does not list' : 'is a file the manifest does not list' });
      }
    } else if ((want === 'dir') !== (entry.kind === 'dir') || entry.kind === 'other') {
      // 'other' is a device, pipe or socket: never read, so it must be named here.
      problems.push({ kind: 'altered', path, detail: want === 'dir' ? 'should be a folder' : 'should be a file' });
    }
  }
  for (const d of manifest.directories) {
    if (!unsafe.has(d.stored) && !tree.has(d.stored)) problems.push({ kind: 'missing', path: d.stored, detail: `the folder ${d.original} is missing` });
  }

  const readable = manifest.files.filter((f) => !unsafe.has(f.stored));
  const total = readable.reduce((n, f) => n + ((encrypted ? f.storedSize : f.size) ?? 0), 0);
  const progress = new ByteProgress(options.output, PROGRESS_IDS.verify, 'Verifying backup', total);
  let bytes = 0;
  for (const f of readable) {
    const entry = tree.get(f.stored);
    const what = f.original ?? f.stored;
    if (!entry) {
      problems.push({ kind: 'missing', path: f.stored, detail: `${what} is missing from the bundle` });
      continue;
    }
    if (entry.kind !== 'file') continue; // named above
    const local = join(bundle.dir, ...f.stored.split('/'));
    if (!encrypted) {
      const size = f.size ?? 0;
      if (entry.size !== size) {
        problems.push({ kind: 'altered', path: f.stored, detail: `is ${entry.size} bytes, the manifest says ${size}${entry.size < size ? ' (truncated)' : ''}` });
        progress.add(size, f.stored);
        continue;
      }
      const got = await hashLocal(local, progress, f.stored);
      bytes += got.size;
      if (got.sha256 !== f.sha256) problems.push({ kind: 'altered', path: f.stored, detail: `its SHA-256 is ${got.sha256}, the manifest says ${f.sha256}` });
      continue;
    }
    if (f.storedSize !== undefined && entry.size !== f.storedSize) {
      problems.push({ kind: 'altered', path: f.stored, detail: `is ${entry.size} bytes, the manifest says ${f.storedSize}${entry.size < f.storedSize ? ' (truncated)' : ''}` });
      progress.add(f.storedSize, f.stored);
      continue;
    }
    if (!bundle.keys) {
      // Without the passphrase: the stored bytes against their recorded hash.
      const got = await hashLocal(local, progress, f.stored);
      bytes += got.size;
      if (f.storedSha256 === undefined || got.sha256 !== f.storedSha256) problems.push({ kind: 'altered', path: f.stored, detail: 'its encrypted bytes do not match the manifest' });
      continue;
    }
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of readStored(bundle, f)) {
        hash.update(chunk);
        size += chunk.length;
        progress.add(chunk.length, f.stored);
      }
    } catch (e) {
      problems.push({ kind: 'altered', path: f.stored, detail: (e as Error).message.replace(/^'[^']*' /, '') });
      continue;
    }
    bytes += size;
    const sha = hash.digest('hex');
    // The plaintext's hash and size are private in an encrypted bundle: never printed.
    if (size !== f.size || sha !== f.sha256) problems.push({ kind: 'altered', path: f.stored, detail: 'decrypts to other content than was backed up' });
  }
  progress.complete();
  return {
    bundle: bundle.dir,
    ok: problems.length === 0,
    encrypted,
    authenticated: bundle.sealOk === true,
    formatVersion: manifest.formatVersion,
    digest: bundle.digest,
    createdAt: manifest.createdAt,
    computerName: manifest.host.computerName,
    files: manifest.files.length,
    bytes,
    problems,
    notTaken: manifest.notTaken,
    warnings: manifest.warnings,
    formatWarnings: bundle.formatWarnings,
  };
}

/** Opens and verifies a bundle. Throws (exit 3) when it cannot be opened at all. */
export async function verifyBundle(dir: string, options: VerifyOptions = {}): Promise<{ report: VerifyReport; bundle: OpenedBundle }> {
  const open: OpenOptions = { allowPartial: options.allowPartial === true };
  if (options.passphrase !== undefined) open.passphrase = options.passphrase;
  if (options.expectDigest !== undefined) open.expectDigest = options.expectDigest;
  if (options.keys !== undefined) open.keys = options.keys;
  const bundle = await openBundle(dir, open);
  return { report: await verifyOpened(bundle, options), bundle };
}
