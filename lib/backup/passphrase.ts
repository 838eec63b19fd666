// The passphrase comes from a file (never the command line, where process listings show it):
// its first line, without the line break.
import { promises as fsp } from 'node:fs';
import { ExitCode, MfaError } from '../errors.js';

export async function readPassphraseFile(path: string, options: { creating: boolean }): Promise<string> {
  const bytes = await fsp.readFile(path).catch((e: NodeJS.ErrnoException) => {
    throw new MfaError(`cannot read the passphrase file (${e.code ?? e.message})`, { code: 'PASSPHRASE_FILE', target: path, exitCode: ExitCode.badInput, remedy: 'Pass a file you can read whose first line is the passphrase.' });
  });
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first.length === 0) throw new MfaError('the passphrase file is empty', { code: 'PASSPHRASE_FILE', target: path, exitCode: ExitCode.badInput, remedy: 'Write the passphrase on the first line of the file.' });
  if (options.creating && first.length < 8) throw new MfaError('the passphrase is shorter than 8 characters', { code: 'PASSPHRASE_WEAK', target: path, exitCode: ExitCode.badInput, remedy: 'Use a longer passphrase (a few random words).' });
  return first;
}
