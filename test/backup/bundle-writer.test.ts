// How a backup writes its bundle, seen from the disk it writes to: every file flushed and closed,
// a flush that fails is a failed backup, errors of any shape become an administrator's error
// with the whole message, one spelling per folder in the snapshot whatever case the host's
// paths use, and what a .partial left behind is taken to be.
import test from 'ava';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { dirname, join, sep } from 'node:path';
import { localBundleFs, type BundleFs } from '../../lib/backup/sink.js';
import { takeBackup } from '../../lib/backup/take-backup.js';
import { ExitCode, MfaError } from '../../lib/errors.js';
import { CancelSource } from '../../lib/util/cancel.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import type { LogLevel, Reporter } from '../../lib/reporting/reporter.js';
import { strictHostDifferences, strictHostState } from '../helpers/host-state.js';
import { manifestOf, TEST_SCRYPT, withFiles, workspace } from './helpers.js';

const rel = (path: string, root: string) => path.slice(root.length + 1).split(sep).join('/');

function refusal(e: unknown): { code: string; message: string; target: string | undefined; exitCode: number; remedy: string | undefined } {
  const m = e as MfaError;
  return { code: m.code, message: m.message, target: m.target, exitCode: m.exitCode, remedy: m.remedy };
}

/** The local disk, recording what happens to each file it creates. */
function recordingDisk(): BundleFs & { events: Map<string, string[]>; dirs: string[] } {
  const events = new Map<string, string[]>();
  const dirs: string[] = [];
  return {
    events,
    dirs,
    async create(path) {
      const log: string[] = [];
      events.set(path, log);
      const sink = await localBundleFs.create(path);
      return {
        async write(data) {
          if (log.at(-1) !== 'write') log.push('write');
          await sink.write(data);
        },
        async sync() {
          log.push('sync');
          await sink.sync();
        },
        async close() {
          log.push('close');
          await sink.close();
        },
      };
    },
    freeSpace: (dir) => localBundleFs.freeSpace(dir),
    mkdir: (dir) => {
      dirs.push(dir);
      return localBundleFs.mkdir(dir);
    },
  };
}

test('every file of the bundle is written, then flushed, then closed once, plain and encrypted', async (t) => {
  for (const encrypted of [false, true]) {
    const ws = workspace('phonefactor-5.2');
    t.teardown(ws.cleanup);
    const disk = recordingDisk();
    await takeBackup(await openImageHost(ws.host), { out: ws.bundle, fs: disk, scrypt: TEST_SCRYPT, ...(encrypted ? { passphrase: 'correct horse battery staple' } : {}) });
    const partial = `${ws.bundle}.partial`;
    const seen = [...disk.events].map(([path, log]) => [rel(path, partial), log.join(',')]);
    const m = manifestOf(ws.bundle);
    t.deepEqual(seen.map(([p]) => p).sort(), [...m.files.map((f) => f.stored), 'manifest.json', 'manifest.seal'].sort(), 'each file created once');
    for (const [p, log] of seen) {
      // An empty file (an empty AD FS export, an empty folder's marker) has no write.
      const size = readFileSync(join(ws.bundle, ...(p as string).split('/'))).length;
      t.is(log, size === 0 ? 'sync,close' : 'write,sync,close', `${encrypted ? 'encrypted' : 'plain'}: ${p}`);
    }
    // One request per folder (a network share pays a round trip for each).
    t.deepEqual(disk.dirs.filter((d, i) => disk.dirs.indexOf(d) !== i), [], 'no folder asked for twice');
  }
});

for (const [name, failing] of [
  ['a data file', /\/Phonefactor\.pfdata$/],
  ['a snapshot file', /\/snapshot\/host\.json$/],
  ['the manifest', /\/manifest\.json$/],
] as const) {
  test(`a flush that fails on ${name} fails the backup: BUNDLE_WRITE with the system's words, nothing left, the host as it was`, async (t) => {
    const ws = workspace('phonefactor-5.2');
    t.teardown(ws.cleanup);
    const before = strictHostState(ws.host);
    let failedOn: string | undefined;
    const disk: BundleFs = {
      async create(path) {
        const sink = await localBundleFs.create(path);
        if (!failing.test(path.split(sep).join('/'))) return sink;
        return {
          write: (d) => sink.write(d),
          async sync() {
            failedOn = path;
            const e = new Error('EIO: i/o error, fsync') as NodeJS.ErrnoException;
            e.code = 'EIO';
            throw e;
          },
          close: () => sink.close(),
        };
      },
      freeSpace: (dir) => localBundleFs.freeSpace(dir),
      mkdir: (dir) => localBundleFs.mkdir(dir),
    };
    const e = await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle, fs: disk }));
    t.truthy(failedOn);
    t.deepEqual(refusal(e), { code: 'BUNDLE_WRITE', message: 'cannot write the bundle: EIO: i/o error, fsync', target: failedOn, exitCode: ExitCode.fatal, remedy: undefined });
    t.deepEqual(readdirSync(ws.root), ['phonefactor-5.2']);
    t.deepEqual(strictHostDifferences(ws.host, before), []);
  });
}

