// mfa-upgrade adfs-upgrade: a thin shell over lib/adfs/upgrade.ts.
import { ExitCode, MfaError, type ExitCodeValue } from '../../errors.js';
import { parseVdirMappings } from '../../config/webconfig/sdk-vdir.js';
import { openHost } from '../../host/open.js';
import { reportExitCode, runAdfsUpgrade, type AdfsUpgradeOptions, type AdfsUpgradeReport } from '../../adfs/upgrade.js';
import { flag, list, str } from '../args.js';
import type { CommandContext } from '../spec.js';
import { version } from '../../version.js';

export function formatAdfsReport(r: AdfsUpgradeReport): string {
  const lines: string[] = [];
  const v = (x: { name: string; version?: string }) => `${x.name}${x.version ? ` ${x.version}` : ''}`;
  lines.push(`AD FS adapter upgrade on ${r.localNode}: ${v(r.adapter.old)} -> ${v(r.adapter.new)}`);
  lines.push(`  Global policy (additional providers): ${r.policyBefore.join(', ') || '(none)'}${r.policyAfter ? `  ->  ${r.policyAfter.join(', ') || '(none)'}` : ''}`);
  for (const f of r.farms) {
    lines.push(`  Farm ${f.name}: ${f.secondHalf.length ? `first half ${f.firstHalf.join(', ')}; second half ${f.secondHalf.join(', ')}` : f.firstHalf.join(', ')}${f.local ? ' (this server\'s farm)' : ''}`);
  }
  lines.push('', r.status === 'what-if' ? 'Plan (nothing was changed):' : 'Steps:');
  for (const s of r.steps) {
    const status = typeof s['status'] === 'string' ? `[${s['status']}]` : s['runsHere'] ? '[here]' : s['manual'] ? '[manual]' : `[on ${s['node']}]`;
    lines.push(`  ${String(s['index']).padStart(2)}. ${status.padEnd(14)} ${s['noMfa'] ? 'NO-MFA' : '      '} ${s['phase']}  ${s['id']}: ${s['action']}`);
  }
  if (r.steps.some((s) => s['noMfa'])) lines.push('  NO-MFA: users get no second factor from the adapter leaving the global policy until it is back (steps c to h).');
  if (r.carried) lines.push('', `Carried ${r.carried.changed} setting(s) from the ${r.carried.source === 'export' ? 'exported configuration' : 'old config file'} into ${r.carriedConfig}`);
  if (r.withoutAdapterSeconds !== undefined) lines.push(`The farm was without the adapter in its policy for ${r.withoutAdapterSeconds} s.`);
  if (r.adapterOutOfPolicy) lines.push('WARNING: the adapter is out of the global policy: users get no second factor until the sequence goes on.');
  if (r.next) lines.push('', `Next: ${r.next.id} (${r.next.manual ? 'by hand' : `on ${r.next.node}`}): ${r.next.title}`, ...(r.resumeFrom ? [`When it is done, go on here with: mfa-upgrade adfs-upgrade <same options> --resume (this server's next step is ${r.resumeFrom})`] : []));
  if (r.failure) lines.push('', `Failed at ${r.failure.step}: ${r.failure.message}`, r.status === 'rolled-back' ? 'Everything this run changed was undone: AD FS is as it was found.' : 'Some undo steps failed: check AD FS by hand (see the steps above).');
  for (const w of r.warnings) lines.push(`WARNING: ${w}`);
  if (r.status !== 'what-if') lines.push(`Backup: ${r.backupDir}`);
  return lines.join('\n');
}

export async function run({ args, out, cancel }: CommandContext): Promise<ExitCodeValue> {
  if (flag(args, 'resume') && flag(args, 'rollback')) throw new MfaError('--resume and --rollback exclude each other', { code: 'USAGE', exitCode: ExitCode.usage, remedy: 'Choose one: --resume goes on with the run, --rollback undoes it.' });
  const reportPath = str(args, 'report');
  const reportModule = reportPath ? await import('../../report/commands.js') : undefined;
  if (reportModule && reportPath) await reportModule.checkReportPath(reportPath);
  const options: AdfsUpgradeOptions = {
    config: str(args, 'config') as string,
    servers: list(args, 'servers'),
    sdkVdir: parseVdirMappings(list(args, 'sdk-vdir')),
    whatIf: flag(args, 'what-if'),
    resume: flag(args, 'resume'),
    rollback: flag(args, 'rollback'),
    cancel,
    toolVersion: version,
  };
  const copy = (opt: string, key: keyof AdfsUpgradeOptions) => {
    const value = str(args, opt);
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  };
  copy('register-script', 'registerScript');
  copy('out', 'out');
  copy('old-config', 'oldConfig');
  copy('farm', 'farm');
  copy('type-name', 'typeName');
  copy('name', 'name');
  copy('old-type-name', 'oldTypeName');
  copy('backup-dir', 'backupDir');
  copy('package', 'package');
  copy('from', 'from');
  copy('msi-log-dir', 'logDir');
  const host = await openHost(str(args, 'host'));
  const report = await runAdfsUpgrade(host, options, out);
  out.object('MfaUpgrade.AdfsAdapterUpgrade', report, () => formatAdfsReport(report));
  if (reportModule && reportPath) await reportModule.writeAdfsReport(reportPath, args, out, report);
  if (report.failure) {
    out.error(
      new MfaError(`${report.failure.step} failed: ${report.failure.message}`, {
        code: report.failure.code ?? 'ADFS_STEP_FAILED',
        target: report.failure.step,
        remedy:
          report.status === 'rolled-back'
            ? 'AD FS was put back as it was found. Fix the cause and run again.'
            : report.status === 'interrupted'
              ? `Run adfs-upgrade again with the same options and --resume to go on, or --rollback to undo (journal ${report.journal ?? ''}).`
              : 'Undo failed for some steps: check Get-AdfsAuthenticationProvider and Get-AdfsGlobalAuthenticationPolicy against the backup, then run again with --rollback.',
        exitCode: reportExitCode(report),
      }),
    );
  }
  return reportExitCode(report);
}
