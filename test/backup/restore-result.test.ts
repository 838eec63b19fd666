// What a restore reports and keeps (lib/backup/restore.ts): its actions in order (the AD Sync
// service stopped first and started last, folders and files, replaced or created), the files and
// bytes it wrote, where it kept what it replaced, the services it leaves stopped, whether the
// bundle was authenticated; and what each refusal says, with the host left as it was. Oracles:
// the sample host's own files (sizes, bytes) and the restore's undo.json read as JSON.
import test from 'ava';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { restoreBundle, type RestoreResult } from '../../lib/backup/restore.js';
import { MfaError } from '../../lib/errors.js';
import { CancelSource } from '../../lib/util/cancel.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import type { LogLevel, Reporter } from '../../lib/reporting/reporter.js';
import { treeHash } from '../helpers/tree-hash.js';
import { backupOf, shaOf, withFiles } from './helpers.js';

const SAMPLE = 'examples/hosts/mfa-7.0';
const DATA = 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata';
const PORTAL = 'drive/C/inetpub/wwwroot/MFAPortal';
const THEME = `${PORTAL}/App_Themes/Default`;
const NOW = () => new Date('2025-01-02T03:04:05.000Z');

function recorder(): Reporter & { lines: Array<[LogLevel, string]> } {
  const lines: Array<[LogLevel, string]> = [];
  return { lines, log: (l, m) => void lines.push([l, m]), progress: () => undefined, object: () => undefined };
}

const win = (rel: string) => `C:\\${rel.slice('drive/C/'.length).split('/').join('\\')}`;
const sizeOf = (rel: string) => statSync(join(SAMPLE, rel)).size;
const NOT_AUTHENTICATED = 'This bundle is not encrypted and no --expect-digest was given: anyone who could write to it could have changed it and recomputed its seal. Pass --expect-digest with the digest backup printed to restore only the bundle that was backed up.';

/**
 * An MFA 7.0 host backed up, then its data file and portal web.config changed: the host as the
 * restore finds it (its files' hashes, services aside, in `before`).
 */
async function damagedSinceBackup(t: { teardown(fn: () => void): void }) {
  const ws = await backupOf('mfa-7.0');
  t.teardown(ws.cleanup);
  writeFileSync(join(ws.host, DATA), 'damaged');
  writeFileSync(join(ws.host, PORTAL, 'web.config'), '<configuration/>');
  return { ws, image: await openImageHost(ws.host), before: treeHash(ws.host, (rel) => rel === 'services.json') };
}

test('the result: services stopped AD Sync first and started in reverse, a missing folder created, files replaced or created with their sizes, bytes written, what was replaced kept with undo.json', async (t) => {
  const ws = await backupOf('mfa-7.0');
  t.teardown(ws.cleanup);
  writeFileSync(join(ws.host, DATA), Buffer.alloc(100, 0x42));
  writeFileSync(join(ws.host, PORTAL, 'web.config'), '<configuration/>');
  rmSync(join(ws.host, THEME), { recursive: true });
  const out = recorder();
  const r: RestoreResult = await restoreBundle(await openImageHost(ws.host), ws.bundle, { include: { web: true, themes: true }, output: out, now: NOW });
  t.deepEqual(treeHash(ws.host, (rel) => rel === 'services.json'), treeHash(SAMPLE, (rel) => rel === 'services.json'));
  t.is(r.bundle, resolve(ws.bundle));
  t.false(r.whatIf);
  const byKind = (k: string) => r.actions.filter((a) => a.kind === k);
  t.deepEqual(byKind('stopService').map((a) => a.target), ['MultiFactorAuthAdSync', 'MultiFactorAuth']);
  t.deepEqual(byKind('startService').map((a) => a.target), ['MultiFactorAuth', 'MultiFactorAuthAdSync']);
  t.is(r.actions[0]?.kind, 'stopService');
  t.is(r.actions.at(-1)?.kind, 'startService');
  t.deepEqual(byKind('createFolder').map((a) => a.target), [win(THEME)]);
  const files = [...byKind('replaceFile'), ...byKind('createFile')];
  const want = new Map([
    [win(DATA), { kind: 'replaceFile', what: 'data', size: sizeOf(DATA) }],
    [win(`${PORTAL}/web.config`), { kind: 'replaceFile', what: 'webConfig', size: sizeOf(`${PORTAL}/web.config`) }],
    [win(`${THEME}/Default.css`), { kind: 'createFile', what: 'theme', size: sizeOf(`${THEME}/Default.css`) }],
  ]);
  for (const [target, w] of want) {
    const a = files.find((f) => f.target.toLowerCase() === target.toLowerCase());
    t.like(a, { ...w, from: a?.target }, target);
  }
  t.is(r.filesRestored, files.length);
  t.is(r.bytes, files.reduce((n, f) => n + (f.size as number), 0));
  t.true(r.filesRestored >= 3);
  t.deepEqual(r.leftStopped, []);
  t.false(r.authenticated);
  t.deepEqual(r.warnings, [NOT_AUTHENTICATED]);
  t.true(out.lines.some(([l, m]) => l === 'warning' && m === NOT_AUTHENTICATED));
  t.is(r.digest, ws.result.digest);
  t.is(r.undoDir, resolve(`${ws.bundle}.restore-undo-2025-01-02T03-04-05-000Z`));
  if (process.platform !== 'win32') t.is(statSync(join(r.undoDir as string, 'undo.json')).mode & 0o777, 0o600);
  const undo = JSON.parse(readFileSync(join(r.undoDir as string, 'undo.json'), 'utf8')) as { bundle: string; time: string; restored: Array<{ target: string; previousContent: string | null }> };
  t.is(undo.bundle, resolve(ws.bundle));
  t.is(undo.time, '2025-01-02T03-04-05-000Z');
  const kept = new Map(undo.restored.map((e) => [e.target.toLowerCase(), e.previousContent]));
  t.deepEqual(readFileSync(join(r.undoDir as string, kept.get(win(DATA).toLowerCase()) as string)), Buffer.alloc(100, 0x42));
  t.is(readFileSync(join(r.undoDir as string, kept.get(win(`${PORTAL}/web.config`).toLowerCase()) as string), 'utf8'), '<configuration/>');
  t.is(kept.get(win(`${THEME}/Default.css`).toLowerCase()), null);
});

