// The Windows Installer result policy of every install step (lib/upgrade/steps/msi.ts): 0 and the
// accepted codes return, 3010 is recorded and returns, 1618 is retried with a doubling backoff and
// then fails with exit 1618, anything else fails at once with the code, naming the step's log.
// Written against a scripted installer, so each attempt, wait and log name is seen.
import test from 'ava';
import { MfaError } from '../../lib/errors.js';
import type { ProgressEvent, Reporter } from '../../lib/reporting/reporter.js';
import type { StepContext } from '../../lib/upgrade/steps/context.js';
import { runMsi } from '../../lib/upgrade/steps/msi.js';

function harness(codes: number[], retry = { attempts: 4, delayMs: 1000 }) {
  const waits: number[] = [];
  const logFiles: string[] = [];
  const logs: Array<[string, string]> = [];
  const progress: ProgressEvent[] = [];
  const out: Reporter = { progress: (e) => void progress.push(e), log: (l, m) => void logs.push([l, m]), object: () => undefined };
  const ctx = { out, logDir: 'C:\\Windows\\Logs\\MfaUpgrade', retry, rebootRequired: false, sleep: async (ms: number) => void waits.push(ms) } as unknown as StepContext;
  let i = 0;
  const call = async (o: { logFile: string; onProgress: (e: { action?: string; percent: number }) => void }) => {
    logFiles.push(o.logFile);
    o.onProgress({ action: 'InstallFiles', percent: 50 });
    o.onProgress({ percent: 100 });
    return { exitCode: codes[Math.min(i++, codes.length - 1)] as number };
  };
  return { ctx, call, waits, logFiles, logs, progress, calls: () => i };
}

test('0: one call, its log named after the step, progress passed on (complete at 100)', async (t) => {
  const h = harness([0]);
  t.is(await runMsi(h.ctx, 'Installing X', '08-install-server', h.call), 0);
  t.is(h.calls(), 1);
  t.deepEqual(h.logFiles, ['C:\\Windows\\Logs\\MfaUpgrade\\08-install-server.log']);
  t.deepEqual(h.waits, []);
  t.deepEqual(h.progress, [
    { id: 2, activity: 'Installing X', status: 'InstallFiles', percent: 50, completed: false },
    { id: 2, activity: 'Installing X', percent: 100, completed: true },
  ]);
  t.false(h.ctx.rebootRequired);
});

test('3010: returned and recorded as a reboot, with a warning; no retry', async (t) => {
  const h = harness([3010, 0]);
  t.is(await runMsi(h.ctx, 'Installing X', 's', h.call), 3010);
  t.is(h.calls(), 1);
  t.true(h.ctx.rebootRequired);
  t.deepEqual(h.logs.map(([l]) => l), ['warning']);
  t.regex(h.logs[0]?.[1] ?? '', /Installing X: Windows Installer asks for a reboot \(3010\)/);
});

test('an accepted code (1605 for an uninstall) is returned as it is', async (t) => {
  const h = harness([1605]);
  t.is(await runMsi(h.ctx, 'Uninstalling X', 's', h.call, [1605]), 1605);
  t.is(h.calls(), 1);
  const other = harness([1605]);
  await t.throwsAsync(runMsi(other.ctx, 'Uninstalling X', 's', other.call), { instanceOf: MfaError, message: /error 1605/ });
});

test('1618 then 0: retried after the delay, doubled each time, each attempt with its own log', async (t) => {
  const h = harness([1618, 1618, 0]);
  t.is(await runMsi(h.ctx, 'Installing X', 's', h.call), 0);
  t.is(h.calls(), 3);
  t.deepEqual(h.waits, [1000, 2000]);
  t.deepEqual(h.logFiles, ['C:\\Windows\\Logs\\MfaUpgrade\\s.log', 'C:\\Windows\\Logs\\MfaUpgrade\\s-try2.log', 'C:\\Windows\\Logs\\MfaUpgrade\\s-try3.log']);
  t.deepEqual(h.logs.map(([, m]) => m), [
    'Installing X: another installation is in progress (1618); trying again in 1 s (attempt 2 of 4).',
    'Installing X: another installation is in progress (1618); trying again in 2 s (attempt 3 of 4).',
  ]);
});

test('1618 through every attempt: exit 1618 after attempts-1 waits, naming the last log and --resume', async (t) => {
  const h = harness([1618], { attempts: 3, delayMs: 500 });
  const e = await t.throwsAsync(runMsi(h.ctx, 'Installing X', 's', h.call), { instanceOf: MfaError });
  t.is(h.calls(), 3);
  t.deepEqual(h.waits, [500, 1000]);
  t.like(e, { code: 'MSI_1618', exitCode: 1618, target: 'C:\\Windows\\Logs\\MfaUpgrade\\s-try3.log' });
  t.is(e?.message, 'Installing X failed with Windows Installer error 1618');
  t.regex(e?.remedy ?? '', /Another installation kept running.*--resume/);
});

test('one attempt only: 1618 fails at once, no wait', async (t) => {
  const h = harness([1618], { attempts: 1, delayMs: 500 });
  await t.throwsAsync(runMsi(h.ctx, 'Installing X', 's', h.call), { instanceOf: MfaError });
  t.is(h.calls(), 1);
  t.deepEqual(h.waits, []);
});

test('1603 (or any other code): fails at once with that code, exit 1603, the log and both ways on in the remedy', async (t) => {
  for (const code of [1603, 1619, 1]) {
    const h = harness([code, 0]);
    const e = await t.throwsAsync(runMsi(h.ctx, 'Installing X', '11-install-userPortal', h.call), { instanceOf: MfaError });
    t.is(h.calls(), 1);
    t.deepEqual(h.waits, []);
    t.like(e, { code: `MSI_${code}`, exitCode: 1603, target: 'C:\\Windows\\Logs\\MfaUpgrade\\11-install-userPortal.log' });
    t.regex(e?.remedy ?? '', /Read the verbose log C:\\Windows\\Logs\\MfaUpgrade\\11-install-userPortal\.log \(search for "return value 3"\).*--resume.*--rollback/);
  }
});
