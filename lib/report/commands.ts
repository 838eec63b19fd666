// What the commands call for --report: build the model from the command's own objects, render it,
// write the file. Loaded only when --report is given. The command's parsed options arrive as plain
// data (lib/report does not import lib/cli).
import type { AdfsUpgradeReport } from '../adfs/upgrade.js';
import type { Host } from '../host/ports.js';
import type { Reporter } from '../reporting/reporter.js';
import type { FleetFile, FleetPlan } from '../upgrade/fleet.js';
import type { UpgradePlan } from '../upgrade/plan-types.js';
import { version } from '../version.js';
import type { Invocation } from './command-line.js';
import { adfsReport, fleetReport, pendingReport, planReport, rehearsalReport, upgradeReport, type Rehearsal, type ReportContext, type UpgradeRun } from './produce.js';
import { writeReport } from './write.js';

export { checkReportPath } from './write.js';

type Out = Pick<Reporter, 'log'>;

function context(invocation: Invocation): ReportContext {
  return { invocation, toolVersion: version };
}

const reader = (host: Host) => (path: string) => host.files.readFile(path);

/**
 * After a run has changed something, the report must not turn its outcome into another: a report
 * that cannot be written is an error line, and the run's own exit code stands.
 */
async function afterRun(out: Out, path: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (e) {
    out.log('error', `The report ${path} could not be written: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export async function writePlanReport(path: string, invocation: Invocation, out: Out, plan: UpgradePlan, host: Host, whatIf = false): Promise<void> {
  await writeReport(path, await planReport(context(invocation), plan, reader(host), whatIf), out);
}

export async function writeFleetReport(path: string, invocation: Invocation, out: Out, plan: FleetPlan, file: FleetFile): Promise<void> {
  await writeReport(path, fleetReport(context(invocation), plan, file), out);
}

export async function writeUpgradeReport(path: string, invocation: Invocation, out: Out, run: UpgradeRun, host: Host): Promise<void> {
  await afterRun(out, path, async () => writeReport(path, await upgradeReport(context(invocation), run, reader(host)), out));
}

/** pending: the steps --resume or --rollback would take, as the command lists them (lib/engine/pending.ts). */
export async function writePendingReport(path: string, invocation: Invocation, out: Out, workDir: string, mode: 'resume' | 'rollback', pending: { steps: Array<{ id: string; title: string }>; finish?: string }): Promise<void> {
  const lines = pending.steps.map((s) => `${mode === 'rollback' ? 'undo ' : ''}${s.id}  ${s.title}`).concat(pending.finish ? [pending.finish] : []);
  await writeReport(path, pendingReport(context(invocation), workDir, mode, lines), out);
}

export async function writeRehearsalReport(path: string, invocation: Invocation, out: Out, rehearsal: Rehearsal, host: Host): Promise<void> {
  await afterRun(out, path, async () => writeReport(path, await rehearsalReport(context(invocation), rehearsal, reader(host)), out));
}

export async function writeAdfsReport(path: string, invocation: Invocation, out: Out, report: AdfsUpgradeReport): Promise<void> {
  const write = () => writeReport(path, adfsReport(context(invocation), report), out);
  if (report.status === 'what-if') await write();
  else await afterRun(out, path, write);
}
