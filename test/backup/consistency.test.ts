// The data file is copied while the server's services are stopped, and they are left as they
// were found, also when the copy fails. The role decides the subordinate warning.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backupSpec } from '../../lib/cli/commands/backup.spec.js';
import { takeBackup } from '../../lib/backup/take-backup.js';
import { MfaError } from '../../lib/errors.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { runCommand, withFiles, workspace } from './helpers.js';

const states = (hostDir: string) => Object.fromEntries((JSON.parse(readFileSync(join(hostDir, 'services.json'), 'utf8')) as Array<{ name: string; state: string }>).map((s) => [s.name, s.state]));

test('mfa-7.0: MultiFactorAuth and AD sync are stopped while the data file is read, other files are read with them running', async (t) => {
  const ws = workspace('mfa-7.0');
  try {
    const image = await openImageHost(ws.host);
    const seen: Array<{ path: string; states: Record<string, string> }> = [];
    const host = withFiles(image, {
      openRead: async (path: string) => {
        image.services.reload();
        const list = await image.services.list();
        seen.push({ path, states: Object.fromEntries(list.map((s) => [s.name, s.state])) });
        return image.files.openRead(path);
      },
    });
    const before = states(ws.host);
    await takeBackup(host, { out: ws.bundle });
    const data = seen.find((s) => /PhoneFactor\.pfdata$/i.test(s.path));
    t.is(data?.states['MultiFactorAuth'], 'stopped');
    t.is(data?.states['MultiFactorAuthAdSync'], 'stopped');
    t.is(data?.states['W3SVC'], 'running', 'IIS is not stopped');
    const config = seen.find((s) => /web\.config$/i.test(s.path));
    t.is(config?.states['MultiFactorAuth'], 'running', 'the window is as short as the data copy');
    image.services.reload();
    t.deepEqual(states(ws.host), before);
  } finally {
    ws.cleanup();
  }
});

test('a service found stopped is not started; the manifest says the file was copied as it lay', async (t) => {
  const ws = workspace('mfa-8.0-adfs');
  try {
    const file = join(ws.host, 'services.json');
    const list = JSON.parse(readFileSync(file, 'utf8')) as Array<{ name: string; state: string }>;
    for (const s of list) if (s.name.startsWith('MultiFactorAuth')) s.state = 'stopped';
    writeFileSync(file, `${JSON.stringify(list, null, 2)}\n`);
    const before = readFileSync(file);
    const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
    t.deepEqual(r.manifest.consistency, { method: 'services-already-stopped', stopped: [], note: 'No service of the server was running: the data file was copied as it lay.' });
    t.deepEqual(readFileSync(file), before);
  } finally {
    ws.cleanup();
  }
});

test('a data file that cannot be read (locked): a clear error, the service running again, no bundle, no .partial', async (t) => {
  const ws = workspace('phonefactor-5.2');
  try {
    const image = await openImageHost(ws.host);
    // As the Windows backend reports a sharing violation (another process holds the file).
    const host = withFiles(image, {
      openRead: async (path: string) => {
        if (/\.pfdata$/i.test(path)) throw new MfaError('access denied', { code: 'FILE_ACCESS', target: path, remedy: 'Run as an administrator, or check the file is not locked by another process.' });
        return image.files.openRead(path);
      },
    });
    const before = readFileSync(join(ws.host, 'services.json'));
    const e = await t.throwsAsync(takeBackup(host, { out: ws.bundle }), { instanceOf: MfaError });
    t.is((e as MfaError).code, 'DATA_FILE_UNREADABLE');
    t.is((e as MfaError).target, 'C:\\Program Files\\PhoneFactor\\Data\\Phonefactor.pfdata');
    t.regex((e as MfaError).remedy ?? '', /services were left as they were found/);
    t.deepEqual(readFileSync(join(ws.host, 'services.json')), before);
    t.is(states(ws.host)['pfsvc'], 'running');
    const fs = await import('node:fs');
    t.false(fs.existsSync(ws.bundle));
    t.false(fs.existsSync(`${ws.bundle}.partial`));
  } finally {
    ws.cleanup();
  }
});

test('a read that fails half-way through the data file (EIO): the same, and the service is started again', async (t) => {
  const ws = workspace('mfa-7.0');
  try {
    const image = await openImageHost(ws.host);
    const host = withFiles(image, {
      openRead: async (path: string) => {
        const inner = await image.files.openRead(path);
        if (!/\.pfdata$/i.test(path)) return inner;
        const { Readable } = await import('node:stream');
        return Readable.from((async function* () {
          let n = 0;
          for await (const c of inner) {
            if (++n === 2) {
              const err = new Error('EIO: i/o error, read') as NodeJS.ErrnoException;
              err.code = 'EIO';
              throw err;
            }
            yield c;
          }
        })());
      },
    });
    const e = await t.throwsAsync(takeBackup(host, { out: ws.bundle }), { instanceOf: MfaError });
    t.is((e as MfaError).code, 'DATA_FILE_UNREADABLE');
    t.regex((e as MfaError).message, /EIO/);
    t.is(states(ws.host)['MultiFactorAuth'], 'running');
    t.is(states(ws.host)['MultiFactorAuthAdSync'], 'running');
    t.false((await import('node:fs')).existsSync(`${ws.bundle}.partial`));
  } finally {
    ws.cleanup();
  }
});

test('a service that will not start again after the copy: the bundle is complete and the failure is reported (the command then exits 1603)', async (t) => {
  const ws = workspace('phonefactor-5.2');
  try {
    const image = await openImageHost(ws.host);
    const realStart = image.services.start.bind(image.services);
    image.services.start = async (name: string) => {
      if (name === 'pfsvc') throw new MfaError(`service '${name}' failed to start (1053)`, { code: 'WIN32_1053', target: name });
      return realStart(name);
    };
    const r = await takeBackup(image, { out: ws.bundle });
    t.deepEqual(r.restartFailures.map((f) => f.service), ['pfsvc']);
    t.true(r.verification.ok);
  } finally {
    ws.cleanup();
  }
});

test('--role subordinate warns that the master holds the writable copy; master does not; unknown says so verbosely', async (t) => {
  const ws = workspace('mfa-7.0');
  try {
    const sub = await runCommand(backupSpec, ['--out', join(ws.root, 'a'), '--host', ws.host, '--role', 'subordinate', '--json']);
    t.is(sub.code, 0);
    const warnings = sub.events.filter((e) => e['type'] === 'log' && e['level'] === 'warning').map((e) => String(e['message']));
    t.true(warnings.some((w) => /subordinate/.test(w) && /master holds the writable copy/.test(w)));
    const manifest = JSON.parse(readFileSync(join(ws.root, 'a', 'manifest.json'), 'utf8')) as { role: string; warnings: string[] };
    t.is(manifest.role, 'subordinate');
    t.true(manifest.warnings.some((w) => /subordinate/.test(w)));

    const master = await runCommand(backupSpec, ['--out', join(ws.root, 'b'), '--host', ws.host, '--role', 'master', '--json']);
    t.is(master.code, 0);
    t.false(master.events.some((e) => e['type'] === 'log' && /subordinate/.test(String(e['message'])) && e['level'] === 'warning'));

    const unknown = await runCommand(backupSpec, ['--out', join(ws.root, 'c'), '--host', ws.host, '--json']);
    t.true(unknown.events.some((e) => e['type'] === 'log' && e['level'] === 'verbose' && /not known/.test(String(e['message']))));
  } finally {
    ws.cleanup();
  }
});
