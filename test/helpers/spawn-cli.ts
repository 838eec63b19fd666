// Runs the built bundle (dist/mfa-upgrade.cjs) as its own process, as the PowerShell module and
// ConfigMgr do: for what needs a real process (locks held by another run, signals, pipes, kills).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(process.cwd(), 'dist', 'mfa-upgrade.cjs');

export interface Spawned {
  child: ChildProcess;
  /** Resolves when the process ends. */
  done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; events: Array<Record<string, unknown>> }>;
}

export function spawnCli(args: string[], env: Record<string, string | undefined> = {}, stdin: 'ignore' | 'pipe' = 'ignore'): Spawned {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  delete merged['MFA_UPGRADE_KILL_AT'];
  delete merged['MFA_UPGRADE_STALL_AT'];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  const child = spawn(process.execPath, [CLI, ...args], { env: merged, stdio: [stdin, 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Awaited<Spawned['done']>>((resolve) =>
    child.on('close', (status, signal) => {
      const events = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return { type: 'unparsed', line: l };
          }
        });
      resolve({ status, signal, stdout, stderr, events });
    }),
  );
  return { child, done };
}

/** Waits until the condition holds (polling), or fails after the timeout. */
export async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The exit code the protocol's result line carries (a process status is 8 bits on Linux). */
export function resultCode(events: Array<Record<string, unknown>>): number | undefined {
  const r = events.find((e) => e['type'] === 'result');
  return typeof r?.['exitCode'] === 'number' ? r['exitCode'] : undefined;
}
