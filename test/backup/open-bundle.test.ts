// Opening a bundle (read-bundle.ts): every way a folder, a manifest or a seal can be wrong, each
// named with the words an administrator is shown, and nothing half-used. Manifests are forged
// from a real backup and resealed as anyone could; the expected words are written out here.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paddedSize, type BundleKeys } from '../../lib/backup/crypto.js';
import { openBundle, readStoredBuffer, storedLocalPath, type OpenedBundle, type OpenOptions } from '../../lib/backup/read-bundle.js';
import type { MfaError } from '../../lib/errors.js';
import { backupOf, encryptAs, forgeManifest, shaOf } from './helpers.js';

const PASS = 'a long enough passphrase';
type Json = Record<string, unknown>;

let plainTemplate: Promise<{ bundle: string; cleanup(): void }> | undefined;
let encTemplate: Promise<{ bundle: string; cleanup(): void }> | undefined;
test.after.always(async () => {
  (await plainTemplate)?.cleanup();
  (await encTemplate)?.cleanup();
});

async function copyOf(t: { teardown(fn: () => void): void }, encrypted = false): Promise<string> {
  const { bundle } = await (encrypted ? (encTemplate ??= backupOf('mfa-7.0', { passphrase: PASS })) : (plainTemplate ??= backupOf('mfa-7.0')));
  const root = mkdtempSync(join(tmpdir(), 'mfa-open-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  cpSync(bundle, join(root, 'bundle'), { recursive: true });
  return join(root, 'bundle');
}

/** Edits the manifest as JSON (any shape at all) and reseals it with SHA-256. */
function forgeJson(bundle: string, edit: (m: Json) => void): void {
  forgeManifest(bundle, (m) => edit(m as unknown as Json));
}

const files = (m: Json) => m['files'] as Json[];
const first = (m: Json) => files(m)[0] as Json;

const shapes: Array<[string, (m: Json) => void, string, boolean?]> = [
  ['createdAt missing', (m) => delete m['createdAt'], "'createdAt' is missing"],
  ['host not an object', (m) => (m['host'] = 'MFA01'), "'host' is missing or malformed"],
  ['host without a computer name', (m) => (m['host'] = { os: 'x' }), "'host' is missing or malformed"],
  ['encryption a number', (m) => (m['encryption'] = 5), "'encryption' is malformed"],
  ['encryption a list', (m) => (m['encryption'] = []), "'encryption' is malformed"],
  ['files not a list', (m) => (m['files'] = {}), "'files' is not a list"],
  ['a file that is null', (m) => (files(m)[0] = null as unknown as Json), 'files[0] is not an object'],
  ['a file that is a list', (m) => (files(m)[0] = [] as unknown as Json), 'files[0] is not an object'],
  ['a stored path that is a number', (m) => (first(m)['stored'] = 7), 'files[0].stored is not a string'],
  ['an original that is a number', (m) => (first(m)['original'] = 7), 'files[0].original is not a string or null'],
  ['a negative size', (m) => (first(m)['size'] = -1), 'files[0].size is not a size'],
  ['a fractional size', (m) => (first(m)['size'] = 1.5), 'files[0].size is not a size'],
  ['a size given as text', (m) => (first(m)['size'] = '12'), 'files[0].size is not a size'],
  ['a size beyond 2^53', (m) => (first(m)['size'] = 2 ** 53), 'files[0].size is not a size'],
  ['an upper-case SHA-256', (m) => (first(m)['sha256'] = 'A'.repeat(64)), 'files[0].sha256 is not a SHA-256'],
  ['a short SHA-256', (m) => (first(m)['sha256'] = 'a'.repeat(63)), 'files[0].sha256 is not a SHA-256'],
  ['a SHA-256 with a line break after it', (m) => (first(m)['sha256'] = `${'a'.repeat(64)}\n`), 'files[0].sha256 is not a SHA-256'],
  ['a SHA-256 after other text', (m) => (first(m)['sha256'] = `x${'a'.repeat(64)}`), 'files[0].sha256 is not a SHA-256'],
  ['tags that are not a list', (m) => (first(m)['tags'] = 'data'), 'files[0].tags is not a list of names'],
  ['a tag that is a number', (m) => (first(m)['tags'] = ['data', 3]), 'files[0].tags is not a list of names'],
  ['a stored SHA-256 that is not one', (m) => (first(m)['storedSha256'] = 'x'), 'files[0].storedSha256 is not a SHA-256'],
  ['a stored SHA-256 that is a number', (m) => (first(m)['storedSha256'] = 5), 'files[0].storedSha256 is not a SHA-256'],
  ['a negative stored size', (m) => (first(m)['storedSize'] = -1), 'files[0].storedSize is not a size'],
  ['a stored size given as text', (m) => (first(m)['storedSize'] = '1'), 'files[0].storedSize is not a size'],
  ['a fractional stored size', (m) => (first(m)['storedSize'] = 0.5), 'files[0].storedSize is not a size'],
  ['directories not a list', (m) => (m['directories'] = 'x'), "'directories' is malformed"],
  ['a directory that is a string', (m) => (m['directories'] = ['snapshot/x']), "'directories' is malformed"],
  ['a directory without its original', (m) => (m['directories'] = [{ stored: 'snapshot/x' }]), "'directories' is malformed"],
  ['a directory whose stored path is a number', (m) => (m['directories'] = [{ stored: 1, original: 'C:\\x' }]), "'directories' is malformed"],
  ['a bad directory after good ones', (m) => (m['directories'] as unknown[]).push({ stored: 'snapshot/x' }), "'directories' is malformed"],
  ['groups not a list', (m) => (m['groups'] = {}), "'groups' is malformed"],
  ['a group that is null', (m) => (m['groups'] = [null]), "'groups' is malformed"],
  ['a group without a kind', (m) => (m['groups'] = [{ original: 'C:\\x' }]), "'groups' is malformed"],
  ['a group without an original', (m) => (m['groups'] = [{ kind: 'data' }]), "'groups' is malformed"],
  ['a bad group after good ones', (m) => (m['groups'] as unknown[]).push({ kind: 'data' }), "'groups' is malformed"],
  ['notTaken not a list', (m) => (m['notTaken'] = 'none'), "'notTaken' is not a list"],
  ['warnings not a list', (m) => (m['warnings'] = 'none'), "'warnings' is not a list"],
  // An encrypted bundle of format 2 hides plaintext sizes and hashes, and must say how.
  ['an encrypted manifest without its entries', (m) => delete (m['encryption'] as Json)['entries'], "'encryption' lacks its entries or padding", true],
  ['an encrypted manifest padded another way', (m) => ((m['encryption'] as Json)['padding'] = 'none'), "'encryption' lacks its entries or padding", true],
  ['an encrypted manifest showing a plaintext size', (m) => (first(m)['size'] = 10), 'files[0] shows a plaintext size or hash, which an encrypted bundle of format 2 never does', true],
  ['an encrypted manifest showing a plaintext hash', (m) => (first(m)['sha256'] = 'a'.repeat(64)), 'files[0] shows a plaintext size or hash, which an encrypted bundle of format 2 never does', true],
  ['an encrypted file without its stored size', (m) => delete first(m)['storedSize'], 'files[0] lacks the size or hash of its encrypted bytes', true],
  ['an encrypted file without its stored hash', (m) => delete first(m)['storedSha256'], 'files[0] lacks the size or hash of its encrypted bytes', true],
];

for (const [name, edit, what, encrypted] of shapes) {
  test(`a manifest with ${name} is refused, naming it`, async (t) => {
    const bundle = await copyOf(t, encrypted);
    forgeJson(bundle, edit);
    const e = (await t.throwsAsync(openBundle(bundle))) as MfaError;
    t.is(e.message, `manifest.json: ${what}`);
    t.is(e.code, 'BUNDLE_INVALID');
    t.is(e.exitCode, 3);
    t.is(e.target, join(bundle, 'manifest.json'));
    t.is(e.remedy, 'Use an intact copy of the bundle (verify it with mfa-upgrade verify-backup), or take a new backup.');
  });
}

async function refusal(bundle: string, options: OpenOptions = {}): Promise<MfaError> {
  try {
    await openBundle(bundle, options);
  } catch (e) {
    return e as MfaError;
  }
  throw new Error(`${bundle} opened`);
}

test('what is not a bundle folder: nothing there, a file, a link, an unfinished .partial, no manifest, a manifest that is a folder or implausibly large', async (t) => {
  const bundle = await copyOf(t);
  const root = join(bundle, '..');
  const none = await refusal(join(root, 'absent'));
  t.like(none, { code: 'BUNDLE_NOT_FOUND', message: 'backup bundle not found', exitCode: 3, remedy: 'Pass the folder a backup wrote (mfa-upgrade backup --out <folder>).' });
  writeFileSync(join(root, 'file'), 'x');
  t.like(await refusal(join(root, 'file')), { code: 'BUNDLE_INVALID', message: 'this is a file, not a backup bundle folder', remedy: 'Pass the bundle folder itself.' });
  symlinkSync(bundle, join(root, 'link'));
  t.like(await refusal(join(root, 'link')), { code: 'BUNDLE_INVALID', message: 'the bundle path is a link, not a folder' });
  cpSync(bundle, join(root, 'b.partial'), { recursive: true });
  t.like(await refusal(join(root, 'b.partial')), { code: 'BUNDLE_PARTIAL', message: 'this is an unfinished backup (.partial): it was interrupted and is not a bundle', remedy: 'Delete it and take a new backup.' });
  t.is((await openBundle(join(root, 'b.partial'), { allowPartial: true })).manifest.formatVersion, 2);

  rmSync(join(bundle, 'manifest.json'));
  t.like(await refusal(bundle), { code: 'BUNDLE_NO_MANIFEST', message: 'the bundle has no manifest.json (truncated, or not a backup bundle)' });
  mkdirSync(join(bundle, 'manifest.json'));
  t.like(await refusal(bundle), { code: 'BUNDLE_INVALID', message: 'manifest.json is not a regular file' });
  rmSync(join(bundle, 'manifest.json'), { recursive: true });
  writeFileSync(join(bundle, 'manifest.json'), '');
  truncateSync(join(bundle, 'manifest.json'), 64 * 1024 * 1024 + 1);
  t.like(await refusal(bundle), { code: 'BUNDLE_INVALID', message: 'manifest.json is implausibly large' });
  // 64 MiB itself is the largest read (and these zeros are then no JSON).
  truncateSync(join(bundle, 'manifest.json'), 64 * 1024 * 1024);
  t.like(await refusal(bundle), { code: 'BUNDLE_MANIFEST_DAMAGED' });
});

test('a manifest that is not JSON, not this format, or of no valid or a future version', async (t) => {
  const bundle = await copyOf(t);
  writeFileSync(join(bundle, 'manifest.json'), '{"format": "mfa-upgrade/backup-bundle", "formatVersion": 2, "files": [');
  const damaged = await refusal(bundle);
  t.like(damaged, { code: 'BUNDLE_MANIFEST_DAMAGED', message: 'manifest.json is truncated or damaged (it is not valid JSON)' });
  for (const [value, message] of [
    [{ format: 'other' }, 'manifest.json is not a mfa-upgrade/backup-bundle manifest'],
    [[], 'manifest.json is not a mfa-upgrade/backup-bundle manifest'],
    [{ format: 'mfa-upgrade/backup-bundle', formatVersion: 0 }, "manifest.json has no valid 'formatVersion'"],
    [{ format: 'mfa-upgrade/backup-bundle', formatVersion: 1.5 }, "manifest.json has no valid 'formatVersion'"],
    [{ format: 'mfa-upgrade/backup-bundle', formatVersion: '2' }, "manifest.json has no valid 'formatVersion'"],
  ] as const) {
    writeFileSync(join(bundle, 'manifest.json'), JSON.stringify(value));
    t.like(await refusal(bundle), { code: 'BUNDLE_INVALID', message }, JSON.stringify(value));
  }
  for (const [tool, shown] of [
    [{ version: '9.1.0-beta+7' }, '9.1.0-beta+7'],
    [{ version: 'x; rm -rf /' }, 'a newer version'],
    [{ version: 'x'.repeat(41) }, 'a newer version'],
    ['9.1.0', 'a newer version'],
  ] as const) {
    writeFileSync(join(bundle, 'manifest.json'), JSON.stringify({ format: 'mfa-upgrade/backup-bundle', formatVersion: 3, tool }));
    const e = await refusal(bundle);
    t.like(e, { code: 'BUNDLE_FUTURE_FORMAT', message: `the bundle has format version 3, written by mfa-upgrade ${shown}; this tool reads format version 2 and older`, remedy: `Use mfa-upgrade ${shown} or later to verify or restore this bundle.`, exitCode: 3 });
    t.is(e.target, join(bundle, 'manifest.json'));
  }
});

test('the digest expected is checked first, upper or lower case, before anything else is believed', async (t) => {
  const bundle = await copyOf(t);
  const { digest } = await openBundle(bundle);
  t.regex(digest, /^sha256:[0-9a-f]{64}$/);
  t.true((await openBundle(bundle, { expectDigest: digest })).digestChecked);
  t.false((await openBundle(bundle)).digestChecked);
  t.true((await openBundle(bundle, { expectDigest: digest.toUpperCase().replace('SHA256', 'sha256') })).digestChecked);
  writeFileSync(join(bundle, 'manifest.json'), 'not even JSON');
  const e = await refusal(bundle, { expectDigest: digest });
  t.like(e, { code: 'BUNDLE_DIGEST', message: 'the bundle is not the one backed up: its manifest has another digest than the one expected', exitCode: 3 });
});

test('the seal of a plain bundle: missing, not JSON, of no known algorithm, keyed, or not matching are each named; a passphrase given for it is refused', async (t) => {
  const bundle = await copyOf(t);
  const ok = await openBundle(bundle);
  t.true(ok.sealOk);
  t.is(ok.sealProblem, undefined);
  t.deepEqual(ok.seal, { algorithm: 'sha256', value: shaOf(ok.manifestBytes) });
  t.deepEqual(ok.formatWarnings, []);
  const seal = join(bundle, 'manifest.seal');
  for (const [text, problem] of [
    ['{"algorithm":"sha256"', 'manifest.seal is damaged'],
    ['{"algorithm":"md5","value":"00"}', 'manifest.seal is damaged'],
    ['{"algorithm":"sha256","value":7}', 'manifest.seal is damaged'],
    ['[]', 'manifest.seal is damaged'],
    [JSON.stringify({ algorithm: 'hmac-sha256', value: shaOf(ok.manifestBytes) }), "an unencrypted bundle's seal must be its SHA-256"],
    [JSON.stringify({ algorithm: 'sha256', value: shaOf('other') }), 'manifest.json was altered: it does not match its checksum in manifest.seal'],
  ] as const) {
    writeFileSync(seal, text);
    const b = await openBundle(bundle);
    t.false(b.sealOk, text);
    t.is(b.sealProblem, problem, text);
  }
  rmSync(seal);
  t.is((await openBundle(bundle)).sealProblem, 'manifest.seal is missing');
  for (const options of [{ passphrase: PASS }, { keys: { enc: Buffer.alloc(32), mac: Buffer.alloc(32) } }]) {
    t.like(await refusal(bundle, options), { code: 'BUNDLE_NOT_ENCRYPTED', exitCode: 3 });
  }
});

test('the seal of an encrypted bundle: unchecked without the key, a keyless one refused, a wrong code named; a wrong passphrase refused', async (t) => {
  const bundle = await copyOf(t, true);
  const without = await openBundle(bundle);
  t.is(without.sealOk, undefined);
  t.is(without.sealProblem, undefined);
  t.is(without.keys, undefined);
  t.is(without.manifest.files[0]?.size, undefined, 'the plaintext sizes stay hidden without the key');
  const opened = await openBundle(bundle, { passphrase: PASS });
  t.true(opened.sealOk);
  t.true((opened.manifest.files[0]?.size ?? -1) >= 0);
  t.regex(opened.manifest.files[0]?.sha256 ?? '', /^[0-9a-f]{64}$/);
  const again = await openBundle(bundle, { keys: opened.keys });
  t.true(again.sealOk, 'keys given instead of the passphrase');
  const seal = join(bundle, 'manifest.seal');
  writeFileSync(seal, JSON.stringify({ algorithm: 'sha256', value: shaOf(opened.manifestBytes) }));
  const keyless = await openBundle(bundle, { passphrase: PASS });
  t.false(keyless.sealOk);
  t.is(keyless.sealProblem, "an encrypted bundle's manifest must be sealed with HMAC-SHA256 (a keyless seal anyone can recompute was put in its place)");
  t.is((await openBundle(bundle)).sealProblem, keyless.sealProblem, 'named even without the key');
  writeFileSync(seal, JSON.stringify({ algorithm: 'hmac-sha256', value: 'ab'.repeat(32) }));
  t.is((await openBundle(bundle, { passphrase: PASS })).sealProblem, 'manifest.json was altered: it does not match its authentication code');
  t.like(await refusal(bundle, { passphrase: 'another long passphrase' }), { code: 'BUNDLE_PASSPHRASE', message: "the passphrase is wrong (or the manifest's key check was altered)", exitCode: 3 });
  forgeJson(bundle, (m) => delete (m['encryption'] as Json)['keyCheck']);
  t.like(await refusal(bundle, { passphrase: PASS }), { code: 'BUNDLE_PASSPHRASE', message: "the passphrase is wrong (or the manifest's key check was altered)" }, 'a key check removed');
});

test('a bundle of format 1 opens with the warning of what it lacks, naming the tool that wrote it', async (t) => {
  const bundle = await copyOf(t);
  forgeJson(bundle, (m) => (m['formatVersion'] = 1));
  t.deepEqual((await openBundle(bundle)).formatWarnings, [`This bundle has format 1 (written by mfa-upgrade ${String((await openBundle(bundle)).manifest.tool.version)}); it was checked with the rules of format 2.`]);
  forgeJson(bundle, (m) => delete m['tool']);
  t.deepEqual((await openBundle(bundle)).formatWarnings, ['This bundle has format 1 (written by mfa-upgrade before 0.2); it was checked with the rules of format 2.']);
});

// Reading a stored file: the plaintext exactly, and every way its encrypted bytes can be wrong
// named before (or instead of) anything is trusted.
const WEB = 'snapshot/drive/C/inetpub/wwwroot/MFAPortal/web.config';
const SAMPLE_WEB = readFileSync(join('examples/hosts/mfa-7.0', ...WEB.split('/').slice(1)));

function fileIn(b: OpenedBundle, stored: string) {
  const f = b.manifest.files.find((x) => x.stored === stored);
  if (!f) throw new Error(`${stored} is not in the manifest`);
  return f;
}

async function readRefusal(b: OpenedBundle, stored: string): Promise<MfaError> {
  try {
    await readStoredBuffer(b, fileIn(b, stored));
  } catch (e) {
    return e as MfaError;
  }
  throw new Error(`${stored} was read`);
}

test("a stored file reads back as the host's bytes exactly, plain or decrypted (padding never yielded)", async (t) => {
  const plain = await openBundle(await copyOf(t));
  t.deepEqual(await readStoredBuffer(plain, fileIn(plain, WEB)), SAMPLE_WEB);
  const enc = await openBundle(await copyOf(t, true), { passphrase: PASS });
  t.deepEqual(await readStoredBuffer(enc, fileIn(enc, `${WEB}.enc`)), SAMPLE_WEB);
});

test('an encrypted file longer than one read (1 MiB) with padding after it reads back exactly: the padding is cut where the plaintext ends, across reads', async (t) => {
  const bundle = await copyOf(t, true);
  const b = await openBundle(bundle, { passphrase: PASS });
  const stored = `${WEB}.enc`;
  const big = randomBytes((1 << 20) + 1);
  t.true(paddedSize(big.length) > big.length, 'the case needs padding');
  writeFileSync(join(bundle, ...stored.split('/')), encryptAs(b.keys as BundleKeys, stored, big));
  // What the sealed entries would say of it, given to the opened bundle directly.
  fileIn(b, stored).size = big.length;
  t.deepEqual(await readStoredBuffer(b, fileIn(b, stored)), big);
});

test('an encrypted stored file: without the key, too short, cut, with padding that is not zeros, or moved to another path is refused, naming it', async (t) => {
  const bundle = await copyOf(t, true);
  const stored = `${WEB}.enc`;
  const local = join(bundle, ...stored.split('/'));
  const locked = await openBundle(bundle);
  t.like(await readRefusal(locked, stored), { code: 'BUNDLE_PASSPHRASE_REQUIRED', message: 'the bundle is encrypted: its files cannot be read without the passphrase', exitCode: 3, remedy: 'Pass --passphrase-file with the passphrase the backup was taken with.' });
  const b = await openBundle(bundle, { passphrase: PASS });
  const keys = b.keys as BundleKeys;
  const intact = readFileSync(local);
  const altered = { code: 'BUNDLE_ALTERED', exitCode: 3, remedy: 'Use an intact copy of the bundle.' };
  writeFileSync(local, intact.subarray(0, 20));
  t.like(await readRefusal(b, stored), { ...altered, message: `'${stored}' is too short to be an encrypted file (truncated)` });
  writeFileSync(local, intact.subarray(0, intact.length - 1));
  t.like(await readRefusal(b, stored), { ...altered, message: `'${stored}' does not have the length its padding calls for (truncated or altered)` });
  writeFileSync(local, encryptAs(keys, stored, SAMPLE_WEB, 1));
  t.like(await readRefusal(b, stored), { ...altered, message: `'${stored}' has padding that is not zeros` });
  writeFileSync(local, encryptAs(keys, `${stored}x`, SAMPLE_WEB));
  t.like(await readRefusal(b, stored), { ...altered, message: `'${stored}' fails authentication: it was altered, truncated or swapped` });
  writeFileSync(local, encryptAs(keys, stored, SAMPLE_WEB));
  t.deepEqual(await readStoredBuffer(b, fileIn(b, stored)), SAMPLE_WEB, 'the same bytes encrypted again by the key holder read back');
});

test('a stored path that could leave the bundle, or runs through a link inside it, is never read', async (t) => {
  const bundle = await copyOf(t);
  const b = await openBundle(bundle);
  const e = t.throws(() => storedLocalPath(b, { ...fileIn(b, WEB), stored: 'snapshot/../../etc/passwd' })) as MfaError;
  t.like(e, { code: 'BUNDLE_PATH', message: 'a bundle path climbs out with ".."', exitCode: 3 });
  t.is(e.target, join(bundle, 'manifest.json'));
  // The portal's folder replaced by a link to a copy of it elsewhere.
  const portal = join(bundle, 'snapshot/drive/C/inetpub/wwwroot/MFAPortal');
  const outside = join(bundle, '..', 'elsewhere');
  renameSync(portal, outside);
  symlinkSync(outside, portal);
  const linked = await readRefusal(b, WEB);
  t.like(linked, { code: 'BUNDLE_LINK', message: `'${WEB}' runs through a link inside the bundle`, remedy: 'A bundle holds plain files and folders only: use an intact copy.' });
});
