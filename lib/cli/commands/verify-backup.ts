// mfa-upgrade verify-backup <bundle>: every file re-read and re-hashed; each difference named.
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { readPassphraseFile } from '../../backup/passphrase.js';
import { verifyBundle, type VerifyOptions } from '../../backup/verify.js';
import { parseDigest } from '../../backup/digest.js';
import { str } from '../args.js';
import { formatVerify } from '../format/backup.js';
import type { CommandContext } from '../spec.js';

export async function run({ args, out }: CommandContext): Promise<ExitCodeValue> {
  const options: VerifyOptions = { output: out };
  const passphraseFile = str(args, 'passphrase-file');
  if (passphraseFile !== undefined) options.passphrase = await readPassphraseFile(passphraseFile);
  const digest = str(args, 'expect-digest');
  if (digest !== undefined) options.expectDigest = parseDigest(digest);
  const { report } = await verifyBundle(args.positionals[0] as string, options);
  for (const w of report.formatWarnings) out.log('warning', w);
  if (!report.encrypted && digest === undefined) out.log('info', `Digest ${report.digest}: compare it with the one backup printed (or pass --expect-digest).`);
  if (report.encrypted && !report.authenticated && passphraseFile === undefined) {
    out.log('warning', 'The bundle is encrypted: without --passphrase-file only the encrypted bytes were checked, and the manifest could not be authenticated.');
  }
  for (const p of report.problems) out.log('error', `${p.kind}: ${p.path} ${p.detail}`);
  out.object('MfaUpgrade.BackupVerification', report, () => formatVerify(report));
  return report.ok ? ExitCode.success : ExitCode.verifyFailed;
}
