// mfa-upgrade backup: a verified, restorable bundle of everything an upgrade could lose.
import { ExitCode, MfaError, type ExitCodeValue } from '../../errors.js';
import { openHost } from '../../host/open.js';
import { readPassphraseFile } from '../../backup/passphrase.js';
import { journaledBackup } from '../../backup/journaled-backup.js';
import { planBackup, type BackupOptions } from '../../backup/take-backup.js';
import { version } from '../../version.js';
import type { Role } from '../../backup/format.js';
import { flag, str } from '../args.js';
import { formatBackup, formatBackupPlan, summarizeBackup } from '../format/backup.js';
import type { CommandContext } from '../spec.js';

function roleOf(value: string | undefined): Role {
  if (value === undefined) return 'unknown';
  const v = value.toLowerCase();
  if (v === 'master' || v === 'subordinate' || v === 'standalone') return v;
  throw new MfaError(`--role takes master, subordinate or standalone, not '${value}'`, { code: 'USAGE', exitCode: ExitCode.usage, remedy: "Run 'mfa-upgrade backup --help' for the options." });
}

export async function run({ args, out, cancel }: CommandContext): Promise<ExitCodeValue> {
  const role = roleOf(str(args, 'role'));
  const passphraseFile = str(args, 'passphrase-file');
  const passphrase = passphraseFile === undefined ? undefined : await readPassphraseFile(passphraseFile);
  // A passphrase a new bundle cannot use is refused before the host is opened or anything is written.
  if (passphrase !== undefined && passphraseFile !== undefined) passphrase.forNewBundle(passphraseFile);
  const host = await openHost(str(args, 'host'));
  if (flag(args, 'what-if')) {
    const plan = await planBackup(host);
    const data = { files: plan.files, toStop: plan.toStop, notTaken: plan.notTaken, warnings: plan.warnings };
    out.object('MfaUpgrade.BackupPlan', data, () => formatBackupPlan(plan));
    return ExitCode.success;
  }
  const options: BackupOptions = { out: str(args, 'out') as string, role, output: out, cancel };
  if (passphrase !== undefined) options.passphrase = passphrase;
  const result = await journaledBackup(host, out, options, version);
  const summary = summarizeBackup(result);
  out.object('MfaUpgrade.BackupBundle', summary, () => formatBackup(summary));
  out.log('info', `Digest ${result.digest}: keep it; verify-backup and restore --expect-digest ${result.digest} accept only this bundle.`);
  for (const f of result.restartFailures) out.log('error', `${f.service} could not be started again after the data file was copied: ${f.message}`);
  return result.restartFailures.length > 0 ? ExitCode.fatal : ExitCode.success;
}
