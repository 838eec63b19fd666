// mfa-upgrade merge-config (cmdlet Merge-MfaWebConfig): the web.config carry-over, a thin shell
// over lib/config/webconfig/merge.ts.
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { mergeWebConfig } from '../../config/webconfig/merge.js';
import { formatMergeReport } from '../../config/webconfig/report.js';
import { parseVdirMappings } from '../../config/webconfig/sdk-vdir.js';
import { flag, list, str } from '../args.js';
import type { CommandContext } from '../spec.js';
import { openConfigFiles, readInput } from './config-files.js';

export async function run({ args, out }: CommandContext): Promise<ExitCodeValue> {
  const oldPath = str(args, 'old') as string;
  const newPath = str(args, 'new') as string;
  const outPath = str(args, 'out') ?? newPath;
  const whatIf = flag(args, 'what-if');
  const sdkVdir = parseVdirMappings(list(args, 'sdk-vdir'));
  const files = await openConfigFiles(str(args, 'host'));
  const oldBytes = await readInput(files, oldPath, 'old web.config', 'old');
  const newBytes = await readInput(files, newPath, 'new web.config', 'new');
  const { bytes, report, diff } = mergeWebConfig({ bytes: oldBytes, file: oldPath }, { bytes: newBytes, file: newPath }, { sdkVdir, carryRemoved: flag(args, 'carry-removed') });
  report.whatIf = whatIf;
  for (const w of report.warnings) out.log('warning', w);
  const mustWrite = report.changed || outPath !== newPath;
  if (!whatIf && mustWrite) {
    await files.writeFileAtomic(outPath, bytes);
    report.written = true;
    out.log('info', `Wrote ${outPath} (${report.changes.length} value(s) changed)`);
  }
  out.object('MfaUpgrade.WebConfigMerge', { ...report, outFile: outPath, diff }, () => formatMergeReport(report, whatIf ? diff : '', outPath));
  return ExitCode.success;
}
