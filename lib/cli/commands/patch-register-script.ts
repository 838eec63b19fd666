// mfa-upgrade patch-register-script: a thin shell over lib/config/ps/register-patch.ts.
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { formatRegisterPatch, patchRegisterScript } from '../../config/ps/register-patch.js';
import { flag, str } from '../args.js';
import type { CommandContext } from '../spec.js';
import { openConfigFiles, readInput } from './config-files.js';

export async function run({ args, out }: CommandContext): Promise<ExitCodeValue> {
  const script = str(args, 'script') as string;
  const outPath = str(args, 'out') ?? script;
  const whatIf = flag(args, 'what-if');
  const files = await openConfigFiles(str(args, 'host'));
  const bytes = await readInput(files, script, 'register script', 'script');
  const result = await patchRegisterScript({ bytes, file: script }, str(args, 'config-path') as string);
  const { report, diff } = result;
  report.whatIf = whatIf;
  for (const w of report.warnings) out.log('warning', w);
  if (!whatIf && (report.changed || outPath !== script)) {
    await files.writeFileAtomic(outPath, result.bytes);
    report.written = true;
    out.log('info', `Wrote ${outPath}`);
  }
  out.object('MfaUpgrade.RegisterScriptPatch', { ...report, outFile: outPath, diff }, () => formatRegisterPatch(report, whatIf ? diff : '', outPath));
  return ExitCode.success;
}
