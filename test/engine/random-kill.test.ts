// SIGKILL at random times (not only at step boundaries: inside copies, installs, writes), drawn
// across the whole run from a printed seed (MFA_KILL_SEED=<n> repeats a run), for both upgrade
// paths, the AD FS sequence and restore. Each killed run is then resumed (it must end where an
// uninterrupted run ends) or rolled back (it must end where it started), compared whole with the
// crash tier's strict comparison and what it leaves out, with no temporary file, unfinished bundle
// or lock left anywhere.
import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { strictHostState, type StrictHostState } from '../helpers/host-state.js';
import { adfsArgs, adfsIgnore, differs, freshAdfs, freshSample, IGNORE, removeRun, restoreArgs, restoreHosts, twoAtATime, upgradeArgs, upgradeIgnore, type Mode, type Work } from '../helpers/kill-scenarios.js';
import { resultCode, spawnCli } from '../helpers/spawn-cli.js';

const SEED = Number(process.env['MFA_KILL_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: a small seeded generator, so a failing draw can be run again. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Scenario {
  name: string;
  kills: number;
  /** A fresh host (and work folder) for one run. */
  fresh(): Work;
  args(w: Work, mode?: Mode): string[];
  /** Exit codes of an uninterrupted (or resumed) run. */
  finishCode: number;
  /** What the whole-host comparison leaves out (the crash tier's list, for the same reasons). */
  ignore(dir: string): string[];
  /** Killed runs are finished by running the same command again (a restore has no --resume). */
  repeat?: boolean;
}

const upgrade = (sample: string, kills: number): Scenario => ({ name: `upgrade ${sample}`, kills, fresh: () => freshSample(sample), args: upgradeArgs, finishCode: 5, ignore: upgradeIgnore });
const adfs: Scenario = { name: 'adfs-upgrade', kills: 14, fresh: freshAdfs, args: adfsArgs, finishCode: 0, ignore: adfsIgnore };
const restore: Scenario = { name: 'restore', kills: 12, fresh: restoreHosts(), args: restoreArgs, finishCode: 0, ignore: () => IGNORE, repeat: true };

const SCENARIOS = [upgrade('phonefactor-5.2', 16), upgrade('mfa-7.0', 16), adfs, restore];

function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (/\.mfa-tmp$|\.tmp$|\.partial$|^run\.lock$|^msiexec\.lock$/.test(e.name)) out.push(p);
      if (e.isDirectory()) walk(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

const slot = twoAtATime();

for (const [index, sc] of SCENARIOS.entries()) {
  test(`${sc.name}: ${sc.kills} SIGKILLs at random times, each resumed, rolled back or run again (seed ${SEED})`, async (t) => {
    t.timeout(15 * 60_000);
    t.log(`seed ${SEED} (MFA_KILL_SEED=${SEED} repeats it)`);
    const random = rng(SEED + index);
    // The uninterrupted run: its end state, and how long it takes (kill times are drawn across it).
    const base = sc.fresh();
    const original = strictHostState(base.host);
    const t0 = Date.now();
    const full = await slot(() => spawnCli(sc.args(base)).done);
    const duration = Date.now() - t0;
    t.is(resultCode(full.events), sc.finishCode, full.stdout.slice(-1500));
    const final = strictHostState(base.host);
    // After the run: the MFA service's log sits in the folder the install made.
    const ignore = sc.ignore(base.host);
    removeRun(base);
    const diff = (dir: string, want: StrictHostState) => differs(dir, strictHostState(dir), want, ignore);
    const failures: string[] = [];
    let kills = 0;
    await Promise.all(
      Array.from({ length: sc.kills }, async (_, i) => {
        let span = duration;
        for (let attempt = 0; attempt < 8; attempt++) {
          const delay = Math.floor(random() * span * 0.95);
          const run = sc.fresh();
          try {
            const killed = await slot(async () => {
              const started = Date.now();
              const s = spawnCli(sc.args(run));
              const timer = setTimeout(() => s.child.kill('SIGKILL'), delay);
              const r = await s.done;
              clearTimeout(timer);
              // The machine's load changes how long a run takes: draw the next time across this one.
              span = Date.now() - started;
              return r;
            });
            if (killed.signal !== 'SIGKILL') continue;
            kills++;
            const mode = sc.repeat ? undefined : i % 2 === 0 ? '--resume' : '--rollback';
            const lastLines = killed.stdout.trim().split('\n').slice(-2).join(' | ').slice(0, 400);
            const label = `kill ${i} after ${delay} ms (last output: ${lastLines || 'none'}), then ${mode ?? 'the same command again'}`;
            const after = await slot(() => spawnCli(sc.args(run, mode)).done);
            const code = resultCode(after.events);
            const journalMissing = after.events.some((e) => e['type'] === 'error' && /NO_JOURNAL|ADFS_NOTHING_TO_RESUME/.test(String(e['code'])));
            // Killed after its journal recorded the end (while the process was exiting): nothing is left to resume.
            const alreadyEnded = mode === '--resume' && after.events.some((e) => e['type'] === 'error' && e['code'] === 'JOURNAL_ENDED');
            if (alreadyEnded) {
              const d = diff(run.host, final);
              if (d) failures.push(`${label}: the run had ended, yet the host differs from an uninterrupted run: ${d}`);
            } else if (journalMissing) {
              // Killed before its journal began (nothing may have changed), or after its run ended
              // (AD FS says there is nothing to resume then): the original host or the finished one.
              const fromOriginal = diff(run.host, original);
              if (fromOriginal && diff(run.host, final)) failures.push(`${label}: nothing to resume, yet the host is neither the original nor the finished one: ${fromOriginal}`);
            } else if (code !== (mode === '--rollback' ? 0 : sc.finishCode)) failures.push(`${label}: exit ${code}: ${after.stdout.slice(-800)}`);
            else {
              const d = diff(run.host, mode === '--rollback' ? original : final);
              if (d) failures.push(`${label}: the host differs from ${mode === '--rollback' ? 'the original' : 'an uninterrupted run'}: ${d}\n${after.stdout.slice(-1200)}`);
            }
            const stray = [...leftovers(run.host), ...leftovers(sc.repeat ? join(run.work, '..') : run.work)];
            if (stray.length) failures.push(`${label}: left behind ${stray.join(', ')}`);
            return;
          } finally {
            removeRun(run);
          }
        }
        failures.push(`kill ${i}: the run always finished before the kill`);
      }),
    );
    t.log(`${kills} runs killed at random times`);
    t.deepEqual(failures, [], `seed ${SEED}\n${failures.join('\n')}`);
    t.true(kills >= sc.kills);
  });
}
