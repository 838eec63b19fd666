// Each web.config merge: the decision, a side-by-side diff (masked), the values carried and what is
// left to do by hand as a checklist.
import { renderDiffTable } from '../diff-view.js';
import { h, wrap, type Html } from '../escape.js';
import type { ChecklistItem, MergeSection, MergeView } from '../model.js';
import { badge, bullets, callout, collapsible, facts, section } from './parts.js';

const STATE: Record<MergeView['state'], [string, 'ok' | 'info' | 'warn' | 'neutral']> = {
  planned: ['PLANNED', 'neutral'],
  preview: ['PREVIEW', 'info'],
  applied: ['APPLIED', 'ok'],
  undone: ['UNDONE', 'warn'],
  unchanged: ['NO CHANGE', 'neutral'],
};

export function checklist(items: ChecklistItem[]): Html {
  return h`<ul class="checklist">${items.map(
    (c) => h`<li class="${c.done ? 'done' : 'todo'}"><span class="box" aria-hidden="true">${c.done ? '☑' : '☐'}</span> ${badge(c.done ? 'DONE' : 'TO DO', c.done ? 'ok' : 'warn')} ${c.text}${c.detail ? h`<br><span class="muted">${c.detail}</span>` : h``}</li>`,
  )}</ul>`;
}

/** A value as code; empty and absent values in words (an empty cell would look like a missing one). */
function shown(v: string | undefined): Html {
  if (v === undefined) return h`<span class="muted">(absent)</span>`;
  if (v === '') return h`<span class="muted">(empty)</span>`;
  return h`<code>${wrap(v)}</code>`;
}

function changes(m: MergeView): Html {
  if (m.changes.length === 0) return h``;
  const rows = m.changes.map(
    (c) => h`<tr><th scope="row"><code>${wrap(`${c.scope ? `[${c.scope}] ` : ''}${c.key}`)}</code>${c.secret ? h` ${badge('masked', 'neutral')}` : h``}</th><td>${shown(c.old)}</td><td>${shown(c.new)}</td><td>${wrap(c.why)}</td></tr>`,
  );
  return h`<div class="scroll"><table class="grid"><caption>Values carried into the new file</caption><thead><tr><th scope="col">Setting</th><th scope="col">New file had</th><th scope="col">Written</th><th scope="col">Why</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function carried(m: MergeView): Html {
  if (!m.carried || m.carried.length === 0) return h``;
  const rows = m.carried.map((c) => h`<tr><th scope="row"><code>${wrap(`${c.scope ? `[${c.scope}] ` : ''}${c.key}`)}</code></th><td>${shown(c.value)}</td></tr>`);
  return h`<div class="scroll"><table class="grid"><caption>Settings that will be carried (${m.carried.length}, read from the current file; secrets masked)</caption><thead><tr><th scope="col">Setting</th><th scope="col">Value now</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function merge(m: MergeView, i: number): Html {
  const [label, tone] = STATE[m.state];
  const body: Html[] = [
    facts([
      ['Old file (backed up)', m.oldFile],
      ['New file', m.newFile],
      ['Step', m.stepId ?? ''],
      ['Decision', m.decision ?? ''],
    ]),
  ];
  if (m.state !== 'planned') body.push(renderDiffTable(m.hunks, `Diff of ${m.newFile}`, 'Before (installed file)', 'After (merged, secrets masked)'));
  body.push(changes(m), carried(m));
  if (m.checklist.length) body.push(h`<h4>Left to do by hand</h4>`, checklist(m.checklist));
  if (m.warnings.length) body.push(callout('warn', 'WARNINGS', [bullets(m.warnings)]));
  return collapsible(h`<h3 class="inline" id="merge-${i + 1}">${m.title}</h3> ${badge(label, tone)}`, body, 'merge');
}

export function renderMerges(s: MergeSection): Html {
  const body: Html[] = [];
  if (s.note) body.push(h`<p>${s.note}</p>`);
  if (s.items.length === 0) body.push(h`<p class="muted">No web.config is merged.</p>`);
  body.push(...s.items.map(merge));
  return section('config', 'web.config merges', body);
}
