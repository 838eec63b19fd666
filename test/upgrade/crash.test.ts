// The crash tier: SIGKILL at every step boundary, inside every step (after its work, before its
// done record), inside the backup's copy and inside atomic writes, for both upgrade paths and the
// AD FS sequence; and inside rollback itself (before and after each undo, and in its finish).
// After each kill, --resume must end where an uninterrupted run ends and --rollback where the
// host started, compared with the strict whole-host comparison (registry, products and their
// cached packages, services, every file and folder, every IIS setting), and nothing of the tool's
// may be left behind.
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { makePlan } from '../../lib/upgrade/make-plan.js';
import { compareStrictHostStates, strictHostState } from '../helpers/host-state.js';
import { adfsArgs, adfsIgnore, copyRun, differs, freshAdfs, freshSample, IGNORE, leftToDo, PKG, removeRun, restoreArgs, restoreHosts, twoAtATime, upgradeArgs, upgradeIgnore, type Mode, type Work } from '../helpers/kill-scenarios.js';
import { resultCode, spawnCli } from '../helpers/spawn-cli.js';

interface Tier {
  name: string;
  fresh(): Work;
  args(w: Work, mode?: Mode): string[];
  finishCode: number;
  points(): Promise<string[]>;
  /** A kill point late in the run, from where rollback itself is killed at each of its points. */
  lateKill: string;
  ignore(dir: string): string[];
  /** Killed runs are finished by running the same command again (a restore has no --resume or --rollback). */
  repeat?: boolean;
}

/**
 * The first atomic write of every run is its journal's creation: killed there (written beside,
 * not yet renamed), the run has no journal and changed nothing, so --resume and --rollback say
 * there is nothing to continue, clear what the killed run left, and leave the host as it was.
 */
const JOURNAL_CREATED = 'atomic-write#1';
const NOTHING_TO_CONTINUE = /^(NO_JOURNAL|ADFS_NOTHING_TO_RESUME)$/;

/** The tool's temporary files anywhere below a folder (the comparisons ignore some folders). */
function tempsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter((rel) => rel.endsWith('.mfa-tmp')).map((rel) => join(dir, rel));
}

const slot = twoAtATime();
const cli = (args: string[], killAt?: string) => slot(() => spawnCli(args, killAt ? { MFA_UPGRADE_KILL_AT: killAt } : {}).done);

function upgradeTier(sample: string): Tier {
  const stepIds = async () => {
    const w = freshSample(sample);
    const plan = await makePlan(await openImageHost(w.host), { packagesDir: PKG, vdirNames: 'keep', role: 'standalone' });
    removeRun(w);
    return plan.steps;
  };
  return {
    name: sample,
    fresh: () => freshSample(sample),
    args: upgradeArgs,
    finishCode: 5,
    points: async () => [
      JOURNAL_CREATED,
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
    ignore: upgradeIgnore,
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
    await spawnCli(upgradeArgs(w), { MFA_UPGRADE_FAULT_TRACE: trace }).done;
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
    removeRun(w);
  }
}

const ADFS_STEPS = ['farm/export', 'farm/carry-config', 'farm/patch-register-script', 'farm/policy-remove', 'farm/unregister', 'farm/register', 'farm/restart@ADFS01', 'farm/policy-add'];

const adfsTier: Tier = {
  name: 'AD FS sequence',
  fresh: freshAdfs,
  args: adfsArgs,
  finishCode: 0,
  points: async () => [JOURNAL_CREATED, ...ADFS_STEPS.flatMap((id) => [`start:${id}`, `run:${id}`, `done:${id}`])],
  lateKill: 'done:farm/policy-add',
  ignore: adfsIgnore,
};

/** A restore of a bundle taken before the data file was damaged and a web.config changed. */
const restoreTier: Tier = {
  name: 'restore',
  fresh: restoreHosts(),
  args: restoreArgs,
  finishCode: 0,
  points: async () => ['stop-services', 'folders', 'file-000', 'file-001', 'file-002', 'start-services'].flatMap((id) => [`start:${id}`, `run:${id}`, `done:${id}`]).concat([JOURNAL_CREATED, 'atomic-write#2', 'atomic-write#3']),
  lateKill: 'done:',
  ignore: () => IGNORE,
  repeat: true,
};

async function expectations(tier: Tier) {
  const start = tier.fresh();
  const original = strictHostState(start.host);
  const done = await cli(tier.args(start));
  if (resultCode(done.events) !== tier.finishCode) throw new Error(`the uninterrupted ${tier.name} run exited ${resultCode(done.events)}: ${done.stdout.slice(-1500)}`);
  const final = strictHostState(start.host);
  const ignore = tier.ignore(start.host);
  removeRun(start);
  return { original, final, finalLeft: leftToDo(done.events), ignore, points: await tier.points() };
}

for (const tier of [upgradeTier('phonefactor-5.2'), upgradeTier('mfa-7.0'), adfsTier, restoreTier]) {
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
            if (point === JOURNAL_CREATED) {
              for (const [w, mode] of [[run, '--resume'], [other, '--rollback']] as const) {
                const after = await cli(tier.args(w, mode));
                const code = String(after.events.find((e) => e['type'] === 'error')?.['code']);
                if (!NOTHING_TO_CONTINUE.test(code)) failures.push(`${point}: ${mode} answered ${code}, not that there is nothing to continue: ${after.stdout.slice(-400)}`);
                const d = differs(w.host, strictHostState(w.host), original, ignore);
                if (d) failures.push(`${point}: after ${mode} the host differs from the original: ${d}`);
                const stray = [...tempsUnder(w.work), ...tempsUnder(w.host)];
                if (stray.length) failures.push(`${point}: after ${mode} the killed run's temporary files are still there: ${stray.join(', ')}`);
              }
              return;
            }
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
            removeRun(other);
          }
        } finally {
          removeRun(run);
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
          removeRun(run);
        }
      }),
    );
    removeRun(base);
    t.deepEqual(failures, [], failures.join('\n'));
    t.true(killedInRollback >= 3, `only ${killedInRollback} rollback points were reached`);
    t.log(`${killedInRollback} kills inside rollback, each finished by --rollback again`);
  });
}
