// The data file conversion wait after the MFA Server install: the service log is followed from
// where it stood before the install until the completion line (DOMAIN.md §1); a line from an
// earlier upgrade does not count; a timeout pauses the run for a person (exit 5, also
// unattended) and --resume is the confirmation; a killed wait goes on waiting on --resume.
// The image's MFA Server converts the data file on its service's first start and logs the line
// after N status queries ("dataConversion.polls" of the package); the unit tests write log lines
// themselves, so the reading is also checked against lines the test chose.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createBundleAccess } from '../../lib/backup/bundle-access.js';
import { readJournal } from '../../lib/engine/journal.js';
import { openImageHost, type ImageHost } from '../../lib/host/image/image-host.js';
import type { Reporter } from '../../lib/reporting/reporter.js';
import { makePlan } from '../../lib/upgrade/make-plan.js';
import { journalPathOf, runUpgrade, type UpgradeRunOptions } from '../../lib/upgrade/run-upgrade.js';
import { CONVERSION_DONE, decodeLog, markLogs, readSince } from '../../lib/upgrade/service-log.js';
import type { UpgradePlan } from '../../lib/upgrade/plan-types.js';
import { NEVER_CANCELLED } from '../../lib/util/cancel.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';

const PKG = 'examples/packages';

test('the completion line is matched whatever surrounds it; other lines are not', (t) => {
  for (const line of [
    'Completed performing tasks to upgrade from 23 to 24',
    '2024-02-12 07:14:56.417 I Completed performing tasks to upgrade from 22 to 23',
    '[image] I Completed performing tasks to upgrade from 0 to 25',
    '12/03/2019 1:02:03 PM  INFO  pfsvc: completed  performing tasks to upgrade from 18 to 25.',
  ]) {
    const m = CONVERSION_DONE.exec(line);
    t.truthy(m, line);
  }
  const m = CONVERSION_DONE.exec('xx Completed performing tasks to upgrade from 118 to 1024 yy');
  t.deepEqual([m?.[1], m?.[2]], ['118', '1024']);
  for (const line of ['Performing tasks to upgrade from 23 to 24', 'Completed performing tasks to upgrade', 'Completed performing tasks to upgrade from x to y', 'Failed performing tasks to upgrade from 23 to 24 (completed: no)']) {
    t.falsy(CONVERSION_DONE.exec(line), line);
  }
});

test('a log is read in UTF-8, UTF-16LE/BE with or without a BOM', (t) => {
  const text = 'a line\r\nCompleted performing tasks to upgrade from 1 to 2\r\n';
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(le).swap16();
  for (const bytes of [Buffer.from(text), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), Buffer.concat([Buffer.from([0xff, 0xfe]), le]), le, Buffer.concat([Buffer.from([0xfe, 0xff]), be]), be]) {
    t.is(decodeLog(bytes), text);
  }
});

