// The bundle's cryptography, checked against Node's primitives called here directly and against
// values pinned from the format (a bundle written today must open in every later version): the
// scrypt bounds a crafted manifest cannot exceed, the key split, the key check, constant-time hex
// comparison, per-file AES-GCM bound to its stored path, the sealed entries and Padmé padding.
import test from 'ava';
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scryptSync } from 'node:crypto';
import {
  ENC_HEADER_BYTES,
  ENC_MAGIC,
  ENC_OVERHEAD,
  NONCE_BYTES,
  PAD_UNIT,
  TAG_BYTES,
  deriveKeys,
  hmacHex,
  keyCheckOf,
  newEncryption,
  openEntries,
  paddedSize,
  sameHex,
  sealEntries,
  startDecrypt,
  startEncrypt,
  type BundleKeys,
} from '../../lib/backup/crypto.js';
import type { EncryptionInfo } from '../../lib/backup/format.js';
import { MfaError } from '../../lib/errors.js';

const PASS = Buffer.from('correct horse battery staple', 'utf8');
const SALT = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const CHEAP = { N: 1024, r: 8, p: 1 };

const info = (kdf: Partial<EncryptionInfo['kdf']> = {}, algorithm = 'aes-256-gcm'): EncryptionInfo =>
  ({ algorithm, kdf: { name: 'scrypt', ...CHEAP, salt: SALT.toString('base64'), keyLength: 64, ...kdf }, keyCheck: '' }) as EncryptionInfo;

async function refused(t: { is(a: unknown, b: unknown, m?: string): void; fail(m: string): void }, kdf: Partial<EncryptionInfo['kdf']> | Record<string, unknown>, message: RegExp, algorithm?: string): Promise<void> {
  try {
    await deriveKeys(PASS, info(kdf as Partial<EncryptionInfo['kdf']>, algorithm), 'C:\\b\\manifest.json');
    t.fail(`accepted ${JSON.stringify(kdf)} ${algorithm ?? ''}`);
  } catch (e) {
    t.is((e as MfaError).code, 'BUNDLE_ENCRYPTION', JSON.stringify(kdf));
    t.is((e as MfaError).target, 'C:\\b\\manifest.json');
    t.is(message.test((e as Error).message), true, (e as Error).message);
  }
}

test('the keys are scrypt(passphrase, salt, 64 bytes): the first 32 encrypt, the last 32 authenticate', async (t) => {
  const want = scryptSync(PASS, SALT, 64, CHEAP);
  const keys = await deriveKeys(PASS, info(), 'x');
  t.deepEqual(keys.enc, want.subarray(0, 32));
  t.deepEqual(keys.mac, want.subarray(32));
  const other = await deriveKeys(PASS, info({ N: 2048 }), 'x');
  t.deepEqual(Buffer.concat([other.enc, other.mac]), scryptSync(PASS, SALT, 64, { ...CHEAP, N: 2048 }), 'the stored cost is the one used');
});

test('the key check and the manifest seal are HMAC-SHA256 under the MAC key; the key check text is part of the format (pinned)', async (t) => {
  const keys = await deriveKeys(PASS, info(), 'x');
  t.is(keyCheckOf(keys), createHmac('sha256', keys.mac).update('mfa-upgrade/backup-bundle key check').digest('hex'));
  // Pinned (scrypt N 1024, r 8, p 1 of this passphrase and salt): a change here makes every
  // bundle taken so far refuse its own passphrase.
  t.is(keyCheckOf(keys), PINNED_KEY_CHECK);
  t.is(hmacHex(keys, Buffer.from('{"a":1}')), createHmac('sha256', keys.mac).update('{"a":1}').digest('hex'));
  t.not(hmacHex(keys, Buffer.from('{"a":1}')), createHmac('sha256', keys.enc).update('{"a":1}').digest('hex'), 'the MAC key, not the encryption key');
});
const PINNED_KEY_CHECK = '7720277e8fe168a05b286081982216eca2207d7cde1c063aa9f12c3047768bb7';

