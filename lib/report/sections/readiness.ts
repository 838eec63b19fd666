// The readiness table: every check with its status (a word and a colour), what was found and what
// to do about it.
import { h, wrap, type Html } from '../escape.js';
import type { ReadinessRow, Tone } from '../model.js';
import { badge, section } from './parts.js';

const TONE: Record<ReadinessRow['status'], Tone> = { pass: 'ok', warn: 'warn', fail: 'fail' };

export function renderReadiness(rows: ReadinessRow[]): Html {
  const count = (s: ReadinessRow['status']) => rows.filter((r) => r.status === s).length;
  const summary = h`<p>${count('pass')} passed, ${count('warn')} warnings, ${count('fail')} failed.</p>`;
  if (rows.length === 0) return section('readiness', 'Readiness', [h`<p class="muted">No readiness checks were run.</p>`]);
  const body = rows.map(
    (r) => h`<tr class="r-${r.status}"><td>${badge(r.status.toUpperCase(), TONE[r.status])}</td><th scope="row">${wrap(r.title)}<br><span class="muted id">${r.id}</span></th><td>${wrap(r.evidence)}</td><td>${r.remedy && r.status !== 'pass' ? wrap(r.remedy) : h`<span class="muted">-</span>`}</td></tr>`,
  );
  return section('readiness', 'Readiness', [
    summary,
    h`<div class="scroll"><table class="grid readiness"><caption class="sr">Readiness checks</caption><thead><tr><th scope="col">Status</th><th scope="col">Check</th><th scope="col">Evidence</th><th scope="col">What to do</th></tr></thead><tbody>${body}</tbody></table></div>`,
  ]);
}
