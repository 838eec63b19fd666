// SIGKILL at random times (not only at step boundaries: inside copies, installs, writes), drawn
// across the whole run from a printed seed (MFA_KILL_SEED=<n> repeats a run), for both upgrade
// paths and the AD FS sequence. Each killed run is then resumed (it must end where an
// uninterrupted run ends) or rolled back (it must end where it started), with no temporary file,
// unfinished bundle or lock left anywhere.
import { preinstallNewAdapter } from '../adfs/helpers/scenarios.js';
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostState } from '../helpers/host-state.js';
import { resultCode, spawnCli } from '../helpers/spawn-cli.js';
import { makeImage, NEW_CONFIG } from '../adfs/helpers/hosts.js';

const SEED = Number(process.env['MFA_KILL_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const PKG = join(process.cwd(), 'examples', 'packages');

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
  fresh(): { root: string; host: string; work: string };
  args(host: string, work: string, mode?: '--resume' | '--rollback'): string[];
  /** Exit codes of an uninterrupted (or resumed) run. */
  finishCode: number;
  /** Killed runs are finished by running the same command again (a restore has no --resume). */
  repeat?: boolean;
}

function copyOf(sample: string): { root: string; host: string; work: string } {
  const root = mkdtempSync(join(tmpdir(), 'mfa-kill-'));
  cpSync(join('examples/hosts', sample), join(root, 'host'), { recursive: true });
  return { root, host: join(root, 'host'), work: join(root, 'work') };
}

const upgrade = (sample: string, kills: number): Scenario => ({
  name: `upgrade ${sample}`,
  kills,
  fresh: () => copyOf(sample),
  args: (host, work, mode) => ['upgrade', '--host', host, '--packages', PKG, '--backup', work, '--unattended', '--retry-delay', '0', '--json', '--role', 'standalone', ...(mode ? [mode] : [])],
  finishCode: 5,
});

const adfs: Scenario = {
  name: 'adfs-upgrade',
  kills: 14,
  fresh: () => {
    const img = makeImage();
    preinstallNewAdapter(img.dir);
    return { root: join(img.dir, '..'), host: img.dir, work: join(img.dir, '..', 'work') };
  },
  args: (host, _work, mode) => ['adfs-upgrade', '--host', host, '--config', NEW_CONFIG, '--json', ...(mode ? [mode] : [])],
  finishCode: 0,
};

/** A restore of a bundle taken before the data file was damaged (the bundle is made once and copied per run). */
function restoreScenario(kills: number): Scenario {
  let template: { root: string; host: string; bundle: string } | undefined;
  const prepare = () => {
    if (template) return template;
    const root = mkdtempSync(join(tmpdir(), 'mfa-kill-restore-'));
    cpSync('examples/hosts/mfa-7.0', join(root, 'host'), { recursive: true });
    const r = spawnSync(process.execPath, [join(process.cwd(), 'dist', 'mfa-upgrade.cjs'), 'backup', '--host', join(root, 'host'), '--out', join(root, 'bundle'), '--json'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`backup for the restore scenario: ${r.stdout.slice(-1000)}`);
    // After the backup the data file was damaged, and a web.config and a theme changed: the restore puts them back.
    writeFileSync(join(root, 'host', 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata'), Buffer.alloc(64 * 1024, 0x42));
    writeFileSync(join(root, 'host', 'drive/C/inetpub/wwwroot/MFAPortal/web.config'), '<configuration />\n');
    template = { root, host: join(root, 'host'), bundle: join(root, 'bundle') };
    return template;
  };
  return {
    name: 'restore',
    kills,
    fresh: () => {
      const t = prepare();
      const root = mkdtempSync(join(tmpdir(), 'mfa-kill-'));
      cpSync(t.host, join(root, 'host'), { recursive: true });
      cpSync(t.bundle, join(root, 'bundle'), { recursive: true });
      return { root, host: join(root, 'host'), work: join(root, 'bundle') };
    },
    args: (host, bundle) => ['restore', bundle, '--host', host, '--include', 'web,themes', '--json'],
    finishCode: 0,
    repeat: true,
  };
}

const SCENARIOS = [upgrade('phonefactor-5.2', 16), upgrade('mfa-7.0', 16), adfs, restoreScenario(12)];

/** What is compared: the host as an administrator sees it, and AD FS's own state, but not the tool's own records. */
async function stateOf(host: string): Promise<string> {
  const s = await hostState(host);
  const files = Object.fromEntries(Object.entries(s.files).filter(([f]) => !/^drive\/C\/ProgramData\/mfa-upgrade\//i.test(f)));
  const adfsState = existsSync(join(host, 'adfs.json')) ? readFileSync(join(host, 'adfs.json'), 'utf8') : '';
  return JSON.stringify({ ...s, files, adfsState });
}

/** Where two states differ (the first few), for a failure message one can act on. */
function differences(a: string, b: string): string {
  const x = JSON.parse(a) as Record<string, unknown>;
  const y = JSON.parse(b) as Record<string, unknown>;
  const out: string[] = [];
  for (const k of Object.keys(x)) {
    const u = x[k];
    const v = y[k];
    if (Array.isArray(u) && Array.isArray(v)) {
      for (const e of u) if (!v.includes(e)) out.push(`${k} has ${String(e).slice(0, 200)}`);
      for (const e of v) if (!u.includes(e)) out.push(`${k} lacks ${String(e).slice(0, 200)}`);
    } else if (u && typeof u === 'object' && v && typeof v === 'object') {
      const uo = u as Record<string, unknown>;
      const vo = v as Record<string, unknown>;
      for (const f of new Set([...Object.keys(uo), ...Object.keys(vo)])) if (uo[f] !== vo[f]) out.push(`${k}: ${f} ${f in uo ? (f in vo ? 'differs' : 'is extra') : 'is missing'}`);
    } else if (u !== v) out.push(`${k} differs`);
  }
  return out.slice(0, 8).join('; ');
}

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

for (const [index, sc] of SCENARIOS.entries()) {
  test(`${sc.name}: ${sc.kills} SIGKILLs at random times, each resumed, rolled back or run again (seed ${SEED})`, async (t) => {
    t.timeout(15 * 60_000);
    t.log(`seed ${SEED} (MFA_KILL_SEED=${SEED} repeats it)`);
    const random = rng(SEED + index);
    // The uninterrupted run: its end state, and how long it takes (kill times are drawn across it).
    const base = sc.fresh();
    const original = await stateOf(base.host);
    const t0 = Date.now();
    const full = await slot(() => spawnCli(sc.args(base.host, base.work)).done);
    const duration = Date.now() - t0;
    t.is(resultCode(full.events), sc.finishCode, full.stdout.slice(-1500));
    const final = await stateOf(base.host);
    rmSync(base.root, { recursive: true, force: true });
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
              const s = spawnCli(sc.args(run.host, run.work));
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
            const after = await slot(() => spawnCli(sc.args(run.host, run.work, mode)).done);
            const code = resultCode(after.events);
            const journalMissing = after.events.some((e) => e['type'] === 'error' && /NO_JOURNAL|ADFS_NOTHING_TO_RESUME/.test(String(e['code'])));
            // Killed after its journal recorded the end (while the process was exiting): nothing is left to resume.
            const alreadyEnded = mode === '--resume' && after.events.some((e) => e['type'] === 'error' && e['code'] === 'JOURNAL_ENDED');
            if (alreadyEnded) {
              const got = await stateOf(run.host);
              if (got !== final) failures.push(`${label}: the run had ended, yet the host differs from an uninterrupted run: ${differences(got, final)}`);
            } else if (journalMissing) {
              // Killed before its journal began (nothing may have changed), or after its run ended
              // (AD FS says there is nothing to resume then): the original host or the finished one.
              const got = await stateOf(run.host);
              if (got !== original && got !== final) failures.push(`${label}: nothing to resume, yet the host is neither the original nor the finished one: ${differences(got, original)}`);
            } else if (code !== (mode === '--rollback' ? 0 : sc.finishCode)) failures.push(`${label}: exit ${code}: ${after.stdout.slice(-800)}`);
            else {
              const got = await stateOf(run.host);
              const want = mode === '--rollback' ? original : final;
              if (got !== want) failures.push(`${label}: the host differs from ${mode === '--rollback' ? 'the original' : 'an uninterrupted run'}: ${differences(got, want)}\n${after.stdout.slice(-1200)}`);
            }
            const stray = [...leftovers(run.host), ...leftovers(sc.repeat ? join(run.work, '..') : run.work)];
            if (stray.length) failures.push(`${label}: left behind ${stray.join(', ')}`);
            return;
          } finally {
            rmSync(run.root, { recursive: true, force: true });
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
