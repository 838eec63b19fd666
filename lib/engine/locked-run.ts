// A changing command's whole life under the host lock: taken before anything is read for the
// change, settled when the command ends however it ends. A run that began its journal and did
// not end it leaves the host half way, so its lock stays (paused) for --resume / --rollback.
import type { Host } from '../host/ports.js';
import type { Reporter } from '../reporting/reporter.js';
import { acquireHostLock, type HostLock, type LockRequest } from './host-lock.js';
import { Journal } from './journal.js';
import { finishKilledRun } from './recover.js';

export async function withHostLock<T>(host: Host, reporter: Reporter, request: LockRequest, fn: (lock: HostLock) => Promise<T>): Promise<T> {
  const computer = (await host.info()).computerName;
  const lock = await acquireHostLock(host, request, computer, (dead) => finishKilledRun(host, reporter, dead));
  try {
    // What a killed writer left half-written is never anyone's file: gone before this run begins.
    for (const f of (await host.sweepStaleTemps?.()) ?? []) reporter.log('verbose', `Removed ${f}, left by a run that was killed while writing it.`);
    return await fn(lock);
  } finally {
    if (!lock.settled) {
      if (openJournal(lock)) lock.pause();
      else lock.release();
    }
  }
}

function openJournal(lock: HostLock): boolean {
  const path = lock.journal;
  if (!path) return false;
  try {
    const state = new Journal(path).state();
    return state !== undefined && state.ended === undefined;
  } catch {
    // A journal that cannot be read is not known to be finished: keep the host held.
    return true;
  }
}