test('a disk that fails with something that is not an Error (a string, undefined) is still BUNDLE_WRITE, in words', async (t) => {
  for (const [thrown, words] of [['the volume went away', 'the volume went away'], [undefined, 'undefined'], [null, 'null']] as const) {
    const ws = workspace('mfa-7.0');
    t.teardown(ws.cleanup);
    let target: string | undefined;
    const disk: BundleFs = {
      async create(path) {
        if (path.split(sep).join('/').endsWith('/snapshot/services.json')) {
          target = path;
          throw thrown;
        }
        return localBundleFs.create(path);
      },
      freeSpace: (dir) => localBundleFs.freeSpace(dir),
      mkdir: (dir) => localBundleFs.mkdir(dir),
    };
    const e = await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle, fs: disk }), { any: true });
    t.deepEqual(refusal(e), { code: 'BUNDLE_WRITE', message: `cannot write the bundle: ${words}`, target, exitCode: ExitCode.fatal, remedy: undefined }, String(thrown));
    t.false(existsSync(`${ws.bundle}.partial`));
  }
});

test('a host file that cannot be read is FILE_UNREADABLE (the data file DATA_FILE_UNREADABLE), in whole words, whatever was thrown', async (t) => {
  const dataFile = 'C:\\Program Files\\PhoneFactor\\Data\\Phonefactor.pfdata';
  const webConfig = 'C:\\inetpub\\wwwroot\\PhoneFactor\\web.config';
  for (const [path, thrown, want] of [
    [webConfig, Object.assign(new Error('the file is locked'), { code: 'EBUSY' }), { code: 'FILE_UNREADABLE', message: 'a file to back up cannot be read (EBUSY: the file is locked)', remedy: 'Check that it is not locked and that you run as an administrator, then back up again.' }],
    [webConfig, 'a string', { code: 'FILE_UNREADABLE', message: 'a file to back up cannot be read (error: a string)', remedy: 'Check that it is not locked and that you run as an administrator, then back up again.' }],
    [webConfig, undefined, { code: 'FILE_UNREADABLE', message: 'a file to back up cannot be read (error: undefined)', remedy: 'Check that it is not locked and that you run as an administrator, then back up again.' }],
    [dataFile, new Error('the handle is invalid'), { code: 'DATA_FILE_UNREADABLE', message: 'the data file cannot be read (error: the handle is invalid)', remedy: 'Check that no other process holds the data file open (a backup agent, antivirus, a second MFA Server service) and that you run as an administrator; then back up again. The services were left as they were found.' }],
    [dataFile, new MfaError('sharing violation', { code: 'WIN32_32' }), { code: 'DATA_FILE_UNREADABLE', message: 'the data file cannot be read (WIN32_32: sharing violation)', remedy: 'Check that no other process holds the data file open (a backup agent, antivirus, a second MFA Server service) and that you run as an administrator; then back up again. The services were left as they were found.' }],
  ] as const) {
    const ws = workspace('phonefactor-5.2');
    t.teardown(ws.cleanup);
    const before = strictHostState(ws.host);
    const image = await openImageHost(ws.host);
    const host = withFiles(image, {
      openRead: async (p: string) => {
        if (p.toLowerCase() === path.toLowerCase()) {
          // The port's stream as the copy reads it (an async iterable), failing as it was made to.
          return (async function* () {
            yield Buffer.from('x');
            throw thrown;
          })() as unknown as NodeJS.ReadableStream;
        }
        return image.files.openRead(p);
      },
    });
    const e = await t.throwsAsync(takeBackup(host, { out: ws.bundle }), { any: true });
    const r = refusal(e);
    t.deepEqual({ code: r.code, message: r.message, remedy: r.remedy }, want, `${path} ${String(thrown)}`);
    t.is(r.target?.toLowerCase(), path.toLowerCase());
    t.is(r.exitCode, ExitCode.fatal);
    t.deepEqual(readdirSync(ws.root), ['phonefactor-5.2']);
    t.deepEqual(strictHostDifferences(ws.host, before), [], 'services running again');
  }
});

