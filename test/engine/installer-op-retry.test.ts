// The Windows Installer result policy every install and uninstall goes through
// (lib/engine/installer-op.ts): success codes return (3010/1641 recorded as a reboot), an
// uninstall accepts 1605, 1618 is retried with a doubling backoff and then fails with exit 1618,
// a stop request ends it as an interrupt, anything else fails at once naming the attempt's log.
// Written against a scripted installer, so every attempt, wait and log name is seen.
import test from 'ava';
import { installerOps } from '../../lib/engine/installer-op.js';
import { MfaError } from '../../lib/errors.js';
import type { Host, InstallOptions } from '../../lib/host/ports.js';
import type { ProgressEvent, Reporter } from '../../lib/reporting/reporter.js';
import { CancelSource, NEVER_CANCELLED, type CancelSignal } from '../../lib/util/cancel.js';

function harness(codes: number[], retry = { attempts: 4, delayMs: 1000 }, cancel: CancelSignal = NEVER_CANCELLED) {
  const waits: number[] = [];
  const logFiles: string[] = [];
  const logs: Array<[string, string]> = [];
  const progress: ProgressEvent[] = [];
  const calls: Array<{ op: string; target: string; properties?: Record<string, string> }> = [];
  let reboots = 0;
  let i = 0;
  const answer = async (op: string, target: string, o: InstallOptions) => {
    calls.push({ op, target, ...(o.properties ? { properties: o.properties } : {}) });
    logFiles.push(o.logFile as string);
    o.onProgress?.({ action: 'InstallFiles', percent: 50 });
    o.onProgress?.({ percent: 100 });
    return { exitCode: codes[Math.min(i++, codes.length - 1)] as number };
  };
  const host = {
    files: { mkdirp: async () => undefined },
    installer: { install: (p: string, o: InstallOptions) => answer('install', p, o), uninstall: (c: string, o: InstallOptions) => answer('uninstall', c, o) },
  } as unknown as Host;
  const reporter: Reporter = { progress: (e) => void progress.push(e), log: (l, m) => void logs.push([l, m]), object: () => undefined };
  const ops = installerOps({ host, reporter, retry, logDir: 'C:\\Windows\\Logs\\MfaUpgrade', cancel, sleep: async (ms) => void waits.push(ms), onReboot: () => void reboots++ });
  return { ops, waits, logFiles, logs, progress, calls, reboots: () => reboots };
}

test('0: one call with the properties, its log named after the step, progress passed on (complete at 100)', async (t) => {
  const h = harness([0]);
  t.is(await h.ops.install('C:\\pkg\\x.msi', 'Installing X', '08-install-server', { TARGETVDIR: 'PF' }), 0);
  t.deepEqual(h.calls, [{ op: 'install', target: 'C:\\pkg\\x.msi', properties: { TARGETVDIR: 'PF' } }]);
  t.deepEqual(h.logFiles, ['C:\\Windows\\Logs\\MfaUpgrade\\08-install-server.log']);
  t.deepEqual(h.waits, []);
  t.deepEqual(h.progress, [
    { id: 2, activity: 'Installing X', status: 'InstallFiles', percent: 50, completed: false },
    { id: 2, activity: 'Installing X', percent: 100, completed: true },
  ]);
  t.false(h.ops.rebootRequired);
  t.is(h.reboots(), 0);
});

for (const code of [3010, 1641]) {
  test(`${code}: success, recorded as a reboot once, with a warning; no retry`, async (t) => {
    const h = harness([code, 0]);
    t.is(await h.ops.install('x.msi', 'Installing X', 's'), code);
    t.is(h.calls.length, 1);
    t.true(h.ops.rebootRequired);
    t.is(h.reboots(), 1);
    t.deepEqual(h.logs, [['warning', `Installing X: Windows Installer asks for a reboot (${code}); the run goes on and exits 3010 at the end.`]]);
  });
}

test('uninstall accepts 1605 (already gone); install does not', async (t) => {
  const h = harness([1605]);
  t.is(await h.ops.uninstall('{P}', 'Uninstalling X', 's'), 1605);
  t.deepEqual(h.calls, [{ op: 'uninstall', target: '{P}' }]);
  t.false(h.ops.rebootRequired);
  const other = harness([1605]);
  const e = await t.throwsAsync(other.ops.install('x.msi', 'Installing X', 's'), { instanceOf: MfaError });
  t.is(e?.message, 'Installing X failed: the product is not installed (1605)');
});

test('1618 then 0: retried after the delay, doubled each time, each attempt with its own log', async (t) => {
  const h = harness([1618, 1618, 0]);
  t.is(await h.ops.install('x.msi', 'Installing X', 's'), 0);
  t.is(h.calls.length, 3);
  t.deepEqual(h.waits, [1000, 2000]);
  t.deepEqual(h.logFiles, ['C:\\Windows\\Logs\\MfaUpgrade\\s.log', 'C:\\Windows\\Logs\\MfaUpgrade\\s-try2.log', 'C:\\Windows\\Logs\\MfaUpgrade\\s-try3.log']);
  t.deepEqual(h.logs.map(([, m]) => m), [
    'Installing X: another installation is in progress (1618); trying again in 1 s (attempt 2 of 4).',
    'Installing X: another installation is in progress (1618); trying again in 2 s (attempt 3 of 4).',
  ]);
});

