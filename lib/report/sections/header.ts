// The report's head: what was planned or done, on which servers, from which version to which,
// by which tool version and when.
import { h, type Html } from '../escape.js';
import type { ReportHeader } from '../model.js';
import { badge, bullets, code, facts, formatTime } from './parts.js';

export function renderHeader(hd: ReportHeader): Html {
  return h`<header id="summary" class="section report-head" data-section="summary" aria-labelledby="summary-h">
<h1 id="summary-h">${hd.title}</h1>
<p class="outcome">Outcome: ${badge(hd.outcome.label, hd.outcome.tone)}</p>
${facts([
  ['Servers', hd.servers.join(', ') || '(none)'],
  ['From', hd.from ?? '-'],
  ['To', hd.to ?? '-'],
  ['Command', code(hd.command)],
  ['Tool', `mfa-upgrade ${hd.toolVersion}`],
  ['Written', formatTime(hd.generatedAt)],
])}
${bullets(hd.notes, 'notes')}
</header>`;
}
