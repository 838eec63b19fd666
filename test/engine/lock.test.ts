// One run per host, broken on purpose: a second changing run while one holds the host, two runs
// started at the same instant, runs killed outright. Real processes (the built bundle), because a
// lock that only works inside one process is no lock.
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostState } from '../helpers/host-state.js';
import { resultCode, spawnCli, until } from '../helpers/spawn-cli.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';

const PKG = join(process.cwd(), 'examples', 'packages');
const lockOf = (host: string) => join(host, '.mfa-upgrade', 'run.lock');
const upgradeArgs = (host: string, work: string, ...extra: string[]) => ['upgrade', '--host', host, '--packages', PKG, '--backup', work, '--unattended', '--retry-delay', '0', '--json', '--role', 'standalone', ...extra];

function lockInfo(host: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(lockOf(host), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function errorOf(events: Array<Record<string, unknown>>): Record<string, unknown> | undefined {
  return events.find((e) => e['type'] === 'error');
}

test('a second changing run while one holds the host refuses at once (1618), names it, and changes nothing', async (t) => {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const first = spawnCli(upgradeArgs(h.dir, join(w.dir, 'a')), { MFA_UPGRADE_STALL_AT: 'start:03-install-server:30000' });
  await until('the first run to hold the host with its journal', () => typeof lockInfo(h.dir)?.['journal'] === 'string' && existsSync(join(w.dir, 'a', 'upgrade-journal.jsonl')) && readFileSync(join(w.dir, 'a', 'upgrade-journal.jsonl'), 'utf8').includes('"id":"03-install-server","phase":"start"'));
  const before = await hostState(h.dir);
  const holder = lockInfo(h.dir) as { pid: number };
  for (const args of [
    upgradeArgs(h.dir, join(w.dir, 'b')),
    ['backup', '--host', h.dir, '--out', join(w.dir, 'bundle'), '--json'],
  ]) {
    const second = await spawnCli(args).done;
    t.is(resultCode(second.events), 1618, second.stdout);
    t.like(errorOf(second.events), { code: 'RUN_IN_PROGRESS' });
    t.regex(String(errorOf(second.events)?.['message']), new RegExp(`process ${holder.pid}`));
  }
  t.false(existsSync(join(w.dir, 'b', 'upgrade-journal.jsonl')), 'the refused run kept no journal');
  t.false(existsSync(join(w.dir, 'bundle')), 'the refused backup wrote nothing');
  t.deepEqual(await hostState(h.dir), before, 'the refused runs changed nothing on the host');
  // A read-only command takes no lock but says a run is in progress.
  const inv = await spawnCli(['inventory', '--host', h.dir, '--json']).done;
  t.is(resultCode(inv.events), 0);
  t.true(inv.events.some((e) => e['type'] === 'log' && /A run is in progress on this host/.test(String(e['message']))));
  const done = await first.done;
  t.is(resultCode(done.events), 5);
  t.false(existsSync(lockOf(h.dir)), 'the lock is released when the run ends');
});

test('two upgrades started at the same instant: exactly one runs; rolling it back gives the original host', async (t) => {
  const h = tempCopy('phonefactor-5.2');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const original = await hostState(h.dir);
  const [a, b] = await Promise.all([spawnCli(upgradeArgs(h.dir, join(w.dir, 'a'))).done, spawnCli(upgradeArgs(h.dir, join(w.dir, 'b'))).done]);
  const codes = [resultCode(a.events), resultCode(b.events)].sort((x, y) => (x ?? 0) - (y ?? 0));
  t.deepEqual(codes, [5, 1618], `${a.stdout.slice(-500)}\n${b.stdout.slice(-500)}`);
  const ran = resultCode(a.events) === 5 ? 'a' : 'b';
  const other = ran === 'a' ? 'b' : 'a';
  t.false(existsSync(join(w.dir, other, 'upgrade-journal.jsonl')));
  const rolled = await spawnCli(upgradeArgs(h.dir, join(w.dir, ran), '--rollback')).done;
  t.is(resultCode(rolled.events), 0, rolled.stdout.slice(-2000));
  t.deepEqual(await hostState(h.dir), original);
});

test('a killed upgrade leaves the host to its --resume or --rollback: a fresh run, a backup or a restore is refused', async (t) => {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const killed = await spawnCli(upgradeArgs(h.dir, join(w.dir, 'a')), { MFA_UPGRADE_KILL_AT: 'done:03-install-server' }).done;
  t.is(killed.signal, 'SIGKILL');
  const before = await hostState(h.dir);
  const fresh = await spawnCli(upgradeArgs(h.dir, join(w.dir, 'b'))).done;
  t.is(resultCode(fresh.events), 1603);
  t.like(errorOf(fresh.events), { code: 'RUN_INTERRUPTED' });
  t.regex(String(errorOf(fresh.events)?.['remedy']), /--resume/);
  const backup = await spawnCli(['backup', '--host', h.dir, '--out', join(w.dir, 'bundle'), '--json']).done;
  t.like(errorOf(backup.events), { code: 'RUN_INTERRUPTED' });
  t.deepEqual(await hostState(h.dir), before);
  const resumed = await spawnCli(upgradeArgs(h.dir, join(w.dir, 'a'), '--resume')).done;
  t.is(resultCode(resumed.events), 5, resumed.stdout.slice(-2000));
  t.false(existsSync(lockOf(h.dir)));
});

test('a backup killed while the server was stopped: the next changing run starts it again and removes the unfinished bundle first', async (t) => {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const servicesBefore = readFileSync(join(h.dir, 'services.json'), 'utf8');
  const out = join(w.dir, 'bundle');
  const killed = await spawnCli(['backup', '--host', h.dir, '--out', out, '--json'], { MFA_UPGRADE_KILL_AT: 'copy-chunk#2' }).done;
  t.is(killed.signal, 'SIGKILL');
  const stopped = (JSON.parse(readFileSync(join(h.dir, 'services.json'), 'utf8')) as Array<{ name: string; state: string }>).filter((s) => /^MultiFactorAuth/.test(s.name));
  t.true(stopped.every((s) => s.state === 'stopped'), 'the kill left the MFA services stopped');
  t.true(existsSync(`${out}.partial`));
  const next = await spawnCli(['backup', '--host', h.dir, '--out', join(w.dir, 'bundle2'), '--json']).done;
  t.is(resultCode(next.events), 0, next.stdout.slice(-1500));
  t.true(next.events.some((e) => e['type'] === 'log' && /was killed; finishing its cleanup/.test(String(e['message']))));
  t.false(existsSync(`${out}.partial`), "the killed backup's unfinished bundle is gone");
  t.is(readFileSync(join(h.dir, 'services.json'), 'utf8'), servicesBefore, 'services as they were found');
  const manifest = JSON.parse(readFileSync(join(w.dir, 'bundle2', 'manifest.json'), 'utf8')) as { consistency: { method: string } };
  t.is(manifest.consistency.method, 'services-stopped', 'the next backup found the server running again, as it was');
  t.deepEqual(readdirSync(w.dir).filter((f) => f.endsWith('.tmp')), []);
});

test('a run killed as its journal was created (an empty or torn journal, its lock left): --resume and --rollback say there is nothing to continue and clear the lock; the next run replaces the journal and finishes', async (t) => {
  for (const left of ['', '{"type":"begin","format":"mfa-upg']) {
    const h = tempCopy('mfa-7.0');
    const w = tempDir();
    t.teardown(() => (h.cleanup(), w.cleanup()));
    const work = join(w.dir, 'run');
    const journal = join(work, 'upgrade-journal.jsonl');
    mkdirSync(work, { recursive: true });
    writeFileSync(journal, left);
    const stray = join(work, '.upgrade-journal.jsonl.4194999-deadbeef.mfa-tmp');
    writeFileSync(stray, '{"type":"begin"');
    mkdirSync(join(h.dir, '.mfa-upgrade'), { recursive: true });
    // A process id above Linux's largest: never a live process.
    const dead = { pid: 4194999, identity: null, computer: 'MFA01', command: 'upgrade', kind: 'upgrade', journal, runId: '20261201000000-abcdef', state: 'running', since: '2026-12-01T00:00:00.000Z' };
    writeFileSync(lockOf(h.dir), JSON.stringify(dead));
    const before = await hostState(h.dir);
    for (const mode of ['--resume', '--rollback']) {
      const r = await spawnCli(upgradeArgs(h.dir, work, mode)).done;
      t.is(resultCode(r.events), 2, r.stdout);
      t.like(errorOf(r.events), { code: 'NO_JOURNAL', message: 'the journal here records no run: its run was stopped as it began, before it changed anything', remedy: 'Run the command again without --resume or --rollback.' });
      t.false(existsSync(lockOf(h.dir)), `${mode}: the killed run's lock is cleared`);
      t.false(existsSync(stray), `${mode}: the journal it was writing beside is removed`);
    }
    t.deepEqual(await hostState(h.dir), before, 'nothing on the host changed');
    const again = await spawnCli(upgradeArgs(h.dir, work)).done;
    t.is(resultCode(again.events), 5, again.stdout.slice(-800));
    t.regex(readFileSync(journal, 'utf8'), /^\{"type":"begin"/);
  }
});