test('scrypt parameters a crafted manifest could use to stall or exhaust the reader are refused, each bound at its edge', async (t) => {
  await refused(t, { N: 512 }, /encryption parameters this tool does not accept/);
  await refused(t, { N: 3072 }, /does not accept/); // not a power of two
  await refused(t, { N: 1024.5 }, /does not accept/);
  await refused(t, { r: 0 }, /does not accept/);
  await refused(t, { r: 33 }, /does not accept/);
  await refused(t, { r: 1.5 }, /does not accept/);
  await refused(t, { p: 0 }, /does not accept/);
  await refused(t, { p: 17 }, /does not accept/);
  await refused(t, { p: 2.5 }, /does not accept/);
  await refused(t, { keyLength: 32 as 64 }, /does not accept/);
  await refused(t, { salt: 12 as unknown as string }, /does not accept/);
  await refused(t, { name: 'pbkdf2' as 'scrypt' }, /does not accept/);
  await refused(t, {}, /does not accept/, 'aes-128-gcm');
  const noKdf = (await t.throwsAsync(deriveKeys(PASS, { algorithm: 'aes-256-gcm', keyCheck: '' } as unknown as EncryptionInfo, 't'))) as MfaError;
  t.is(noKdf.code, 'BUNDLE_ENCRYPTION', 'a manifest naming no key derivation at all');
  // 128 x 2^18 x 8 bytes is 256 MiB before scrypt's own overhead: over the 256 MB the tool allows.
  await refused(t, { N: 1 << 18, r: 8 }, /does not accept/);
  await refused(t, { salt: SALT.subarray(0, 15).toString('base64') }, /salt is too short/);
  // At each edge, accepted.
  for (const kdf of [{ N: 1024 }, { r: 1 }, { r: 32 }, { p: 1 }, { p: 16 }, { N: 1 << 16, r: 8 }]) {
    const keys = await deriveKeys(PASS, info(kdf), 'x');
    t.deepEqual(Buffer.concat([keys.enc, keys.mac]), scryptSync(PASS, SALT, 64, { ...CHEAP, ...kdf, maxmem: 512 * 1024 * 1024 }), JSON.stringify(kdf));
  }
});

test('a new encryption: a fresh 16-byte salt each time, the default cost stored, and a key check its own keys reproduce', async (t) => {
  const a = await newEncryption(PASS, CHEAP);
  const b = await newEncryption(PASS, CHEAP);
  t.is(a.info.algorithm, 'aes-256-gcm');
  t.deepEqual({ ...a.info.kdf, salt: '' }, { name: 'scrypt', N: 1024, r: 8, p: 1, salt: '', keyLength: 64 });
  t.is(Buffer.from(a.info.kdf.salt, 'base64').length, 16);
  t.not(a.info.kdf.salt, b.info.kdf.salt);
  t.is(a.info.keyCheck, keyCheckOf(a.keys));
  const again = await deriveKeys(PASS, a.info, 'x');
  t.deepEqual(again, a.keys);
  t.deepEqual(Buffer.concat([a.keys.enc, a.keys.mac]), scryptSync(PASS, Buffer.from(a.info.kdf.salt, 'base64'), 64, CHEAP));
  const dflt = await newEncryption(PASS);
  t.deepEqual([dflt.info.kdf.N, dflt.info.kdf.r, dflt.info.kdf.p], [1 << 15, 8, 1]);
});

test('sameHex: equal hex is equal in either case; anything else (other value, other length, empty, not hex, trailing junk) is not', (t) => {
  const h = 'a1b2c3d4';
  t.true(sameHex(h, 'a1b2c3d4'));
  t.true(sameHex(h, 'A1B2C3D4'));
  t.false(sameHex(h, 'a1b2c3d5'));
  t.false(sameHex(h, 'a1b2c3'));
  t.false(sameHex(h, 'a1b2c3d4a1'));
  t.false(sameHex('', ''));
  t.false(sameHex('zz', 'zz'), 'not hex: both decode to nothing');
  t.false(sameHex(`${h}zz`, h), 'trailing junk that Buffer.from would drop');
  t.false(sameHex(h, `${h}z`));
  t.false(sameHex('a1b', 'a1b'), 'an odd length');
});

const keysOf = (): BundleKeys => ({ enc: randomBytes(32), mac: randomBytes(32) });

