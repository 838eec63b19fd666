// Runs an upgrade plan on a host: a verified backup before any change, every changing step
// journaled before and after it runs, resume after a crash, rollback of what was done.
import { promises as fsp } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Reporter } from '../reporting/reporter.js';
import { ExitCode, MfaError, type ExitCodeValue } from '../errors.js';
import type { Host } from '../host/ports.js';
import type { BackupAccess } from './backup-access.js';
import { faultPoint } from '../util/fault.js';
import { Journal, JOURNAL_FILE, journalState, type JournalState } from './journal.js';
import type { ManualStep, PlanStep, UpgradePlan } from './plan-types.js';
import type { RetryPolicy, StepContext } from './steps/context.js';
import { prepareInstall, runInstall, undoInstall } from './steps/install.js';
import { runMergeConfig, undoMergeConfig } from './steps/merge-config.js';
import { runRestoreThemes, undoRestoreThemes } from './steps/restore-themes.js';
import { runUninstall, undoUninstall } from './steps/uninstall.js';

export interface ExecuteOptions {
  /** Local folder for the backup bundle, the journal and undo copies. */
  workDir: string;
  packagesDir: string;
  mode: 'run' | 'resume' | 'rollback';
  /** Manual steps are recorded as left to do instead of pausing. */
  unattended: boolean;
  /** Asks the administrator to confirm a manual step (a terminal); absent: pause the run. */
  confirmManual?: (step: ManualStep) => Promise<boolean>;
  retry: RetryPolicy;
  /** Host folder for Windows Installer logs. */
  logDir: string;
  toolVersion: string;
  sleep?: (ms: number) => Promise<void>;
}

export interface ExecuteResult {
  outcome: 'completed' | 'paused' | 'rolled-back' | 'failed';
  exitCode: ExitCodeValue;
  bundle: string | undefined;
  journal: string;
  leftToDo: Array<{ id: string; title: string; instructions: string }>;
  rebootRequired: boolean;
  stepsRun: string[];
}

const now = () => new Date().toISOString();

function interrupted(journal: Journal): MfaError {
  return new MfaError('an earlier upgrade run was interrupted and its journal is open', {
    code: 'UPGRADE_INTERRUPTED',
    target: journal.path,
    exitCode: ExitCode.fatal,
    remedy: 'Run the upgrade again with --resume to finish it, or with --rollback to undo what it did.',
  });
}

export class Executor {
  private readonly journal: Journal;
  private readonly sleep: (ms: number) => Promise<void>;
  private rebootRequired = false;

