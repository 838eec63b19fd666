// Runs every readiness check in a fixed order; a check that throws becomes a failed check.
import { MfaError } from '../errors.js';
import { checkAdmin } from './check-admin.js';
import { checkDisk } from './check-disk.js';
import { checkDotnet } from './check-dotnet.js';
import { checkIis } from './check-iis.js';
import { checkInstallerBusy } from './check-installer-busy.js';
import { checkNetwork } from './check-network.js';
import { checkOs } from './check-os.js';
import { checkTls } from './check-tls.js';
import { checkReboot } from './check-reboot.js';
import { checkSizing } from './check-sizing.js';
import { checkVcX64, checkVcX86 } from './check-vcredist.js';
import type { Check, CheckResult, ReadinessContext } from './types.js';

export const CHECKS: Array<[string, Check]> = [
  ['os', checkOs],
  ['administrator', checkAdmin],
  ['dotnet', checkDotnet],
  ['vcredist-x86', checkVcX86],
  ['vcredist-x64', checkVcX64],
  ['iis', checkIis],
  ['tls12', checkTls],
  ['memory', checkSizing],
  ['disk', checkDisk],
  ['pending-reboot', checkReboot],
  ['installer-busy', checkInstallerBusy],
  ['outbound-443', checkNetwork],
];

export async function runChecks(ctx: ReadinessContext): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const [id, check] of CHECKS) {
    try {
      out.push(await check(ctx));
    } catch (e) {
      out.push({ id, title: id, status: 'fail', evidence: `the check could not run: ${e instanceof MfaError ? e.toString() : String(e)}`, remedy: 'Fix the error above and run the checks again.' });
    }
  }
  return out;
}

export function worst(results: CheckResult[]): 'pass' | 'warn' | 'fail' {
  if (results.some((r) => r.status === 'fail')) return 'fail';
  if (results.some((r) => r.status === 'warn')) return 'warn';
  return 'pass';
}