function encrypt(keys: BundleKeys, stored: string, plain: Buffer): { header: Buffer; body: Buffer; tag: Buffer } {
  const { header, cipher } = startEncrypt(keys, stored);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { header, body, tag: cipher.getAuthTag() };
}

test('a file is AES-256-GCM under the encryption key with a fresh nonce after the MFAENC01 magic, its stored path as associated data', (t) => {
  const keys = keysOf();
  const plain = Buffer.from('<configuration/>');
  const a = encrypt(keys, 'snapshot/x', plain);
  const b = encrypt(keys, 'snapshot/x', plain);
  t.is(ENC_HEADER_BYTES, 8 + 12);
  t.is(ENC_OVERHEAD, 8 + 12 + 16);
  t.deepEqual(a.header.subarray(0, 8), Buffer.from('MFAENC01'));
  t.deepEqual(ENC_MAGIC, Buffer.from('MFAENC01'));
  t.is(a.header.length, ENC_HEADER_BYTES);
  t.is(a.tag.length, TAG_BYTES);
  t.notDeepEqual(a.header, b.header, 'a fresh nonce for every file');
  // The oracle: Node's own GCM with the nonce from the header and the path as AAD.
  const check = createCipheriv('aes-256-gcm', keys.enc, a.header.subarray(8));
  check.setAAD(Buffer.from('snapshot/x'));
  t.deepEqual(Buffer.concat([check.update(plain), check.final()]), a.body);
  t.deepEqual(check.getAuthTag(), a.tag);

  const d = startDecrypt(keys, 'snapshot/x', a.header, a.tag, 't');
  t.deepEqual(Buffer.concat([d.update(a.body), d.final()]), plain);
  const moved = startDecrypt(keys, 'snapshot/y', a.header, a.tag, 't');
  moved.update(a.body);
  t.throws(() => moved.final(), undefined, 'a file moved to another stored path fails authentication');
});

test('a file that does not start with the header is refused before any decryption, naming the file', (t) => {
  const keys = keysOf();
  const a = encrypt(keys, 's', Buffer.from('x'));
  const wrongMagic = Buffer.from(a.header);
  wrongMagic[0] = 0x4e;
  for (const header of [wrongMagic, a.header.subarray(0, ENC_HEADER_BYTES - 1), Buffer.concat([a.header, Buffer.alloc(1)])]) {
    const e = t.throws(() => startDecrypt(keys, 's', header, a.tag, 'C:\\b\\snapshot\\s')) as MfaError;
    t.is(e.code, 'BUNDLE_ALTERED');
    t.is(e.target, 'C:\\b\\snapshot\\s');
    t.regex(e.message, /does not start with the bundle's header/);
  }
});

test('the sealed entries: nonce | GCM body | tag in base64, bound to the stored paths in order; anything else is BUNDLE_ALTERED', (t) => {
  const keys = keysOf();
  const stored = ['snapshot/a', 'snapshot/b'];
  const entries = [
    { size: 0, sha256: '0'.repeat(64) },
    { size: 12, sha256: 'f'.repeat(64) },
  ];
  const sealed = sealEntries(keys, stored, entries);
  t.deepEqual(openEntries(keys, sealed, stored, 't'), entries);
  // The oracle: decrypt with Node's GCM and the associated data the format defines.
  const raw = Buffer.from(sealed, 'base64');
  const d = createDecipheriv('aes-256-gcm', keys.enc, raw.subarray(0, NONCE_BYTES));
  d.setAAD(Buffer.from('mfa-upgrade/backup-bundle entries\0snapshot/a\0snapshot/b'));
  d.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  t.deepEqual(JSON.parse(Buffer.concat([d.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), d.final()]).toString()), entries);

  const altered = (s: string, paths: string[], k = keys) => {
    const e = t.throws(() => openEntries(k, s, paths, 'C:\\b\\manifest.json')) as MfaError;
    t.is(e.code, 'BUNDLE_ALTERED');
    t.is(e.target, 'C:\\b\\manifest.json');
    t.regex(e.message, /encrypted entries were altered or do not belong to it/);
  };
  altered(sealed, ['snapshot/b', 'snapshot/a']);
  altered(sealed, ['snapshot/a']);
  altered(sealed, ['snapshot/a', 'snapshot/b', 'snapshot/c']);
  altered(sealed, stored, keysOf());
  altered(raw.subarray(0, NONCE_BYTES + TAG_BYTES - 1).toString('base64'), stored);
  const flipped = Buffer.from(raw);
  flipped[NONCE_BYTES] = (flipped[NONCE_BYTES] as number) ^ 1;
  altered(flipped.toString('base64'), stored);
});

