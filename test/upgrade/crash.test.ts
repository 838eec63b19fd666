// Kill the upgrade (SIGKILL, in a child process) at every step boundary, inside the backup's
// file copy and inside atomic writes; then --resume must end where an uninterrupted run ends,
// and --rollback where the machine started.
import test from 'ava';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { makePlan } from '../../lib/upgrade/make-plan.js';
import { hostState, type HostState } from '../helpers/host-state.js';

const CLI = join(process.cwd(), 'dist', 'mfa-upgrade.cjs');
const PKG = join(process.cwd(), 'examples', 'packages');

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
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

function cli(args: string[], killAt?: string): Promise<Run> {
  return slot(
    () =>
      new Promise((resolve) => {
        const env = { ...process.env };
        if (killAt) env['MFA_UPGRADE_KILL_AT'] = killAt;
        else delete env['MFA_UPGRADE_KILL_AT'];
        const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status, signal) => resolve({ status, signal, stderr }));
      }),
  );
}

function upgradeArgs(host: string, work: string, ...extra: string[]): string[] {
  return ['upgrade', '--host', host, '--packages', PKG, '--backup', work, '--unattended', '--retry-delay', '0', ...extra];
}

function fresh(sample: string): { root: string; host: string; work: string } {
  const root = mkdtempSync(join(tmpdir(), 'mfa-crash-'));
  cpSync(join('examples/hosts', sample), join(root, 'host'), { recursive: true });
  return { root, host: join(root, 'host'), work: join(root, 'work') };
}

function copyRun(from: { root: string }): { root: string; host: string; work: string } {
  const root = mkdtempSync(join(tmpdir(), 'mfa-crash-'));
  cpSync(from.root, root, { recursive: true });
  return { root, host: join(root, 'host'), work: join(root, 'work') };
}

for (const sample of ['phonefactor-5.2', 'mfa-7.0']) {
  const expected = (async () => {
    const start = fresh(sample);
    const original = await hostState(start.host);
    const plan = await makePlan(await openImageHost(start.host), { packagesDir: PKG, vdirNames: 'keep' });
    const done = await cli(upgradeArgs(start.host, start.work));
    if (done.status !== 5) throw new Error(`the uninterrupted upgrade of ${sample} exited ${done.status}: ${done.stderr}`);
    const final = await hostState(start.host);
    rmSync(start.root, { recursive: true, force: true });
    const points = [
      'before:backup',
      'copy-chunk#2',
      'copy-chunk#5',
      'after:backup',
      ...plan.steps.filter((s) => s.kind !== 'backup' && s.kind !== 'manual').flatMap((s) => [`start:${s.id}`, `done:${s.id}`]),
      'atomic-write#3',
      'atomic-write#12',
    ];
    return { original, final, points };
  })();

  test.serial(`${sample}: an uninterrupted upgrade changes the host, and the kill points cover every step`, async (t) => {
    const { original, final, points } = await expected;
    t.notDeepEqual(final, original);
    t.false(final.lock);
    t.true(points.length > 6);
    t.log(`${points.length} kill points`);
  });

  test(`${sample}: killed at every point, --resume finishes and --rollback restores`, async (t) => {
    const { original, final, points } = await expected;
    const failures: string[] = [];
    await Promise.all(
      points.map(async (point) => {
        const run = fresh(sample);
        try {
          const killed = await cli(upgradeArgs(run.host, run.work), point);
          if (killed.signal !== 'SIGKILL') {
            failures.push(`${point}: not killed (exit ${killed.status}) ${killed.stderr.slice(0, 300)}`);
            return;
          }
          const other = copyRun(run);
          try {
            const resumed = await cli(upgradeArgs(run.host, run.work, '--resume'));
            if (resumed.status !== 5) failures.push(`${point}: --resume exited ${resumed.status}: ${resumed.stderr.slice(0, 400)}`);
            else {
              const state: HostState = await hostState(run.host);
              if (JSON.stringify(state) !== JSON.stringify(final)) failures.push(`${point}: after --resume the host differs from an uninterrupted run: ${diff(state, final)}`);
            }
            const rolled = await cli(upgradeArgs(other.host, other.work, '--rollback'));
            if (rolled.status !== 0) failures.push(`${point}: --rollback exited ${rolled.status}: ${rolled.stderr.slice(0, 400)}`);
            else {
              const state = await hostState(other.host);
              if (JSON.stringify(state) !== JSON.stringify(original)) failures.push(`${point}: after --rollback the host differs from the original: ${diff(state, original)}`);
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
    t.log(`${points.length} kill points, each resumed and rolled back`);
  });
}

function diff(a: HostState, b: HostState): string {
  const out: string[] = [];
  for (const k of ['registry', 'products', 'services', 'iis'] as const) {
    const extra = a[k].filter((x) => !b[k].includes(x));
    const missing = b[k].filter((x) => !a[k].includes(x));
    if (extra.length || missing.length) out.push(`${k}: +${JSON.stringify(extra).slice(0, 300)} -${JSON.stringify(missing).slice(0, 300)}`);
  }
  const files = new Set([...Object.keys(a.files), ...Object.keys(b.files)]);
  for (const f of files) if (a.files[f] !== b.files[f]) out.push(`file ${f}: ${a.files[f] ? 'changed' : 'missing'}${b.files[f] ? '' : ' (extra)'}`);
  if (a.lock !== b.lock) out.push('msiexec.lock left behind');
  return out.join('; ');
}