test('with the digest backup printed the bundle is authenticated (no warning); a service stopped before is left stopped and said so; nothing replaced leaves no undo folder', async (t) => {
  const ws = await backupOf('mfa-7.0');
  t.teardown(ws.cleanup);
  rmSync(join(ws.host, DATA));
  const services = JSON.parse(readFileSync(join(ws.host, 'services.json'), 'utf8')) as Array<{ name: string; state: string }>;
  writeFileSync(join(ws.host, 'services.json'), JSON.stringify(services.map((s) => (s.name === 'MultiFactorAuth' ? { ...s, state: 'stopped' } : s))));
  const out = recorder();
  const r = await restoreBundle(await openImageHost(ws.host), ws.bundle, { expectDigest: ws.result.digest, output: out, now: NOW });
  t.true(r.authenticated);
  t.deepEqual(r.warnings, []);
  t.deepEqual(r.leftStopped, ['MultiFactorAuth']);
  t.true(out.lines.some(([l, m]) => l === 'warning' && m === 'MultiFactorAuth was stopped before the restore and is left stopped: start it with Start-Service MultiFactorAuth.'));
  t.deepEqual(r.actions.filter((a) => a.kind === 'stopService').map((a) => a.target), ['MultiFactorAuthAdSync']);
  t.deepEqual(r.actions.filter((a) => a.kind === 'createFile').map((a) => a.what), ['data']);
  t.is(r.undoDir, null);
  t.false(existsSync(`${ws.bundle}.restore-undo-2025-01-02T03-04-05-000Z`));
  t.deepEqual(readFileSync(join(ws.host, DATA)), readFileSync(join(SAMPLE, DATA)));
});

test('what-if on an intact host: the theme folders exist, so none is to be created; every file is a replacement; nothing changes', async (t) => {
  const ws = await backupOf('mfa-7.0');
  t.teardown(ws.cleanup);
  const before = treeHash(ws.host);
  const r = await restoreBundle(await openImageHost(ws.host), ws.bundle, { include: { web: true, themes: true }, whatIf: true, now: NOW });
  t.true(r.whatIf);
  t.deepEqual(r.actions.filter((a) => a.kind === 'createFolder' || a.kind === 'createFile'), []);
  t.true(r.actions.some((a) => a.kind === 'replaceFile' && a.what === 'theme'));
  t.deepEqual(treeHash(ws.host), before);
  t.is(r.undoDir, null);
});

