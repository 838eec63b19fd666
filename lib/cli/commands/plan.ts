// mfa-upgrade plan: the ordered steps, with preconditions and undo, before anything runs.
import { promises as fsp } from 'node:fs';
import { ExitCode, MfaError, type ExitCodeValue } from '../../errors.js';
import { parseFleet, planFleet } from '../../upgrade/fleet.js';
import { formatFleetPlan } from '../format/fleet.js';
import { openHostForReading } from '../read-host.js';
import { makePlan } from '../../upgrade/make-plan.js';
import { str } from '../args.js';
import { formatPlan } from '../format/plan.js';
import type { CommandContext, ParsedArgs } from '../spec.js';
import { planOptionsFrom } from './plan-options.js';

export async function run({ args, out }: CommandContext): Promise<ExitCodeValue> {
  const reportPath = str(args, 'report');
  const report = reportPath ? await import('../../report/commands.js') : undefined;
  if (report && reportPath) await report.checkReportPath(reportPath);
  const fleetFile = str(args, 'fleet');
  if (fleetFile) {
    const file = parseFleet(await fsp.readFile(fleetFile, 'utf8').catch((e: Error) => {
      throw new MfaError(`cannot read the fleet file: ${e.message}`, { code: 'FLEET', target: fleetFile, exitCode: ExitCode.badInput });
    }), fleetFile);
    const fleet = planFleet(file, fleetFile, upgradeArgsFor(args));
    out.object('MfaUpgrade.FleetPlan', fleet, () => formatFleetPlan(fleet));
    if (report && reportPath) await report.writeFleetReport(reportPath, args, out, fleet, file);
    return ExitCode.success;
  }
  const options = planOptionsFrom(args);
  const host = await openHostForReading(str(args, 'host'), out);
  const plan = await makePlan(host, options);
  out.object('MfaUpgrade.UpgradePlan', plan, () => formatPlan(plan));
  if (report && reportPath) await report.writePlanReport(reportPath, args, out, plan, host);
  return plan.blockers.length ? ExitCode.notReady : ExitCode.success;
}

/** The upgrade command line each server runs, carrying the plan options given here. */
function upgradeArgsFor(args: ParsedArgs): string {
  const parts = ['--packages', str(args, 'packages') ?? '<packages folder>', '--backup', '<backup folder>'];
  const vdir = str(args, 'vdir-names');
  if (vdir) parts.push('--vdir-names', vdir);
  if (args.options['remove-mobile-app'] === true) parts.push('--remove-mobile-app');
  if (args.options['carry-removed'] === true) parts.push('--carry-removed');
  for (const s of Array.isArray(args.options['sdk-vdir']) ? args.options['sdk-vdir'] : []) parts.push('--sdk-vdir', s);
  return parts.map((p) => (/\s/.test(p) ? `"${p}"` : p)).join(' ');
}
