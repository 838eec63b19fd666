// One run per host. Every command that changes a host holds an exclusive lock file in the host's
// state folder from start to end; a second changing run refuses at once (1618) and names the one
// running. A lock whose owner is dead (pid and its start time) is recognised: a killed backup or
// restore is cleaned up from its journal and the new run goes on; a killed or paused upgrade or AD
// FS sequence leaves the host half way, so only --resume/--rollback of that run may proceed.
import { closeSync, fsyncSync, linkSync, openSync, promises as fsp, readFileSync, renameSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ExitCode, MfaError } from '../errors.js';
import type { Host } from '../host/ports.js';
import { isProcessAlive, processIdentity } from '../util/process.js';
import { removeStaleTemps, tempBeside } from '../util/temp-names.js';
import { Journal, type RunKind } from './journal.js';

export const LOCK_FILE = 'run.lock';

export interface LockInfo {
  pid: number;
  /** processIdentity(pid) when the lock was taken (tells a reused pid apart). */
  identity: string | null;
  computer: string;
  command: string;
  kind: RunKind;
  /** The run's journal (local path) and its run id, once it has one. */
  journal: string | null;
  runId: string | null;
  state: 'running' | 'paused';
  since: string;
}

export interface LockRequest {
  command: string;
  kind: RunKind;
  /** The run this one continues (--resume / --rollback): a paused or killed run with this id may be taken over. */
  continues?: { journal: string; runId: string };
}

/** What to do with a killed run before taking its lock (its services and temp files). */
export type Recover = (dead: LockInfo) => Promise<void>;

export interface HostLock {
  readonly path: string;
  /** Whether pause() or release() was called. */
  readonly settled: boolean;
  /** The journal of the run holding it, once it has one. */
  readonly journal: string | null;
  setJournal(journal: string, runId: string): void;
  /** The run paused half way (a manual step, another server's step, an interrupt): only its resume or rollback may follow. */
  pause(): void;
  release(): void;
}

function lockPath(host: Host): string {
  return join(host.stateDir, LOCK_FILE);
}

function readLock(path: string): LockInfo | undefined | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    if (typeof info.pid !== 'number' || typeof info.kind !== 'string') return 'unreadable';
    return info;
  } catch {
    return 'unreadable';
  }
}

function ownerAlive(info: LockInfo): boolean {
  if (!isProcessAlive(info.pid)) return false;
  const now = processIdentity(info.pid);
  return info.identity === null || now === undefined || now === info.identity;
}

