// Optional encryption of a bundle: a key from the passphrase bytes with scrypt (parameters stored
// in the manifest), each file AES-256-GCM with a fresh random nonce and its bundle path as
// associated data (so files cannot be swapped), and the manifest authenticated with HMAC-SHA256
// (the seal). Files are encrypted as they stream; no plaintext is written anywhere in the bundle.
// Format 2 also hides what the manifest of format 1 showed: each file's plaintext is padded
// before encryption (its exact size is not visible), and the plaintext sizes and SHA-256s are
// kept in one encrypted block of the manifest (entries), readable only with the key.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type CipherGCM, type DecipherGCM } from 'node:crypto';
import { promisify } from 'node:util';
import { badInput } from '../errors.js';
import type { EncryptionInfo } from './format.js';

const scrypt = promisify(scryptCb) as (password: Buffer, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/** "MFAENC01": the first bytes of every encrypted file. */
export const ENC_MAGIC = Buffer.from('MFAENC01', 'ascii');
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const ENC_HEADER_BYTES = ENC_MAGIC.length + NONCE_BYTES;
export const ENC_OVERHEAD = ENC_HEADER_BYTES + TAG_BYTES;

const KEY_CHECK_TEXT = 'mfa-upgrade/backup-bundle key check';
/** scrypt cost: 2^15 x 8 uses 32 MiB and about 0.1 s; stored, so a later version may raise it. */
export const DEFAULT_SCRYPT = { N: 1 << 15, r: 8, p: 1 };
/** A bundle may not make the reader spend more than this on scrypt (a crafted manifest could). */
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

export interface BundleKeys {
  enc: Buffer;
  mac: Buffer;
}

function scryptMemory(N: number, r: number, p: number): number {
  return 128 * N * r + 128 * r * p + 1024 * 1024;
}

export async function newEncryption(passphrase: Buffer, cost = DEFAULT_SCRYPT): Promise<{ info: EncryptionInfo; keys: BundleKeys }> {
  const salt = randomBytes(16);
  const info: Omit<EncryptionInfo, 'keyCheck'> = {
    algorithm: 'aes-256-gcm',
    kdf: { name: 'scrypt', N: cost.N, r: cost.r, p: cost.p, salt: salt.toString('base64'), keyLength: 64 },
  };
  const keys = await deriveKeys(passphrase, info as EncryptionInfo, 'new bundle');
  return { info: { ...info, keyCheck: keyCheckOf(keys) }, keys };
}

/** Derives the keys a manifest's parameters call for, refusing parameters outside sane bounds. */
export async function deriveKeys(passphrase: Buffer, info: EncryptionInfo, target: string): Promise<BundleKeys> {
  const { kdf } = info;
  const ok =
    info.algorithm === 'aes-256-gcm' &&
    kdf?.name === 'scrypt' &&
    Number.isInteger(kdf.N) && kdf.N >= 1024 && (kdf.N & (kdf.N - 1)) === 0 &&
    Number.isInteger(kdf.r) && kdf.r >= 1 && kdf.r <= 32 &&
    Number.isInteger(kdf.p) && kdf.p >= 1 && kdf.p <= 16 &&
    kdf.keyLength === 64 && typeof kdf.salt === 'string' &&
    scryptMemory(kdf.N, kdf.r, kdf.p) <= MAX_SCRYPT_MEMORY;
  const remedy = 'Use an intact copy of the bundle backup wrote (this tool accepts AES-256-GCM with scrypt costing at most 256 MB, and a 16-byte salt).';
  if (!ok) throw badInput('the bundle names encryption parameters this tool does not accept', target, { code: 'BUNDLE_ENCRYPTION', remedy });
  const salt = Buffer.from(kdf.salt, 'base64');
  if (salt.length < 16) throw badInput('the bundle\'s scrypt salt is too short', target, { code: 'BUNDLE_ENCRYPTION', remedy });
  const key = await scrypt(passphrase, salt, 64, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: scryptMemory(kdf.N, kdf.r, kdf.p) + 1024 * 1024 });
  return { enc: key.subarray(0, 32), mac: key.subarray(32) };
}

