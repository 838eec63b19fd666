// A bundle's snapshot extracted as a host image of its own (lib/backup/extract.ts): every file of
// the snapshot, byte for byte, at its place without the bundle's prefix or the encrypted suffix;
// refusals (encrypted without its passphrase, a bundle failing verification or its expected
// digest, a folder that already exists) leave nothing behind. Oracles: the machine's own files and
// the bundle's own snapshot files, hashed here.
import test from 'ava';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractSnapshot } from '../../lib/backup/extract.js';
import { MfaError } from '../../lib/errors.js';
import { treeHash } from '../helpers/tree-hash.js';
import { takeBackup } from '../../lib/backup/take-backup.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { backupOf, fileSha, manifestOf, workspace } from './helpers.js';

const PASS = 'correct horse battery staple';

test('a plain bundle: the snapshot folder again, byte for byte, with its empty folders, readable by its owner only', async (t) => {
  // An empty theme folder: only the manifest's folder list can bring it back.
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  mkdirSync(join(ws.host, 'drive/C/inetpub/wwwroot/MFAPortal/App_Themes/Empty'));
  await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
  const out = await extractSnapshot(ws.bundle, join(ws.root, 'extracted'));
  t.is(out, join(ws.root, 'extracted'));
  t.deepEqual(treeHash(out), treeHash(join(ws.bundle, 'snapshot')));
  const dirs = manifestOf(ws.bundle).directories.filter((d) => d.stored.startsWith('snapshot/'));
  t.true(dirs.length > 0);
  for (const d of dirs) t.true(statSync(join(out, ...d.stored.slice('snapshot/'.length).split('/'))).isDirectory(), d.stored);
  t.deepEqual(readdirSync(join(out, 'drive/C/inetpub/wwwroot/MFAPortal/App_Themes/Empty')), []);
  if (process.platform !== 'win32') t.is(statSync(out).mode & 0o777, 0o700);
});

test('an encrypted bundle opened with its passphrase: each file decrypted to the bytes it had on the machine, at its path without ".enc"; the same digest accepted', async (t) => {
  const ws = await backupOf('mfa-7.0', { passphrase: PASS });
  t.teardown(ws.cleanup);
  const out = await extractSnapshot(ws.bundle, join(ws.root, 'extracted'), { passphrase: PASS, expectDigest: ws.result.digest });
  const files = manifestOf(ws.bundle).files.filter((f) => f.stored.startsWith('snapshot/'));
  t.true(files.length > 3);
  const extracted = Object.keys(treeHash(out)).map((p) => p.split('\\').join('/')).sort();
  t.deepEqual(extracted, files.map((f) => f.stored.slice('snapshot/'.length).replace(/\.enc$/, '')).sort());
  // The manifest of an encrypted bundle hides plaintext hashes: the machine's own files are the oracle.
  let same = 0;
  for (const f of files) {
    t.true(f.stored.endsWith('.enc'), f.stored);
    const rel = f.stored.slice('snapshot/'.length).replace(/\.enc$/, '').split('/');
    if (!existsSync(join(ws.host, ...rel)) || rel[0] !== 'drive') continue;
    t.is(fileSha(join(out, ...rel)), fileSha(join(ws.host, ...rel)), f.stored);
    same++;
  }
  t.true(existsSync(join(out, 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata')));
  t.true(same >= 3, `${same} files compared`);
});

test('refused, leaving no folder: an encrypted bundle without its passphrase, a bundle with an altered file, a digest other than the one expected, a folder that exists', async (t) => {
  const enc = await backupOf('mfa-7.0', { passphrase: PASS });
  t.teardown(enc.cleanup);
  const dest = join(enc.root, 'extracted');
  const noPass = (await t.throwsAsync(extractSnapshot(enc.bundle, dest))) as MfaError;
  t.is(noPass.code, 'BUNDLE_PASSPHRASE_REQUIRED');
  t.is(noPass.message, 'the bundle is encrypted: extracting its snapshot needs its passphrase');
  t.is(noPass.remedy, 'Pass the passphrase the backup was taken with.');
  t.false(existsSync(dest));

  const plain = await backupOf('mfa-7.0');
  t.teardown(plain.cleanup);
  const pdest = join(plain.root, 'extracted');
  const wrongDigest = await t.throwsAsync(extractSnapshot(plain.bundle, pdest, { expectDigest: 'sha256:' + '0'.repeat(64) }));
  t.truthy(wrongDigest);
  t.false(existsSync(pdest));
  const victim = manifestOf(plain.bundle).files.find((f) => f.stored.endsWith('web.config')) as { stored: string };
  writeFileSync(join(plain.bundle, ...victim.stored.split('/')), '<configuration/>');
  const altered = (await t.throwsAsync(extractSnapshot(plain.bundle, pdest))) as MfaError;
  t.true(altered instanceof MfaError);
  t.is(altered.code, 'BUNDLE_VERIFY_FAILED');
  t.true(altered.message.startsWith('the bundle fails verification: ') && altered.message.includes(victim.stored), altered.message);
  t.false(existsSync(pdest));

  const good = await backupOf('phonefactor-5.2');
  t.teardown(good.cleanup);
  const there = join(good.root, 'there');
  mkdirSync(there);
  const exists = (await t.throwsAsync(extractSnapshot(good.bundle, there))) as MfaError;
  t.is(exists.code, 'EXTRACT_TARGET');
  t.is(exists.message, 'cannot create the folder (EEXIST)');
  t.is(exists.target, there);
  t.is(exists.remedy, 'Pass a folder that does not exist yet.');
});
