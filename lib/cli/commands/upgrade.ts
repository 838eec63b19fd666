// mfa-upgrade upgrade: the whole upgrade as a journaled engine run (verified backup first, resume,
// rollback). --what-if shows the plan (or what a resume or rollback would do) and changes nothing.
import { createInterface } from 'node:readline';
import { dirname, resolve } from 'node:path';
import { createBundleAccess } from '../../backup/bundle-access.js';
import type { RunResult } from '../../engine/engine.js';
import { openState } from '../../engine/engine.js';
import { describePending } from '../../engine/pending.js';
import type { EngineStep } from '../../engine/step.js';
import { ExitCode, MfaError, type ExitCodeValue } from '../../errors.js';
import { openHost } from '../../host/open.js';
import { engineSteps } from '../../upgrade/engine-steps.js';
import { makePlan, type MakePlanOptions } from '../../upgrade/make-plan.js';
import { parseFleet } from '../../upgrade/fleet.js';
import { promises as fsp } from 'node:fs';
import { journalPathOf, runUpgrade, type UpgradeSpec } from '../../upgrade/run-upgrade.js';
import { DEFAULT_CONVERSION_WAIT, type ConversionWait, type UpgradeEnv } from '../../upgrade/steps/env.js';
import { version } from '../../version.js';
import { flag, num, str } from '../args.js';
import { formatPlan } from '../format/plan.js';
import type { CommandContext } from '../spec.js';
import { planOptionsFrom } from './plan-options.js';

export const DEFAULT_LOG_DIR = 'C:\\Windows\\Logs\\MfaUpgrade';

export async function run({ args, out, cancel }: CommandContext): Promise<ExitCodeValue> {
  const resume = flag(args, 'resume');
  const rollback = flag(args, 'rollback');
  if (resume && rollback) throw new MfaError('--resume and --rollback exclude each other', { code: 'USAGE', exitCode: ExitCode.usage, remedy: 'Choose one: --resume finishes the interrupted upgrade, --rollback undoes it.' });
  const workDir = str(args, 'backup') as string;
  const reportPath = str(args, 'report');
  const report = reportPath ? await import('../../report/commands.js') : undefined;
  if (report && reportPath) await report.checkReportPath(reportPath);
  const host = await openHost(str(args, 'host'));
  if (flag(args, 'what-if')) {
    if (resume || rollback) {
      const spec = openState(journalPathOf(workDir)).begin.spec as UpgradeSpec;
      const finish = 'put the data file, web.configs and themes back from the backup';
      const pending = describePending(journalPathOf(workDir), rollback ? 'rollback' : 'resume', engineSteps(spec.plan.steps), spec.plan.computerName, finish);
      out.object('MfaUpgrade.PendingSteps', pending, () => pending.lines.join('\n'));
      if (report && reportPath) await report.writePendingReport(reportPath, args, out, workDir, rollback ? 'rollback' : 'resume', { steps: pending.steps, ...(rollback ? { finish } : {}) });
    } else {
      const plan = await makePlan(host, await upgradePlanOptions(args));
      out.object('MfaUpgrade.UpgradePlan', plan, () => formatPlan(plan));
      if (report && reportPath) await report.writePlanReport(reportPath, args, out, plan, host, true);
      out.log('info', 'What if: nothing was changed.');
      return plan.blockers.length ? ExitCode.notReady : ExitCode.success;
    }
    out.log('info', 'What if: nothing was changed.');
    return ExitCode.success;
  }
  const startedAt = new Date();
  const plan = resume || rollback ? undefined : await makePlan(host, await upgradePlanOptions(args));
  if (plan) out.object('MfaUpgrade.UpgradePlan', plan, () => formatPlan(plan));
  const unattended = flag(args, 'unattended');
  const interactive = !unattended && !out.json && process.stdin.isTTY === true;
  const backupAccess = createBundleAccess({ readPackage: (p) => host.installer.readPackage(p) });
  const mode = resume ? 'resume' : rollback ? 'rollback' : 'run';
  const runReport = (facts: { result?: RunResult; error?: unknown }) =>
    report && reportPath ? report.writeUpgradeReport(reportPath, args, out, { workDir, mode, startedAt, backup: backupAccess, ...(plan ? { plan } : {}), ...facts }, host) : Promise.resolve();
  let result: RunResult;
  try {
    result = await runUpgrade(
      host,
      backupAccess,
      out,
      {
        workDir,
        packagesDir: str(args, 'packages') ?? '',
        mode,
        unattended,
        ...(interactive ? { confirmManual } : {}),
        retry: { attempts: num(args, 'retry-1618') ?? 6, delayMs: (num(args, 'retry-delay') ?? 30) * 1000 },
        logDir: str(args, 'msi-log-dir') ?? DEFAULT_LOG_DIR,
        toolVersion: version,
        cancel,
        conversion: conversionWaitFrom(args),
      },
      plan,
    );
  } catch (e) {
    await runReport({ error: e });
    throw e;
  }
  const shown = upgradeResult(result);
  out.object('MfaUpgrade.UpgradeResult', shown, () => formatResult(shown));
  await runReport({ result });
  if (result.failure) throw result.failure.error;
  return result.exitCode;
}

