// mfa-upgrade upgrade: the whole upgrade as a journaled plan (verified backup first, resume,
// rollback). --what-if shows the plan (or what a resume or rollback would do) and changes nothing.
import { createInterface } from 'node:readline';
import { ExitCode, MfaError, type ExitCodeValue } from '../../errors.js';
import { openHost } from '../../host/open.js';
import { createBundleAccess } from '../../backup/bundle-access.js';
import { Executor, type ExecuteResult } from '../../upgrade/execute.js';
import { makePlan } from '../../upgrade/make-plan.js';
import type { ManualStep } from '../../upgrade/plan-types.js';
import { describePending } from '../../upgrade/pending.js';
import { flag, num, str } from '../args.js';
import { formatPlan } from '../format/plan.js';
import { version } from '../../version.js';
import type { CommandContext } from '../spec.js';
import { planOptionsFrom } from './plan-options.js';

export const DEFAULT_LOG_DIR = 'C:\\Windows\\Logs\\MfaUpgrade';

export async function run({ args, out }: CommandContext): Promise<ExitCodeValue> {
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
      const pending = describePending(workDir, rollback ? 'rollback' : 'resume');
      out.object('MfaUpgrade.PendingSteps', pending, () => pending.lines.join('\n'));
      if (report && reportPath) await report.writePendingReport(reportPath, args, out, workDir, rollback ? 'rollback' : 'resume');
    } else {
      const plan = await makePlan(host, planOptionsFrom(args));
      out.object('MfaUpgrade.UpgradePlan', plan, () => formatPlan(plan));
      if (report && reportPath) await report.writePlanReport(reportPath, args, out, plan, host, true);
      out.log('info', 'What if: nothing was changed.');
      return plan.blockers.length ? ExitCode.notReady : ExitCode.success;
    }
    out.log('info', 'What if: nothing was changed.');
    return ExitCode.success;
  }
  const startedAt = new Date();
  const plan = resume || rollback ? undefined : await makePlan(host, planOptionsFrom(args));
  if (plan) out.object('MfaUpgrade.UpgradePlan', plan, () => formatPlan(plan));
  const unattended = flag(args, 'unattended');
  const interactive = !unattended && !out.json && process.stdin.isTTY === true;
  const backupAccess = createBundleAccess({ readPackage: (p) => host.installer.readPackage(p) });
  const executor = new Executor(host, backupAccess, out, {
    workDir,
    packagesDir: str(args, 'packages') ?? '',
    mode: resume ? 'resume' : rollback ? 'rollback' : 'run',
    unattended,
    ...(interactive ? { confirmManual } : {}),
    retry: { attempts: num(args, 'retry-1618') ?? 6, delayMs: (num(args, 'retry-delay') ?? 30) * 1000 },
    logDir: str(args, 'msi-log-dir') ?? DEFAULT_LOG_DIR,
    toolVersion: version,
  });
  const mode = resume ? 'resume' : rollback ? 'rollback' : 'run';
  const runReport = (facts: { result?: ExecuteResult; error?: unknown }) =>
    report && reportPath ? report.writeUpgradeReport(reportPath, args, out, { workDir, mode, startedAt, backup: backupAccess, ...(plan ? { plan } : {}), ...facts }, host) : Promise.resolve();
  let result: ExecuteResult;
  try {
    result = await executor.execute(plan);
  } catch (e) {
    await runReport({ error: e });
    throw e;
  }
  out.object('MfaUpgrade.UpgradeResult', result, () => formatResult(result));
  await runReport({ result });
  return result.exitCode;
}

async function confirmManual(step: ManualStep): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`\nManual step: ${step.title}\n  ${step.instructions}\nDone? [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function formatResult(r: ExecuteResult): string {
  const lines = [`Upgrade ${r.outcome}${r.exitCode ? ` (exit ${r.exitCode})` : ''}.`, `  Backup:  ${r.bundle ?? '(none taken)'}`, `  Journal: ${r.journal}`];
  if (r.rebootRequired) lines.push('  A reboot is required to finish (3010).');
  if (r.leftToDo.length) {
    lines.push('  Left to do by hand:');
    for (const m of r.leftToDo) lines.push(`    - ${m.title}: ${m.instructions}`);
  }
  return lines.join('\n');
}
