// The backup bundle's on-disk format (docs/backup-bundle.md): a folder with manifest.json,
// manifest.seal, a snapshot/ that is an image host of the machine, and extra/ for what is not a
// file on the machine (registry exports, the AD FS export). Every stored file is listed once in
// the manifest with its size and SHA-256; paths are checked here before anything touches them.
import { badInput } from '../errors.js';
import { ntfsUpper, segmentProblem } from './names.js';

export const BUNDLE_FORMAT = 'mfa-upgrade/backup-bundle';
/**
 * Bumped when a reader of an older version could misread a bundle. 2: an encrypted bundle pads
 * its files and keeps plaintext sizes and hashes in encrypted entries; passphrases are bytes.
 */
export const BUNDLE_FORMAT_VERSION = 2;
export const MANIFEST_NAME = 'manifest.json';
export const SEAL_NAME = 'manifest.seal';
export const SNAPSHOT_DIR = 'snapshot';
/** Suffix of a stored file's name when the bundle is encrypted. */
export const ENCRYPTED_SUFFIX = '.enc';

export { version as TOOL_VERSION } from '../version.js';

export type Role = 'master' | 'subordinate' | 'standalone' | 'unknown';

/**
 * What a stored file is for. A file may carry several tags: the data file is both part of the
 * snapshot and the 'data' entry, stored once.
 */
export type FileTag =
  | 'data'
  | 'webConfig'
  | 'webComponent'
  | 'theme'
  | 'adfsAdapterConfig'
  | 'adfsAdapterScript'
  | 'adfsExport'
  | 'installFolder'
  | 'iisConfig'
  | 'cachedPackage'
  | 'registryExport'
  | 'snapshotState';

export interface ManifestFile {
  /** Path inside the bundle, '/'-separated, relative (e.g. snapshot/drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata). */
  stored: string;
  /** The Windows path it had on the machine; null for what the tool generated (registry exports, state files). */
  original: string | null;
  /**
   * Size and SHA-256 (lower-case hex) of the content as it was on the machine (the plaintext).
   * An encrypted bundle of format 2 keeps them only in its encrypted entries: they are filled in
   * when it is opened with the passphrase, and absent otherwise.
   */
  size?: number;
  sha256?: string;
  tags: FileTag[];
  /** Encrypted bundles: size and SHA-256 of the stored (encrypted) file, checkable without the passphrase. */
  storedSize?: number;
  storedSha256?: string;
}

export interface ManifestDirectory {
  stored: string;
  original: string;
}

/** The roots a restore maps back onto the target machine. */
export type ManifestGroup =
  | { kind: 'data'; original: string }
  | { kind: 'webComponent'; component: string; site: string; vdir: string; original: string; webConfig: string | null }
  | { kind: 'theme'; component: string; vdir: string; name: string; original: string }
  | { kind: 'adfsAdapter'; original: string; configFile: string | null };

export interface NotTaken {
  item: string;
  reason: string;
}

export interface EncryptionInfo {
  algorithm: 'aes-256-gcm';
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string; keyLength: 64 };
  /** HMAC-SHA256 under the derived MAC key of a fixed text: tells a wrong passphrase from a tampered manifest. */
  keyCheck: string;
  /** Format 2: how plaintexts are padded before encryption (crypto.ts paddedSize). */
  padding?: 'padme-4k';
  /** Format 2: the files' plaintext sizes and SHA-256s, in the order of files, AES-256-GCM (base64 nonce|ciphertext|tag). */
  entries?: string;
}

export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  tool: { name: 'mfa-upgrade'; version: string };
  createdAt: string;
  host: { computerName: string; os: string; kind: 'windows' | 'image'; location: string };
  role: Role;
  server: { product: string; version: string; installPath: string | null; dataFile: string | null; services: string[] } | null;
  consistency: { method: 'services-stopped' | 'services-already-stopped' | 'no-data-file'; stopped: string[]; note?: string };
  encryption: EncryptionInfo | null;
  files: ManifestFile[];
  directories: ManifestDirectory[];
  groups: ManifestGroup[];
  notTaken: NotTaken[];
  warnings: string[];
}

