// The step engine: runs every change the tool makes (the server upgrade, the AD FS sequence,
// restore) as typed steps, each journaled before and after it runs, its postcondition checked
// after it. One resume, one rollback, one manual-step model, a failure policy chosen per run
// (pause for --resume, or undo at once), and interrupts that stop at a safe point.
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ExitCode, MfaError, type ExitCodeValue } from '../errors.js';
import type { Host } from '../host/ports.js';
import type { Reporter } from '../reporting/reporter.js';
import type { CancelSignal } from '../util/cancel.js';
import { faultPoint } from '../util/fault.js';
import { removePath } from '../util/remove.js';
import { removeStaleTemps } from '../util/temp-names.js';
import { windowsDirname } from '../util/winpath.js';
import { installerOps, type RetryPolicy } from './installer-op.js';
import { JOURNAL_FORMAT, Journal, journalState, type FailurePolicy, type JournalRecord, type JournalState, type RunKind, type StepPhase } from './journal.js';
import type { HostLock } from './host-lock.js';
import { serviceOps } from './service-ops.js';
import { PersonNeeded, type EngineStep, type LeftToDo, type StepContext } from './step.js';
import { undoStore } from './undo-store.js';

export interface RunOptions<Env> {
  /** Local path of the run's journal. */
  journalPath: string;
  /** Local folder for the run's own files (the undo store). */
  workDir: string;
  kind: RunKind;
  /** What the journal keeps to rebuild the steps on --resume / --rollback (the plan). */
  spec: unknown;
  policy: FailurePolicy;
  /** What a stop request does: stop at a safe point with the journal open (default), or undo what the run did. */
  onInterrupt?: 'pause' | 'undo';
  steps: Array<EngineStep<Env>>;
  env: Env;
  host: Host;
  reporter: Reporter;
  cancel: CancelSignal;
  /** This server's name: steps of another server pause the run. */
  localNode: string;
  /** A person's steps are recorded as left to do instead of pausing (blocking ones still pause). */
  unattended: boolean;
  /** Asks a person at a terminal to confirm a manual step; absent: pause. */
  confirmManual?: (step: EngineStep<Env>) => Promise<boolean>;
  retry: RetryPolicy;
  /** Host folder for Windows Installer logs. */
  logDir: string;
  toolVersion: string;
  /** Progress title ("Upgrading PF01"). */
  activity: string;
  lock?: HostLock;
  /** The steps before this one were done by others (other servers of an AD FS farm walk, people): journaled as such. */
  startAt?: string;
  /** After rollback's undos (journaled as the rollback's finish): e.g. put back what the backup holds. */
  finishRollback?: (ctx: StepContext<Env>) => Promise<void>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type RunOutcome = 'completed' | 'paused' | 'rolled-back' | 'failed' | 'interrupted';

export interface StepReport {
  id: string;
  title: string;
  kind: string;
  status: StepPhase | 'not-run';
  startedAt?: string;
  endedAt?: string;
  error?: string;
  node?: string;
}

export interface RunResult {
  runId: string;
  outcome: RunOutcome;
  exitCode: ExitCodeValue;
  journal: string;
  steps: StepReport[];
  leftToDo: Array<{ id: string; title: string; instructions: string }>;
  /** Where a paused run stopped. */
  next?: { id: string; title: string; node?: string; manual: boolean };
  rebootRequired: boolean;
  failure?: { step: string; error: MfaError };
  data: Record<string, unknown>;
}

const iso = () => new Date().toISOString();

function asMfaError(e: unknown): MfaError {
  if (e instanceof MfaError) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  return new MfaError(err?.message ?? String(e), { code: err?.code ?? 'STEP_FAILED', exitCode: ExitCode.fatal, cause: e });
}

function sameNode(a: string, b: string): boolean {
  const short = (x: string) => x.split('.')[0]?.toLowerCase();
  return a.toLowerCase() === b.toLowerCase() || short(a) === short(b);
}

/** Whether a step is done by someone else than this run (a person, or another server). */
export function isExternal<Env>(step: EngineStep<Env>, localNode: string): boolean {
  if (!step.external) return false;
  return step.external.who === 'person' || !sameNode(step.external.node ?? '', localNode);
}

class Run<Env> {
  readonly journal: Journal;
  state!: JournalState;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(readonly o: RunOptions<Env>) {
    this.journal = new Journal(o.journalPath);
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = o.now ?? Date.now;
  }