test('refusals say what failed and what to do, and change nothing: an encrypted bundle without its passphrase, a bundle failing verification, an undo folder that cannot be made', async (t) => {
  const enc = await backupOf('mfa-7.0', { passphrase: 'a long enough passphrase' });
  t.teardown(enc.cleanup);
  writeFileSync(join(enc.host, DATA), 'damaged');
  const before = treeHash(enc.host);
  const locked = (await t.throwsAsync(restoreBundle(await openImageHost(enc.host), enc.bundle))) as MfaError;
  t.is(locked.message, 'the bundle is encrypted: restoring it needs its passphrase');
  t.is(locked.code, 'BUNDLE_PASSPHRASE_REQUIRED');
  t.is(locked.remedy, 'Pass --passphrase-file with the passphrase the backup was taken with.');
  t.deepEqual(treeHash(enc.host), before);
  const opened = await restoreBundle(await openImageHost(enc.host), enc.bundle, { passphrase: 'a long enough passphrase' });
  t.true(opened.authenticated);
  t.deepEqual(readFileSync(join(enc.host, DATA)), readFileSync(join(SAMPLE, DATA)));

  const ws = await backupOf('mfa-7.0');
  t.teardown(ws.cleanup);
  writeFileSync(join(ws.host, DATA), 'damaged');
  const hostBefore = treeHash(ws.host);
  const notDir = join(ws.root, 'a-file');
  writeFileSync(notDir, 'x');
  const noUndo = (await t.throwsAsync(restoreBundle(await openImageHost(ws.host), ws.bundle, { undoDir: join(notDir, 'undo') }))) as MfaError;
  t.true(noUndo.message.startsWith('cannot create the folder that keeps the replaced files: '), noUndo.message);
  t.is(noUndo.code, 'RESTORE_UNDO_DIR');
  t.is(noUndo.target, join(notDir, 'undo'));
  t.is(noUndo.remedy, 'Pass --undo-dir with a local folder you can write to; nothing was changed.');
  t.deepEqual(treeHash(ws.host), hostBefore);
  const stored = 'snapshot/drive/C/inetpub/wwwroot/MFAPortal/web.config';
  writeFileSync(join(ws.bundle, stored), 'altered');
  const bad = (await t.throwsAsync(restoreBundle(await openImageHost(ws.host), ws.bundle))) as MfaError;
  t.true(bad.message.startsWith(`the bundle fails verification, so nothing was restored: ${stored} `), bad.message);
  t.is(bad.code, 'BUNDLE_VERIFY_FAILED');
  t.is(bad.remedy, 'Run mfa-upgrade verify-backup on it for the list; restore from an intact copy.');
  t.deepEqual(treeHash(ws.host), hostBefore);
});

test('a restore that fails after replacing files keeps the failure\'s own code and says the replaced files were put back', async (t) => {
  const { ws, image, before } = await damagedSinceBackup(t);
  // The web.config's first write fails (a moment's full disk); putting it back later succeeds.
  let failed = false;
  const host = withFiles(image, {
    writeStreamAtomic: async (path: string, source: AsyncIterable<Uint8Array>) => {
      if (/web\.config$/i.test(path) && !failed) {
        failed = true;
        throw new MfaError('the disk is full', { code: 'DISK_FULL', target: path, remedy: 'Free some space.' });
      }
      return image.files.writeStreamAtomic(path, source);
    },
  });
  const e = (await t.throwsAsync(restoreBundle(host, ws.bundle, { include: { web: true, themes: false } }))) as MfaError;
  t.is(e.code, 'DISK_FULL');
  t.true(e.message.endsWith(' (the files the restore had replaced were put back)'), e.message);
  t.true(e.message.includes('the disk is full'), e.message);
  t.is(e.remedy, 'Free some space.');
  t.is(e.target, win(`${PORTAL}/web.config`));
  t.deepEqual(treeHash(ws.host, (rel) => rel === 'services.json'), before);

  // When putting back fails too, the message does not claim it was put back.
  const stuck = withFiles(image, {
    writeStreamAtomic: async (path: string, source: AsyncIterable<Uint8Array>) => {
      if (/web\.config$/i.test(path)) throw new MfaError('the disk is full', { code: 'DISK_FULL', target: path });
      return image.files.writeStreamAtomic(path, source);
    },
  });
  const e2 = (await t.throwsAsync(restoreBundle(stuck, ws.bundle, { include: { web: true, themes: false } }))) as MfaError;
  t.is(e2.message, 'the disk is full');
});