  constructor(
    private readonly host: Host,
    private readonly backup: BackupAccess,
    private readonly out: Reporter,
    private readonly options: ExecuteOptions,
  ) {
    this.journal = new Journal(join(options.workDir, JOURNAL_FILE));
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async execute(plan: UpgradePlan | undefined): Promise<ExecuteResult> {
    await fsp.mkdir(this.options.workDir, { recursive: true, mode: 0o700 });
    if (this.options.mode === 'rollback') return this.rollback();
    if (this.options.mode === 'resume') {
      if (!this.journal.exists()) throw new MfaError('there is no upgrade to resume here', { code: 'NO_JOURNAL', target: this.journal.path, exitCode: ExitCode.usage, remedy: 'Pass the --backup folder of the interrupted run, or start without --resume.' });
      const state = journalState(this.journal.read(), this.journal.path);
      if (state.ended) throw new MfaError(`the upgrade recorded in this journal has already ended (${state.ended.outcome})`, { code: 'JOURNAL_ENDED', target: this.journal.path, exitCode: ExitCode.usage, remedy: 'Start a new upgrade without --resume.' });
      this.out.log('info', `Resuming the upgrade begun ${state.begin.time}.`);
      return this.run(state.begin.plan, state);
    }
    if (!plan) throw new MfaError('no plan to run', { code: 'INTERNAL' });
    if (this.journal.exists()) {
      const state = journalState(this.journal.read(), this.journal.path);
      if (!state.ended) throw interrupted(this.journal);
      await fsp.rename(this.journal.path, `${this.journal.path}.${state.ended.time.replace(/[:.]/g, '-')}`);
    }
    if (plan.upToDate) {
      this.out.log('info', `${plan.computerName} is already at ${plan.to?.version ?? 'the packages\' version'}: nothing to do.`);
      return { outcome: 'completed', exitCode: ExitCode.success, bundle: undefined, journal: this.journal.path, leftToDo: [], rebootRequired: false, stepsRun: [] };
    }
    if (plan.blockers.length) {
      throw new MfaError(`the plan is blocked: ${plan.blockers.map((b) => b.message).join('; ')}`, { code: 'PLAN_BLOCKED', exitCode: ExitCode.notReady, remedy: plan.blockers.map((b) => b.remedy).join(' ') });
    }
    this.journal.append({ type: 'begin', time: now(), tool: this.options.toolVersion, plan, host: plan.computerName, packagesDir: this.options.packagesDir });
    return this.run(plan, journalState(this.journal.read(), this.journal.path));
  }

  private context(bundle: string, recorded: Record<string, unknown>, pending: Record<string, unknown>): StepContext {
    const self = this;
    return {
      host: this.host,
      out: this.out,
      backup: this.backup,
      bundle,
      workDir: this.options.workDir,
      logDir: this.options.logDir,
      retry: this.options.retry,
      recorded,
      record: (data) => Object.assign(pending, data),
      get rebootRequired() {
        return self.rebootRequired;
      },
      set rebootRequired(v: boolean) {
        self.rebootRequired = self.rebootRequired || v;
      },
      sleep: this.sleep,
    };
  }

  private async ensureBackup(state: JournalState): Promise<string> {
    if (state.bundle) {
      // A resumed run trusts nothing it cannot re-check: the bundle is verified again.
      const bundle = resolve(this.options.workDir, state.bundle);
      await this.backup.verify(bundle);
      return bundle;
    }
    if (state.running) {
      // A run killed inside the backup may have left the MFA service stopped: as found first.
      await this.startServices(state.running);
    } else {
      const running = (await this.host.services.list()).filter((s) => s.state === 'running').map((s) => s.name);
      this.journal.append({ type: 'services', time: now(), running });
    }
    faultPoint('before:backup');
    // take() verifies the bundle (every file re-read) before it is renamed into place.
    const bundle = await this.backup.take(this.host, join(this.options.workDir, 'backup'), this.out);
    // Kept relative to the work folder, so the folder can be moved or copied as a whole.
    const rel = relative(this.options.workDir, bundle);
    this.journal.append({ type: 'backup', time: now(), bundle: rel.startsWith('..') || isAbsolute(rel) ? bundle : rel });
    faultPoint('after:backup');
    return bundle;
  }

  private async run(plan: UpgradePlan, state: JournalState): Promise<ExecuteResult> {
    const result: ExecuteResult = { outcome: 'completed', exitCode: ExitCode.success, bundle: undefined, journal: this.journal.path, leftToDo: [], rebootRequired: false, stepsRun: [] };
    const bundle = await this.ensureBackup(state);
    result.bundle = bundle;
    const total = plan.steps.length;
    for (const [i, step] of plan.steps.entries()) {
      this.out.progress({ id: 1, activity: `Upgrading ${plan.computerName}`, status: step.title, percent: Math.round((i / total) * 100) });
      const phase = state.phases.get(step.id);
      if (step.kind === 'backup' || phase === 'done') continue;
      if (phase === 'left-to-do') {
        result.leftToDo.push(manualEntry(step as ManualStep));
        continue;
      }
      if (step.kind === 'manual') {
        const outcome = await this.manual(step, phase);
        if (outcome === 'paused') {
          result.outcome = 'paused';
          result.exitCode = ExitCode.manualStepsPending;
          result.leftToDo.push(manualEntry(step));
          this.out.log('warning', `Paused at a manual step: ${step.title}. ${step.instructions} Then run the upgrade again with --resume.`);
          return result;
        }
        if (outcome === 'left-to-do') result.leftToDo.push(manualEntry(step));
        continue;
      }
      const recorded = { ...(state.data.get(step.id) ?? {}) };
      const pending: Record<string, unknown> = {};
      const ctx = this.context(bundle, recorded, pending);
      if (phase === undefined) {
        const prepared = step.kind === 'install' ? await prepareInstall(step, ctx) : {};
        Object.assign(recorded, prepared);
        this.journal.append({ type: 'step', time: now(), id: step.id, phase: 'start', ...(Object.keys(prepared).length ? { data: prepared } : {}) });
      } else {
        this.out.log('info', `Repeating ${step.id} (${step.title}): the previous run stopped inside it.`);
      }
      faultPoint(`start:${step.id}`);
      try {
        this.out.log('info', `${step.id}: ${step.title}`);
        await this.runStep(step, ctx);
      } catch (e) {
        this.journal.append({ type: 'step', time: now(), id: step.id, phase: 'failed', data: { error: e instanceof Error ? e.message : String(e) } });
        result.outcome = 'failed';
        const err = e instanceof MfaError ? e : new MfaError(String(e instanceof Error ? e.message : e), { code: 'STEP_FAILED', cause: e });
        throw new MfaError(`step ${step.id} (${step.title}) failed: ${err.message}`, {
          code: err.code,
          ...(err.target ? { target: err.target } : {}),
          exitCode: err.exitCode,
          remedy: `${err.remedy ? `${err.remedy} ` : ''}The journal ${this.journal.path} and the backup ${bundle} let you run again with --resume (after fixing the cause) or --rollback.`,
          cause: e,
        });
      }
      this.journal.append({ type: 'step', time: now(), id: step.id, phase: 'done', ...(Object.keys(pending).length ? { data: pending } : {}) });
      result.stepsRun.push(step.id);
      faultPoint(`done:${step.id}`);
    }
    this.out.progress({ id: 1, activity: `Upgrading ${plan.computerName}`, status: 'done', percent: 100, completed: true });
    result.rebootRequired = this.rebootRequired || [...state.data.values()].some((d) => d['rebootRequired'] === true);
    // A pending reboot outranks manual steps left to do: ConfigMgr must restart the machine, and the
    // manual steps are in the result and the log either way.
    result.exitCode = result.rebootRequired ? ExitCode.rebootRequired : result.leftToDo.length ? ExitCode.manualStepsPending : ExitCode.success;
    this.journal.append({ type: 'end', time: now(), outcome: 'completed', exitCode: result.exitCode });
    return result;
  }

  private async manual(step: ManualStep, phase: string | undefined): Promise<'done' | 'left-to-do' | 'paused'> {
    // Resuming past a pause means the administrator did the step.
    if (phase === 'start') {
      this.journal.append({ type: 'step', time: now(), id: step.id, phase: 'done', data: { confirmedBy: 'resume' } });
      return 'done';
    }
    if (this.options.unattended) {
      this.journal.append({ type: 'step', time: now(), id: step.id, phase: 'left-to-do' });
      this.out.log('warning', `Left to do by hand: ${step.title}. ${step.instructions}`);
      return 'left-to-do';
    }
    if (this.options.confirmManual && (await this.options.confirmManual(step))) {
      this.journal.append({ type: 'step', time: now(), id: step.id, phase: 'done', data: { confirmedBy: 'prompt' } });
      return 'done';
    }
    this.journal.append({ type: 'step', time: now(), id: step.id, phase: 'start' });
    return 'paused';
  }

  private async runStep(step: PlanStep, ctx: StepContext): Promise<void> {
    const before = this.rebootRequired;
    switch (step.kind) {
      case 'install':
        await runInstall(step, ctx);
        break;
      case 'uninstall':
        await runUninstall(step, ctx);
        break;
      case 'merge-config':
        await runMergeConfig(step, ctx);
        break;
      case 'restore-themes':
        await runRestoreThemes(step, ctx);
        break;
      case 'backup':
      case 'manual':
        break;
    }
    if (!before && this.rebootRequired) ctx.record({ rebootRequired: true });
  }

  private async undoStep(step: PlanStep, ctx: StepContext): Promise<void> {
    switch (step.kind) {
      case 'install':
        return undoInstall(step, ctx);
      case 'uninstall':
        return undoUninstall(step, ctx);
      case 'merge-config':
        return undoMergeConfig(step, ctx);
      case 'restore-themes':
        return undoRestoreThemes(step, ctx);
      case 'backup':
      case 'manual':
        return;
    }
  }

  /** Starts the services that were running before the run (a reinstall or a killed backup leaves some stopped). */
  private async startServices(names: string[]): Promise<void> {
    for (const name of names) {
      const service = await this.host.services.get(name);
      if (service && service.state !== 'running') {
        this.out.log('info', `Starting ${name}: it was running before the upgrade.`);
        await this.host.services.start(name);
      }
    }
  }

  /** Undoes every step that started, newest first, then puts data and configs back from the backup. */
  private async rollback(): Promise<ExecuteResult> {
    if (!this.journal.exists()) throw new MfaError('there is no upgrade to roll back here', { code: 'NO_JOURNAL', target: this.journal.path, exitCode: ExitCode.usage, remedy: 'Pass the --backup folder of the run to undo.' });
    const state = journalState(this.journal.read(), this.journal.path);
    if (state.ended?.outcome === 'rolled-back') throw new MfaError('this upgrade was already rolled back', { code: 'JOURNAL_ENDED', target: this.journal.path, exitCode: ExitCode.usage });
    const result: ExecuteResult = { outcome: 'rolled-back', exitCode: ExitCode.success, bundle: state.bundle, journal: this.journal.path, leftToDo: [], rebootRequired: false, stepsRun: [] };
    if (!state.bundle) {
      // Nothing changes the machine before the backup exists; only the services it stopped for its copy.
      await this.startServices(state.running ?? []);
      this.journal.append({ type: 'end', time: now(), outcome: 'rolled-back', exitCode: 0 });
      this.out.log('info', 'The run stopped before its backup was complete: nothing else on the machine was changed.');
      return result;
    }
    const bundle = resolve(this.options.workDir, state.bundle);
    result.bundle = bundle;
    await this.backup.verify(bundle);
    const steps = [...state.begin.plan.steps].reverse();
    for (const step of steps) {
      const phase = state.phases.get(step.id);
      if (phase === undefined || phase === 'undone' || phase === 'left-to-do' || step.kind === 'manual') continue;
      const recorded = { ...(state.data.get(step.id) ?? {}) };
      const ctx = this.context(bundle, recorded, {});
      if (phase !== 'undo-start') this.journal.append({ type: 'step', time: now(), id: step.id, phase: 'undo-start' });
      faultPoint(`undo:${step.id}`);
      this.out.log('info', `Undoing ${step.id}: ${step.title}`);
      await this.undoStep(step, ctx);
      this.journal.append({ type: 'step', time: now(), id: step.id, phase: 'undone' });
      result.stepsRun.push(step.id);
    }
    await this.backup.restore(this.host, bundle, { web: true, themes: true }, this.out);
    await this.startServices(state.running ?? []);
    this.journal.append({ type: 'end', time: now(), outcome: 'rolled-back', exitCode: 0 });
    result.rebootRequired = this.rebootRequired;
    result.exitCode = this.rebootRequired ? ExitCode.rebootRequired : ExitCode.success;
    return result;
  }
}

function manualEntry(step: ManualStep): { id: string; title: string; instructions: string } {
  return { id: step.id, title: step.title, instructions: step.instructions };
}
