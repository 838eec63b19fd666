// The image's MFA Server converts its data file when its service starts after an install, as the
// real one does (docs/package-manifest.md "dataConversion"): the bytes change once and
// deterministically, the log gains the completion line, a conversion that takes time (polls)
// completes only while the service keeps running, and a stop in the middle damages the file.
import test from 'ava';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { completionLines, pfdataState } from '../helpers/pfdata.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';

const PKG = 'examples/packages';
const SERVER = 'MultiFactorAuthenticationServerSetup64.msi.json';
const DATA = 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata';
const LOG = 'drive/C/Program Files/Multi-Factor Authentication Server/Logs/MultiFactorAuthSvc.log';

/** The sample packages with the server's conversion changed. */
function serverWith(change: (c: Record<string, unknown>) => void): { file: string; cleanup: () => void } {
  const d = tempDir();
  cpSync(PKG, d.dir, { recursive: true });
  const file = join(d.dir, SERVER);
  const m = JSON.parse(readFileSync(file, 'utf8')) as { services: Array<{ name: string; dataConversion?: Record<string, unknown> }> };
  change(m.services.find((s) => s.name === 'MultiFactorAuth')?.dataConversion as Record<string, unknown>);
  writeFileSync(file, JSON.stringify(m, null, 2));
  return { file, cleanup: d.cleanup };
}

async function installed(polls?: number) {
  const ws = tempCopy('mfa-7.0');
  const pkg = serverWith((c) => {
    if (polls !== undefined) c['polls'] = polls;
  });
  const host = await openImageHost(ws.dir);
  const original = readFileSync(join(ws.dir, DATA));
  // The sample has only the x64 VC++ runtime; the server's launch condition wants both.
  if ((await host.installer.install(join(PKG, 'vc_redist.x86.msi.json'))).exitCode !== 0) throw new Error('the x86 runtime did not install');
  const r = await host.installer.install(pkg.file);
  return { ws, host, original, code: r.exitCode, cleanup: () => (ws.cleanup(), pkg.cleanup()) };
}

const lines = (dir: string) => completionLines(readFileSync(join(dir, LOG), 'utf8'));

test('converted on the start that ends the install: original bytes behind the header, one completion line', async (t) => {
  const { ws, original, code, cleanup } = await installed();
  t.teardown(cleanup);
  t.is(code, 0);
  const after = pfdataState(readFileSync(join(ws.dir, DATA)));
  t.deepEqual(after.header, { schema: 25, from: 23, state: 0, pollsLeft: 0 });
  t.deepEqual(after.body, original);
  t.deepEqual(lines(ws.dir), [{ from: 22, to: 23 }, { from: 23, to: 25 }]);
});

test('converted once: later stops and starts leave the data file and the log as they are', async (t) => {
  const { ws, host, cleanup } = await installed();
  t.teardown(cleanup);
  const data = readFileSync(join(ws.dir, DATA));
  const log = readFileSync(join(ws.dir, LOG));
  for (let i = 0; i < 3; i++) {
    await host.services.stop('MultiFactorAuth');
    await host.services.start('MultiFactorAuth');
  }
  t.deepEqual(readFileSync(join(ws.dir, DATA)), data);
  t.deepEqual(readFileSync(join(ws.dir, LOG)), log);
});

test('the same data file converted on two hosts gives the same bytes (deterministic, no clock)', async (t) => {
  const a = await installed();
  const b = await installed();
  t.teardown(() => (a.cleanup(), b.cleanup()));
  t.deepEqual(readFileSync(join(a.ws.dir, DATA)), readFileSync(join(b.ws.dir, DATA)));
  t.deepEqual(readFileSync(join(a.ws.dir, LOG)), readFileSync(join(b.ws.dir, LOG)));
});

test('polls: the conversion completes only after that many status queries of the running service', async (t) => {
  const { ws, host, original, cleanup } = await installed(3);
  t.teardown(cleanup);
  t.like(pfdataState(readFileSync(join(ws.dir, DATA))).header, { schema: 25, state: 1, pollsLeft: 3 });
  t.deepEqual(lines(ws.dir), [{ from: 22, to: 23 }], 'no completion line yet');
  t.is((await host.services.get('MultiFactorAuth'))?.state, 'running');
  await host.services.get('MultiFactorAuth');
  t.like(pfdataState(readFileSync(join(ws.dir, DATA))).header, { state: 1, pollsLeft: 1 });
  await host.services.list();
  const done = pfdataState(readFileSync(join(ws.dir, DATA)));
  t.deepEqual(done.header, { schema: 25, from: 23, state: 0, pollsLeft: 0 });
  t.deepEqual(done.body, original);
  t.deepEqual(lines(ws.dir), [{ from: 22, to: 23 }, { from: 23, to: 25 }]);
});

test('a stop during the conversion damages the data file; the service then refuses to start (1067) until it is restored', async (t) => {
  const { ws, host, original, cleanup } = await installed(5);
  t.teardown(cleanup);
  await host.services.stop('MultiFactorAuth');
  t.like(pfdataState(readFileSync(join(ws.dir, DATA))).header, { state: 2 });
  t.regex(readFileSync(join(ws.dir, LOG), 'utf8'), /E Data file conversion to 25 was interrupted/);
  await t.throwsAsync(host.services.start('MultiFactorAuth'), { code: 'WIN32_1067' } as never);
  t.is((await host.services.get('MultiFactorAuth'))?.state, 'stopped');
  // Restoring the original data file lets it start and convert again from the start.
  writeFileSync(join(ws.dir, DATA), original);
  await host.services.start('MultiFactorAuth');
  t.like(pfdataState(readFileSync(join(ws.dir, DATA))).header, { schema: 25, from: 23, state: 1, pollsLeft: 5 });
});

test('a package whose dataConversion is malformed is refused as a whole', async (t) => {
  const pkg = serverWith((c) => void (c['schema'] = 'twenty-five'));
  t.teardown(pkg.cleanup);
  const ws = tempCopy('mfa-7.0');
  t.teardown(ws.cleanup);
  const host = await openImageHost(ws.dir);
  await t.throwsAsync(host.installer.install(pkg.file), { message: /dataConversion\.schema must be a whole number/ });
});