  reload(): JournalState {
    this.state = journalState(this.journal.read(), this.journal.path);
    return this.state;
  }

  context(step: EngineStep<Env>, pending: Record<string, unknown>): StepContext<Env> {
    const o = this.o;
    const run = this;
    const recorded = { ...(this.state.stepData.get(step.id) ?? {}) };
    const sink = { append: (r: Parameters<Journal['append']>[0]) => this.journal.append(r) };
    return {
      host: o.host,
      reporter: o.reporter,
      env: o.env,
      cancel: o.cancel,
      installer: installerOps({ host: o.host, reporter: o.reporter, retry: o.retry, logDir: o.logDir, cancel: o.cancel, sleep: this.sleep, onReboot: () => Object.assign(pending, { rebootRequired: true }) }),
      services: serviceOps(o.host, o.reporter, sink),
      undo: undoStore(o.host, join(o.workDir, 'undo')),
      recorded,
      record: (data) => {
        Object.assign(pending, data);
        Object.assign(recorded, data);
      },
      // The journal is re-read after each record: always the current state's data.
      get runData() {
        return run.state.data;
      },
      setRunData: (values) => {
        this.journal.append({ type: 'data', time: iso(), values });
        Object.assign(this.state.data, values);
      },
      leaveToDo: (item) => {
        const list = [...((recorded['leftToDo'] as LeftToDo[] | undefined) ?? []).filter((x) => x.title !== item.title), item];
        Object.assign(pending, { leftToDo: list });
        Object.assign(recorded, { leftToDo: list });
      },
      addTemp: (path) => {
        this.journal.append({ type: 'temp', time: iso(), path });
        this.state.temps.push(path);
      },
      now: this.now,
      sleep: this.sleep,
    };
  }

  report(): StepReport[] {
    return this.o.steps.map((s) => {
      const t = this.state.stepTimes.get(s.id);
      const r: StepReport = { id: s.id, title: s.title, kind: s.kind, status: this.state.phases.get(s.id) ?? 'not-run' };
      if (t?.startedAt) r.startedAt = t.startedAt;
      if (t?.endedAt) r.endedAt = t.endedAt;
      if (t?.error) r.error = t.error;
      if (s.external?.node) r.node = s.external.node;
      return r;
    });
  }

  result(outcome: RunOutcome, exitCode: ExitCodeValue, extra: Partial<RunResult> = {}): RunResult {
    const reboot = [...this.state.stepData.values()].some((d) => d['rebootRequired'] === true);
    const leftToDo = this.o.steps.flatMap((s) => {
      const phase = this.state.phases.get(s.id);
      if (phase === 'left-to-do') return [{ id: s.id, title: s.title, instructions: s.external?.instructions ?? '' }];
      // What a finished automatic step left to a person (a setting it could not carry).
      const items = phase === 'done' ? ((this.state.stepData.get(s.id)?.['leftToDo'] as LeftToDo[] | undefined) ?? []) : [];
      return items.map((m) => ({ id: s.id, title: m.title, instructions: m.instructions }));
    });
    return { runId: this.state.begin.runId, outcome, exitCode, journal: this.journal.path, steps: this.report(), leftToDo, rebootRequired: reboot, data: { ...this.state.data }, ...extra };
  }