/** The plan options, with the fleet file (--fleet) read for this server's role, load balancer and subordinates. */
async function upgradePlanOptions(args: CommandContext['args']): Promise<MakePlanOptions> {
  const options = planOptionsFrom(args);
  const file = str(args, 'fleet');
  if (file !== undefined) {
    const text = await fsp.readFile(file, 'utf8').catch((e: Error) => {
      throw new MfaError(`cannot read the fleet file: ${e.message}`, { code: 'FLEET', target: file, exitCode: ExitCode.badInput, remedy: 'Pass the fleet JSON file (as for plan --fleet).' });
    });
    options.fleet = { file, fleet: parseFleet(text, file) };
  }
  return options;
}

/** --conversion-timeout <minutes>: how long to follow the service log for the end of the data file conversion. */
function conversionWaitFrom(args: CommandContext['args']): ConversionWait {
  const minutes = num(args, 'conversion-timeout');
  if (minutes === undefined) return DEFAULT_CONVERSION_WAIT;
  if (minutes < 0) throw new MfaError(`--conversion-timeout takes minutes (0 or more), not ${minutes}`, { code: 'USAGE', exitCode: ExitCode.usage, remedy: 'Write for example --conversion-timeout 120.' });
  return { ...DEFAULT_CONVERSION_WAIT, timeoutMs: Math.round(minutes * 60_000) };
}

/** The run as the module and the terminal see it (the engine's result, named for the upgrade). */
export function upgradeResult(r: RunResult) {
  const bundle = typeof r.data['bundle'] === 'string' ? (r.data['bundle'] as string) : undefined;
  return {
    outcome: r.outcome,
    exitCode: r.exitCode,
    runId: r.runId,
    bundle: bundle ? resolve(dirname(r.journal), bundle) : null,
    journal: r.journal,
    leftToDo: r.leftToDo,
    rebootRequired: r.rebootRequired,
    stepsRun: r.steps.filter((s) => s.status === 'done' || s.status === 'undone').map((s) => s.id),
    steps: r.steps,
    ...(r.next ? { next: r.next } : {}),
    ...(typeof r.data['upToDate'] === 'string' ? { upToDate: r.data['upToDate'] } : {}),
  };
}

async function confirmManual(step: EngineStep<UpgradeEnv>): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`\nManual step: ${step.title}\n  ${step.external?.instructions ?? ''}\nDone? [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function headline(r: ReturnType<typeof upgradeResult>): string {
  if (r.upToDate) return `Nothing to do: ${r.upToDate}.`;
  if (r.outcome === 'completed' && r.leftToDo.length) return `Upgrade paused: ${r.leftToDo.length} step${r.leftToDo.length === 1 ? '' : 's'} left to do by hand (exit ${r.exitCode}).`;
  if (r.outcome === 'paused') return `Upgrade paused at ${r.next?.id ?? 'a manual step'}${r.next ? ` (${r.next.title})` : ''} (exit ${r.exitCode}): do it, then run again with --resume.`;
  if (r.outcome === 'interrupted') return `Upgrade stopped at a safe point (exit ${r.exitCode}): run again with --resume, or --rollback.`;
  if (r.outcome === 'failed') return `Upgrade failed (exit ${r.exitCode}).`;
  return `Upgrade ${r.outcome}${r.exitCode ? ` (exit ${r.exitCode})` : ''}.`;
}

function formatResult(r: ReturnType<typeof upgradeResult>): string {
  const lines = [headline(r), `  Backup:  ${r.bundle ?? '(none taken)'}`, `  Journal: ${r.journal}`];
  if (r.rebootRequired) lines.push('  A reboot is required to finish (3010).');
  if (r.leftToDo.length) {
    lines.push('  Left to do by hand:');
    for (const m of r.leftToDo) lines.push(`    - ${m.title}: ${m.instructions}`);
  }
  return lines.join('\n');
}
