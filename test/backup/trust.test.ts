// Issue 12's backup items, as an attacker tries them: an encrypted bundle's manifest leaks no
// plaintext hash or exact size; a passphrase run refuses a plain bundle (the downgrade); a seal
// that is missing, damaged or replaced by a keyless one is refused; a changed or swapped plain
// bundle fails --expect-digest; passphrases are bytes; format-1 bundles (written by the code
// before this format, kept as fixtures) still verify and restore, with a warning.
import test from 'ava';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreSpec, verifyBackupSpec } from '../../lib/cli/commands/backup.spec.js';
import { ENC_OVERHEAD, PAD_UNIT, paddedSize } from '../../lib/backup/crypto.js';
import { Passphrase, readPassphraseFile } from '../../lib/backup/passphrase.js';
import type { ManifestFile } from '../../lib/backup/format.js';
import { restoreBundle } from '../../lib/backup/restore.js';
import { verifyBundle } from '../../lib/backup/verify.js';
import { MfaError } from '../../lib/errors.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { treeHash } from '../helpers/tree-hash.js';
import { backupOf, forgeManifest, runCommand, shaOf } from './helpers.js';

const PASS = 'correct horse battery staple';

function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...allFiles(p));
    else out.push(p);
  }
  return out;
}

test('an encrypted bundle shows no plaintext hash and no exact size of any file, anywhere in it', async (t) => {
  const ws = await backupOf('phonefactor-5.2', { passphrase: PASS });
  try {
    const manifestText = readFileSync(join(ws.bundle, 'manifest.json'), 'utf8');
    const m = JSON.parse(manifestText) as { formatVersion: number; files: Array<Record<string, unknown>>; encryption: Record<string, unknown> };
    t.is(m.formatVersion, 2);
    t.is(m.encryption['padding'], 'padme-4k');
    const everything = Buffer.concat(allFiles(ws.bundle).map((p) => readFileSync(p)));
    const image = await openImageHost(ws.host);
    let checked = 0;
    for (const f of m.files) {
      t.false('sha256' in f || 'size' in f, String(f['stored']));
      const storedSize = f['storedSize'] as number;
      t.is((storedSize - ENC_OVERHEAD) % PAD_UNIT, 0, 'padded to a multiple of 4 KiB');
      if (f['original'] === null) continue;
      const plain = readFileSync(image.paths.local(f['original'] as string));
      // The oracle: the hashes an offline guesser would compare against, computed from the machine.
      t.false(everything.includes(Buffer.from(shaOf(plain))), `plaintext SHA-256 of ${String(f['original'])} is in the bundle`);
      t.false(manifestText.includes(String(plain.length)) && storedSize - ENC_OVERHEAD === plain.length);
      t.is(storedSize, ENC_OVERHEAD + paddedSize(plain.length));
      checked++;
    }
    t.true(checked > 10);
    // With the passphrase, everything still verifies and restores to the exact bytes.
    const { report } = await verifyBundle(ws.bundle, { passphrase: PASS });
    t.true(report.ok && report.authenticated, JSON.stringify(report.problems));
  } finally {
    ws.cleanup();
  }
});

test('padding: deterministic, at least the size, 4 KiB steps, at most ~6% beyond 64 KiB', (t) => {
  let prev = 0;
  for (const n of [0, 1, 4095, 4096, 4097, 65_536, 1_000_000, 123_456_789, 2 ** 30]) {
    const p = paddedSize(n);
    t.true(p >= n && p >= prev && p % PAD_UNIT === 0, String(n));
    if (n > 65_536) t.true(p - n <= n / 16, `${n} -> ${p}`);
    prev = p;
  }
});

test('downgrade: a passphrase run refuses a bundle that is not encrypted (verify, restore), changing nothing', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const passFile = join(ws.root, 'pass.txt');
    writeFileSync(passFile, PASS);
    const before = treeHash(ws.root);
    for (const [spec, argv] of [[verifyBackupSpec, [ws.bundle]], [restoreSpec, [ws.bundle, '--host', ws.host, '--include', 'web,themes']]] as const) {
      const r = await runCommand(spec, [...argv, '--passphrase-file', passFile, '--json']);
      t.is(r.code, 3);
      const err = r.events.find((e) => e['type'] === 'error');
      t.is(err?.['code'], 'BUNDLE_NOT_ENCRYPTED');
      t.regex(String(err?.['message']), /not encrypted/);
    }
    t.deepEqual(treeHash(ws.root), before);
  } finally {
    ws.cleanup();
  }
});

