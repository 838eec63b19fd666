// Fault injection for the crash and lock tests, driven by the environment (unset, it costs one
// lookup): MFA_UPGRADE_KILL_AT=<point>[#n] kills this process with SIGKILL the n-th time it passes
// the named point (step boundaries, mid-copy); MFA_UPGRADE_STALL_AT=<point>:<ms> holds the process
// there (as a long install would) so a test can act while the run holds the host.
import { appendFileSync } from 'node:fs';

const killAt = process.env['MFA_UPGRADE_KILL_AT'];
const stallAt = process.env['MFA_UPGRADE_STALL_AT'];
// MFA_UPGRADE_FAULT_TRACE=<file>: every point passed is appended, so a test can kill at each one inside a step.
const traceFile = process.env['MFA_UPGRADE_FAULT_TRACE'];
const counts = new Map<string, number>();

export function faultPoint(name: string): void {
  if (traceFile) appendFileSync(traceFile, `${name}\n`);
  if (killAt) {
    const [point, nth] = killAt.split('#');
    if (point === name) {
      const seen = (counts.get(name) ?? 0) + 1;
      counts.set(name, seen);
      if (seen >= Number(nth ?? '1')) process.kill(process.pid, 'SIGKILL');
    }
  }
  if (stallAt) {
    const at = stallAt.lastIndexOf(':');
    if (stallAt.slice(0, at) === name) stall(Number(stallAt.slice(at + 1)));
  }
}

/** Sleeps without returning to the event loop; a signal that arrives meanwhile is handled right after. */
function stall(ms: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(cell, 0, 0, ms);
}
