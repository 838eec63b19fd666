// Bad input for a backup: a full disk (at several points), a missing data file, a machine with
// nothing to back up. Each gets a clear error; neither the host nor an earlier bundle changes,
// and no unfinished bundle is left behind.
import test from 'ava';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { backupSpec } from '../../lib/cli/commands/backup.spec.js';
import { localBundleFs, type BundleFs } from '../../lib/backup/sink.js';
import { takeBackup } from '../../lib/backup/take-backup.js';
import { MfaError } from '../../lib/errors.js';
import { CancelSource } from '../../lib/util/cancel.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { treeHash } from '../helpers/tree-hash.js';
import { strictHostDifferences, strictHostState } from '../helpers/host-state.js';
import { runCommand, workspace } from './helpers.js';

/**
 * A bundle disk that fills up when a file matching `fillsOn` has taken `after` bytes: ENOSPC, as a
 * full disk fails. It names the file it filled on, so each case proves where it failed instead of
 * guessing it from a byte count that moves whenever the bundle's contents do.
 */
function diskFullingOn(fillsOn: RegExp, after: number, code = 'ENOSPC'): BundleFs & { filledOn: () => string | undefined; written: () => number } {
  let filledOn: string | undefined;
  let written = 0;
  return {
    filledOn: () => filledOn,
    written: () => written,
    async create(path) {
      const sink = await localBundleFs.create(path);
      let mine = 0;
      const full = fillsOn.test(path.split(sep).join('/'));
      return {
        async write(data) {
          if (full && mine + data.length > after) {
            filledOn ??= path.split(sep).join('/');
            const e = new Error(`${code}: the disk said no, write`) as NodeJS.ErrnoException;
            e.code = code;
            throw e;
          }
          mine += data.length;
          written += data.length;
          await sink.write(data);
        },
        sync: () => sink.sync(),
        close: () => sink.close(),
      };
    },
    freeSpace: (dir) => localBundleFs.freeSpace(dir),
    mkdir: (dir) => localBundleFs.mkdir(dir),
  };
}

for (const [where, fillsOn, after] of [
  ['half-way through the data file', /\/snapshot\/drive\/C\/Program Files\/PhoneFactor\/Data\/Phonefactor\.pfdata$/, 1_500_000],
  ['after the data file, among the small files (a web.config)', /\/snapshot\/drive\/C\/inetpub\/wwwroot\/PhoneFactor\/web\.config$/, 10],
  ['after the data file, on the snapshot\'s products.json', /\/snapshot\/products\.json$/, 0],
  ['while writing the manifest', /\/manifest\.json$/, 100],
  ['while writing the seal', /\/manifest\.seal$/, 0],
] as const) {
  test(`a disk that fills up ${where}: DISK_FULL, no .partial, the earlier bundle and the host untouched`, async (t) => {
    const ws = workspace('phonefactor-5.2');
    try {
      const earlier = join(ws.root, 'earlier');
      await takeBackup(await openImageHost(ws.host), { out: earlier });
      const earlierHash = treeHash(earlier);
      const hostBefore = strictHostState(ws.host);
      const disk = diskFullingOn(fillsOn, after);
      const e = await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle, fs: disk }), { instanceOf: MfaError });
      // It failed where this case says, not somewhere else.
      t.regex(disk.filledOn() ?? '(never filled)', fillsOn);
      t.is((e as MfaError).code, 'DISK_FULL');
      t.regex((e as MfaError).message, /disk holding the bundle is full/);
      t.regex((e as MfaError).remedy ?? '', /another --out/);
      t.true(disk.written() > 0);
      t.false(existsSync(ws.bundle));
      t.false(existsSync(`${ws.bundle}.partial`));
      t.deepEqual(treeHash(earlier), earlierHash);
      t.deepEqual(strictHostDifferences(ws.host, hostBefore), [], 'services started again, nothing else touched');
      t.deepEqual(readdirSync(ws.root).sort(), ['earlier', 'phonefactor-5.2']);
    } finally {
      ws.cleanup();
    }
  });
}

test('a missing data file on the host: a clear error naming it, nothing written, services untouched', async (t) => {
  const ws = workspace('mfa-7.0');
  try {
    rmSync(join(ws.host, 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata'));
    const before = treeHash(ws.host);
    const r = await runCommand(backupSpec, ['--out', ws.bundle, '--host', ws.host, '--json']);
    t.is(r.code, 1603);
    const err = r.events.find((e) => e['type'] === 'error');
    t.is(err?.['code'], 'DATA_FILE_MISSING');
    t.is(err?.['target'], 'C:\\Program Files\\Multi-Factor Authentication Server\\Data\\PhoneFactor.pfdata');
    t.false(existsSync(ws.bundle));
    t.false(existsSync(`${ws.bundle}.partial`));
    t.deepEqual(treeHash(ws.host), before);
  } finally {
    ws.cleanup();
  }
});

test('a folder where the data file should be is a missing data file, not something to copy', async (t) => {
  const ws = workspace('phonefactor-5.2');
  try {
    const p = join(ws.host, 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata');
    rmSync(p);
    (await import('node:fs')).mkdirSync(p);
    const e = await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle }), { instanceOf: MfaError });
    t.is((e as MfaError).code, 'DATA_FILE_MISSING');
  } finally {
    ws.cleanup();
  }
});

