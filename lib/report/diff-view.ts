// A web.config merge as a side-by-side table: the lines before and after each block of edits,
// aligned by the diff library (jsdiff), changed words marked with <del>/<ins> and a text marker
// beside the colour. Every line is masked again here, whatever the producer did.
import { diffArrays, diffWordsWithSpace } from 'diff';
import { h, join, type Html } from './escape.js';
import { maskConfigLines } from './mask.js';
import type { DiffHunk } from './model.js';

export interface DiffRow {
  kind: 'same' | 'changed' | 'removed' | 'added';
  /** Line in the file the edits apply to (absent for an added line). */
  line?: number;
  before?: string;
  after?: string;
}

/** Aligns one hunk's lines: equal lines side by side, a removed run paired with the added run after it. */
export function alignHunk(hunk: DiffHunk): DiffRow[] {
  const before = maskConfigLines(hunk.before);
  const after = maskConfigLines(hunk.after);
  const rows: DiffRow[] = [];
  let line = hunk.line;
  const changes = diffArrays(before, after);
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    if (!c) continue;
    if (!c.added && !c.removed) {
      for (const l of c.value) rows.push({ kind: 'same', line: line++, before: l, after: l });
      continue;
    }
    if (c.removed) {
      const next = changes[i + 1];
      const added = next && next.added ? next.value : [];
      if (next && next.added) i++;
      const n = Math.max(c.value.length, added.length);
      for (let k = 0; k < n; k++) {
        const b = c.value[k];
        const a = added[k];
        if (b !== undefined && a !== undefined) rows.push({ kind: 'changed', line: line++, before: b, after: a });
        else if (b !== undefined) rows.push({ kind: 'removed', line: line++, before: b });
        else rows.push({ kind: 'added', after: a as string });
      }
      continue;
    }
    for (const a of c.value) rows.push({ kind: 'added', after: a });
  }
  return rows;
}

/** The two sides of a changed line, with the changed words wrapped. */
function wordMarks(before: string, after: string): { left: Html; right: Html } {
  const parts = diffWordsWithSpace(before, after);
  const left = parts.filter((p) => !p.added).map((p) => (p.removed ? h`<del>${p.value}</del>` : h`${p.value}`));
  const right = parts.filter((p) => !p.removed).map((p) => (p.added ? h`<ins>${p.value}</ins>` : h`${p.value}`));
  return { left: join(left), right: join(right) };
}

function row(r: DiffRow): Html {
  const num = r.line === undefined ? h`<td class="ln"></td>` : h`<td class="ln">${r.line}</td>`;
  if (r.kind === 'same') return h`<tr class="same">${num}<td class="mark"></td><td class="code">${r.before ?? ''}</td><td class="mark"></td><td class="code">${r.after ?? ''}</td></tr>`;
  if (r.kind === 'changed') {
    const w = wordMarks(r.before ?? '', r.after ?? '');
    return h`<tr class="changed">${num}<td class="mark del" aria-label="removed">−</td><td class="code del">${w.left}</td><td class="mark ins" aria-label="added">+</td><td class="code ins">${w.right}</td></tr>`;
  }
  if (r.kind === 'removed') return h`<tr class="removed">${num}<td class="mark del" aria-label="removed">−</td><td class="code del"><del>${r.before ?? ''}</del></td><td class="mark"></td><td class="code empty"></td></tr>`;
  return h`<tr class="added">${num}<td class="mark"></td><td class="code empty"></td><td class="mark ins" aria-label="added">+</td><td class="code ins"><ins>${r.after ?? ''}</ins></td></tr>`;
}

export function renderDiffTable(hunks: DiffHunk[], caption: string, beforeLabel: string, afterLabel: string): Html {
  if (hunks.length === 0) return h`<p class="muted">No line of the file changes.</p>`;
  const bodies = hunks.map(
    (hk) => h`<tbody><tr class="hunk"><th colspan="5" scope="rowgroup">From line ${hk.line}</th></tr>${alignHunk(hk).map(row)}</tbody>`,
  );
  return h`<div class="scroll"><table class="diff"><caption>${caption}</caption><colgroup><col class="c-ln"><col class="c-mark"><col class="c-code"><col class="c-mark"><col class="c-code"></colgroup><thead><tr><th scope="col">Line</th><th scope="col"><span class="sr">Marker</span></th><th scope="col">${beforeLabel}</th><th scope="col"><span class="sr">Marker</span></th><th scope="col">${afterLabel}</th></tr></thead>${bodies}</table></div>`;
}