test('a stop requested in the middle of copying a host file ends the backup INTERRUPTED (exit 1602), not as a read error; nothing left behind', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const before = strictHostState(ws.host);
  const image = await openImageHost(ws.host);
  const webConfig = 'C:\\inetpub\\wwwroot\\PhoneFactor\\web.config';
  const stop = new CancelSource();
  const host = withFiles(image, {
    openRead: async (p: string) => {
      if (p.toLowerCase() !== webConfig.toLowerCase()) return image.files.openRead(p);
      // The stop arrives while the file is being read: after its first chunk, before its second.
      return (async function* () {
        yield Buffer.from('<configuration>');
        stop.cancel('SIGINT');
        yield Buffer.from('</configuration>');
      })() as unknown as NodeJS.ReadableStream;
    },
  });
  const e = refusal(await t.throwsAsync(takeBackup(host, { out: ws.bundle, cancel: stop.signal }), { any: true }));
  t.is(e.code, 'INTERRUPTED');
  t.is(e.exitCode, ExitCode.interrupted);
  t.is(e.message, 'the backup was stopped (SIGINT); its partial bundle is removed');
  t.deepEqual(readdirSync(ws.root), ['phonefactor-5.2']);
  t.deepEqual(strictHostDifferences(ws.host, before), [], 'services running again');
});

test('a host whose Files port yields text chunks: stored as their UTF-8 bytes', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const image = await openImageHost(ws.host);
  const webConfig = 'C:\\inetpub\\wwwroot\\PhoneFactor\\web.config';
  const bytes = readFileSync(image.paths.local(webConfig));
  const text = bytes.toString('utf8');
  t.deepEqual(Buffer.from(text, 'utf8'), bytes, 'the sample file is UTF-8, so text chunks carry it exactly');
  const host = withFiles(image, {
    openRead: async (p: string) => (p.toLowerCase() === webConfig.toLowerCase() ? Readable.from([text.slice(0, 100), text.slice(100)], { objectMode: true }) : image.files.openRead(p)),
  });
  await takeBackup(host, { out: ws.bundle });
  const entry = manifestOf(ws.bundle).files.find((f) => f.original?.toLowerCase() === webConfig.toLowerCase());
  t.deepEqual(readFileSync(join(ws.bundle, ...(entry?.stored ?? '?').split('/'))), bytes);
});

test('host paths that spell one folder in two cases land in one snapshot folder, spelled as first seen; each file keeps its own original path', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const config = join(ws.host, 'drive/C/Windows/System32/inetsrv/config/applicationHost.config');
  const text = readFileSync(config, 'utf8');
  const upper = text.replace('physicalPath="C:\\inetpub\\wwwroot\\PhoneFactorPhoneAppWebService"', 'physicalPath="C:\\INETPUB\\WWWROOT\\PhoneFactorPhoneAppWebService"');
  t.not(upper, text);
  writeFileSync(config, upper);
  const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
  t.true(r.verification.ok);
  const m = manifestOf(ws.bundle);
  t.true(m.files.some((f) => f.original?.startsWith('C:\\INETPUB\\WWWROOT\\PhoneFactorPhoneAppWebService\\') === true), 'the host spelled it in capitals');
  const spellings = new Map<string, Set<string>>();
  for (const stored of [...m.files.map((f) => f.stored), ...m.directories.map((d) => d.stored)]) {
    const parts = stored.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const key = prefix.toUpperCase();
      spellings.set(key, (spellings.get(key) ?? new Set()).add(prefix));
    }
  }
  const twice = [...spellings.values()].filter((s) => s.size > 1).map((s) => [...s]);
  t.deepEqual(twice, [], 'one spelling per folder');
  const stored = m.files.find((f) => f.original === 'C:\\INETPUB\\WWWROOT\\PhoneFactorPhoneAppWebService\\web.config')?.stored;
  t.is(stored, 'snapshot/drive/C/inetpub/wwwroot/PhoneFactorPhoneAppWebService/web.config');
});

