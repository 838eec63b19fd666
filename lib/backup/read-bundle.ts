// Opening a bundle: the manifest (its format version, its shape, its seal) and the plaintext of
// any stored file, decrypted as it streams. Nothing here trusts a path before format.ts checked it.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, MfaError, badInput } from '../errors.js';
import { ENC_HEADER_BYTES, ENC_OVERHEAD, TAG_BYTES, deriveKeys, hmacHex, keyCheckOf, sameHex, startDecrypt, type BundleKeys } from './crypto.js';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, MANIFEST_NAME, SEAL_NAME, storedPathProblem, type Manifest, type ManifestFile, type Seal } from './format.js';

export interface OpenedBundle {
  dir: string;
  manifest: Manifest;
  manifestBytes: Buffer;
  seal: Seal | undefined;
  /** Set when the bundle is encrypted and the passphrase was given (and was right). */
  keys: BundleKeys | undefined;
  /** Whether the manifest's seal was checked and matched. */
  sealOk: boolean | undefined;
  sealProblem: string | undefined;
}

const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

function invalid(message: string, dir: string, code = 'BUNDLE_INVALID'): MfaError {
  return badInput(message, join(dir, MANIFEST_NAME), { code, remedy: 'Use an intact copy of the bundle (verify it with mfa-upgrade verify-backup), or take a new backup.' });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the manifest's shape field by field, so a crafted or damaged one is named, not half-used. */
function checkShape(m: Record<string, unknown>, dir: string): Manifest {
  const fail = (what: string) => invalid(`manifest.json: ${what}`, dir);
  if (typeof m['createdAt'] !== 'string') throw fail("'createdAt' is missing");
  if (!isObj(m['host']) || typeof m['host']['computerName'] !== 'string') throw fail("'host' is missing or malformed");
  if (!Array.isArray(m['files'])) throw fail("'files' is not a list");
  m['files'].forEach((f: unknown, i: number) => {
    if (!isObj(f)) throw fail(`files[${i}] is not an object`);
    if (typeof f['stored'] !== 'string') throw fail(`files[${i}].stored is not a string`);
    if (f['original'] !== null && typeof f['original'] !== 'string') throw fail(`files[${i}].original is not a string or null`);
    if (typeof f['size'] !== 'number' || !Number.isSafeInteger(f['size']) || f['size'] < 0) throw fail(`files[${i}].size is not a size`);
    if (typeof f['sha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(f['sha256'])) throw fail(`files[${i}].sha256 is not a SHA-256`);
    if (!Array.isArray(f['tags']) || f['tags'].some((t) => typeof t !== 'string')) throw fail(`files[${i}].tags is not a list of names`);
    if (f['storedSha256'] !== undefined && (typeof f['storedSha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(f['storedSha256']))) throw fail(`files[${i}].storedSha256 is not a SHA-256`);
    if (f['storedSize'] !== undefined && (typeof f['storedSize'] !== 'number' || !Number.isSafeInteger(f['storedSize']))) throw fail(`files[${i}].storedSize is not a size`);
  });
  if (!Array.isArray(m['directories']) || m['directories'].some((d) => !isObj(d) || typeof d['stored'] !== 'string' || typeof d['original'] !== 'string')) throw fail("'directories' is malformed");
  if (!Array.isArray(m['groups']) || m['groups'].some((g) => !isObj(g) || typeof g['kind'] !== 'string' || typeof g['original'] !== 'string')) throw fail("'groups' is malformed");
  if (!Array.isArray(m['notTaken'])) throw fail("'notTaken' is not a list");
  if (!Array.isArray(m['warnings'])) throw fail("'warnings' is not a list");
  if (m['encryption'] !== null && !isObj(m['encryption'])) throw fail("'encryption' is malformed");
  return m as unknown as Manifest;
}

/**
 * Reads and checks a bundle's manifest. Throws (exit 3) for what makes the bundle unusable: no
 * folder, no or unreadable manifest, a future format version, a wrong passphrase. A seal that
 * does not match is reported in sealProblem (verify names it; restore refuses).
 */
export async function openBundle(dir: string, options: { passphrase?: string; keys?: BundleKeys; allowPartial?: boolean } = {}): Promise<OpenedBundle> {
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifestBytes.toString('utf8'));
  } catch (e) {
    throw invalid(`manifest.json is truncated or damaged (${(e as Error).message})`, dir, 'BUNDLE_MANIFEST_DAMAGED');
  }
  if (!isObj(parsed) || parsed['format'] !== BUNDLE_FORMAT) throw invalid(`manifest.json is not a ${BUNDLE_FORMAT} manifest`, dir);
  const version = parsed['formatVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw invalid("manifest.json has no valid 'formatVersion'", dir);
  if (version > BUNDLE_FORMAT_VERSION) {
    const tool = isObj(parsed['tool']) && typeof parsed['tool']['version'] === 'string' ? parsed['tool']['version'] : 'a newer version';
    throw badInput(`the bundle has format version ${version}, written by mfa-upgrade ${tool}; this tool reads format version ${BUNDLE_FORMAT_VERSION} and older`, manifestPath, {
      code: 'BUNDLE_FUTURE_FORMAT',
      remedy: `Use mfa-upgrade ${tool} or later to verify or restore this bundle.`,
    });
  }
  const manifest = checkShape(parsed, dir);

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
    keys = await deriveKeys(options.passphrase, manifest.encryption, manifestPath);
    if (typeof manifest.encryption.keyCheck !== 'string' || !sameHex(keyCheckOf(keys), manifest.encryption.keyCheck)) {
      throw badInput('the passphrase is wrong (or the manifest\'s key check was altered)', dir, {
        code: 'BUNDLE_PASSPHRASE',
        remedy: 'Pass the passphrase file the backup was taken with (--passphrase-file).',
      });
    }
  }
  if (!manifest.encryption) keys = undefined;

  let sealOk: boolean | undefined;
  let sealProblem: string | undefined;
  if (!seal) {
    sealOk = false;
    sealProblem = sealText === undefined ? 'manifest.seal is missing' : 'manifest.seal is damaged';
  } else if (manifest.encryption) {
    if (seal.algorithm !== 'hmac-sha256') {
      sealOk = false;
      sealProblem = 'an encrypted bundle\'s manifest must be sealed with HMAC-SHA256';
    } else if (keys) {
      sealOk = sameHex(hmacHex(keys, manifestBytes), seal.value);
      if (!sealOk) sealProblem = 'manifest.json was altered: it does not match its authentication code';
    }
  } else {
    sealOk = seal.algorithm === 'sha256' && sameHex(createHash('sha256').update(manifestBytes).digest('hex'), seal.value);
    if (!sealOk) sealProblem = 'manifest.json was altered: it does not match its checksum in manifest.seal';
  }
  return { dir, manifest, manifestBytes, seal, keys, sealOk, sealProblem };
}

/** The local path of a stored file, after checking the stored path cannot leave the bundle. */
export function storedLocalPath(bundle: OpenedBundle, file: ManifestFile): string {
  const problem = storedPathProblem(file.stored);
  if (problem) throw badInput(`the bundle path '${String(file.stored)}' ${problem}`, join(bundle.dir, MANIFEST_NAME), { code: 'BUNDLE_PATH' });
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
  const h = await fsp.open(local, 'r');
  let header: Buffer;
  let tag: Buffer;
  let size: number;
  try {
    size = (await h.stat()).size;
    if (size < ENC_OVERHEAD) throw badInput(`'${file.stored}' is too short to be an encrypted file (truncated)`, bundle.dir, { code: 'BUNDLE_ALTERED' });
    header = Buffer.alloc(ENC_HEADER_BYTES);
    await h.read(header, 0, ENC_HEADER_BYTES, 0);
    tag = Buffer.alloc(TAG_BYTES);
    await h.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    await h.close();
  }
  const decipher = startDecrypt(bundle.keys, file.stored, header, tag, join(bundle.dir, file.stored));
  if (size > ENC_OVERHEAD) {
    for await (const chunk of createReadStream(local, { start: ENC_HEADER_BYTES, end: size - TAG_BYTES - 1, highWaterMark: 1 << 20 })) {
      const plain = decipher.update(chunk as Buffer);
      if (plain.length > 0) yield plain;
    }
  }
  let last: Buffer;
  try {
    last = decipher.final();
  } catch {
    throw badInput(`'${file.stored}' fails authentication: it was altered, truncated or swapped`, bundle.dir, { code: 'BUNDLE_ALTERED', remedy: 'Use an intact copy of the bundle.' });
  }
  if (last.length > 0) yield last;
}

/** The whole plaintext of a (small) stored file. */
export async function readStoredBuffer(bundle: OpenedBundle, file: ManifestFile): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of readStored(bundle, file)) parts.push(c);
  return Buffer.concat(parts);
}