test('a restore stopped after replacing the data file undoes itself, says so, and ends interrupted (exit 1602)', async (t) => {
  const { ws, image, before } = await damagedSinceBackup(t);
  const cancel = new CancelSource();
  const host = withFiles(image, {
    writeStreamAtomic: async (path: string, source: AsyncIterable<Uint8Array>) => {
      const written = await image.files.writeStreamAtomic(path, source);
      if (/\.pfdata$/i.test(path)) cancel.cancel('SIGINT');
      return written;
    },
  });
  const e = (await t.throwsAsync(restoreBundle(host, ws.bundle, { include: { web: true, themes: false }, cancel }))) as MfaError;
  t.is(e.code, 'INTERRUPTED');
  t.is(e.exitCode, 1602);
  t.true(e.message.endsWith(' (the files the restore had replaced were put back)'), e.message);
  t.deepEqual(treeHash(ws.host, (rel) => rel === 'services.json'), before);
});

test('a service starting when the restore begins counts as running (stopped, then started); the undo folder may be below folders not made yet; two problems are both named', async (t) => {
  const ws = await backupOf('mfa-7.0');
  t.teardown(ws.cleanup);
  writeFileSync(join(ws.host, DATA), 'damaged');
  const services = JSON.parse(readFileSync(join(ws.host, 'services.json'), 'utf8')) as Array<{ name: string; state: string }>;
  writeFileSync(join(ws.host, 'services.json'), JSON.stringify(services.map((s) => (s.name === 'MultiFactorAuth' ? { ...s, state: 'start_pending' } : s))));
  const undoDir = join(ws.root, 'not', 'yet', 'there');
  const r = await restoreBundle(await openImageHost(ws.host), ws.bundle, { undoDir });
  t.deepEqual(r.actions.filter((a) => a.kind === 'stopService').map((a) => a.target), ['MultiFactorAuthAdSync', 'MultiFactorAuth']);
  t.deepEqual(r.leftStopped, []);
  t.is(r.undoDir, undoDir);
  t.true(existsSync(join(undoDir, 'undo.json')));
  writeFileSync(join(ws.bundle, 'snapshot', 'one.txt'), '1');
  writeFileSync(join(ws.bundle, 'snapshot', 'two.txt'), '2');
  const bad = (await t.throwsAsync(restoreBundle(await openImageHost(ws.host), ws.bundle))) as MfaError;
  t.true(bad.message.includes('snapshot/one.txt is a file the manifest does not list; snapshot/two.txt is a file the manifest does not list'), bad.message);
});

test('a file that does not read back as backed up fails the restore: the plain bundle names both hashes, an encrypted one never prints plaintext hashes', async (t) => {
  for (const passphrase of [undefined, 'a long enough passphrase']) {
    const ws = await backupOf('mfa-7.0', passphrase ? { passphrase } : {});
    t.teardown(ws.cleanup);
    writeFileSync(join(ws.host, DATA), 'damaged');
    const image = await openImageHost(ws.host);
    // The disk keeps other bytes than were written (one flipped), once: putting back is not disturbed.
    let flip = true;
    const host = withFiles(image, {
      writeStreamAtomic: async (path: string, source: AsyncIterable<Uint8Array>) => {
        const chunks: Buffer[] = [];
        for await (const c of source) chunks.push(Buffer.from(c));
        const all = Buffer.concat(chunks);
        if (/\.pfdata$/i.test(path) && flip) {
          all[0] = (all[0] as number) ^ 0xff;
          flip = false;
        }
        await image.files.writeFileAtomic(path, all);
        return { size: all.length, sha256: createHash('sha256').update(all).digest('hex') };
      },
    });
    const e = (await t.throwsAsync(restoreBundle(host, ws.bundle, passphrase ? { passphrase } : {}))) as MfaError;
    t.is(e.code, 'RESTORE_VERIFY_FAILED');
    const original = readFileSync(join(SAMPLE, DATA));
    const flipped = Buffer.from(original);
    flipped[0] = (flipped[0] as number) ^ 0xff;
    if (passphrase) {
      t.is(e.message, 'the restored file does not match the backup (the files the restore had replaced were put back)');
      t.false(e.message.includes(shaOf(original)));
    } else t.is(e.message, `the restored file does not match the backup (SHA-256 ${shaOf(flipped)}, expected ${shaOf(original)}) (the files the restore had replaced were put back)`);
    t.is(readFileSync(join(ws.host, DATA), 'utf8'), 'damaged');
  }
});

test("a format-1 bundle restores with the format's warning in the result", async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mfa-v1-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const d of ['host', 'v1-plain']) cpSync(join('test/fixtures/backup-v1', d), join(root, d), { recursive: true });
  writeFileSync(join(root, 'host', DATA), 'x');
  const r = await restoreBundle(await openImageHost(join(root, 'host')), join(root, 'v1-plain'));
  t.true(r.warnings.some((w) => /format 1/.test(w)), JSON.stringify(r.warnings));
  t.true(r.warnings.includes(NOT_AUTHENTICATED));
});