test('a .partial whose lock names this very process is stale (a backup of this process that ended) and is cleared', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const partial = `${ws.bundle}.partial`;
  mkdirSync(partial);
  writeFileSync(join(partial, '.mfa-upgrade-backup.lock'), `${process.pid}\n`);
  writeFileSync(join(partial, 'half-written.bin'), 'x');
  const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
  t.true(r.verification.ok);
  t.false(existsSync(partial));
  t.false(existsSync(join(ws.bundle, 'half-written.bin')));
});

test('a .partial that is not this tool\'s (no lock, or a file) is never removed: BUNDLE_EXISTS in whole words', async (t) => {
  for (const kind of ['folder without a lock', 'file'] as const) {
    const ws = workspace('mfa-7.0');
    t.teardown(ws.cleanup);
    const partial = `${ws.bundle}.partial`;
    if (kind === 'file') writeFileSync(partial, 'precious');
    else {
      mkdirSync(partial);
      writeFileSync(join(partial, 'precious.txt'), 'precious');
    }
    const e = await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle }));
    t.deepEqual(refusal(e), { code: 'BUNDLE_EXISTS', message: `${partial} exists and is not an unfinished backup of this tool`, target: partial, exitCode: ExitCode.badInput, remedy: 'Move it away or choose another --out.' }, kind);
    t.is(readFileSync(kind === 'file' ? partial : join(partial, 'precious.txt'), 'utf8'), 'precious');
    t.false(existsSync(ws.bundle));
  }
});

test('an --out whose parent cannot be a folder (a file is there) is BUNDLE_WRITE naming it, nothing written', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const blocker = join(ws.root, 'a-file');
  writeFileSync(blocker, 'not a folder');
  const out = join(blocker, 'bundle');
  const e = await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out }), { any: true });
  const r = refusal(e);
  t.is(r.code, 'BUNDLE_WRITE');
  t.is(r.target, blocker);
  t.regex(r.message, /^cannot write the bundle: (ENOTDIR|EEXIST)\b/, 'the system\'s own words');
  t.deepEqual(readdirSync(ws.root).sort(), ['a-file', 'mfa-7.0']);
});

test('the role message is for servers only: a portal-only host gets none, whatever the role', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const products = JSON.parse(readFileSync(join(ws.host, 'products.json'), 'utf8')) as Array<{ name: string }>;
  writeFileSync(join(ws.host, 'products.json'), JSON.stringify(products.filter((p) => p.name !== 'Multi-Factor Authentication Server')));
  for (const role of ['unknown', 'subordinate'] as const) {
    const lines: Array<[LogLevel, string]> = [];
    const output: Reporter = { log: (l, m) => void lines.push([l, m]), progress: () => undefined, object: () => undefined };
    const out = join(ws.root, role);
    const r = await takeBackup(await openImageHost(ws.host), { out, role, output });
    t.deepEqual(lines.filter(([, m]) => /role of this server|server is a subordinate/i.test(m)), [], role);
    t.false(r.manifest.warnings.some((w) => /subordinate/.test(w)), role);
  }
});

test('a disk that stalls does not make the copy read ahead without bound: a few chunks wait for it, then the copy goes on', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const image = await openImageHost(ws.host);
  const dataFile = 'C:\\Program Files\\PhoneFactor\\Data\\Phonefactor.pfdata';
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let read = 0;
  const host = withFiles(image, {
    openRead: async (p: string) => {
      if (p.toLowerCase() !== dataFile.toLowerCase()) return image.files.openRead(p);
      return (async function* () {
        for (let i = 0; i < 32; i++) {
          read++;
          yield chunk;
        }
      })() as unknown as NodeJS.ReadableStream;
    },
  });
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const disk: BundleFs = {
    async create(path) {
      const sink = await localBundleFs.create(path);
      if (!/\.pfdata$/i.test(path)) return sink;
      return { write: async (data) => gate.then(() => sink.write(data)), sync: () => sink.sync(), close: () => sink.close() };
    },
    freeSpace: (dir) => localBundleFs.freeSpace(dir),
    mkdir: (dir) => localBundleFs.mkdir(dir),
  };
  const running = takeBackup(host, { out: ws.bundle, fs: disk });
  // Until the copy stops asking for more (nothing else moves while the disk is stalled).
  while (read === 0) await new Promise((r) => setTimeout(r, 20));
  for (let last = -1; last !== read; ) {
    last = read;
    await new Promise((r) => setTimeout(r, 200));
  }
  const aheadOfTheDisk = read;
  // While it runs, the .partial says which process writes it (so another backup keeps off).
  t.is(readFileSync(join(`${ws.bundle}.partial`, '.mfa-upgrade-backup.lock'), 'utf8'), `${process.pid}\n`);
  release();
  const r = await running;
  t.true(aheadOfTheDisk >= 2 && aheadOfTheDisk <= 4, `${aheadOfTheDisk} chunks read while the disk took none`);
  t.is(r.manifest.files.find((f) => f.tags.includes('data'))?.size, 32 * chunk.length);
  t.true(r.verification.ok);
});