/** Seals arbitrary text the way sealEntries does, to hand openEntries well-authenticated nonsense. */
function sealText(keys: BundleKeys, stored: string[], text: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const c = createCipheriv('aes-256-gcm', keys.enc, nonce);
  c.setAAD(Buffer.from(`mfa-upgrade/backup-bundle entries\0${stored.join('\0')}`));
  const body = Buffer.concat([c.update(text), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]).toString('base64');
}

test('authentic entries that are not what the format says (not JSON, not a list, the wrong count, a bad size or hash) are refused too', (t) => {
  const keys = keysOf();
  const stored = ['snapshot/a'];
  const good = { size: 3, sha256: 'a'.repeat(64) };
  t.deepEqual(openEntries(keys, sealText(keys, stored, JSON.stringify([good])), stored, 't'), [good]);
  t.deepEqual(openEntries(keys, sealText(keys, [], '[]'), [], 't'), []);
  for (const text of [
    'not json',
    '{"size":3}',
    '[]',
    JSON.stringify([good, good]),
    JSON.stringify([null]),
    JSON.stringify([{ ...good, size: -1 }]),
    JSON.stringify([{ ...good, size: 1.5 }]),
    JSON.stringify([{ ...good, size: '3' }]),
    JSON.stringify([{ ...good, size: 2 ** 53 }]),
    JSON.stringify([{ ...good, sha256: 'A'.repeat(64) }]),
    JSON.stringify([{ ...good, sha256: 'a'.repeat(63) }]),
    JSON.stringify([{ ...good, sha256: `${'a'.repeat(64)}\n` }]),
    JSON.stringify([{ ...good, sha256: `x${'a'.repeat(64)}` }]),
    JSON.stringify([{ ...good, sha256: 7 }]),
  ]) {
    const e = t.throws(() => openEntries(keys, sealText(keys, stored, text), stored, 't'), undefined, text) as MfaError;
    t.is(e.code, 'BUNDLE_ALTERED', text);
  }
});

test('Padmé padding to 4 KiB: hand-computed values, never smaller than the file, a multiple of 4 KiB, and at most 1/32 of the size beyond 4 KiB', (t) => {
  t.is(PAD_UNIT, 4096);
  // By hand: E = floor(log2 n), S = floor(log2 E) + 1, step = max(4096, 2^(E - S)).
  const hand: Array<[number, number]> = [
    [0, 4096],
    [1, 4096],
    [4096, 4096],
    [4097, 8192],
    [8191, 8192],
    [65_536, 65_536], // E 16, S 5, step 2^11: 4 KiB
    [65_537, 69_632],
    [1_000_000, 1_015_808], // E 19, S 5, step 2^14: 62 steps
    [1_048_576, 1_048_576],
    [1_048_577, 1_081_344], // E 20, S 5, step 2^15
    [4_294_967_297, 4_362_076_160], // E 32, S 6, step 2^26
  ];
  for (const [n, want] of hand) t.is(paddedSize(n), want, String(n));
  let previous = 0;
  for (let i = 0; i < 4000; i++) {
    const n = i < 2000 ? i * 37 : Math.floor(Math.exp(Math.random() * Math.log(2 ** 40)));
    const p = paddedSize(n);
    t.true(p >= n && p % 4096 === 0 && p - n <= Math.max(4096, n / 32), `${n} -> ${p}`);
    if (i < 2000) {
      t.true(p >= previous, `monotonic at ${n}`);
      previous = p;
    }
  }
  // What it hides: every size from 1 MiB to 2 MiB pads to 1 MiB or one of the 32 steps of 32 KiB above it.
  const lengths = new Set<number>();
  for (let n = 1 << 20; n < 1 << 21; n += 997) lengths.add(paddedSize(n));
  t.true(lengths.size <= 33, String(lengths.size));
});
