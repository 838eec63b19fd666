// What a web.config merge did, as the PowerShell module's object (MfaUpgrade.WebConfigMerge) and
// as text. Values are redacted when the report is built, so no later consumer can leak them.
import type { TextFormat } from '../xml/codec.js';
import type { SettingKind } from './settings.js';
import type { Strategy } from './structure.js';

export interface SettingChange {
  kind: SettingKind;
  /** '' for the top level, else the <location path>. */
  scope: string;
  section?: string;
  key: string;
  /** The value the installed (new) file had; undefined when the key was added. Redacted. */
  old: string | undefined;
  /** The value written. Redacted. */
  new: string;
  why: string;
  /** 1-based line in the file the edit applies to. */
  line: number;
  secret: boolean;
  /** The configSource file the change is in, when it is not the web.config itself. */
  file?: string;
}

export interface SettingEntry {
  kind: SettingKind;
  scope: string;
  section?: string;
  key: string;
  /** Redacted. */
  value: string;
}

export interface MergeReport {
  oldFile: string;
  newFile: string;
  strategy: Strategy;
  strategyReason: string;
  newInNewFile: string[];
  changedByNewVersion: string[];
  onlyInOldFile: string[];
  changes: SettingChange[];
  /** Keys only in the new file: they keep the new defaults. */
  added: SettingEntry[];
  /** Keys only in the old file, with whether they were carried (--carry-removed). */
  removed: (SettingEntry & { carried: boolean; note?: string })[];
  /** The Web Service SDK URL setting (name ending _pfwssdk_PfWsSdk), before and after. Redacted. */
  sdkUrl: { setting: string; before: string | undefined; after: string } | undefined;
  sdkVdirMappings: { from: string; to: string }[];
  warnings: string[];
  format: TextFormat;
  /** Whether the output differs from the installed file. */
  changed: boolean;
  written: boolean;
  whatIf: boolean;
  /** The new web.config's configSource files that were read, and whether the merge changes them. */
  sourcedFiles?: Array<{ configSource: string; file: string; changed: boolean }>;
}

function scoped(e: { scope: string; key: string; section?: string | undefined }): string {
  return `${e.scope ? `[${e.scope}] ` : ''}${e.key}`;
}

export function formatMergeReport(r: MergeReport, diff: string, outFile = r.newFile): string {
  const lines: string[] = [];
  lines.push(`Merge ${r.oldFile} -> ${r.newFile}`);
  lines.push(`Decision: ${r.strategy === 'copy-old' ? 'keep the old file whole' : 'carry values into the new file'}: ${r.strategyReason}`);
  lines.push(`File format kept: ${r.format.encoding}${r.format.bom ? ' with BOM' : ''}, ${r.format.eol === '\r\n' ? 'CRLF' : 'LF'} line endings`);
  if (r.changes.length) {
    lines.push('', 'Changed:');
    for (const c of r.changes) lines.push(`  ${scoped(c)}: ${JSON.stringify(c.old ?? null)} -> ${JSON.stringify(c.new)}  (${c.why}; ${c.file ? `${c.file} ` : ''}line ${c.line})`);
  } else {
    lines.push('', 'No setting value changes.');
  }
  if (r.added.length) {
    lines.push('', 'New in this version (defaults kept):');
    for (const a of r.added) lines.push(`  ${scoped(a)} = ${JSON.stringify(a.value)}`);
  }
  if (r.removed.length) {
    lines.push('', 'Only in the old file:');
    for (const a of r.removed) lines.push(`  ${scoped(a)} = ${JSON.stringify(a.value)}  (${a.carried ? 'carried' : a.note ?? 'not carried; pass --carry-removed to carry it'})`);
  }
  if (r.sdkUrl) lines.push('', `SDK URL (${r.sdkUrl.setting}): ${r.sdkUrl.after}`);
  if (r.strategy === 'merge-into-new' && r.onlyInOldFile.length) {
    lines.push('', 'Only in the old file outside the settings (not carried; re-apply by hand if still wanted):');
    for (const s of r.onlyInOldFile.slice(0, 20)) lines.push(`  ${s}`);
    if (r.onlyInOldFile.length > 20) lines.push(`  ... and ${r.onlyInOldFile.length - 20} more`);
  }
  if (r.strategy === 'merge-into-new' && r.changedByNewVersion.length) {
    lines.push('', 'Outside the settings, the new version has other values here (the new ones are kept; check none was a local change):');
    for (const s of r.changedByNewVersion.slice(0, 20)) lines.push(`  ${s}`);
    if (r.changedByNewVersion.length > 20) lines.push(`  ... and ${r.changedByNewVersion.length - 20} more`);
  }
  for (const w of r.warnings) lines.push(`WARNING: ${w}`);
  if (diff) lines.push('', diff);
  lines.push('', !r.changed ? 'Nothing to write: the installed file already holds these values.' : r.whatIf ? 'What if: nothing was written.' : r.written ? `Written: ${outFile}` : 'Not written.');
  return lines.join('\n');
}
