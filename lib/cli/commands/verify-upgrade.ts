// mfa-upgrade verify-upgrade (Test-MfaUpgrade): is the upgraded server healthy? A table of checks;
// exit 4 with what to do when one fails. Reads only (HTTP requests to this host's own components).
import { createBundleAccess } from '../../backup/bundle-access.js';
import { ExitCode, MfaError, type ExitCodeValue } from '../../errors.js';
import { verifyUpgrade, type VerifyUpgradeOptions } from '../../health/verify-upgrade.js';
import { flag, num, str } from '../args.js';
import { formatHealth } from '../format/health.js';
import { openHostForReading } from '../read-host.js';
import type { CommandContext } from '../spec.js';

export async function run({ args, out }: CommandContext): Promise<ExitCodeValue> {
  const host = await openHostForReading(str(args, 'host'), out);
  const seconds = num(args, 'http-timeout');
  if (seconds !== undefined && !(seconds > 0)) throw new MfaError(`--http-timeout takes seconds above 0, not ${seconds}`, { code: 'USAGE', exitCode: ExitCode.usage, remedy: 'Write for example --http-timeout 15.' });
  const options: VerifyUpgradeOptions = { http: !flag(args, 'no-http'), backup: createBundleAccess({ readPackage: (p) => host.installer.readPackage(p) }) };
  const workDir = str(args, 'backup');
  if (workDir !== undefined) options.workDir = workDir;
  const packages = str(args, 'packages');
  if (packages !== undefined) options.packagesDir = packages;
  if (seconds !== undefined) options.httpTimeoutMs = seconds * 1000;
  const health = await verifyUpgrade(host, options);
  for (const c of health.checks) out.object('MfaUpgrade.HealthCheck', c, null);
  out.object('MfaUpgrade.UpgradeHealth', health, () => formatHealth(health));
  return health.healthy ? ExitCode.success : ExitCode.verifyFailed;
}
