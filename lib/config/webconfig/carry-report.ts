// The carry-over as an administrator reads it: the decision as a short list, what was carried
// beyond the settings, and what is left to do. Values are already redacted in the report.
import type { CarryReport } from './carry.js';
import type { CarryAction } from './carry-elements.js';
import { decisionLines } from './decision.js';
import { formatMergeReport } from './report.js';

const VERB: Record<CarryAction, string> = {
  carried: 'carried',
  conflict: 'LEFT TO DO',
  'removed-by-admin': 'LEFT TO DO',
  check: 'check by hand',
  'default-dropped': 'not carried (shipped default the new version dropped)',
};

export function formatCarryReport(r: CarryReport, diff: string, outFile = r.newFile): string {
  // The decision as a short list instead of merge-config's one long sentence.
  const lines = formatMergeReport(r, diff, outFile)
    .split('\n')
    .flatMap((l) => (l.startsWith('Decision: ') ? decisionLines(r) : [l]));
  const entries = r.elements.entries;
  const extra: string[] = [];
  if (entries.length) {
    extra.push('', `Beyond the settings (${r.elements.baseline ? `judged against the old version's own web.config, ${r.elements.baseline}` : 'no baseline: security and branding only'}):`);
    for (const e of entries) extra.push(`  ${VERB[e.action]}: ${e.scope ? `[${e.scope}] ` : ''}${e.path}${e.old !== undefined || e.new !== undefined ? ` (${JSON.stringify(e.old ?? null)} -> ${JSON.stringify(e.new ?? null)})` : ''}`);
  }
  if (r.leftToDo.length) {
    extra.push('', 'Left to do by hand:');
    for (const l of r.leftToDo) extra.push(`  - ${l.title}: ${l.instructions}`);
  }
  // After the "Changed"/"Only in the old file" parts, before the diff and the last line.
  const at = lines.findIndex((l) => l.startsWith('--- '));
  const end = at === -1 ? lines.length - 2 : at - 1;
  return [...lines.slice(0, end), ...extra, ...lines.slice(end)].join('\n');
}