/** Writes the lock whole beside, then links it into place: it appears complete or not at all. */
function tryCreate(path: string, info: LockInfo): boolean {
  const tmp = tempBeside(path);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o600);
  } catch (e) {
    // The folder was removed by a run that just ended: try again.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify(info));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

function rewrite(path: string, info: LockInfo): void {
  const tmp = tempBeside(path);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(info));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function describe(info: LockInfo): string {
  return `${info.command} (${info.kind}, process ${info.pid} on ${info.computer}, since ${info.since}${info.journal ? `, journal ${info.journal}` : ''})`;
}

/** Whether the lock's run began its journal; one that cannot be read is not known to be empty. */
function journalBegun(info: LockInfo): boolean {
  if (info.journal === null) return false;
  try {
    return new Journal(info.journal).state() !== undefined;
  } catch {
    return true;
  }
}

/** The same run, by id: its --backup folder may have been moved or copied since. */
function continuesIt(req: LockRequest, info: LockInfo): boolean {
  return req.continues !== undefined && info.runId !== null && req.continues.runId === info.runId;
}

export function resumeHint(info: LockInfo): string {
  const folder = info.journal ? resolve(info.journal, '..') : '<the folder of that run>';
  if (info.kind === 'adfs') return `Run adfs-upgrade again with --backup-dir of that run and --resume to finish it, or --rollback to undo it (journal ${info.journal ?? '?'}).`;
  return `Run 'mfa-upgrade upgrade --backup ${folder} --resume' to finish it, or '--rollback' to undo it.`;
}

/** Takes the host's lock for a changing run, or refuses saying which run holds it. */
export async function acquireHostLock(host: Host, req: LockRequest, computer: string, recover: Recover): Promise<HostLock> {
  const path = lockPath(host);
  const info: LockInfo = { pid: process.pid, identity: processIdentity(process.pid) ?? null, computer, command: req.command, kind: req.kind, journal: null, runId: null, state: 'running', since: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    // Made each time: a run that ends removes the (then empty) folder.
    await fsp.mkdir(host.stateDir, { recursive: true, mode: 0o700 });
    // A lock half-written by a killed taker is nobody's.
    await removeStaleTemps(host.stateDir);
    if (tryCreate(path, info)) return held(path, info);
    const found = readLock(path);
    if (found === undefined) continue;
    if (found !== 'unreadable') {
      if (found.state === 'running' && ownerAlive(found)) {
        throw new MfaError(`another mfa-upgrade run holds this host: ${describe(found)}`, {
          code: 'RUN_IN_PROGRESS',
          target: path,
          exitCode: ExitCode.anotherInstallRunning,
          remedy: 'Wait for it to finish (or stop it with Ctrl+C, which ends it at a safe point), then run again.',
        });
      }
      // A killed upgrade or AD FS run that never began its journal changed nothing: not half way.
      const halfWay = (found.kind === 'upgrade' || found.kind === 'adfs') && (found.state === 'paused' || journalBegun(found));
      if ((found.state === 'paused' || halfWay) && !continuesIt(req, found)) {
        throw new MfaError(`${found.state === 'paused' ? 'a paused' : 'an interrupted'} run has left this host half way: ${describe(found)}`, {
          code: found.state === 'paused' ? 'RUN_PAUSED' : 'RUN_INTERRUPTED',
          target: found.journal ?? path,
          exitCode: found.state === 'paused' ? ExitCode.manualStepsPending : ExitCode.fatal,
          remedy: resumeHint(found),
        });
      }
      if (!halfWay && found.state === 'running') await recover(found);
    }
    // Take the stale lock over: only one taker's rename can succeed.
    const aside = tempBeside(path);
    try {
      renameSync(path, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    await fsp.unlink(aside).catch(() => undefined);
  }
  throw new MfaError('the host lock kept changing hands', { code: 'RUN_IN_PROGRESS', target: path, exitCode: ExitCode.anotherInstallRunning, remedy: 'Another run is starting on this host: wait, then run again.' });
}

function held(path: string, info: LockInfo): HostLock {
  let released = false;
  return {
    path,
    get settled() {
      return released;
    },
    get journal() {
      return info.journal;
    },
    setJournal(journal, runId) {
      info.journal = resolve(journal);
      info.runId = runId;
      rewrite(path, info);
    },
    pause() {
      if (released) return;
      info.state = 'paused';
      rewrite(path, info);
      released = true;
    },
    release() {
      if (released) return;
      released = true;
      try {
        unlinkSync(path);
      } catch {
        // Already gone (taken over after this process was thought dead): nothing to release.
      }
      // The state folder holds nothing else between runs: leave no trace on the host.
      try {
        rmdirSync(dirname(path));
      } catch {
        // Not empty (another run's lock appeared) or already gone.
      }
    },
  };
}

/** For read-only commands: a line saying which run holds or has left the host, if any. */
export function hostLockNotice(host: Host): string | undefined {
  const found = readLock(lockPath(host));
  if (found === undefined) return undefined;
  if (found === 'unreadable') return `The host's run lock ${lockPath(host)} is unreadable: a run may have been killed while taking it.`;
  if (found.state === 'paused') return `A run is paused half way on this host: ${describe(found)}. ${resumeHint(found)}`;
  if (ownerAlive(found)) return `A run is in progress on this host: ${describe(found)}; what this command reads may change under it.`;
  return `A run was killed on this host: ${describe(found)}. ${found.kind === 'upgrade' || found.kind === 'adfs' ? resumeHint(found) : 'The next changing run cleans up after it.'}`;
}
