// Opening a bundle: the manifest (its format version, its shape, its seal, the digest a caller
// expects), the keys from a passphrase (with the rule of the bundle's format), and the
// plaintext of any stored file, decrypted as it streams. Nothing here trusts a path before
// format.ts checked it.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, MfaError, badInput } from '../errors.js';
import { ENC_HEADER_BYTES, ENC_OVERHEAD, TAG_BYTES, deriveKeys, hmacHex, keyCheckOf, openEntries, paddedSize, sameHex, startDecrypt, type BundleKeys } from './crypto.js';
import { digestOf, sameDigest } from './digest.js';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, MANIFEST_NAME, SEAL_NAME, plainOf, storedPathProblem, type Manifest, type ManifestFile, type Seal } from './format.js';
import { toPassphrase, type PassphraseInput } from './passphrase.js';

export interface OpenedBundle {
  dir: string;
  manifest: Manifest;
  manifestBytes: Buffer;
  /** SHA-256 of manifest.json's bytes ("sha256:<hex>"): what backup prints and --expect-digest checks. */
  digest: string;
  /** Whether the caller's expected digest was given (and matched: a mismatch throws). */
  digestChecked: boolean;
  seal: Seal | undefined;
  /** Set when the bundle is encrypted and the passphrase was given (and was right). */
  keys: BundleKeys | undefined;
  /** Whether the manifest's seal was checked and matched. */
  sealOk: boolean | undefined;
  sealProblem: string | undefined;
  /** What a bundle of an older format lacks, for a warning. */
  formatWarnings: string[];
}

export interface OpenOptions {
  passphrase?: PassphraseInput;
  keys?: BundleKeys;
  allowPartial?: boolean;
  /** The digest backup printed: a bundle whose manifest has another is refused. */
  expectDigest?: string;
}

const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

