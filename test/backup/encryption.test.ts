// Encrypted bundles: AES-256-GCM per file with a fresh nonce, key from scrypt with the parameters
// in the manifest, the manifest authenticated; no plaintext anywhere in the bundle; a wrong
// passphrase, an altered byte, swapped files and an altered manifest are each caught.
import test from 'ava';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { restoreSpec, verifyBackupSpec, backupSpec } from '../../lib/cli/commands/backup.spec.js';
import { ENC_MAGIC, ENC_HEADER_BYTES } from '../../lib/backup/crypto.js';
import type { Manifest } from '../../lib/backup/format.js';
import { restoreBundle } from '../../lib/backup/restore.js';
import { verifyBundle } from '../../lib/backup/verify.js';
import { MfaError } from '../../lib/errors.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { takeInventory } from '../../lib/inventory/take-inventory.js';
import { extractSnapshot } from '../../lib/backup/extract.js';
import { treeHash } from '../helpers/tree-hash.js';
import { backupOf, manifestOf, runCommand, workspace } from './helpers.js';

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

test('an encrypted bundle holds no plaintext: every stored file is ciphertext with its own nonce', async (t) => {
  const ws = await backupOf('phonefactor-5.2', { passphrase: PASS });
  try {
    const m = manifestOf(ws.bundle);
    t.is(m.encryption?.algorithm, 'aes-256-gcm');
    t.is(m.encryption?.kdf.name, 'scrypt');
    t.true((m.encryption?.kdf.N ?? 0) >= 4096);
    t.is(Buffer.from(m.encryption?.kdf.salt ?? '', 'base64').length, 16);
    const nonces = new Set<string>();
    const secrets = ['Winter2014!sdk', 'WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD', 'InstallPath', 'Contoso'];
    const dataSample = readFileSync('examples/hosts/phonefactor-5.2/drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata').subarray(100_000, 100_064);
    for (const f of m.files) {
      t.true(f.stored.endsWith('.enc'), f.stored);
      const bytes = readFileSync(join(ws.bundle, ...f.stored.split('/')));
      t.true(bytes.subarray(0, ENC_MAGIC.length).equals(ENC_MAGIC));
      nonces.add(bytes.subarray(ENC_MAGIC.length, ENC_HEADER_BYTES).toString('hex'));
      t.is(bytes.length, f.storedSize as number);
      t.is(createHash("sha256").update(bytes).digest("hex"), f.storedSha256 as string);
    }
    t.is(nonces.size, m.files.length, 'a fresh nonce per file');
    for (const path of allFiles(ws.bundle).filter((p) => !p.endsWith('manifest.json') && !p.endsWith('manifest.seal'))) {
      const bytes = readFileSync(path);
      for (const s of secrets) t.false(bytes.includes(Buffer.from(s)), `${s} in ${path}`);
      t.false(bytes.includes(dataSample), `data file bytes in ${path}`);
    }
    // The snapshot of an encrypted bundle shows nothing as it lies; extracted with the passphrase,
    // it is the machine again.
    t.is((await takeInventory(await openImageHost(join(ws.bundle, 'snapshot')))).server, null);
    const extracted = await extractSnapshot(ws.bundle, join(ws.root, 'rehearsal'), { passphrase: PASS });
    const a = await takeInventory(await openImageHost(extracted));
    const b = await takeInventory(await openImageHost(ws.host));
    t.deepEqual({ ...a, host: { ...a.host, location: '-' } }, { ...b, host: { ...b.host, location: '-' } });
  } finally {
    ws.cleanup();
  }
});