test('a machine with nothing of MFA Server on it: NOTHING_TO_BACK_UP', async (t) => {
  const ws = workspace('mfa-7.0');
  try {
    writeFileSync(join(ws.host, 'products.json'), '[]');
    rmSync(join(ws.host, 'drive/C/inetpub'), { recursive: true });
    const e = await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle }), { instanceOf: MfaError });
    t.is((e as MfaError).code, 'NOTHING_TO_BACK_UP');
    t.false(existsSync(`${ws.bundle}.partial`));
  } finally {
    ws.cleanup();
  }
});

test('a portal-only server (no MFA Server product): the bundle holds the web components and says there is no data file', async (t) => {
  const ws = workspace('mfa-7.0');
  try {
    const products = JSON.parse((await import('node:fs')).readFileSync(join(ws.host, 'products.json'), 'utf8')) as Array<{ name: string }>;
    writeFileSync(join(ws.host, 'products.json'), JSON.stringify(products.filter((p) => p.name !== 'Multi-Factor Authentication Server')));
    const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
    t.deepEqual(r.manifest.consistency, { method: 'no-data-file', stopped: [] });
    t.true(r.manifest.warnings.some((w) => /no data file/.test(w)));
    t.true(r.manifest.files.some((f) => f.tags.includes('webConfig')));
    t.true(r.verification.ok);
  } finally {
    ws.cleanup();
  }
});

test('an image host folder that does not exist: exit 3, nothing written', async (t) => {
  const ws = workspace('mfa-7.0');
  try {
    const r = await runCommand(backupSpec, ['--out', ws.bundle, '--host', join(ws.root, 'nope'), '--json']);
    t.is(r.code, 3);
    t.like(r.events.find((e) => e['type'] === 'error'), { code: 'HOST_NOT_FOUND', target: join(ws.root, 'nope') });
    t.false(existsSync(ws.bundle));
    t.false(existsSync(`${ws.bundle}.partial`));
  } finally {
    ws.cleanup();
  }
});

test('every way a disk says it is full (no space, over quota, file too large) is DISK_FULL; another write error is BUNDLE_WRITE with the system\'s words; neither leaves anything behind', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const hostBefore = strictHostState(ws.host);
  for (const [code, want] of [['ENOSPC', 'DISK_FULL'], ['EDQUOT', 'DISK_FULL'], ['EFBIG', 'DISK_FULL'], ['EIO', 'BUNDLE_WRITE']] as const) {
    const disk = diskFullingOn(/\/snapshot\/products\.json$/, 0, code);
    const e = (await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle, fs: disk }), { instanceOf: MfaError })) as MfaError;
    t.is(e.code, want, code);
    t.is(e.exitCode, 1603, code);
    t.is(e.target, join(`${ws.bundle}.partial`, 'snapshot', 'products.json'), code);
    if (want === 'BUNDLE_WRITE') t.is(e.message, 'cannot write the bundle: EIO: the disk said no, write');
    else t.is(e.remedy, 'Free space there or choose another --out on a volume with room; nothing on the host was changed and the unfinished bundle was removed.');
    t.deepEqual(readdirSync(ws.root).sort(), ['phonefactor-5.2'], code);
  }
  t.deepEqual(strictHostDifferences(ws.host, hostBefore), []);
});

test('a .partial that another live backup is writing is left alone: BACKUP_RUNNING (1618) naming its process', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const partial = `${ws.bundle}.partial`;
  mkdirSync(partial);
  // The test runner's parent is alive for as long as this test runs.
  writeFileSync(join(partial, '.mfa-upgrade-backup.lock'), `${process.ppid}\n`);
  writeFileSync(join(partial, 'being-written.bin'), 'x');
  const e = (await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle }), { instanceOf: MfaError })) as MfaError;
  t.is(e.code, 'BACKUP_RUNNING');
  t.is(e.exitCode, 1618);
  t.is(e.message, `another backup (process ${process.ppid}) is writing ${partial}`);
  t.is(e.remedy, 'Wait for it to finish, or choose another --out.');
  t.true(existsSync(join(partial, 'being-written.bin')));
  t.false(existsSync(ws.bundle));
});

test('a stop request during the copy ends the backup between chunks: INTERRUPTED (1602), no bundle and no .partial, the services running again', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const hostBefore = strictHostState(ws.host);
  const stop = new CancelSource();
  stop.cancel('SIGTERM');
  const e = (await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle, cancel: stop.signal }), { instanceOf: MfaError })) as MfaError;
  t.is(e.code, 'INTERRUPTED');
  t.is(e.exitCode, 1602);
  t.is(e.message, 'the backup was stopped (SIGTERM); its partial bundle is removed');
  t.is(e.remedy, 'Run the backup again.');
  t.deepEqual(readdirSync(ws.root), ['phonefactor-5.2']);
  t.deepEqual(strictHostDifferences(ws.host, hostBefore), []);
});