export function keyCheckOf(keys: BundleKeys): string {
  return createHmac('sha256', keys.mac).update(KEY_CHECK_TEXT).digest('hex');
}

export function hmacHex(keys: BundleKeys, data: Uint8Array): string {
  return createHmac('sha256', keys.mac).update(data).digest('hex');
}

/** Constant-time comparison of two hex strings. */
export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && a.length === x.length * 2 && b.length === y.length * 2 && timingSafeEqual(x, y);
}

/** Starts encrypting one file: returns its header and the cipher (associated data: the stored path). */
export function startEncrypt(keys: BundleKeys, storedPath: string): { header: Buffer; cipher: CipherGCM } {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.enc, nonce);
  cipher.setAAD(Buffer.from(storedPath, 'utf8'));
  return { header: Buffer.concat([ENC_MAGIC, nonce]), cipher };
}

/** Starts decrypting one file from its header and tag; the caller feeds the bytes between them. */
export function startDecrypt(keys: BundleKeys, storedPath: string, header: Buffer, tag: Buffer, target: string): DecipherGCM {
  if (header.length !== ENC_HEADER_BYTES || !header.subarray(0, ENC_MAGIC.length).equals(ENC_MAGIC)) {
    throw badInput('an encrypted file does not start with the bundle\'s header', target, { code: 'BUNDLE_ALTERED' });
  }
  const decipher = createDecipheriv('aes-256-gcm', keys.enc, header.subarray(ENC_MAGIC.length), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(storedPath, 'utf8'));
  decipher.setAuthTag(tag);
  return decipher;
}

/**
 * The padded length of a plaintext of `size` bytes: a multiple of 4 KiB, and of a power of two
 * that grows with the size (Padmé: at most 1/2^5 of the size is padding beyond 4 KiB), so a
 * file's stored size says little about its exact size. Deterministic, so a verifier can check it.
 */
export function paddedSize(size: number): number {
  if (size <= PAD_UNIT) return PAD_UNIT;
  const e = Math.floor(Math.log2(size));
  const s = Math.floor(Math.log2(e)) + 1;
  const lastBits = Math.max(0, e - s);
  const step = Math.max(PAD_UNIT, 2 ** lastBits);
  return Math.ceil(size / step) * step;
}
export const PAD_UNIT = 4096;

const ENTRIES_AAD = Buffer.from('mfa-upgrade/backup-bundle entries', 'utf8');

/** What format 2 keeps out of sight: each file's plaintext size and SHA-256, in the manifest's order. */
export interface SealedEntry {
  size: number;
  sha256: string;
}

/** The entries are bound to the stored paths they describe, in order. */
function entriesAad(stored: string[]): Buffer {
  return Buffer.concat([ENTRIES_AAD, Buffer.from(`\0${stored.join('\0')}`, 'utf8')]);
}

export function sealEntries(keys: BundleKeys, stored: string[], entries: SealedEntry[]): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.enc, nonce);
  cipher.setAAD(entriesAad(stored));
  const body = Buffer.concat([cipher.update(Buffer.from(JSON.stringify(entries), 'utf8')), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

export function openEntries(keys: BundleKeys, sealed: string, stored: string[], target: string): SealedEntry[] {
  const count = stored.length;
  const fail = () => badInput('the manifest\'s encrypted entries were altered or do not belong to it', target, { code: 'BUNDLE_ALTERED', remedy: 'Use an intact copy of the bundle.' });
  const raw = Buffer.from(sealed, 'base64');
  if (raw.length < NONCE_BYTES + TAG_BYTES) throw fail();
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.enc, raw.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(entriesAad(stored));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    plain = Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw fail();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(plain.toString('utf8'));
  } catch {
    throw fail();
  }
  if (!Array.isArray(parsed) || parsed.length !== count) throw fail();
  return parsed.map((e: unknown) => {
    const o = e as Record<string, unknown> | null;
    if (!o || typeof o['size'] !== 'number' || !Number.isSafeInteger(o['size']) || (o['size'] as number) < 0 || typeof o['sha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(o['sha256'] as string)) throw fail();
    return { size: o['size'] as number, sha256: o['sha256'] as string };
  });
}