test('verify with the passphrase decrypts, authenticates and re-hashes everything; without it, checks the ciphertext and says so', async (t) => {
  const ws = await backupOf('mfa-8.0-adfs', { passphrase: PASS });
  try {
    const passFile = join(ws.root, 'pass.txt');
    writeFileSync(passFile, `${PASS}\r\n`);
    const r = await runCommand(verifyBackupSpec, [ws.bundle, '--passphrase-file', passFile, '--json']);
    t.is(r.code, 0);
    const report = r.events.find((e) => e['type'] === 'object')?.['data'] as { ok: boolean; authenticated: boolean; encrypted: boolean };
    t.true(report.ok && report.authenticated && report.encrypted);
    const without = await runCommand(verifyBackupSpec, [ws.bundle, '--json']);
    t.is(without.code, 0);
    t.false((without.events.find((e) => e['type'] === 'object')?.['data'] as { authenticated: boolean }).authenticated);
    t.true(without.events.some((e) => e['type'] === 'log' && e['level'] === 'warning' && /could not be authenticated/.test(String(e['message']))));
  } finally {
    ws.cleanup();
  }
});

test('a wrong passphrase is named as such (exit 3), for verify and restore, and changes nothing', async (t) => {
  const ws = await backupOf('mfa-7.0', { passphrase: PASS });
  try {
    const passFile = join(ws.root, 'wrong.txt');
    writeFileSync(passFile, 'not the passphrase\n');
    const v = await runCommand(verifyBackupSpec, [ws.bundle, '--passphrase-file', passFile, '--json']);
    t.is(v.code, 3);
    t.is(v.events.find((e) => e['type'] === 'error')?.['code'], 'BUNDLE_PASSPHRASE');
    const before = treeHash(ws.root);
    const r = await runCommand(restoreSpec, [ws.bundle, '--host', ws.host, '--passphrase-file', passFile, '--json']);
    t.is(r.code, 3);
    t.is(r.events.find((e) => e['type'] === 'error')?.['code'], 'BUNDLE_PASSPHRASE');
    const none = await runCommand(restoreSpec, [ws.bundle, '--host', ws.host, '--json']);
    t.is(none.code, 3);
    t.is(none.events.find((e) => e['type'] === 'error')?.['code'], 'BUNDLE_PASSPHRASE_REQUIRED');
    t.deepEqual(treeHash(ws.root), before);
  } finally {
    ws.cleanup();
  }
});

test('one altered ciphertext byte fails authentication, with or without the passphrase', async (t) => {
  const ws = await backupOf('mfa-7.0', { passphrase: PASS });
  try {
    const m = manifestOf(ws.bundle);
    const data = m.files.find((f) => f.tags.includes('data'));
    const path = join(ws.bundle, ...(data?.stored.split('/') ?? []));
    const b = readFileSync(path);
    b[ENC_HEADER_BYTES + 5000] = (b[ENC_HEADER_BYTES + 5000] as number) ^ 0x80;
    writeFileSync(path, b);
    const { report } = await verifyBundle(ws.bundle, { passphrase: PASS });
    t.deepEqual(report.problems.map((p) => [p.kind, p.path]), [['altered', data?.stored]]);
    t.regex(report.problems[0]?.detail ?? '', /fails authentication/);
    const { report: r2 } = await verifyBundle(ws.bundle);
    t.deepEqual(r2.problems.map((p) => p.kind), ['altered']);
  } finally {
    ws.cleanup();
  }
});

test('two encrypted files swapped (manifest hashes swapped to match) are caught: the path is bound to the ciphertext', async (t) => {
  const ws = await backupOf('phonefactor-5.2', { passphrase: PASS });
  try {
    const m = manifestOf(ws.bundle);
    const [a, b] = m.files.filter((f) => f.tags.includes('webConfig'));
    const pa = join(ws.bundle, ...(a?.stored.split('/') ?? []));
    const pb = join(ws.bundle, ...(b?.stored.split('/') ?? []));
    const ba = readFileSync(pa);
    writeFileSync(pa, readFileSync(pb));
    writeFileSync(pb, ba);
    const { report } = await verifyBundle(ws.bundle, { passphrase: PASS });
    const altered = report.problems.filter((p) => p.kind === 'altered').map((p) => p.path).sort();
    t.deepEqual(altered, [a?.stored, b?.stored].sort());
  } finally {
    ws.cleanup();
  }
});

