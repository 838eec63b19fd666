// A step the engine runs: what it needs (preflight, checked before the first change), what it
// records before it starts (so its undo knows after a crash), its run, the postcondition checked
// after it, and its undo. Every change the tool makes is one of these.
import { ExitCode, MfaError } from '../errors.js';
import type { Host } from '../host/ports.js';
import type { Reporter } from '../reporting/reporter.js';
import type { CancelSignal } from '../util/cancel.js';
import type { InstallerOps } from './installer-op.js';
import type { ServiceOps } from './service-ops.js';
import type { UndoStore } from './undo-store.js';

export interface Blocker {
  message: string;
  remedy: string;
}

/** A step done by a person or by another server: the run pauses there (or records it, when allowed). */
export interface ExternalPart {
  who: 'person' | 'server';
  /** The server that runs it (who = 'server'). */
  node?: string;
  instructions: string;
  /** With --unattended a person's step is recorded as left to do; a blocking one always pauses. */
  blocking?: boolean;
}

export interface StepContext<Env> {
  readonly host: Host;
  readonly reporter: Reporter;
  readonly env: Env;
  readonly cancel: CancelSignal;
  /** Windows Installer operations with the run's policy (1618 backoff, verbose log, 3010). */
  readonly installer: InstallerOps;
  /** Stopping and starting services with what was stopped journaled, so a crash cannot strand them. */
  readonly services: ServiceOps;
  /** Originals of the host files this run replaces, kept for undo. */
  readonly undo: UndoStore;
  /** Data this step recorded so far (all its records merged). */
  readonly recorded: Readonly<Record<string, unknown>>;
  /** Adds data to the step's next journal record. */
  record(data: Record<string, unknown>): void;
  /** Facts shared by the run's steps, journaled when set. */
  readonly runData: Readonly<Record<string, unknown>>;
  setRunData(values: Record<string, unknown>): void;
  /** Something this step could not do and leaves to a person: listed with the run's steps left to do (exit 5), never as done. */
  leaveToDo(item: LeftToDo): void;
  /** A local temporary file or folder (decrypted copies, an unfinished bundle) the run must not leave behind, even if killed. */
  addTemp(path: string): void;
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface EngineStep<Env> {
  id: string;
  title: string;
  /** A short word for tables and the report ('install', 'merge-config', 'adfs', ...). */
  kind: string;
  external?: ExternalPart;
  /** Problems that can be found before the first change (packages missing, files unreadable). */
  preflight?(host: Host, env: Env): Promise<Blocker[]>;
  /** Facts to journal with the start record (e.g. what an install will replace). */
  prepare?(ctx: StepContext<Env>): Promise<Record<string, unknown>>;
  run(ctx: StepContext<Env>): Promise<void>;
  /** The step's effect is there; throws a typed error when it is not (a failed postcondition fails the step). */
  verify?(ctx: StepContext<Env>): Promise<void>;
  undo?(ctx: StepContext<Env>): Promise<void>;
}

/** A piece of work an automatic step leaves to a person. */
export interface LeftToDo {
  title: string;
  instructions: string;
}

/**
 * Thrown by an automatic step that cannot go on without a person (a wait that timed out): the run
 * pauses at the step as at a blocking manual step (exit 5, also with --unattended), and --resume
 * counts as the person's confirmation that it is done.
 */
export class PersonNeeded extends Error {
  constructor(
    readonly title: string,
    readonly instructions: string,
  ) {
    super(`${title}: ${instructions}`);
    this.name = 'PersonNeeded';
  }
}

/** A failed postcondition: the step ran but its effect is not there. */
export function postconditionFailed(what: string, remedy: string, target?: string): MfaError {
  return new MfaError(`postcondition not met: ${what}`, { code: 'POSTCONDITION_FAILED', exitCode: ExitCode.fatal, remedy, ...(target ? { target } : {}) });
}
