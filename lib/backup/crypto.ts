// Optional encryption of a bundle: a key from the passphrase with scrypt (parameters stored in the
// manifest), each file AES-256-GCM with a fresh random nonce and its bundle path as associated data
// (so files cannot be swapped), and the manifest authenticated with HMAC-SHA256 (the seal).
// Files are encrypted as they stream; no plaintext is written anywhere in the bundle.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type CipherGCM, type DecipherGCM } from 'node:crypto';
import { promisify } from 'node:util';
import { badInput } from '../errors.js';
import type { EncryptionInfo } from './format.js';

const scrypt = promisify(scryptCb) as (password: string | Buffer, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

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

export async function newEncryption(passphrase: string, cost = DEFAULT_SCRYPT): Promise<{ info: EncryptionInfo; keys: BundleKeys }> {
  const salt = randomBytes(16);
  const info: Omit<EncryptionInfo, 'keyCheck'> = {
    algorithm: 'aes-256-gcm',
    kdf: { name: 'scrypt', N: cost.N, r: cost.r, p: cost.p, salt: salt.toString('base64'), keyLength: 64 },
  };
  const keys = await deriveKeys(passphrase, info as EncryptionInfo, 'new bundle');
  return { info: { ...info, keyCheck: keyCheckOf(keys) }, keys };
}

/** Derives the keys a manifest's parameters call for, refusing parameters outside sane bounds. */
export async function deriveKeys(passphrase: string, info: EncryptionInfo, target: string): Promise<BundleKeys> {
  const { kdf } = info;
  const ok =
    info.algorithm === 'aes-256-gcm' &&
    kdf?.name === 'scrypt' &&
    Number.isInteger(kdf.N) && kdf.N >= 1024 && (kdf.N & (kdf.N - 1)) === 0 &&
    Number.isInteger(kdf.r) && kdf.r >= 1 && kdf.r <= 32 &&
    Number.isInteger(kdf.p) && kdf.p >= 1 && kdf.p <= 16 &&
    kdf.keyLength === 64 && typeof kdf.salt === 'string' &&
    scryptMemory(kdf.N, kdf.r, kdf.p) <= MAX_SCRYPT_MEMORY;
  if (!ok) throw badInput('the bundle names encryption parameters this tool does not accept', target, { code: 'BUNDLE_ENCRYPTION' });
  const salt = Buffer.from(kdf.salt, 'base64');
  if (salt.length < 16) throw badInput('the bundle\'s scrypt salt is too short', target, { code: 'BUNDLE_ENCRYPTION' });
  const key = await scrypt(passphrase.normalize('NFC'), salt, 64, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: scryptMemory(kdf.N, kdf.r, kdf.p) + 1024 * 1024 });
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