test('an altered encrypted manifest fails its HMAC even when the passphrase is right', async (t) => {
  const ws = await backupOf('mfa-7.0', { passphrase: PASS });
  try {
    const mpath = join(ws.bundle, 'manifest.json');
    writeFileSync(mpath, readFileSync(mpath, 'utf8').replace('"role": "unknown"', '"role": "master"'));
    const { report } = await verifyBundle(ws.bundle, { passphrase: PASS });
    t.deepEqual(report.problems.map((p) => [p.kind, p.path]), [['altered', 'manifest.json']]);
    t.regex(report.problems[0]?.detail ?? '', /authentication code/);
  } finally {
    ws.cleanup();
  }
});

test('scrypt parameters a crafted manifest inflates are refused before any work', async (t) => {
  const ws = await backupOf('mfa-7.0', { passphrase: PASS });
  try {
    const mpath = join(ws.bundle, 'manifest.json');
    const m = JSON.parse(readFileSync(mpath, 'utf8')) as Manifest;
    (m.encryption as NonNullable<Manifest['encryption']>).kdf.N = 1 << 24;
    writeFileSync(mpath, JSON.stringify(m));
    const e = await t.throwsAsync(verifyBundle(ws.bundle, { passphrase: PASS }), { instanceOf: MfaError });
    t.is((e as MfaError).code, 'BUNDLE_ENCRYPTION');
  } finally {
    ws.cleanup();
  }
});

test('an encrypted bundle restores byte for byte', async (t) => {
  const ws = await backupOf('phonefactor-5.2', { passphrase: PASS });
  try {
    const dataRel = 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata';
    writeFileSync(join(ws.host, dataRel), 'damaged');
    writeFileSync(join(ws.host, 'drive/C/inetpub/wwwroot/PhoneFactor/web.config'), 'damaged');
    const r = await restoreBundle(await openImageHost(ws.host), ws.bundle, { passphrase: PASS, include: { web: true, themes: true } });
    t.true(r.filesRestored > 3);
    const ignore = (rel: string) => rel === 'services.json';
    t.deepEqual(treeHash(ws.host, ignore), treeHash('examples/hosts/phonefactor-5.2', ignore));
  } finally {
    ws.cleanup();
  }
});

test('the command reads the passphrase from a file (BOM and one trailing line ending dropped), refuses an empty or short one, and encrypts', async (t) => {
  const ws = workspace('mfa-7.0');
  try {
    const empty = join(ws.root, 'empty.txt');
    writeFileSync(empty, '\n');
    const r1 = await runCommand(backupSpec, ['--out', ws.bundle, '--host', ws.host, '--passphrase-file', empty, '--json']);
    t.is(r1.code, 3);
    t.is(r1.events.find((e) => e['type'] === 'error')?.['code'], 'PASSPHRASE_FILE');
    const short = join(ws.root, 'short.txt');
    writeFileSync(short, 'abc\n');
    t.is((await runCommand(backupSpec, ['--out', ws.bundle, '--host', ws.host, '--passphrase-file', short, '--json'])).code, 3);
    const good = join(ws.root, 'good.txt');
    writeFileSync(good, `\uFEFF${PASS}\r\n`);
    const r = await runCommand(backupSpec, ['--out', ws.bundle, '--host', ws.host, '--passphrase-file', good, '--json']);
    t.is(r.code, 0);
    t.true((r.events.find((e) => e['type'] === 'object')?.['data'] as { encrypted: boolean }).encrypted);
    t.false(r.stdout.includes(PASS));
    // The default scrypt cost is the one stored.
    t.is(manifestOf(ws.bundle).encryption?.kdf.N, 1 << 15);
    t.true(statSync(ws.bundle).isDirectory());
    const v = await verifyBundle(ws.bundle, { passphrase: PASS });
    t.true(v.report.ok);
  } finally {
    ws.cleanup();
  }
});
