// mfa-upgrade restore <bundle>: the data file (and web.configs, themes when asked) put back from
// a bundle that verifies; the replaced files are kept aside and put back if anything fails.
import { ExitCode, MfaError, type ExitCodeValue } from '../../errors.js';
import { openHost } from '../../host/open.js';
import { readPassphraseFile } from '../../backup/passphrase.js';
import { restoreBundle, type RestoreOptions } from '../../backup/restore.js';
import { parseDigest } from '../../backup/digest.js';
import { flag, list, str } from '../args.js';
import { formatRestore } from '../format/backup.js';
import type { CommandContext } from '../spec.js';
import { withHostLock } from '../../engine/locked-run.js';
import { version } from '../../version.js';

export async function run({ args, out, cancel }: CommandContext): Promise<ExitCodeValue> {
  const include = { web: false, themes: false };
  for (const item of list(args, 'include')) {
    const v = item.toLowerCase();
    if (v === 'web') include.web = true;
    else if (v === 'themes') include.themes = true;
    else throw new MfaError(`--include takes web and themes, not '${item}'`, { code: 'USAGE', exitCode: ExitCode.usage, remedy: "Run 'mfa-upgrade restore --help' for the options." });
  }
  const options: RestoreOptions = { include, whatIf: flag(args, 'what-if'), output: out, cancel, toolVersion: version };
  const passphraseFile = str(args, 'passphrase-file');
  if (passphraseFile !== undefined) options.passphrase = await readPassphraseFile(passphraseFile);
  const digest = str(args, 'expect-digest');
  if (digest !== undefined) options.expectDigest = parseDigest(digest);
  const undoDir = str(args, 'undo-dir');
  if (undoDir !== undefined) options.undoDir = undoDir;
  const host = await openHost(str(args, 'host'));
  const bundle = args.positionals[0] as string;
  // --what-if reads only: no lock. A restore holds the host like every changing run.
  const result = options.whatIf ? await restoreBundle(host, bundle, options) : await withHostLock(host, out, { command: 'restore', kind: 'restore' }, (lock) => restoreBundle(host, bundle, { ...options, lock }));
  out.object(result.whatIf ? 'MfaUpgrade.RestorePlan' : 'MfaUpgrade.RestoreResult', result, () => formatRestore(result));
  return ExitCode.success;
}
