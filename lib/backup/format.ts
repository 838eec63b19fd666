// The backup bundle's on-disk format (docs/backup-bundle.md): a folder with manifest.json,
// manifest.seal, a snapshot/ that is an image host of the machine, and extra/ for what is not a
// file on the machine (registry exports, the AD FS export). Every stored file is listed once in
// the manifest with its size and SHA-256; paths are checked here before anything touches them.
import { badInput } from '../errors.js';

export const BUNDLE_FORMAT = 'mfa-upgrade/backup-bundle';
/** Bumped when a reader of an older version could misread a bundle. */
export const BUNDLE_FORMAT_VERSION = 1;
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
  /** Size and SHA-256 (lower-case hex) of the content as it was on the machine (the plaintext). */
  size: number;
  sha256: string;
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

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * Why a bundle-relative stored path is unsafe, or undefined when it is safe: it must be relative,
 * '/'-separated, without '.', '..', empty segments, backslashes, drive letters, colons or NUL.
 */
export function storedPathProblem(stored: unknown): string | undefined {
  if (typeof stored !== 'string' || stored === '') return 'is not a path';
  if (stored.length > 4096) return 'is too long';
  if (stored.includes('\0')) return 'holds a NUL character';
  if (stored.includes('\\')) return 'holds a backslash';
  if (stored.startsWith('/')) return 'is absolute';
  if (/^[A-Za-z]:/.test(stored)) return 'starts with a drive letter';
  for (const seg of stored.split('/')) {
    if (seg === '' || seg === '.') return 'has an empty or "." segment';
    if (seg === '..') return 'climbs out with ".."';
    if (seg.includes(':')) return 'holds a colon (a drive or an alternate data stream)';
  }
  return undefined;
}

/**
 * Why a path relative to a restore root (backslash-separated, from a manifest) is unsafe:
 * '..', absolute, drive letters, UNC, colons (alternate data streams), reserved device names.
 */
export function relativeWindowsPathProblem(rel: string): string | undefined {
  if (rel === '') return 'is empty';
  if (rel.includes('\0')) return 'holds a NUL character';
  if (/^[\\/]/.test(rel)) return 'is absolute';
  if (/^[A-Za-z]:/.test(rel)) return 'starts with a drive letter';
  for (const seg of rel.split(/[\\/]/)) {
    if (seg === '' || seg === '.') return 'has an empty or "." segment';
    if (seg === '..') return 'climbs out with ".."';
    if (/[<>:"|?*]/.test(seg) || /[\x00-\x1f]/.test(seg)) return `has a character Windows does not allow ('${seg}')`;
    if (WINDOWS_RESERVED.test(seg)) return `names a device ('${seg}')`;
    if (/[. ]$/.test(seg)) return `ends a name with a dot or space ('${seg}')`;
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

/** The path of child below root (both Windows paths), or undefined when it is not below it. Case-insensitive. */
export function relativeUnder(root: string, child: string): string | undefined {
  const r = root.replace(/\\+$/, '');
  if (child.length <= r.length + 1) return undefined;
  if (child.slice(0, r.length).toLowerCase() !== r.toLowerCase() || child[r.length] !== '\\') return undefined;
  return child.slice(r.length + 1);
}