test('1618 through every attempt: exit 1618 after attempts-1 waits, naming the last log and --resume', async (t) => {
  const h = harness([1618], { attempts: 3, delayMs: 500 });
  const e = await t.throwsAsync(h.ops.install('x.msi', 'Installing X', 's'), { instanceOf: MfaError });
  t.is(h.calls.length, 3);
  t.deepEqual(h.waits, [500, 1000]);
  t.like(e, { code: 'MSI_1618', exitCode: 1618, target: 'C:\\Windows\\Logs\\MfaUpgrade\\s-try3.log' });
  t.is(e?.message, 'Installing X failed: another installation is in progress (1618)');
  t.is(e?.remedy, 'Another installation kept running; wait for it to finish, then run again with --resume.');
});

test('one attempt only: 1618 fails at once, no wait', async (t) => {
  const h = harness([1618], { attempts: 1, delayMs: 500 });
  await t.throwsAsync(h.ops.install('x.msi', 'Installing X', 's'), { instanceOf: MfaError, message: /1618/ });
  t.is(h.calls.length, 1);
  t.deepEqual(h.waits, []);
});

test('1603 (or any other failure): fails at once with that code, exit 1603, the log and both ways on in the remedy', async (t) => {
  for (const code of [1603, 1619, 1620, 1]) {
    const h = harness([code, 0]);
    const e = await t.throwsAsync(h.ops.install('x.msi', 'Installing X', '11-install-userPortal'), { instanceOf: MfaError });
    t.is(h.calls.length, 1);
    t.deepEqual(h.waits, []);
    t.like(e, { code: `MSI_${code}`, exitCode: 1603, target: 'C:\\Windows\\Logs\\MfaUpgrade\\11-install-userPortal.log' });
    t.is(e?.remedy, 'Read the verbose log C:\\Windows\\Logs\\MfaUpgrade\\11-install-userPortal.log (search for "return value 3"), fix the cause, then run again with --resume, or --rollback to go back.');
  }
});

test('a stop request: before a call nothing runs; 1602 from the installer after it is an interrupt (exit 1602)', async (t) => {
  const stopped = new CancelSource();
  stopped.cancel('SIGINT');
  const h = harness([0], undefined, stopped);
  await t.throwsAsync(h.ops.install('x.msi', 'Installing X', 's'), { instanceOf: MfaError, code: 'INTERRUPTED' } as never);
  t.is(h.calls.length, 0);
  const later = new CancelSource();
  const h2 = harness([1602], undefined, later);
  const p = h2.ops.install('x.msi', 'Installing X', 's');
  later.cancel('SIGTERM');
  const e = await t.throwsAsync(p, { instanceOf: MfaError });
  t.like(e, { code: 'INTERRUPTED', exitCode: 1602 });
  // 1602 without a stop request is the installer's own failure.
  const h3 = harness([1602]);
  await t.throwsAsync(h3.ops.install('x.msi', 'Installing X', 's'), { instanceOf: MfaError, code: 'MSI_1602' } as never);
});

test('a stop request during a call the installer still fails on its own (1603): the failure is reported, not an interrupt', async (t) => {
  const later = new CancelSource();
  const h = harness([1603], undefined, later);
  const p = h.ops.install('x.msi', 'Installing X', 's');
  later.cancel('SIGTERM');
  await t.throwsAsync(p, { instanceOf: MfaError, code: 'MSI_1603' } as never);
});

test('messages say what each code means, and an interrupt names its reason and both ways on', async (t) => {
  const meanings: Array<[number, RegExp]> = [
    [1603, /failed: a fatal error during installation \(1603\)$/],
    [1619, /failed: the package could not be opened \(1619\)$/],
    [1620, /failed: the file is not a valid Windows Installer package \(1620\)$/],
    [1602, /failed: the operation was cancelled and rolled back \(1602\)$/],
    [1625, /failed: Windows Installer error 1625 \(1625\)$/],
  ];
  for (const [code, message] of meanings) {
    const e = await t.throwsAsync(harness([code]).ops.install('x.msi', 'Installing X', 's'), { instanceOf: MfaError });
    t.regex(e?.message ?? '', message);
  }
  const e = await t.throwsAsync(harness([1618], { attempts: 1, delayMs: 0 }).ops.install('x.msi', 'Installing X', 's'), { instanceOf: MfaError });
  t.regex(e?.message ?? '', /another installation is in progress \(1618\)$/);
  const stopped = new CancelSource();
  stopped.cancel('SIGINT');
  const i = await t.throwsAsync(harness([0], undefined, stopped).ops.install('x.msi', 'Installing X', 's'), { instanceOf: MfaError });
  t.is(i?.message, 'Installing X was stopped (SIGINT) and Windows Installer rolled it back');
  t.is(i?.remedy, 'Run the same command again with --resume to go on, or --rollback to undo the run.');
});

test('an interrupt without a stated reason says "interrupted"', async (t) => {
  const bare = { cancelled: true, reason: undefined, onCancel: () => () => undefined };
  const e = await t.throwsAsync(harness([0], undefined, bare).ops.install('x.msi', 'Installing X', 's'), { instanceOf: MfaError });
  t.is(e?.message, 'Installing X was stopped (interrupted) and Windows Installer rolled it back');
});