test('an encrypted bundle swapped for a plain forgery (re-sealed with SHA-256) is refused with the passphrase and fails --expect-digest without it', async (t) => {
  const enc = await backupOf('mfa-7.0', { passphrase: PASS });
  const plain = await backupOf('mfa-7.0');
  try {
    const digest = enc.result.digest;
    // The forgery: a plain bundle whose data file says something else, re-sealed.
    const dataStored = 'snapshot/drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata';
    writeFileSync(join(plain.bundle, ...dataStored.split('/')), 'forged');
    forgeManifest(plain.bundle, (m) => {
      const f = m.files.find((x) => x.stored === dataStored) as ManifestFile;
      f.size = 6;
      f.sha256 = shaOf('forged');
    });
    rmSync(enc.bundle, { recursive: true });
    cpSync(plain.bundle, enc.bundle, { recursive: true });
    const passFile = join(enc.root, 'pass.txt');
    writeFileSync(passFile, `${PASS}\n`);
    const before = treeHash(enc.host);
    const a = await runCommand(restoreSpec, [enc.bundle, '--host', enc.host, '--passphrase-file', passFile, '--json']);
    t.is(a.events.find((e) => e['type'] === 'error')?.['code'], 'BUNDLE_NOT_ENCRYPTED');
    const b = await runCommand(restoreSpec, [enc.bundle, '--host', enc.host, '--expect-digest', digest, '--json']);
    t.is(b.code, 3);
    t.is(b.events.find((e) => e['type'] === 'error')?.['code'], 'BUNDLE_DIGEST');
    t.deepEqual(treeHash(enc.host), before);
    // Without either, the forgery verifies: the run says loudly that it is not authenticated.
    const c = await runCommand(verifyBackupSpec, [enc.bundle, '--json']);
    t.is(c.code, 0);
    t.true(c.events.some((e) => e['type'] === 'log' && /Digest sha256:/.test(String(e['message']))));
    const d = await restoreBundle(await openImageHost(enc.host), enc.bundle, { whatIf: true });
    t.false(d.authenticated);
    t.true(d.warnings.some((w) => /not encrypted and no --expect-digest/.test(w)));
  } finally {
    enc.cleanup();
    plain.cleanup();
  }
});

test('--expect-digest: the digest backup printed accepts the bundle; any change to it is refused', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const digest = ws.result.digest;
    t.regex(digest, /^sha256:[0-9a-f]{64}$/);
    t.is(digest, `sha256:${shaOf(readFileSync(join(ws.bundle, 'manifest.json')))}`);
    const ok = await runCommand(verifyBackupSpec, [ws.bundle, '--expect-digest', digest.toUpperCase().replace('SHA256:', ''), '--json']);
    t.is(ok.code, 0);
    const r = await restoreBundle(await openImageHost(ws.host), ws.bundle, { expectDigest: digest });
    t.true(r.authenticated);
    t.deepEqual(r.warnings, []);
    forgeManifest(ws.bundle, (m) => {
      m.role = 'master';
    });
    const bad = await runCommand(verifyBackupSpec, [ws.bundle, '--expect-digest', digest, '--json']);
    t.is(bad.code, 3);
    t.is(bad.events.find((e) => e['type'] === 'error')?.['code'], 'BUNDLE_DIGEST');
    const usage = await runCommand(verifyBackupSpec, [ws.bundle, '--expect-digest', 'sha256:1234', '--json']);
    t.is(usage.code, 2);
  } finally {
    ws.cleanup();
  }
});

for (const [name, sealWith] of [
  ['missing', undefined],
  ['damaged', '{"algorithm":"hmac-sha256","val'],
  ['replaced by a keyless SHA-256 seal', 'keyless'],
] as const) {
  test(`an encrypted bundle with an edited manifest and its seal ${name} is refused`, async (t) => {
    const ws = await backupOf('mfa-7.0', { passphrase: PASS });
    try {
      const mpath = join(ws.bundle, 'manifest.json');
      const m = JSON.parse(readFileSync(mpath, 'utf8')) as Record<string, unknown>;
      m['role'] = 'master';
      (m['warnings'] as string[]).push('edited');
      const bytes = Buffer.from(JSON.stringify(m, null, 2));
      writeFileSync(mpath, bytes);
      const seal = join(ws.bundle, 'manifest.seal');
      if (sealWith === undefined) rmSync(seal);
      else writeFileSync(seal, sealWith === 'keyless' ? JSON.stringify({ algorithm: 'sha256', value: shaOf(bytes) }) : sealWith);
      for (const passphrase of [PASS, undefined]) {
        const { report } = await verifyBundle(ws.bundle, passphrase === undefined ? {} : { passphrase });
        t.false(report.ok, `verify ${passphrase ? 'with' : 'without'} the passphrase`);
        t.false(report.authenticated);
        t.true(report.problems.some((p) => p.path === 'manifest.json' && p.kind === 'altered'));
      }
      const passFile = join(ws.root, 'pass.txt');
      writeFileSync(passFile, PASS);
      const before = treeHash(ws.host);
      const r = await runCommand(restoreSpec, [ws.bundle, '--host', ws.host, '--passphrase-file', passFile, '--json']);
      t.is(r.code, 3);
      t.is(r.events.find((e) => e['type'] === 'error')?.['code'], 'BUNDLE_VERIFY_FAILED');
      t.deepEqual(treeHash(ws.host), before);
    } finally {
      ws.cleanup();
    }
  });
}

