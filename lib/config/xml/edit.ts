// Span edits over the original text: the only way a config file is changed, so everything
// outside the spans stays byte-identical. Also renders them as a line diff for --what-if, with
// secret spans masked on both sides.
import { MASK } from '../redact.js';
import { lineIndex } from './lines.js';

export interface TextEdit {
  /** Span of the original text replaced (start === end inserts). */
  start: number;
  end: number;
  text: string;
  /** The span holds a secret: diffs show a mask instead of either side. */
  secret?: boolean;
  /** What diffs show instead of `text` (an inserted element with its secret value masked). */
  shown?: string;
}

function sorted(edits: TextEdit[]): TextEdit[] {
  const s = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < s.length; i++) {
    const prev = s[i - 1] as TextEdit;
    const cur = s[i] as TextEdit;
    if (cur.start < prev.end || (cur.start === prev.start && cur.start === cur.end && prev.start === prev.end)) {
      throw new Error(`overlapping edits at offsets ${prev.start}-${prev.end} and ${cur.start}-${cur.end}`);
    }
  }
  return s;
}

export function applyEdits(text: string, edits: TextEdit[]): string {
  if (edits.length === 0) return text;
  const parts: string[] = [];
  let pos = 0;
  for (const e of sorted(edits)) {
    parts.push(text.slice(pos, e.start), e.text);
    pos = e.end;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl;
}

export interface Span {
  start: number;
  end: number;
}

/** text[from, to) with every secret span inside it shown as the mask. */
function masked(text: string, from: number, to: number, secrets: Span[]): string {
  let out = '';
  let pos = from;
  for (const s of secrets) {
    if (s.end <= pos || s.start >= to || s.end <= s.start) continue;
    out += text.slice(pos, Math.max(pos, s.start)) + MASK;
    pos = Math.min(to, s.end);
  }
  return out + text.slice(pos, to);
}

function render(text: string, from: number, to: number, edits: TextEdit[], applied: boolean, secrets: Span[]): string {
  let out = '';
  let pos = from;
  for (const e of edits) {
    out += masked(text, pos, e.start, secrets);
    if (applied) out += e.shown ?? (e.secret ? MASK : e.text);
    else out += e.secret && e.end > e.start ? MASK : masked(text, e.start, e.end, secrets);
    pos = e.end;
  }
  return out + masked(text, pos, to, secrets);
}

/**
 * A unified-style diff of the edits, with 1-based line numbers of the original. `secrets` are
 * the spans of secret values in the text: a diff shows whole lines, and a password on the same
 * line as a changed value is masked there too.
 */
export function renderDiff(text: string, edits: TextEdit[], oldLabel: string, newLabel: string, secrets: Span[] = []): string {
  if (edits.length === 0) return '';
  const lineAt = lineIndex(text);
  const out = [`--- ${oldLabel}`, `+++ ${newLabel}`];
  const list = sorted(edits);
  const secretSpans = [...secrets].sort((a, b) => a.start - b.start);
  let i = 0;
  while (i < list.length) {
    const first = list[i] as TextEdit;
    const from = lineStart(text, first.start);
    let to = lineEnd(text, first.end);
    const group = [first];
    i++;
    while (i < list.length && (list[i] as TextEdit).start <= to) {
      const e = list[i] as TextEdit;
      group.push(e);
      to = Math.max(to, lineEnd(text, e.end));
      i++;
    }
    out.push(`@@ line ${lineAt(from)} @@`);
    for (const l of render(text, from, to, group, false, secretSpans).split('\n')) out.push(`-${l.replace(/\r$/, '')}`);
    for (const l of render(text, from, to, group, true, secretSpans).split('\n')) out.push(`+${l.replace(/\r$/, '')}`);
  }
  return out.join('\n');
}
