// The server upgrade as an engine run: the plan's steps under the host lock, journaled in the
// --backup folder (so --resume and --rollback find it), the failure policy "pause" (fix the cause,
// then --resume, or --rollback), and a rollback that ends by putting back what the backup holds.
import { join } from 'node:path';
import { openState, resumeRun, rollbackRun, startRun, type RunOptions, type RunResult } from '../engine/engine.js';
import { Journal } from '../engine/journal.js';
import { removeStaleTemps } from '../util/temp-names.js';
import type { EngineStep } from '../engine/step.js';
import type { RetryPolicy } from '../engine/installer-op.js';
import { withHostLock } from '../engine/locked-run.js';
import { ExitCode, MfaError } from '../errors.js';
import type { Host } from '../host/ports.js';
import type { Reporter } from '../reporting/reporter.js';
import type { CancelSignal } from '../util/cancel.js';
import type { BackupAccess } from './backup-access.js';
import { engineSteps } from './engine-steps.js';
import type { UpgradePlan } from './plan-types.js';
import { bundleOf, type ConversionWait, type UpgradeEnv } from './steps/env.js';

export const JOURNAL_FILE = 'upgrade-journal.jsonl';

export interface UpgradeSpec {
  plan: UpgradePlan;
  packagesDir: string;
}

export interface UpgradeRunOptions {
  /** Local folder for the journal, the backup bundle and the undo store (--backup). */
  workDir: string;
  packagesDir: string;
  mode: 'run' | 'resume' | 'rollback';
  unattended: boolean;
  confirmManual?: (step: EngineStep<UpgradeEnv>) => Promise<boolean>;
  retry: RetryPolicy;
  /** Host folder for Windows Installer logs. */
  logDir: string;
  toolVersion: string;
  cancel: CancelSignal;
  /** The data file conversion wait (--conversion-timeout); default DEFAULT_CONVERSION_WAIT. */
  conversion?: ConversionWait;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export function journalPathOf(workDir: string): string {
  return join(workDir, JOURNAL_FILE);
}

/** An up-to-date plan needs no run: nothing is locked, backed up or journaled. */
function upToDateResult(plan: UpgradePlan, journal: string): RunResult {
  return { runId: '', outcome: 'completed', exitCode: ExitCode.success, journal, steps: [], leftToDo: [], rebootRequired: false, data: { upToDate: `${plan.computerName} is already at ${plan.to?.version ?? "the packages' version"}` } };
}

export async function runUpgrade(host: Host, backup: BackupAccess, reporter: Reporter, o: UpgradeRunOptions, planned?: UpgradePlan): Promise<RunResult> {
  const journalPath = journalPathOf(o.workDir);
  if (o.mode === 'run') {
    if (!planned) throw new MfaError('no plan to run', { code: 'INTERNAL' });
    if (planned.upToDate) {
      reporter.log('info', `${planned.computerName} is already at ${planned.to?.version ?? "the packages' version"}: nothing to do.`);
      return upToDateResult(planned, journalPath);
    }
    if (planned.blockers.length) {
      throw new MfaError(`the plan is blocked: ${planned.blockers.map((b) => b.message).join('; ')}`, { code: 'PLAN_BLOCKED', exitCode: ExitCode.notReady, remedy: planned.blockers.map((b) => b.remedy).join(' ') });
    }
  }
  // A run to continue is named by its journal's id; without a journal there is nothing to continue,
  // but the lock is still taken (and so a killed run's stale one cleared) before saying so.
  const runId = o.mode !== 'run' ? new Journal(journalPath).state()?.begin.runId : undefined;
  const continues = runId !== undefined ? { journal: journalPath, runId } : undefined;
  const request = { command: `upgrade${o.mode === 'run' ? '' : ` --${o.mode}`}`, kind: 'upgrade' as const, ...(continues ? { continues } : {}) };
  return withHostLock(host, reporter, request, async (lock) => {
    // What a killed writer left half-written in the run's folder (a journal it was creating, when
    // the host's lock names another copy of the folder) goes first, whether or not a run follows.
    if (o.mode !== 'run') for (const f of await removeStaleTemps(o.workDir)) reporter.log('verbose', `Removed ${f}, left by a run that was killed while writing it.`);
    const spec: UpgradeSpec = o.mode === 'run' ? { plan: planned as UpgradePlan, packagesDir: o.packagesDir } : (openState(journalPath).begin.spec as UpgradeSpec);
    const env: UpgradeEnv = { backup, workDir: o.workDir, plan: spec.plan, ...(o.conversion ? { conversion: o.conversion } : {}) };
    const run: RunOptions<UpgradeEnv> = {
      journalPath,
      workDir: o.workDir,
      kind: 'upgrade',
      spec,
      policy: 'pause',
      steps: engineSteps(spec.plan.steps),
      env,
      host,
      reporter,
      cancel: o.cancel,
      localNode: spec.plan.computerName,
      unattended: o.unattended,
      ...(o.confirmManual ? { confirmManual: o.confirmManual } : {}),
      retry: o.retry,
      logDir: o.logDir,
      toolVersion: o.toolVersion,
      activity: `Upgrading ${spec.plan.computerName}`,
      lock,
      ...(o.sleep ? { sleep: o.sleep } : {}),
      ...(o.now ? { now: o.now } : {}),
      finishRollback: async (ctx) => {
        // Nothing changes the server before the backup exists: without one there is nothing to put back.
        if (typeof ctx.runData['bundle'] !== 'string') return;
        await backup.restore(host, bundleOf(ctx), { web: true, themes: true }, reporter);
      },
    };
    if (o.mode === 'run') return startRun(run);
    // A continued run trusts nothing it cannot re-check: its bundle is verified again first.
    const data = openState(journalPath).data;
    if (typeof data['bundle'] === 'string') {
      const bundle = bundleOf({ runData: data, env });
      if (typeof data['digest'] === 'string') backup.trust(bundle, data['digest']);
      await backup.verify(bundle);
    }
    return o.mode === 'resume' ? resumeRun(run) : rollbackRun(run);
  });
}