function appendLine(file: string, line: string): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${line}\r\n`);
}

function logOf(host: string, installDir: string): string {
  return join(host, 'drive/C', installDir, 'Logs', 'MultiFactorAuthSvc.log');
}

test('readSince: lines before the mark do not count; appended, rotated and new files do', async (t) => {
  const h = tempCopy('mfa-7.0');
  t.teardown(h.cleanup);
  const host = await openImageHost(h.dir);
  const folder = 'C:\\Program Files\\Multi-Factor Authentication Server\\Logs';
  const log = logOf(h.dir, 'Program Files/Multi-Factor Authentication Server');
  t.regex(readFileSync(log, 'utf8'), /upgrade from 22 to 23/, 'the sample log holds an earlier upgrade');
  const mark = await markLogs(host, folder);
  t.falsy((await readSince(host, mark)).done, 'the earlier upgrade\'s line is before the mark');
  appendFileSync(log, '2025-01-01 10:00:00.000 I Service starting (8.1.1.2)\r\n');
  const r1 = await readSince(host, mark);
  t.falsy(r1.done);
  t.deepEqual(r1.lastLines, ['2025-01-01 10:00:00.000 I Service starting (8.1.1.2)']);
  appendFileSync(log, '2025-01-01 10:00:09.000 I Completed performing tasks to upgrade from 23 to 25\r\n');
  t.like((await readSince(host, mark)).done, { from: 23, to: 25 });
  // Rotated: the old log renamed, a new one begun with the line.
  const h2 = tempCopy('mfa-7.0');
  t.teardown(h2.cleanup);
  const host2 = await openImageHost(h2.dir);
  const mark2 = await markLogs(host2, folder);
  const log2 = logOf(h2.dir, 'Program Files/Multi-Factor Authentication Server');
  writeFileSync(log2.replace(/\.log$/, '.1.log'), readFileSync(log2));
  writeFileSync(log2, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Service starting\r\nCompleted performing tasks to upgrade from 23 to 25\r\n', 'utf16le')]));
  const r2 = await readSince(host2, mark2);
  t.like(r2.done, { from: 23, to: 25 });
  t.false(JSON.stringify(r2).includes('22 to 23'), 'the renamed old log holds the old line, which is not taken');
});

interface Session {
  host: string;
  work: string;
  pkg: string;
  plan: UpgradePlan;
  logs: string[];
  progress: string[];
}

/** The sample packages, the MFA Server's service changed (its conversion's status queries, whether the install starts it). */
function packages(t: { teardown(fn: () => void): void }, service: { polls?: number; start?: boolean }): string {
  const d = tempDir();
  t.teardown(d.cleanup);
  cpSync(PKG, d.dir, { recursive: true });
  const file = join(d.dir, 'MultiFactorAuthenticationServerSetup64.msi.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as { services: Array<{ name: string; start?: boolean; dataConversion?: { polls?: number } }> };
  const svc = m.services.find((x) => x.name === 'MultiFactorAuth');
  if (!svc?.dataConversion) throw new Error('the sample MFA Server package declares no data conversion');
  if (service.polls !== undefined) svc.dataConversion.polls = service.polls;
  if (service.start !== undefined) svc.start = service.start;
  writeFileSync(file, JSON.stringify(m, null, 2));
  return d.dir;
}

async function session(sample: string, t: { teardown(fn: () => void): void }, service: { polls?: number; start?: boolean } = {}): Promise<Session> {
  const h = tempCopy(sample);
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const pkg = packages(t, service);
  const plan = await makePlan(await openImageHost(h.dir), { packagesDir: pkg, vdirNames: 'keep', role: 'standalone' });
  return { host: h.dir, work: w.dir, pkg, plan, logs: [], progress: [] };
}

function reporter(s: Session): Reporter {
  return {
    log: (level, message) => s.logs.push(`${level}: ${message}`),
    progress: (e) => (e.activity.startsWith('Waiting') ? s.progress.push(`${e.status ?? ''}`) : undefined),
    object: () => undefined,
  };
}

/** The upgrade run in-process, its clock advanced by each sleep, and `onSleep` acting for the world outside. */
async function run(s: Session, mode: UpgradeRunOptions['mode'], onSleep: (n: number, host: ImageHost) => void | Promise<void> = () => undefined, timeoutMin = 30) {
  let clock = 1_000_000;
  let sleeps = 0;
  const host = await openImageHost(s.host);
  const r = await runUpgrade(
    host,
    createBundleAccess({ readPackage: (p) => host.installer.readPackage(p) }),
    reporter(s),
    {
      workDir: s.work,
      packagesDir: s.pkg,
      mode,
      unattended: true,
      retry: { attempts: 1, delayMs: 0 },
      logDir: 'C:\\Windows\\Logs\\MfaUpgrade',
      toolVersion: 'test',
      cancel: NEVER_CANCELLED,
      conversion: { timeoutMs: timeoutMin * 60_000, pollMs: 5_000 },
      sleep: async (ms) => {
        clock += ms;
        await onSleep(++sleeps, host);
      },
      now: () => clock,
    },
    mode === 'run' ? s.plan : undefined,
  );
  return { ...r, sleeps };
}

const waitOf = (s: Session) => s.plan.steps.find((x) => x.kind === 'wait-conversion') as { id: string };
const journal = (s: Session) => readJournal(journalPathOf(s.work));

test('PhoneFactor 5.2: the wait follows the new service log while the conversion runs, with progress, until the line; it is journaled', async (t) => {
  const s = await session('phonefactor-5.2', t, { polls: 4 });
  const install = s.plan.steps.find((x) => x.kind === 'install' && x.role === 'server');
  t.is(s.plan.steps.indexOf(waitOf(s) as never), s.plan.steps.indexOf(install as never) + 1, 'right after the MFA Server install');
  const r = await run(s, 'run');
  t.not(r.outcome, 'paused', JSON.stringify(r.next));
  t.true(r.sleeps >= 2, `it waited (${r.sleeps} polls)`);
  t.true(s.progress.length >= 2, 'progress while waiting');
  t.like(journal(s).stepData.get(waitOf(s).id), { converted: { from: 18, to: 25 } });
  // Nothing after the wait ran before the line: the SDK install's start follows the wait's end.
  const times = journal(s).stepTimes;
  const sdk = s.plan.steps.find((x) => /-install-webServiceSdk$/.test(x.id))?.id ?? '';
  const ended = times.get(waitOf(s).id)?.endedAt ?? 'x';
  const next = times.get(sdk)?.startedAt ?? '';
  t.true(ended <= next, `${waitOf(s).id} ended ${ended}, ${sdk} started ${next}`);
});

test('mfa-7.0: the earlier upgrade\'s line in the log does not end the wait; a timeout pauses the run (exit 5) saying what the log showed; --resume confirms and goes on', async (t) => {
  const s = await session('mfa-7.0', t, { polls: 100_000 });
  const log = logOf(s.host, 'Program Files/Multi-Factor Authentication Server');
  const wait = waitOf(s);
  const paused = await run(s, 'run', (n) => {
    if (n === 2) appendLine(log, '2025-03-01 09:00:05.000 I Converting the data file, Password=Hunter2');
  }, 1);
  t.is(paused.outcome, 'paused');
  t.is(paused.exitCode, 5);
  t.like(paused.next, { id: wait.id, manual: true, title: 'Confirm that MFA Server finished converting the data file' });
  const warning = s.logs.find((l) => l.includes('Paused at') && l.includes(wait.id)) ?? '';
  t.regex(warning, /After 1 min the conversion is not confirmed/);
  t.regex(warning, /Converting the data file/);
  t.false(warning.includes('Hunter2'), 'a secret in a log line is masked');
  t.regex(warning, /Do not restart MultiFactorAuth/);
  // Nothing after the wait ran: the portal is still 7.0.
  const mid = JSON.parse(readFileSync(join(s.host, 'products.json'), 'utf8')) as Array<{ name: string; version: string }>;
  t.is(mid.find((p) => /User Portal/.test(p.name))?.version, '7.0.2.1');
  t.is(journal(s).phases.get(wait.id), 'waiting');
  const resumed = await run(s, 'resume');
  t.not(resumed.outcome, 'paused');
  t.like(journal(s).stepData.get(wait.id), { confirmedBy: 'resume' });
  const after = JSON.parse(readFileSync(join(s.host, 'products.json'), 'utf8')) as Array<{ name: string; version: string }>;
  t.is(after.find((p) => /User Portal/.test(p.name))?.version, '8.1.1.2');
});

test('a service the install left stopped is started once, and its first start converts the data file', async (t) => {
  const s = await session('phonefactor-5.2', t, { start: false });
  const r = await run(s, 'run');
  t.not(r.outcome, 'failed', JSON.stringify(r.failure?.error));
  t.true(s.logs.some((l) => /MultiFactorAuth is stopped after the install: starting it/.test(l)));
  t.like(journal(s).stepData.get(waitOf(s).id), { converted: { from: 18, to: 25 } });
});

test('a service that stops while converting fails the step (the image damages the file as MFA Server would), naming the log and --rollback', async (t) => {
  const s = await session('mfa-7.0', t, { polls: 10 });
  const r = await run(s, 'run', async (n, host) => {
    if (n === 2) await host.services.stop('MultiFactorAuth');
  });
  t.is(r.outcome, 'failed');
  t.like(r.failure?.error, { code: 'SERVICE_STOPPED_CONVERTING' });
  t.regex(r.failure?.error.remedy ?? '', /--rollback/);
  t.regex(r.failure?.error.remedy ?? '', /MultiFactorAuthSvc\.log/);
});

test('a wait cut off half way goes on waiting on --resume, from the mark the journal kept', async (t) => {
  const s = await session('mfa-7.0', t, { polls: 6 });
  const wait = waitOf(s);
  const first = await run(s, 'run', (n) => {
    if (n === 2) throw new Error('killed');
  });
  t.is(first.outcome, 'failed');
  t.is(journal(s).phases.get(wait.id), 'failed');
  const resumed = await run(s, 'resume');
  t.not(resumed.outcome, 'paused');
  t.true(resumed.sleeps >= 1, 'it waited again');
  t.like(journal(s).stepData.get(wait.id), { converted: { from: 23, to: 25 } });
});

test('killed (SIGKILL) as the wait begins: --resume waits from the mark the install journaled, so the old line still does not count', async (t) => {
  const s = await session('mfa-7.0', t, { polls: 3 });
  const wait = waitOf(s);
  const cli = join(process.cwd(), 'dist', 'mfa-upgrade.cjs');
  const killed = spawnSync(process.execPath, [cli, 'upgrade', '--host', s.host, '--packages', s.pkg, '--backup', s.work, '--role', 'standalone', '--unattended', '--retry-delay', '0'], { env: { ...process.env, MFA_UPGRADE_KILL_AT: `start:${wait.id}` } });
  t.is(killed.signal, 'SIGKILL', killed.stderr.toString());
  t.is(journal(s).phases.get(wait.id), 'start');
  const resumed = await run(s, 'resume');
  t.not(resumed.outcome, 'paused');
  t.true(resumed.sleeps >= 1, 'it waited for the new line');
  t.like(journal(s).stepData.get(wait.id), { converted: { from: 23, to: 25 } });
});
