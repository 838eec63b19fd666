// Interrupts end a run at a safe point: SIGINT, SIGTERM, a stop request on the control channel,
// the end of stdin, and a closed stdout. Each leaves services as found, no temporary files, the
// result 1602, and a journal that --resume finishes (equal to an uninterrupted run) and --rollback
// undoes (equal to the original host).
import test from 'ava';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hostState } from '../helpers/host-state.js';
import { resultCode, spawnCli, until } from '../helpers/spawn-cli.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';

const PKG = join(process.cwd(), 'examples', 'packages');
const upgradeArgs = (host: string, work: string, ...extra: string[]) => ['upgrade', '--host', host, '--packages', PKG, '--backup', work, '--unattended', '--retry-delay', '0', '--json', '--role', 'standalone', ...extra];
const journalOf = (work: string) => join(work, 'upgrade-journal.jsonl');

function stepStarted(work: string, id: string): boolean {
  return existsSync(journalOf(work)) && readFileSync(journalOf(work), 'utf8').includes(`"id":"${id}","phase":"start"`);
}

function mfaServices(host: string): Record<string, string> {
  return Object.fromEntries((JSON.parse(readFileSync(join(host, 'services.json'), 'utf8')) as Array<{ name: string; state: string }>).map((s) => [s.name, s.state]));
}

/** Temporary files anywhere under a folder (atomic writes' .tmp, unfinished bundles). */
function strays(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (/\.tmp$|\.partial$/.test(e.name)) out.push(p);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

let expected: Promise<{ final: Awaited<ReturnType<typeof hostState>> }> | undefined;
function uninterrupted() {
  expected ??= (async () => {
    const h = tempCopy('mfa-7.0');
    const w = tempDir();
    const r = await spawnCli(upgradeArgs(h.dir, w.dir)).done;
    if (resultCode(r.events) !== 5) throw new Error(`uninterrupted upgrade: ${r.stdout.slice(-1000)}`);
    const final = await hostState(h.dir);
    h.cleanup();
    w.cleanup();
    return { final };
  })();
  return expected;
}

for (const how of ['SIGINT', 'SIGTERM', 'stop request', 'end of stdin'] as const) {
  test(`${how} during the upgrade: stopped at a safe point (1602), services as found, no temporary files; --resume ends where an uninterrupted run ends`, async (t) => {
    const h = tempCopy('mfa-7.0');
    const w = tempDir();
    t.teardown(() => (h.cleanup(), w.cleanup()));
    const original = await hostState(h.dir);
    const servicesBefore = mfaServices(h.dir);
    const control = how === 'stop request' || how === 'end of stdin';
    const run = spawnCli(upgradeArgs(h.dir, w.dir, ...(control ? ['--control-stdin'] : [])), { MFA_UPGRADE_STALL_AT: 'start:03-install-server:1500' }, control ? 'pipe' : 'ignore');
    await until('the server install to start', () => stepStarted(w.dir, '03-install-server'));
    if (how === 'SIGINT' || how === 'SIGTERM') run.child.kill(how);
    else if (how === 'stop request') run.child.stdin?.write('{"type":"stop"}\n');
    else run.child.stdin?.end();
    const r = await run.done;
    t.is(resultCode(r.events), 1602, r.stdout.slice(-1500));
    t.is(r.status, 1602 & 0xff);
    t.like(r.events.find((e) => e['type'] === 'error'), { code: 'INTERRUPTED' });
    t.regex(String(r.events.find((e) => e['type'] === 'error')?.['remedy']), /--resume/);
    t.deepEqual(mfaServices(h.dir), servicesBefore, 'services as found');
    t.deepEqual(strays(h.dir), []);
    t.deepEqual(strays(w.dir), []);
    // A safe point: the step it stopped in either completed, or saw the request before its
    // installer started and changed nothing (which one depends on when the signal is handled).
    const phases = readFileSync(journalOf(w.dir), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id?: string; phase?: string }).filter((e) => e.id === '03-install-server').map((e) => e.phase);
    const last = phases[phases.length - 1];
    t.true(last === 'done' || last === 'interrupted', `03-install-server ended ${String(last)}`);
    const server = (products: string[]) => products.filter((p) => p.includes('"name":"Multi-Factor Authentication Server"'));
    if (last === 'interrupted') t.deepEqual(server((await hostState(h.dir)).products), server(original.products), 'an interrupted install step installed nothing');
    const started = readFileSync(journalOf(w.dir), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id?: string; phase?: string }).filter((e) => e.phase === 'start').map((e) => e.id);
    t.deepEqual([...new Set(started)], ['01-backup', '02-install-vcredist-x86', '03-install-server'], 'no step after the one it stopped in started');
    const resumed = await spawnCli(upgradeArgs(h.dir, w.dir, '--resume')).done;
    t.is(resultCode(resumed.events), 5, resumed.stdout.slice(-1500));
    t.deepEqual(await hostState(h.dir), (await uninterrupted()).final);
    t.truthy(original);
  });
}

test('an interrupted run rolled back gives the original host', async (t) => {
  const h = tempCopy('phonefactor-5.2');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const original = await hostState(h.dir);
  const run = spawnCli(upgradeArgs(h.dir, w.dir), { MFA_UPGRADE_STALL_AT: 'start:06-uninstall-webServiceSdk:1500' });
  await until('the SDK uninstall to start', () => stepStarted(w.dir, '06-uninstall-webServiceSdk'));
  run.child.kill('SIGINT');
  t.is(resultCode((await run.done).events), 1602);
  const rolled = await spawnCli(upgradeArgs(h.dir, w.dir, '--rollback')).done;
  t.is(resultCode(rolled.events), 0, rolled.stdout.slice(-1500));
  t.deepEqual(await hostState(h.dir), original);
});

test('a closed stdout (backup --json | head -3) never crashes a backup: it stops, starts the services again, removes the unfinished bundle, and its --log goes on', async (t) => {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const servicesBefore = mfaServices(h.dir);
  const log = join(w.dir, 'backup.log');
  const run = spawnCli(['backup', '--host', h.dir, '--out', join(w.dir, 'bundle'), '--json', '--log', log], { MFA_UPGRADE_STALL_AT: 'copy-chunk:300' });
  let lines = 0;
  await new Promise<void>((resolve) => {
    run.child.stdout?.on('data', (d: Buffer) => {
      lines += d.toString().split('\n').length - 1;
      if (lines >= 3) {
        run.child.stdout?.destroy();
        resolve();
      }
    });
  });
  const r = await run.done;
  t.is(r.status, 1602 & 0xff, r.stderr);
  t.deepEqual(mfaServices(h.dir), servicesBefore, 'services as found');
  t.false(existsSync(join(w.dir, 'bundle.partial')));
  t.false(existsSync(join(w.dir, 'bundle')));
  t.regex(readFileSync(log, 'utf8'), /stdout was closed/);
  t.false(existsSync(join(h.dir, '.mfa-upgrade', 'run.lock')), 'the lock is released');
  t.true(statSync(log).size > 0);
});