test('passphrase files are bytes: strict UTF-8, 1 KiB, NFC, one trailing line ending, BOM stripped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-pass-'));
  try {
    const write = (name: string, bytes: Buffer | string) => {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    };
    const key = async (name: string, bytes: Buffer | string) => (await readPassphraseFile(write(name, bytes))).material(2).toString('hex');
    const base = Buffer.from(PASS, 'utf8').toString('hex');
    t.is(await key('lf', `${PASS}\n`), base);
    t.is(await key('crlf', `${PASS}\r\n`), base);
    t.is(await key('bom', `\uFEFF${PASS}`), base);
    t.not(await key('two', `${PASS}\n\n`), base, 'only one line ending is dropped');
    t.not(await key('space', `${PASS} `), base, 'spaces are part of the passphrase');
    // NFC: the decomposed é and the composed é are one passphrase.
    t.is(await key('nfd', 'caf\u0065\u0301 au lait'), await key('nfc', 'caf\u00e9 au lait'));
    // Invalid UTF-8 is refused, where decoding with replacement made two files one passphrase.
    for (const bad of [Buffer.from([0x61, 0x62, 0xff, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68]), Buffer.from([0x61, 0xc3]), Buffer.from([0xed, 0xa0, 0x80, 0x61])]) {
      const e = await t.throwsAsync(async () => (await readPassphraseFile(write('bad', bad))).material(2), { instanceOf: MfaError });
      t.is(e?.code, 'PASSPHRASE_FILE');
      t.regex(e?.message ?? '', /not valid UTF-8/);
      t.is(e?.exitCode, 3);
    }
    const long = await t.throwsAsync(async () => (await readPassphraseFile(write('long', 'x'.repeat(1025)))).material(2), { instanceOf: MfaError });
    t.regex(long?.message ?? '', /longer than 1024 bytes/);
    t.is(await key('max', 'x'.repeat(1024)), Buffer.from('x'.repeat(1024)).toString('hex'));
    const empty = await t.throwsAsync(async () => (await readPassphraseFile(write('empty', '\r\n'))).material(2), { instanceOf: MfaError });
    t.regex(empty?.message ?? '', /empty/);
    t.throws(() => Passphrase.fromText('short').forNewBundle('x'), { message: /shorter than 8/ });
    await t.throwsAsync(readPassphraseFile(join(dir, 'nope')), { instanceOf: MfaError, code: 'PASSPHRASE_FILE' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--passphrase-file /dev/zero is refused after reading a bounded amount', async (t) => {
  if (process.platform === 'win32') return t.pass();
  const p = await readPassphraseFile('/dev/zero');
  t.throws(() => p.material(2), { message: /longer than 1024 bytes/ });
  t.throws(() => p.material(1), { message: /no line break in its first 64 KiB/ });
});

// Format-1 bundles, written by the code before format 2 (test/fixtures/backup-v1, README there).
const V1 = 'test/fixtures/backup-v1';
function v1Copy(): { root: string; host: string; plain: string; encrypted: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'mfa-v1-'));
  for (const d of ['host', 'v1-plain', 'v1-encrypted']) cpSync(join(V1, d), join(root, d), { recursive: true });
  return { root, host: join(root, 'host'), plain: join(root, 'v1-plain'), encrypted: join(root, 'v1-encrypted'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

test('a format-1 encrypted bundle verifies and restores with the old passphrase rule (the first line), warning what it lacks', async (t) => {
  const ws = v1Copy();
  try {
    const passFile = join(ws.root, 'pass.txt');
    writeFileSync(passFile, `${PASS}\nnotes the old rule ignored\n`);
    const v = await runCommand(verifyBackupSpec, [ws.encrypted, '--passphrase-file', passFile, '--json']);
    t.is(v.code, 0, v.stdout);
    const report = v.events.find((e) => e['type'] === 'object')?.['data'] as { ok: boolean; authenticated: boolean; formatVersion: number };
    t.true(report.ok && report.authenticated);
    t.is(report.formatVersion, 1);
    t.true(v.events.some((e) => e['type'] === 'log' && e['level'] === 'warning' && /format 1: its manifest shows each file's plaintext SHA-256 and exact size/.test(String(e['message'])) && /first line/.test(String(e['message']))));
    const data = join(ws.host, 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata');
    const original = readFileSync(data);
    writeFileSync(data, 'damaged since');
    const r = await runCommand(restoreSpec, [ws.encrypted, '--host', ws.host, '--passphrase-file', passFile, '--json']);
    t.is(r.code, 0, r.stdout);
    t.true(readFileSync(data).equals(original));
  } finally {
    ws.cleanup();
  }
});

test('a format-1 plain bundle verifies and restores, with a warning', async (t) => {
  const ws = v1Copy();
  try {
    const v = await runCommand(verifyBackupSpec, [ws.plain, '--json']);
    t.is(v.code, 0, v.stdout);
    t.true(v.events.some((e) => e['type'] === 'log' && e['level'] === 'warning' && /format 1/.test(String(e['message']))));
    const data = join(ws.host, 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata');
    const original = readFileSync(data);
    writeFileSync(data, 'x');
    const r = await restoreBundle(await openImageHost(ws.host), ws.plain, {});
    t.is(r.filesRestored, 1);
    t.true(readFileSync(data).equals(original));
    t.true(statSync(data).size > 0);
  } finally {
    ws.cleanup();
  }
});