function invalid(message: string, dir: string, code = 'BUNDLE_INVALID'): MfaError {
  return badInput(message, join(dir, MANIFEST_NAME), { code, remedy: 'Use an intact copy of the bundle (verify it with mfa-upgrade verify-backup), or take a new backup.' });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Checks the manifest's shape field by field, so a crafted or damaged one is named, not half-used. */
function checkShape(m: Record<string, unknown>, dir: string, version: number): Manifest {
  const fail = (what: string) => invalid(`manifest.json: ${what}`, dir);
  if (typeof m['createdAt'] !== 'string') throw fail("'createdAt' is missing");
  if (!isObj(m['host']) || typeof m['host']['computerName'] !== 'string') throw fail("'host' is missing or malformed");
  if (m['encryption'] !== null && !isObj(m['encryption'])) throw fail("'encryption' is malformed");
  const enc = m['encryption'] as Record<string, unknown> | null;
  // Format 2 keeps an encrypted bundle's plaintext sizes and hashes in its encrypted entries only.
  const hidden = enc !== null && version >= 2;
  if (hidden && (typeof enc['entries'] !== 'string' || enc['padding'] !== 'padme-4k')) throw fail("'encryption' lacks its entries or padding");
  if (!Array.isArray(m['files'])) throw fail("'files' is not a list");
  m['files'].forEach((f: unknown, i: number) => {
    if (!isObj(f)) throw fail(`files[${i}] is not an object`);
    if (typeof f['stored'] !== 'string') throw fail(`files[${i}].stored is not a string`);
    if (f['original'] !== null && typeof f['original'] !== 'string') throw fail(`files[${i}].original is not a string or null`);
    if (hidden) {
      if (f['size'] !== undefined || f['sha256'] !== undefined) throw fail(`files[${i}] shows a plaintext size or hash, which an encrypted bundle of format ${version} never does`);
    } else {
      if (typeof f['size'] !== 'number' || !Number.isSafeInteger(f['size']) || f['size'] < 0) throw fail(`files[${i}].size is not a size`);
      if (typeof f['sha256'] !== 'string' || !SHA256.test(f['sha256'])) throw fail(`files[${i}].sha256 is not a SHA-256`);
    }
    if (!Array.isArray(f['tags']) || f['tags'].some((t) => typeof t !== 'string')) throw fail(`files[${i}].tags is not a list of names`);
    if (f['storedSha256'] !== undefined && (typeof f['storedSha256'] !== 'string' || !SHA256.test(f['storedSha256']))) throw fail(`files[${i}].storedSha256 is not a SHA-256`);
    if (f['storedSize'] !== undefined && (typeof f['storedSize'] !== 'number' || !Number.isSafeInteger(f['storedSize']) || f['storedSize'] < 0)) throw fail(`files[${i}].storedSize is not a size`);
    if (enc !== null && (f['storedSize'] === undefined || f['storedSha256'] === undefined)) throw fail(`files[${i}] lacks the size or hash of its encrypted bytes`);
  });
  if (!Array.isArray(m['directories']) || m['directories'].some((d) => !isObj(d) || typeof d['stored'] !== 'string' || typeof d['original'] !== 'string')) throw fail("'directories' is malformed");
  if (!Array.isArray(m['groups']) || m['groups'].some((g) => !isObj(g) || typeof g['kind'] !== 'string' || typeof g['original'] !== 'string')) throw fail("'groups' is malformed");
  if (!Array.isArray(m['notTaken'])) throw fail("'notTaken' is not a list");
  if (!Array.isArray(m['warnings'])) throw fail("'warnings' is not a list");
  return m as unknown as Manifest;
}

/** What an older bundle lacks, named for the warning verify-backup and restore print. */
function formatWarningsOf(manifest: Manifest): string[] {
  if (manifest.formatVersion >= BUNDLE_FORMAT_VERSION) return [];
  const out: string[] = [];
  if (manifest.encryption) {
    out.push(
      `This bundle has format ${manifest.formatVersion}: its manifest shows each file's plaintext SHA-256 and exact size (a guessable value, such as a web.config password, can be confirmed offline without the passphrase), and its passphrase is the first line of the file. Take a new backup to get format ${BUNDLE_FORMAT_VERSION}, then delete this one.`,
    );
  } else {
    out.push(`This bundle has format ${manifest.formatVersion} (written by mfa-upgrade ${manifest.tool?.version ?? 'before 0.2'}); it was checked with the rules of format ${BUNDLE_FORMAT_VERSION}.`);
  }
  return out;
}

/**
 * Reads and checks a bundle's manifest. Throws (exit 3) for what makes the bundle unusable: no
 * folder, no or unreadable manifest, a future format version, a wrong passphrase, a passphrase
 * given for a bundle that is not encrypted (a swapped plain copy), a digest other than the one
 * expected. A seal that does not match is reported in sealProblem (verify names it; restore refuses).
 */
export async function openBundle(dir: string, options: OpenOptions = {}): Promise<OpenedBundle> {
  const st = await fsp.lstat(dir).catch(() => undefined);
  if (!st) throw badInput('backup bundle not found', dir, { code: 'BUNDLE_NOT_FOUND', remedy: 'Pass the folder a backup wrote (mfa-upgrade backup --out <folder>).' });
  if (st.isSymbolicLink() || !st.isDirectory()) {
    throw badInput(st.isFile() ? 'this is a file, not a backup bundle folder' : 'the bundle path is a link, not a folder', dir, { code: 'BUNDLE_INVALID', remedy: 'Pass the bundle folder itself.' });
  }
  if (dir.endsWith('.partial') && !options.allowPartial) throw badInput('this is an unfinished backup (.partial): it was interrupted and is not a bundle', dir, { code: 'BUNDLE_PARTIAL', remedy: 'Delete it and take a new backup.' });
  const manifestPath = join(dir, MANIFEST_NAME);
  const mst = await fsp.lstat(manifestPath).catch(() => undefined);
  if (!mst) throw invalid('the bundle has no manifest.json (truncated, or not a backup bundle)', dir, 'BUNDLE_NO_MANIFEST');
  if (!mst.isFile()) throw invalid('manifest.json is not a regular file', dir);
  if (mst.size > MAX_MANIFEST_BYTES) throw invalid('manifest.json is implausibly large', dir);
  const manifestBytes = await fsp.readFile(manifestPath);
  const digest = digestOf(manifestBytes);
  // Before anything else is believed: a caller who kept the digest backup printed trusts only that manifest.
  if (options.expectDigest !== undefined && !sameDigest(options.expectDigest, digest)) {
    throw badInput('the bundle is not the one backed up: its manifest has another digest than the one expected', dir, {
      code: 'BUNDLE_DIGEST',
      remedy: 'Pass the bundle that backup wrote (its digest was printed then and is kept on the PowerShell backup object); this one was changed or swapped.',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    // JSON.parse's message quotes the text around the damage: name the file only.
    throw invalid('manifest.json is truncated or damaged (it is not valid JSON)', dir, 'BUNDLE_MANIFEST_DAMAGED');
  }
  if (!isObj(parsed) || parsed['format'] !== BUNDLE_FORMAT) throw invalid(`manifest.json is not a ${BUNDLE_FORMAT} manifest`, dir);
  const version = parsed['formatVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw invalid("manifest.json has no valid 'formatVersion'", dir);
  if (version > BUNDLE_FORMAT_VERSION) {
    const tool = isObj(parsed['tool']) && typeof parsed['tool']['version'] === 'string' && /^[0-9A-Za-z.+-]{1,40}$/.test(parsed['tool']['version']) ? parsed['tool']['version'] : 'a newer version';
    throw badInput(`the bundle has format version ${version}, written by mfa-upgrade ${tool}; this tool reads format version ${BUNDLE_FORMAT_VERSION} and older`, manifestPath, {
      code: 'BUNDLE_FUTURE_FORMAT',
      remedy: `Use mfa-upgrade ${tool} or later to verify or restore this bundle.`,
    });
  }
  const manifest = checkShape(parsed, dir, version);

  if ((options.passphrase !== undefined || options.keys !== undefined) && !manifest.encryption) {
    throw badInput('a passphrase was given, but this bundle is not encrypted: it is not the bundle that was taken with that passphrase (an encrypted bundle may have been swapped for a plain one)', dir, {
      code: 'BUNDLE_NOT_ENCRYPTED',
      remedy: 'Use the encrypted bundle the backup wrote. To use an unencrypted bundle on purpose, run without --passphrase-file and with --expect-digest <the digest backup printed>.',
    });
  }

  let seal: Seal | undefined;
  const sealText = await fsp.readFile(join(dir, SEAL_NAME), 'utf8').catch(() => undefined);
  if (sealText !== undefined) {
    try {
      const s = JSON.parse(sealText) as unknown;
      if (isObj(s) && (s['algorithm'] === 'sha256' || s['algorithm'] === 'hmac-sha256') && typeof s['value'] === 'string') seal = { algorithm: s['algorithm'], value: s['value'] };
    } catch {
      seal = undefined;
    }
  }

  let keys = options.keys;
  if (manifest.encryption && !keys && options.passphrase !== undefined) {
    keys = await deriveKeys(toPassphrase(options.passphrase).material(version), manifest.encryption, manifestPath);
    if (typeof manifest.encryption.keyCheck !== 'string' || !sameHex(keyCheckOf(keys), manifest.encryption.keyCheck)) {
      throw badInput('the passphrase is wrong (or the manifest\'s key check was altered)', dir, {
        code: 'BUNDLE_PASSPHRASE',
        remedy: 'Pass the passphrase file the backup was taken with (--passphrase-file).',
      });
    }
  }

  let sealOk: boolean | undefined;
  let sealProblem: string | undefined;
  if (!seal) {
    sealOk = false;
    sealProblem = sealText === undefined ? 'manifest.seal is missing' : 'manifest.seal is damaged';
  } else if (manifest.encryption) {
    if (seal.algorithm !== 'hmac-sha256') {
      sealOk = false;
      sealProblem = 'an encrypted bundle\'s manifest must be sealed with HMAC-SHA256 (a keyless seal anyone can recompute was put in its place)';
    } else if (keys) {
      sealOk = sameHex(hmacHex(keys, manifestBytes), seal.value);
      if (!sealOk) sealProblem = 'manifest.json was altered: it does not match its authentication code';
    }
  } else {
    sealOk = seal.algorithm === 'sha256' && sameHex(createHash('sha256').update(manifestBytes).digest('hex'), seal.value);
    if (!sealOk) sealProblem = seal.algorithm === 'sha256' ? 'manifest.json was altered: it does not match its checksum in manifest.seal' : 'an unencrypted bundle\'s seal must be its SHA-256';
  }

  // With the key, format 2's hidden sizes and hashes are opened (the entries authenticate themselves).
  if (manifest.encryption && keys && version >= 2) {
    const entries = openEntries(keys, manifest.encryption.entries as string, manifest.files.map((f) => f.stored), manifestPath);
    manifest.files.forEach((f, i) => {
      const e = entries[i] as { size: number; sha256: string };
      f.size = e.size;
      f.sha256 = e.sha256;
    });
  }
  return { dir, manifest, manifestBytes, digest, digestChecked: options.expectDigest !== undefined, seal, keys, sealOk, sealProblem, formatWarnings: formatWarningsOf(manifest) };
}

/** The local path of a stored file, after checking the stored path cannot leave the bundle. */
export function storedLocalPath(bundle: OpenedBundle, file: ManifestFile): string {
  const problem = storedPathProblem(file.stored);
  if (problem) throw badInput(`a bundle path ${problem}`, join(bundle.dir, MANIFEST_NAME), { code: 'BUNDLE_PATH' });
  return join(bundle.dir, ...file.stored.split('/'));
}

/** Refuses a stored path that runs through a link anywhere inside the bundle. */
export async function assertNoLinks(bundleDir: string, stored: string): Promise<void> {
  let current = bundleDir;
  for (const seg of stored.split('/')) {
    current = join(current, seg);
    const st = await fsp.lstat(current).catch(() => undefined);
    if (!st) return;
    if (st.isSymbolicLink()) throw badInput(`'${stored}' runs through a link inside the bundle`, bundleDir, { code: 'BUNDLE_LINK', remedy: 'A bundle holds plain files and folders only: use an intact copy.' });
  }
}

/**
 * The plaintext of a stored file, streamed (decrypted when the bundle is encrypted). An encrypted
 * file's authentication tag is checked at the end, so what was yielded is trusted only once the
 * generator has finished without throwing: callers write it somewhere that is renamed into place
 * only then (or hash it and compare at the end).
 */
export async function* readStored(bundle: OpenedBundle, file: ManifestFile): AsyncGenerator<Buffer> {
  const local = storedLocalPath(bundle, file);
  await assertNoLinks(bundle.dir, file.stored);
  if (!bundle.manifest.encryption) {
    for await (const chunk of createReadStream(local, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
    return;
  }
  if (!bundle.keys) {
    throw new MfaError('the bundle is encrypted: its files cannot be read without the passphrase', { code: 'BUNDLE_PASSPHRASE_REQUIRED', target: bundle.dir, exitCode: ExitCode.badInput, remedy: 'Pass --passphrase-file with the passphrase the backup was taken with.' });
  }
  const altered = (what: string) => badInput(`'${file.stored}' ${what}`, bundle.dir, { code: 'BUNDLE_ALTERED', remedy: 'Use an intact copy of the bundle.' });
  const padded = bundle.manifest.formatVersion >= 2;
  const plainSize = padded ? plainOf(file).size : undefined;
  const h = await fsp.open(local, 'r');
  let header: Buffer;
  let tag: Buffer;
  let size: number;
  try {
    size = (await h.stat()).size;
    if (size < ENC_OVERHEAD) throw altered('is too short to be an encrypted file (truncated)');
    if (plainSize !== undefined && size !== ENC_OVERHEAD + paddedSize(plainSize)) throw altered('does not have the length its padding calls for (truncated or altered)');
    header = Buffer.alloc(ENC_HEADER_BYTES);
    await h.read(header, 0, ENC_HEADER_BYTES, 0);
    tag = Buffer.alloc(TAG_BYTES);
    await h.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await h.close();
  }
  const decipher = startDecrypt(bundle.keys, file.stored, header, tag, join(bundle.dir, file.stored));
  // Plaintext beyond plainSize is padding: never yielded, and checked to be zeros.
  let left = plainSize ?? Number.POSITIVE_INFINITY;
  let padOk = true;
  const take = (plain: Buffer): Buffer | undefined => {
    if (plain.length === 0) return undefined;
    const keep = plain.subarray(0, Math.max(0, Math.min(plain.length, left)));
    for (let i = keep.length; i < plain.length; i++) if (plain[i] !== 0) padOk = false;
    left -= keep.length;
    return keep.length > 0 ? keep : undefined;
  };
  if (size > ENC_OVERHEAD) {
    for await (const chunk of createReadStream(local, { start: ENC_HEADER_BYTES, end: size - TAG_BYTES - 1, highWaterMark: 1 << 20 })) {
      const out = take(decipher.update(chunk as Buffer));
      if (out) yield out;
    }
  }
  let last: Buffer;
  try {
    last = decipher.final();
  } catch {
    throw altered('fails authentication: it was altered, truncated or swapped');
  }
  const out = take(last);
  if (out) yield out;
  if (!padOk) throw altered('has padding that is not zeros');
}

/** The whole plaintext of a (small) stored file. */
export async function readStoredBuffer(bundle: OpenedBundle, file: ManifestFile): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of readStored(bundle, file)) parts.push(c);
  return Buffer.concat(parts);
}