export interface Seal {
  algorithm: 'sha256' | 'hmac-sha256';
  value: string;
}

/**
 * Why a bundle-relative stored path is unsafe, or undefined when it is safe: it must be relative,
 * '/'-separated, and every segment a name Windows can hold as itself (no '.', '..', empty
 * segments, backslashes, drive letters, colons, NUL, device names, trailing dots or spaces, or
 * names whose case folds disagree). 8.3-looking names are allowed here: a machine's own folders
 * may carry them; below a restore root they are refused (relativeWindowsPathProblem).
 */
export function storedPathProblem(stored: unknown): string | undefined {
  if (typeof stored !== 'string' || stored === '') return 'is not a path';
  if (stored.length > 4096) return 'is too long';
  if (stored.includes('\0')) return 'holds a NUL character';
  if (stored.includes('\\')) return 'holds a backslash';
  if (stored.startsWith('/')) return 'is absolute';
  if (/^[A-Za-z]:/.test(stored)) return 'starts with a drive letter';
  for (const seg of stored.split('/')) {
    const p = segmentProblem(seg, { shortNames: false });
    if (p) return p;
  }
  return undefined;
}

/**
 * Why a path relative to a restore root (backslash-separated, from a manifest) is unsafe:
 * '..', absolute, drive letters, UNC, colons (alternate data streams), reserved device names,
 * trailing dots and spaces, 8.3 short names, names whose case folds disagree.
 */
export function relativeWindowsPathProblem(rel: string): string | undefined {
  if (rel === '') return 'is empty';
  if (rel.includes('\0')) return 'holds a NUL character';
  if (/^[\\/]/.test(rel)) return 'is absolute';
  if (/^[A-Za-z]:/.test(rel)) return 'starts with a drive letter';
  for (const seg of rel.split(/[\\/]/)) {
    const p = segmentProblem(seg, { shortNames: true });
    if (p) return `${p} ('${seg.replace(/[\u0000-\u001f]/g, '?')}')`;
  }
  return undefined;
}

/** Normalises an absolute local Windows path (C:\a\b), refusing relative, UNC and climbing paths. */
export function parseWindowsPath(path: string, target: string): { drive: string; segments: string[] } {
  const m = /^([A-Za-z]):\\(.*)$/s.exec(path);
  if (!m) throw badInput(`'${path}' is not an absolute local Windows path`, target, { code: 'BUNDLE_PATH' });
  const segments = (m[2] as string).split('\\').filter((s) => s !== '');
  for (const seg of segments) {
    if (seg === '.' || seg === '..') throw badInput(`'${path}' holds '${seg}'`, target, { code: 'BUNDLE_PATH' });
    if (/[<>:"|?*\x00-\x1f]/.test(seg)) throw badInput(`'${path}' has a character Windows does not allow in a name`, target, { code: 'BUNDLE_PATH' });
  }
  return { drive: (m[1] as string).toUpperCase(), segments };
}

/** Where a machine file lives in the snapshot: C:\a\b is snapshot/drive/C/a/b. */
export function snapshotPathOf(windowsPath: string): string {
  const { drive, segments } = parseWindowsPath(windowsPath, windowsPath);
  return [SNAPSHOT_DIR, 'drive', drive, ...segments].join('/');
}

/** The path of child below root (both Windows paths), or undefined when it is not below it. Compared as NTFS does. */
export function relativeUnder(root: string, child: string): string | undefined {
  const r = root.replace(/\\+$/, '');
  if (child.length <= r.length + 1) return undefined;
  if (ntfsUpper(child.slice(0, r.length)) !== ntfsUpper(r) || child[r.length] !== '\\') return undefined;
  return child.slice(r.length + 1);
}

/** The plaintext size and SHA-256 of a file, which an encrypted bundle of format 2 shows only once opened with its key. */
export function plainOf(f: ManifestFile): { size: number; sha256: string } {
  if (f.size === undefined || f.sha256 === undefined) throw new Error(`the plaintext size and hash of '${f.stored}' are not known (the bundle was not opened with its passphrase)`);
  return { size: f.size, sha256: f.sha256 };
}
