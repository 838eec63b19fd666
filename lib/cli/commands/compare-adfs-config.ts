// mfa-upgrade compare-adfs-config: the AD FS adapter config compare and carry-over, a thin shell
// over lib/config/adfs/adapter-config.ts.
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { compareAdapterConfigs, formatAdapterReport } from '../../config/adfs/adapter-config.js';
import { parseVdirMappings } from '../../config/webconfig/sdk-vdir.js';
import { flag, list, str } from '../args.js';
import type { CommandContext } from '../spec.js';
import { openConfigFiles, readInput } from './config-files.js';

export async function run({ args, out }: CommandContext): Promise<ExitCodeValue> {
  const oldPath = str(args, 'old') as string;
  const newPath = str(args, 'new') as string;
  const outPath = str(args, 'out');
  const whatIf = flag(args, 'what-if');
  const sdkVdir = parseVdirMappings(list(args, 'sdk-vdir'));
  const files = await openConfigFiles(str(args, 'host'));
  const oldBytes = await readInput(files, oldPath, 'old AD FS adapter config', 'old');
  const newBytes = await readInput(files, newPath, 'new AD FS adapter config', 'new');
  const { bytes, report, diff } = compareAdapterConfigs({ bytes: oldBytes, file: oldPath }, { bytes: newBytes, file: newPath }, { sdkVdir });
  report.whatIf = whatIf;
  if (outPath !== undefined && !whatIf && (report.changedOutput || outPath !== newPath)) {
    await files.writeFileAtomic(outPath, bytes);
    report.written = true;
    out.log('info', `Wrote ${outPath} (${report.changed.length} value(s) carried)`);
  }
  out.object('MfaUpgrade.AdfsAdapterConfigComparison', { ...report, outFile: outPath, diff }, () =>
    formatAdapterReport(report, outPath !== undefined && whatIf ? diff : '', outPath),
  );
  return ExitCode.success;
}
