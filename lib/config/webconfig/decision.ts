// The merge decision (structure.ts) as a short list an administrator reads at a glance.
import type { MergeReport } from './report.js';

function sample(items: string[], n = 3): string {
  return items.length <= n ? items.join(', ') : `${items.slice(0, n).join(', ')} and ${items.length - n} more`;
}

/** Why the file was kept whole or merged, one short line per reason. */
export function decisionLines(r: MergeReport): string[] {
  if (r.strategy === 'copy-old') return ['Decision: keep the old file whole (the new version adds and changes nothing outside the settings; procedure.md §3.5)'];
  const lines = ['Decision: carry the old values into the new file, because:'];
  if (r.newInNewFile.length) lines.push(`  - the new file has ${r.newInNewFile.length} thing(s) the old lacks (${sample(r.newInNewFile)})`);
  if (r.changedByNewVersion.length) lines.push(`  - the new version changed ${r.changedByNewVersion.length} value(s) outside the settings (${sample(r.changedByNewVersion)})`);
  if (lines.length === 1) lines.push('  - the old file has keys the new one dropped (carried only with --carry-removed)');
  return lines;
}

