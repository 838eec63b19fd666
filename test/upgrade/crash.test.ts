// The crash tier: SIGKILL at every step boundary, inside every step (after its work, before its
// done record), inside the backup's copy and inside atomic writes, for both upgrade paths and the
// AD FS sequence; and inside rollback itself (before and after each undo, and in its finish).
// After each kill, --resume must end where an uninterrupted run ends and --rollback where the
// host started, compared with the strict whole-host comparison (registry, products and their
// cached packages, services, every file and folder, every IIS setting), and nothing of the tool's
// may be left behind.
import { preinstallNewAdapter } from '../adfs/helpers/scenarios.js';
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { makePlan } from '../../lib/upgrade/make-plan.js';
import { compareStrictHostStates, strictHostState, type StrictHostState } from '../helpers/host-state.js';
import { makeImage, NEW_CONFIG } from '../adfs/helpers/hosts.js';
import { resultCode, spawnCli } from '../helpers/spawn-cli.js';

const PKG = join(process.cwd(), 'examples', 'packages');

/**
 * Left out of the comparisons, each for its reason: Windows Installer's verbose logs (one per
 * attempt, by design); the MFA service's own log, which a started MFA Server writes and a
 * rollback keeps (no package laid it down, as on Windows); the tool's AD FS records (its journal
 * and export, kept on purpose).
 */
