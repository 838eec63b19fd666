// mfa-upgrade check: prerequisites as data (id, status, evidence, remedy).
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { openHostForReading } from '../read-host.js';
import { takeInventory } from '../../inventory/take-inventory.js';
import { runChecks, worst } from '../../readiness/run-checks.js';
import { num, str } from '../args.js';
import { formatReadiness } from '../format/readiness.js';
import type { CommandContext } from '../spec.js';
import { readPackages, redistributablesIn, targetMajorOf } from '../../upgrade/packages.js';

export async function run({ args, out }: CommandContext): Promise<ExitCodeValue> {
  const host = await openHostForReading(str(args, 'host'), out);
  const inventory = await takeInventory(host);
  const packagesDir = str(args, 'packages');
  const packages = packagesDir ? await readPackages(host, packagesDir) : [];
  const users = num(args, 'users');
  const results = await runChecks({ host, inventory, targetMajor: targetMajorOf(packages), redistributables: redistributablesIn(packages), ...(users !== undefined ? { users } : {}) });
  for (const r of results) out.object('MfaUpgrade.ReadinessCheck', r, null);
  out.text(formatReadiness(results));
  const overall = worst(results);
  out.log(overall === 'fail' ? 'error' : overall === 'warn' ? 'warning' : 'info', `Readiness: ${overall === 'fail' ? 'not ready' : overall === 'warn' ? 'ready, with warnings' : 'ready'}`);
  return overall === 'fail' ? ExitCode.notReady : ExitCode.success;
}