test('an encrypted file whose padding is larger than one zero buffer (a data file just over 64 MiB) is padded in full and verifies', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const size = 64 * 1024 * 1024 + 1;
  writeFileSync(join(ws.host, 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata'), Buffer.alloc(size, 0x11));
  // Padmé over 2^26 bytes rounds to 2 MiB steps: just under 2 MiB of zeros, more than the 1 MiB buffer.
  const padded = 66 * 1024 * 1024;
  const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle, scrypt: TEST_SCRYPT, passphrase: 'correct horse battery staple' });
  t.true(r.verification.ok);
  const data = r.manifest.files.find((f) => f.tags.includes('data'));
  t.is(data?.storedSize, padded + 8 + 12 + 16);
  t.is(statSync(join(ws.bundle, ...(data?.stored ?? '?').split('/'))).size, padded + 8 + 12 + 16);
});

test('an --out whose .partial name is too long for the file system is BUNDLE_WRITE naming the .partial, nothing stopped or left', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const before = strictHostState(ws.host);
  // 250 characters fit a name (255 on Linux file systems, as on NTFS); with ".partial" they do not.
  const out = join(ws.root, 'b'.repeat(250));
  const e = refusal(await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out }), { any: true }));
  t.is(e.code, 'BUNDLE_WRITE');
  t.is(e.target, `${out}.partial`);
  t.regex(e.message, /^cannot write the bundle: ENAMETOOLONG/);
  t.deepEqual(readdirSync(ws.root), ['phonefactor-5.2']);
  t.deepEqual(strictHostDifferences(ws.host, before), []);
});

test('a stop whose signal gives no reason is still said in words', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  let cancelled = false;
  const image = await openImageHost(ws.host);
  const host = withFiles(image, {
    openRead: async (p: string) => {
      cancelled = true;
      return image.files.openRead(p);
    },
  });
  const cancel = { get cancelled() { return cancelled; }, reason: undefined, onCancel: () => () => undefined };
  const e = refusal(await t.throwsAsync(takeBackup(host, { out: ws.bundle, cancel }), { any: true }));
  t.is(e.code, 'INTERRUPTED');
  t.is(e.message, 'the backup was stopped (interrupted); its partial bundle is removed');
});

test('a folder of the bundle that cannot be made (the disk filled) is DISK_FULL naming that folder; no file is attempted in it, nothing left', async (t) => {
  for (const [code, want] of [['ENOSPC', 'DISK_FULL'], ['EIO', 'BUNDLE_WRITE']] as const) {
    const ws = workspace('phonefactor-5.2');
    t.teardown(ws.cleanup);
    const before = strictHostState(ws.host);
    const created: string[] = [];
    let refused: string | undefined;
    const disk: BundleFs = {
      async create(path) {
        created.push(path);
        return localBundleFs.create(path);
      },
      async mkdir(dir) {
        if (rel(dir, `${ws.bundle}.partial`) === 'snapshot/drive/C/inetpub/wwwroot/PhoneFactor') {
          refused = dir;
          throw Object.assign(new Error(`${code}: mkdir failed`), { code });
        }
        return localBundleFs.mkdir(dir);
      },
      freeSpace: (dir) => localBundleFs.freeSpace(dir),
    };
    const e = refusal(await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle, fs: disk }), { any: true }));
    t.is(e.code, want);
    t.is(e.target, refused);
    t.false(created.some((p) => dirname(p) === refused), 'no file is created in a folder that was not made');
    t.deepEqual(readdirSync(ws.root), ['phonefactor-5.2']);
    t.deepEqual(strictHostDifferences(ws.host, before), []);
  }
});