const IGNORE = ['drive/C/Windows/Logs'];
const serviceLog = (dir: string) => readdirSync(join(dir, 'drive/C/Program Files'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `drive/C/Program Files/${e.name}/Logs/MultiFactorAuthSvc.log`);

interface Work {
  root: string;
  host: string;
  work: string;
}

interface Tier {
  name: string;
  fresh(): Work;
  args(w: Work, mode?: '--resume' | '--rollback'): string[];
  finishCode: number;
  points(): Promise<string[]>;
  /** A kill point late in the run, from where rollback itself is killed at each of its points. */
  lateKill: string;
  ignore(dir: string): string[];
  /** Killed runs are finished by running the same command again (a restore has no --resume or --rollback). */
  repeat?: boolean;
}

function copyRun(from: Work): Work {
  const root = mkdtempSync(join(tmpdir(), 'mfa-crash-'));
  cpSync(from.root, root, { recursive: true });
  return { root, host: join(root, 'host'), work: join(root, 'work') };
}

// Two children at a time: the machine has two cores.
let running = 0;
const waiting: Array<() => void> = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const cli = (args: string[], killAt?: string) => slot(() => spawnCli(args, killAt ? { MFA_UPGRADE_KILL_AT: killAt } : {}).done);

function upgradeTier(sample: string): Tier {
  const stepIds = async () => {
    const w = freshSample(sample);
    const plan = await makePlan(await openImageHost(w.host), { packagesDir: PKG, vdirNames: 'keep', role: 'standalone' });
    rmSync(w.root, { recursive: true, force: true });
    return plan.steps;
  };
  return {
    name: sample,
    fresh: () => freshSample(sample),
    // A wait that never sees the conversion end pauses after a minute (left to do), not after 60.
    args: (w, mode) => ['upgrade', '--host', w.host, '--packages', PKG, '--backup', w.work, '--unattended', '--retry-delay', '0', '--json', '--role', 'standalone', '--conversion-timeout', '1', ...(mode ? [mode] : [])],
    finishCode: 5,
    points: async () => [
      'before:backup',
      'copy-chunk#2',
      'copy-chunk#5',
      'after:backup',
      ...(await stepIds()).filter((s) => s.kind !== 'backup' && s.kind !== 'manual').flatMap((s) => [`start:${s.id}`, `run:${s.id}`, `done:${s.id}`]),
      'atomic-write#3',
      'atomic-write#12',
      ...(await serverInstallWrites(sample)),
    ],
    lateKill: 'done:',
    ignore: (dir) => [...IGNORE, ...serviceLog(dir)],
  };
}

/**
 * Every atomic write inside the MFA Server install and the conversion wait (the installer's files,
 * the service starting, the data file converted and the line logged), found by tracing an
 * uninterrupted run: the steps that hold the users' data, killed at each of their writes.
 */
async function serverInstallWrites(sample: string): Promise<string[]> {
  const w = freshSample(sample);
  const trace = join(w.root, 'trace.txt');
  try {
    await spawnCli(['upgrade', '--host', w.host, '--packages', PKG, '--backup', w.work, '--unattended', '--retry-delay', '0', '--json', '--role', 'standalone'], { MFA_UPGRADE_FAULT_TRACE: trace }).done;
    const out: string[] = [];
    let step = '';
    let writes = 0;
    for (const point of readFileSync(trace, 'utf8').split('\n')) {
      if (point.startsWith('start:')) step = point.slice('start:'.length);
      if (point !== 'atomic-write') continue;
      writes++;
      if (/install-server$|wait-conversion$/.test(step)) out.push(`atomic-write#${writes}`);
    }
    if (out.length < 5) throw new Error(`the trace of ${sample} shows ${out.length} writes inside the server install: the fault trace is broken`);
    return out;
  } finally {
    rmSync(w.root, { recursive: true, force: true });
  }
}

function freshSample(sample: string): Work {
  const root = mkdtempSync(join(tmpdir(), 'mfa-crash-'));
  cpSync(join('examples/hosts', sample), join(root, 'host'), { recursive: true });
  return { root, host: join(root, 'host'), work: join(root, 'work') };
}

const ADFS_STEPS = ['farm/export', 'farm/carry-config', 'farm/patch-register-script', 'farm/policy-remove', 'farm/unregister', 'farm/register', 'farm/restart@ADFS01', 'farm/policy-add'];

const adfsTier: Tier = {
  name: 'AD FS sequence',
  fresh: () => {
    const img = makeImage();
    preinstallNewAdapter(img.dir);
    const root = join(img.dir, '..');
    return { root, host: img.dir, work: join(root, 'work') };
  },
  args: (w, mode) => ['adfs-upgrade', '--host', w.host, '--config', NEW_CONFIG, '--json', ...(mode ? [mode] : [])],
  finishCode: 0,
  points: async () => ADFS_STEPS.flatMap((id) => [`start:${id}`, `run:${id}`, `done:${id}`]),
  lateKill: 'done:farm/policy-add',
  ignore: () => [...IGNORE, 'drive/C/ProgramData'],
};

/** A restore of a bundle taken before the data file was damaged and a web.config changed. */
function restoreTier(): Tier {
  let template: Work | undefined;
  const prepare = (): Work => {
    if (template) return template;
    const root = mkdtempSync(join(tmpdir(), 'mfa-crash-restore-'));
    cpSync('examples/hosts/mfa-7.0', join(root, 'host'), { recursive: true });
    const r = spawnSync(process.execPath, [join(process.cwd(), 'dist', 'mfa-upgrade.cjs'), 'backup', '--host', join(root, 'host'), '--out', join(root, 'work'), '--json'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`backup for the restore tier: ${r.stdout.slice(-1000)}`);
    writeFileSync(join(root, 'host', 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata'), Buffer.alloc(64 * 1024, 0x42));
    writeFileSync(join(root, 'host', 'drive/C/inetpub/wwwroot/MFAPortal/web.config'), '<configuration />\n');
    template = { root, host: join(root, 'host'), work: join(root, 'work') };
    return template;
  };
  return {
    name: 'restore',
    fresh: () => {
      const t = prepare();
      const root = mkdtempSync(join(tmpdir(), 'mfa-crash-'));
      cpSync(t.host, join(root, 'host'), { recursive: true });
      cpSync(t.work, join(root, 'work'), { recursive: true });
      return { root, host: join(root, 'host'), work: join(root, 'work') };
    },
    args: (w) => ['restore', w.work, '--host', w.host, '--include', 'web,themes', '--json'],
    finishCode: 0,
    points: async () => ['stop-services', 'folders', 'file-000', 'file-001', 'file-002', 'start-services'].flatMap((id) => [`start:${id}`, `run:${id}`, `done:${id}`]).concat(['atomic-write#1', 'atomic-write#2']),
    lateKill: 'done:',
    ignore: () => IGNORE,
    repeat: true,
  };
}

async function expectations(tier: Tier) {
  const start = tier.fresh();
  const original = strictHostState(start.host);
  const done = await cli(tier.args(start));
  if (resultCode(done.events) !== tier.finishCode) throw new Error(`the uninterrupted ${tier.name} run exited ${resultCode(done.events)}: ${done.stdout.slice(-1500)}`);
  const final = strictHostState(start.host);
  const ignore = tier.ignore(start.host);
  rmSync(start.root, { recursive: true, force: true });
  return { original, final, finalLeft: leftToDo(done.events), ignore, points: await tier.points() };
}

/** The steps an upgrade left to do (a resume that pauses at the conversion wait also exits 5). */
function leftToDo(events: Array<Record<string, unknown>>): string {
  const result = events.find((e) => e['typeName'] === 'MfaUpgrade.UpgradeResult')?.['data'] as { leftToDo?: Array<{ id: string }> } | undefined;
  return (result?.leftToDo ?? []).map((l) => l.id).join(', ');
}

function differs(dir: string, actual: StrictHostState, expected: StrictHostState, ignore: string[]): string {
  return compareStrictHostStates(actual, expected, { ignoreFiles: ignore, actualDir: dir }).slice(0, 6).join('; ');
}

for (const tier of [upgradeTier('phonefactor-5.2'), upgradeTier('mfa-7.0'), adfsTier, restoreTier()]) {
  const expected = expectations(tier);

  test.serial(`${tier.name}: an uninterrupted run changes the host, and the kill points cover every step`, async (t) => {
    const { original, final, ignore, points } = await expected;
    t.notDeepEqual(compareStrictHostStates(final, original, { ignoreFiles: ignore }), []);
    t.true(points.length > 6);
    t.log(`${points.length} kill points`);
  });

  test(`${tier.name}: killed at every point, ${tier.repeat ? 'running it again ends where an uninterrupted run ends' : '--resume ends where an uninterrupted run ends and --rollback where it began'}`, async (t) => {
    t.timeout(30 * 60_000);
    const { original, final, finalLeft, ignore, points } = await expected;
    const failures: string[] = [];
    await Promise.all(
      points.map(async (point) => {
        const run = tier.fresh();
        try {
          const killed = await cli(tier.args(run), point);
          if (killed.signal !== 'SIGKILL') {
            failures.push(`${point}: not killed (exit ${killed.status}) ${killed.stdout.slice(-300)}`);
            return;
          }
          if (tier.repeat) {
            const again = await cli(tier.args(run));
            if (resultCode(again.events) !== tier.finishCode) failures.push(`${point}: run again, it exited ${resultCode(again.events)}: ${again.stdout.slice(-400)}`);
            else {
              const d = differs(run.host, strictHostState(run.host), final, ignore);
              if (d) failures.push(`${point}: run again, the host differs from an uninterrupted run: ${d}`);
            }
            return;
          }
          const other = copyRun(run);
          try {
            const resumed = await cli(tier.args(run, '--resume'));
            if (resultCode(resumed.events) !== tier.finishCode) failures.push(`${point}: --resume exited ${resultCode(resumed.events)}: ${resumed.stdout.slice(-400)}`);
            else if (leftToDo(resumed.events) !== finalLeft) failures.push(`${point}: --resume left [${leftToDo(resumed.events)}] to do, an uninterrupted run [${finalLeft}]`);
            else {
              const d = differs(run.host, strictHostState(run.host), final, ignore);
              if (d) failures.push(`${point}: after --resume the host differs from an uninterrupted run: ${d}`);
            }
            const rolled = await cli(tier.args(other, '--rollback'));
            if (resultCode(rolled.events) !== 0) failures.push(`${point}: --rollback exited ${resultCode(rolled.events)}: ${rolled.stdout.slice(-400)}`);
            else {
              const d = differs(other.host, strictHostState(other.host), original, ignore);
              if (d) failures.push(`${point}: after --rollback the host differs from the original: ${d}`);
            }
          } finally {
            rmSync(other.root, { recursive: true, force: true });
          }
        } finally {
          rmSync(run.root, { recursive: true, force: true });
        }
      }),
    );
    t.deepEqual(failures, [], failures.join('\n'));
    t.log(`${points.length} kill points, each ${tier.repeat ? "run again" : "resumed and rolled back"}`);
  });

  if (tier.repeat) continue;
  test(`${tier.name}: a rollback killed at each of its own points is finished by --rollback again`, async (t) => {
    t.timeout(30 * 60_000);
    const { original, ignore, points } = await expected;
    // Killed late in the forward run, so the rollback has every step to undo.
    const late = [...points].reverse().find((p) => p.startsWith(tier.lateKill)) as string;
    const base = tier.fresh();
    const killed = await cli(tier.args(base), late);
    t.is(killed.signal, 'SIGKILL', `killed at ${late}`);
    const undoPoints = points.filter((p) => p.startsWith('done:')).flatMap((p) => [`undo:${p.slice(5)}`, `undone:${p.slice(5)}`]);
    undoPoints.push('rollback:finish');
    const failures: string[] = [];
    let killedInRollback = 0;
    await Promise.all(
      undoPoints.map(async (point) => {
        const run = copyRun(base);
        try {
          const first = await cli(tier.args(run, '--rollback'), point);
          if (first.signal !== 'SIGKILL') {
            // The point was not reached (that step had not run, or has nothing to undo): the rollback finished.
            if (resultCode(first.events) !== 0) failures.push(`${point}: rollback exited ${resultCode(first.events)}`);
            return;
          }
          killedInRollback++;
          const again = await cli(tier.args(run, '--rollback'));
          if (resultCode(again.events) !== 0) failures.push(`${point}: --rollback again exited ${resultCode(again.events)}: ${again.stdout.slice(-400)}`);
          else {
            const d = differs(run.host, strictHostState(run.host), original, ignore);
            if (d) failures.push(`${point}: after the second --rollback the host differs from the original: ${d}`);
          }
        } finally {
          rmSync(run.root, { recursive: true, force: true });
        }
      }),
    );
    rmSync(base.root, { recursive: true, force: true });
    t.deepEqual(failures, [], failures.join('\n'));
    t.true(killedInRollback >= 3, `only ${killedInRollback} rollback points were reached`);
    t.log(`${killedInRollback} kills inside rollback, each finished by --rollback again`);
  });
}