  /**
   * Starts what this run stopped and still owes, and removes its temporary files. Where the run
   * ends or stops (`asFound`), also starts what was running before it began and is stopped now
   * (an installer stops a product's services; a dependent the SCM stopped with another).
   */
  async putBackAsFound(asFound: boolean): Promise<void> {
    const ops = serviceOps(this.o.host, this.o.reporter, { append: (r) => this.journal.append(r) });
    // A service that will not start (a damaged data file: 1067) is reported, never thrown over the
    // outcome being put right; the others are still started and the temporaries still removed.
    const start = async (name: string) => {
      try {
        await ops.start([name]);
      } catch (e) {
        this.o.reporter.log('error', `${name} could not be started again: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    for (const name of [...this.state.owedStarts].reverse()) await start(name);
    if (asFound) {
      for (const name of this.state.running ?? []) {
        const s = await this.o.host.services.get(name);
        if (s && s.state === 'stopped' && s.startType !== 'disabled') await start(name);
      }
    }
    for (const t of this.state.temps) {
      await removePath(t);
      this.journal.append({ type: 'temp-removed', time: iso(), path: t });
    }
    // Half-written temporaries of a killed write: beside the host files this run replaces, and in its own folders.
    const folders = new Set((await undoStore(this.o.host, join(this.o.workDir, 'undo')).kept()).map((p) => windowsDirname(p)));
    for (const f of folders) await this.o.host.files.removeStaleTemps(f).catch(() => []);
    for (const local of [this.o.workDir, join(this.o.workDir, 'undo'), dirname(this.journal.path)]) await removeStaleTemps(local);
    this.reload();
  }

  async interrupted(): Promise<RunResult> {
    const reason = this.o.cancel.reason ?? 'interrupted';
    if (this.o.onInterrupt === 'undo') {
      this.o.reporter.log('warning', `Stopped (${reason}): undoing what this run did.`);
      this.beginRollback();
      const clean = await this.undoAll();
      await this.putBackAsFound(true);
      this.journal.append({ type: 'end', time: iso(), outcome: clean ? 'rolled-back' : 'failed', exitCode: ExitCode.interrupted });
      this.reload();
      this.o.lock?.release();
      const error = new MfaError(`the run was stopped (${reason})${clean ? ' and what it had done was undone' : '; some of what it did could not be undone (see above)'}`, { code: 'INTERRUPTED', target: this.journal.path, exitCode: ExitCode.interrupted, remedy: clean ? 'Nothing changed: run it again when you are ready.' : 'Fix what the errors above name and run it again.' });
      return this.result('interrupted', ExitCode.interrupted, { failure: { step: '', error } });
    }
    this.o.reporter.log('warning', `Stopped at a safe point (${reason}): putting services back as found.`);
    await this.putBackAsFound(true);
    this.o.lock?.pause();
    const error = new MfaError(`the run was stopped at a safe point (${reason})`, { code: 'INTERRUPTED', target: this.journal.path, exitCode: ExitCode.interrupted, remedy: 'Run the same command again with --resume to go on, or with --rollback to undo what it did.' });
    return this.result('interrupted', ExitCode.interrupted, { failure: { step: '', error } });
  }

  /** Runs the steps from where the journal stands. */
  async drive(): Promise<RunResult> {
    const o = this.o;
    const total = o.steps.length;
    const startIndex = o.startAt === undefined ? 0 : o.steps.findIndex((s) => s.id.toLowerCase() === o.startAt?.toLowerCase());
    if (startIndex === -1) throw new MfaError(`there is no step '${o.startAt}' in this plan`, { code: 'USAGE', exitCode: ExitCode.usage, remedy: 'Run with --what-if to list the step ids.' });
    for (const [i, step] of o.steps.entries()) {
      if (o.cancel.cancelled) return this.interrupted();
      o.reporter.progress({ id: 1, activity: o.activity, status: step.title, percent: Math.round((i / total) * 100) });
      const phase = this.state.phases.get(step.id);
      if (phase === 'done' || phase === 'left-to-do') continue;
      if (i < startIndex) {
        // --from: the steps before it were done by others (people, other servers); never one of this server's own.
        if (!isExternal(step, o.localNode)) {
          throw new MfaError(`--from ${o.startAt} would skip ${step.id} (${step.title}), which runs on this server and has not run`, { code: 'USAGE', exitCode: ExitCode.usage, remedy: 'Go on with --resume instead, or start at that step.' });
        }
        this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'done', data: { doneElsewhere: true } });
        this.reload();
        continue;
      }
      if (phase === 'waiting' && !isExternal(step, o.localNode)) {
        // An automatic step that asked for a person (PersonNeeded): resuming is the confirmation.
        this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'done', data: { confirmedBy: 'resume' } });
        this.reload();
        continue;
      }
      if (isExternal(step, o.localNode)) {
        const paused = await this.external(step, phase);
        if (paused) return paused;
        continue;
      }
      const failed = await this.runStep(step, phase);
      if (failed) return failed;
    }
    o.reporter.progress({ id: 1, activity: o.activity, status: 'done', percent: 100, completed: true });
    await this.putBackAsFound(true);
    const r = this.result('completed', ExitCode.success);
    // A pending reboot outranks steps left to do: ConfigMgr must restart the machine, and the
    // steps left are in the result and the log either way.
    r.exitCode = r.rebootRequired ? ExitCode.rebootRequired : r.leftToDo.length ? ExitCode.manualStepsPending : ExitCode.success;
    this.journal.append({ type: 'end', time: iso(), outcome: 'completed', exitCode: r.exitCode });
    o.lock?.release();
    return r;
  }

  private async external(step: EngineStep<Env>, phase: StepPhase | undefined): Promise<RunResult | undefined> {
    const o = this.o;
    const ext = step.external as NonNullable<EngineStep<Env>['external']>;
    // Resuming past a pause means it was done (by the person, or on the other server).
    if (phase === 'waiting') {
      this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'done', data: { confirmedBy: 'resume' } });
      this.reload();
      return undefined;
    }
    if (ext.who === 'person' && o.unattended && !ext.blocking) {
      this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'left-to-do' });
      o.reporter.log('warning', `Left to do by hand: ${step.title}. ${ext.instructions}`);
      this.reload();
      return undefined;
    }
    if (ext.who === 'person' && o.confirmManual && (await o.confirmManual(step))) {
      this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'done', data: { confirmedBy: 'prompt' } });
      this.reload();
      return undefined;
    }
    this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'waiting' });
    this.reload();
    o.lock?.pause();
    o.reporter.log(
      'warning',
      ext.who === 'server'
        ? `Paused: ${step.id} (${step.title}) runs on ${ext.node}. ${ext.instructions} Then run the same command here again with --resume.`
        : `Paused at a manual step: ${step.title} (${step.id}). ${ext.instructions} Then run the same command again with --resume.`,
    );
    return this.result('paused', ExitCode.manualStepsPending, { next: { id: step.id, title: step.title, ...(ext.node ? { node: ext.node } : {}), manual: ext.who === 'person' } });
  }

  private async runStep(step: EngineStep<Env>, phase: StepPhase | undefined): Promise<RunResult | undefined> {
    const o = this.o;
    const pending: Record<string, unknown> = {};
    const ctx = this.context(step, pending);
    if (phase === undefined) {
      const prepared = step.prepare ? await step.prepare(ctx) : {};
      this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'start', ...(Object.keys(prepared).length ? { data: prepared } : {}) });
      this.reload();
      Object.assign(ctx.recorded as Record<string, unknown>, prepared);
    } else {
      o.reporter.log('info', `Repeating ${step.id} (${step.title}): the previous run stopped inside it.`);
      this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'start' });
      this.reload();
    }
    faultPoint(`start:${step.id}`);
    try {
      o.reporter.log('info', `${step.id}: ${step.title}`);
      await step.run(ctx);
      faultPoint(`run:${step.id}`);
      if (step.verify) await step.verify(ctx);
    } catch (e) {
      if (e instanceof PersonNeeded) return this.personNeeded(step, e, pending);
      const error = asMfaError(e);
      if (error.code === 'INTERRUPTED') {
        this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'interrupted', ...(Object.keys(pending).length ? { data: pending } : {}) });
        this.reload();
        return this.interrupted();
      }
      this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'failed', error: error.message, ...(Object.keys(pending).length ? { data: pending } : {}) });
      this.reload();
      return this.failed(step, error);
    }
    this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'done', ...(Object.keys(pending).length ? { data: pending } : {}) });
    this.reload();
    faultPoint(`done:${step.id}`);
    return undefined;
  }

  /** An automatic step asked for a person: paused there (blocking, also unattended); --resume confirms. */
  private async personNeeded(step: EngineStep<Env>, e: PersonNeeded, pending: Record<string, unknown>): Promise<RunResult> {
    const o = this.o;
    this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'waiting', data: { ...pending, person: { title: e.title, instructions: e.instructions } } });
    this.reload();
    await this.putBackAsFound(false);
    o.lock?.pause();
    o.reporter.log('warning', `Paused at ${step.id}: ${e.title}. ${e.instructions} Then run the same command again with --resume.`);
    return this.result('paused', ExitCode.manualStepsPending, { next: { id: step.id, title: e.title, manual: true } });
  }

  private async failed(step: EngineStep<Env>, error: MfaError): Promise<RunResult> {
    const o = this.o;
    o.reporter.log('error', `${step.id} (${step.title}) failed: ${error.message}`);
    if (o.policy === 'undo') {
      o.reporter.log('warning', 'Undoing what this run did, newest first.');
      this.beginRollback();
      const clean = await this.undoAll();
      await this.putBackAsFound(true);
      const outcome = clean ? 'rolled-back' : 'failed';
      this.journal.append({ type: 'end', time: iso(), outcome, exitCode: error.exitCode });
      this.reload();
      o.lock?.release();
      return this.result(outcome, error.exitCode, { failure: { step: step.id, error } });
    }
    await this.putBackAsFound(true);
    o.lock?.pause();
    const wrapped = new MfaError(`step ${step.id} (${step.title}) failed: ${error.message}`, {
      code: error.code,
      ...(error.target ? { target: error.target } : {}),
      exitCode: error.exitCode,
      remedy: `${error.remedy ? `${error.remedy} ` : ''}The journal ${this.journal.path} lets you run again with --resume (after fixing the cause) or --rollback.`,
      cause: error,
    });
    return this.result('failed', error.exitCode, { failure: { step: step.id, error: wrapped } });
  }

  /**
   * Journals that undoing has begun, once: a run killed while undoing must then be finished by
   * --rollback, never resumed forward over half-undone steps.
   */
  beginRollback(): void {
    if (this.state.rollback !== 'none') return;
    this.journal.append({ type: 'rollback', time: iso(), phase: 'start' });
    this.reload();
  }

  /** Undoes every step that began, newest first; true when every undo succeeded. */
  async undoAll(): Promise<boolean> {
    let clean = true;
    for (const step of [...this.o.steps].reverse()) {
      const phase = this.state.phases.get(step.id);
      // An automatic step that waits for a person (PersonNeeded) began, so it is undone like any other.
      if (phase === undefined || phase === 'undone' || phase === 'left-to-do' || isExternal(step, this.o.localNode)) continue;
      if (this.state.stepData.get(step.id)?.['doneElsewhere'] === true) continue;
      if (!step.undo) {
        this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'undone', data: { nothingToUndo: true } });
        this.reload();
        continue;
      }
      const ctx = this.context(step, {});
      if (phase !== 'undo-start') this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'undo-start' });
      faultPoint(`undo:${step.id}`);
      this.o.reporter.log('info', `Undoing ${step.id}: ${step.title}`);
      try {
        await step.undo(ctx);
        this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'undone' });
      } catch (e) {
        clean = false;
        const err = asMfaError(e);
        this.journal.append({ type: 'step', time: iso(), id: step.id, phase: 'undo-failed', error: err.message });
        this.o.reporter.log('error', `Undoing ${step.id} failed: ${err.toString()}`);
      }
      this.reload();
      faultPoint(`undone:${step.id}`);
    }
    return clean;
  }
}

function rotateEnded(journal: Journal): Promise<void> | undefined {
  // A journal that records nothing is replaced by the new one.
  const state = journal.state();
  if (!state) return undefined;
  if (!state.ended) {
    throw new MfaError('an earlier run recorded in this journal has not ended', {
      code: 'RUN_OPEN',
      target: journal.path,
      exitCode: ExitCode.fatal,
      remedy: 'Run the same command with --resume to finish it, or with --rollback to undo it.',
    });
  }
  return fsp.rename(journal.path, `${journal.path}.${state.ended.time.replace(/[:.]/g, '-')}`);
}

export interface BeginOptions {
  kind: RunKind;
  spec: unknown;
  policy: FailurePolicy;
  host: Host;
  localNode: string;
  toolVersion: string;
  lock?: HostLock;
}

/** Opens a new run's journal: its begin record and the services as found; the lock learns of it. */
export async function beginJournal(journal: Journal, o: BeginOptions): Promise<string> {
  await rotateEnded(journal);
  const runId = `${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  const services = await servicesAsFound(o.host);
  // The lock learns of the journal first: a run killed as it creates it leaves at most a
  // temporary file beside it, which the next run's cleanup of the killed one removes. The begin
  // and the services as found are one write: a run never has one without the other.
  o.lock?.setJournal(journal.path, runId);
  await journal.create({ type: 'begin', format: JOURNAL_FORMAT, time: iso(), runId, kind: o.kind, tool: o.toolVersion, host: o.localNode, pid: process.pid, policy: o.policy, spec: o.spec }, services);
  return runId;
}

async function servicesAsFound(host: Host): Promise<Extract<JournalRecord, { type: 'services' }>> {
  const running = (await host.services.list()).filter((s) => s.state === 'running' || s.state === 'start_pending').map((s) => s.name);
  return { type: 'services', time: iso(), running };
}

/**
 * An earlier version journaled the services as found after its begin record, and could be killed
 * in between: no step had begun, so what runs now is what it found.
 */
async function recordMissingServices<Env>(run: Run<Env>, host: Host): Promise<JournalState> {
  if (run.state.running !== undefined || run.state.phases.size > 0) return run.state;
  run.journal.append(await servicesAsFound(host));
  return run.reload();
}

/** Starts a new run: journals its begin and the services as found, then runs the steps. */
export async function startRun<Env>(o: RunOptions<Env>): Promise<RunResult> {
  await fsp.mkdir(o.workDir, { recursive: true, mode: 0o700 });
  const run = new Run(o);
  await beginJournal(run.journal, o);
  run.reload();
  return run.drive();
}

export function openState(journalPath: string): JournalState {
  const journal = new Journal(journalPath);
  if (!journal.exists()) throw new MfaError('there is no run to continue here', { code: 'NO_JOURNAL', target: journalPath, exitCode: ExitCode.usage, remedy: 'Pass the folder of the interrupted run (the one given when it started).' });
  const state = journal.state();
  if (!state) {
    throw new MfaError('the journal here records no run: its run was stopped as it began, before it changed anything', { code: 'NO_JOURNAL', target: journalPath, exitCode: ExitCode.usage, remedy: 'Run the command again without --resume or --rollback.' });
  }
  return state;
}

/** Goes on from where the journal stands: what a killed run left is put right first. */
export async function resumeRun<Env>(o: RunOptions<Env>): Promise<RunResult> {
  const run = new Run(o);
  const state = run.reload();
  if (state.ended) throw new MfaError(`the run recorded in this journal has already ended (${state.ended.outcome})`, { code: 'JOURNAL_ENDED', target: o.journalPath, exitCode: ExitCode.usage, remedy: 'Start a new run without --resume.' });
  if (state.rollback !== 'none') throw new MfaError('a rollback of this run was started; it must be finished', { code: 'ROLLBACK_STARTED', target: o.journalPath, exitCode: ExitCode.usage, remedy: 'Run the same command with --rollback again to finish undoing it.' });
  o.lock?.setJournal(run.journal.path, state.begin.runId);
  o.reporter.log('info', `Resuming the ${state.begin.kind} run ${state.begin.runId} begun ${state.begin.time}.`);
  await recordMissingServices(run, o.host);
  await run.putBackAsFound(false);
  return run.drive();
}

/** Undoes every step that began, newest first, then the run's finish (e.g. the backup put back) and the services as found. */
export async function rollbackRun<Env>(o: RunOptions<Env>): Promise<RunResult> {
  const run = new Run(o);
  const state = run.reload();
  if (state.ended?.outcome === 'rolled-back') throw new MfaError('this run was already rolled back', { code: 'JOURNAL_ENDED', target: o.journalPath, exitCode: ExitCode.usage });
  o.lock?.setJournal(run.journal.path, state.begin.runId);
  await recordMissingServices(run, o.host);
  run.beginRollback();
  await run.putBackAsFound(false);
  const clean = await run.undoAll();
  if (!clean) {
    o.lock?.pause();
    const error = new MfaError('some steps could not be undone', { code: 'ROLLBACK_INCOMPLETE', target: run.journal.path, exitCode: ExitCode.fatal, remedy: 'Fix what the errors above name, then run the same command with --rollback again.' });
    return run.result('failed', ExitCode.fatal, { failure: { step: '', error } });
  }
  if (o.finishRollback && run.state.rollback !== 'finished') {
    run.journal.append({ type: 'rollback', time: iso(), phase: 'finish-start' });
    faultPoint('rollback:finish');
    await o.finishRollback(run.context({ id: 'rollback', title: 'rollback', kind: 'rollback', run: async () => undefined }, {}));
    run.journal.append({ type: 'rollback', time: iso(), phase: 'finish-done' });
  }
  run.reload();
  await run.putBackAsFound(true);
  const r = run.result('rolled-back', ExitCode.success);
  r.exitCode = r.rebootRequired ? ExitCode.rebootRequired : ExitCode.success;
  run.journal.append({ type: 'end', time: iso(), outcome: 'rolled-back', exitCode: r.exitCode });
  o.lock?.release();
  return r;
}
