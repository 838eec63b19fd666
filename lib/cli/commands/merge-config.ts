// mfa-upgrade merge-config (cmdlet Merge-MfaWebConfig): the web.config carry-over, a thin shell
// over lib/config/webconfig/merge.ts.
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { configSourcesOf, mergeWebConfig, type FileInput } from '../../config/webconfig/merge.js';
import { configSourcePath } from '../../config/webconfig/settings.js';
import { dirname, join } from 'node:path';
import { joinWindowsPath, windowsDirname } from '../../util/winpath.js';
import { formatMergeReport } from '../../config/webconfig/report.js';
import { parseVdirMappings } from '../../config/webconfig/sdk-vdir.js';
import { flag, list, str } from '../args.js';
import type { CommandContext } from '../spec.js';
import { openConfigFiles, readInput, type ConfigFiles } from './config-files.js';

/** A file beside `path` (a Windows path on a host, a local one otherwise). */
function beside(path: string, rel: string): string {
  return path.includes('\\') || /^[A-Za-z]:/.test(path) ? joinWindowsPath(windowsDirname(path), rel) : join(dirname(path), ...rel.split('\\'));
}

/** The web.config with the configSource files it names that exist beside it (a missing one is reported by the merge). */
async function withSources(files: ConfigFiles, path: string, bytes: Buffer): Promise<FileInput> {
  const sources = new Map<string, { bytes: Uint8Array; file: string }>();
  for (const cs of configSourcesOf({ bytes, file: path })) {
    const file = beside(path, configSourcePath(cs) as string);
    const st = await files.stat(file);
    if (st && !st.isDirectory) sources.set(cs, { bytes: await readInput(files, file, 'configSource file', 'new'), file });
  }
  return { bytes, file: path, sources };
}

export async function run({ args, out }: CommandContext): Promise<ExitCodeValue> {
  const oldPath = str(args, 'old') as string;
  const newPath = str(args, 'new') as string;
  const outPath = str(args, 'out') ?? newPath;
  const whatIf = flag(args, 'what-if');
  const sdkVdir = parseVdirMappings(list(args, 'sdk-vdir'));
  const files = await openConfigFiles(str(args, 'host'));
  const oldBytes = await readInput(files, oldPath, 'old web.config', 'old');
  const newBytes = await readInput(files, newPath, 'new web.config', 'new');
  const { bytes, report, diff, sourced } = mergeWebConfig(await withSources(files, oldPath, oldBytes), await withSources(files, newPath, newBytes), { sdkVdir, carryRemoved: flag(args, 'carry-removed') });
  report.whatIf = whatIf;
  for (const w of report.warnings) out.log('warning', w);
  const mustWrite = report.changed || outPath !== newPath;
  if (!whatIf && mustWrite) {
    // The configSource files first: the web.config that names them is written last.
    for (const f of sourced) {
      if (!f.changed && outPath === newPath) continue;
      const target = beside(outPath, configSourcePath(f.configSource) as string);
      await files.writeFileAtomic(target, f.bytes);
      out.log('info', `Wrote ${target} (configSource of ${outPath})`);
    }
    await files.writeFileAtomic(outPath, bytes);
    report.written = true;
    out.log('info', `Wrote ${outPath} (${report.changes.length} value(s) changed)`);
  }
  out.object('MfaUpgrade.WebConfigMerge', { ...report, outFile: outPath, diff }, () => formatMergeReport(report, whatIf ? diff : '', outPath));
  return ExitCode.success;
}
