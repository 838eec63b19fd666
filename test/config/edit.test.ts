// Span edits and their diffs (lib/config/xml/edit.ts) and the value edits built on them
// (value-edits.ts), each rule with a case written out by hand. Oracles: edits applied here by
// slicing from the last to the first, diffs written out line by line, and fast-xml-parser (not
// our scanner) reading what an edited element holds.
import test from 'ava';
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { loadXmlDocument } from '../../lib/config/xml/document.js';
import { applyEdits, renderDiff, type TextEdit } from '../../lib/config/xml/edit.js';
import { attributeText, convertEol, setContentEdit } from '../../lib/config/xml/value-edits.js';

const M = '********';

/** Edits applied from the last to the first, each by slicing: independent of applyEdits' merge. */
function oracleApply(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

test('applyEdits: disjoint replacements and insertions, given in any order, give what slicing from the end gives; no edits give the text itself', (t) => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.uniqueArray(fc.nat(60), { maxLength: 10 }),
      fc.array(fc.tuple(fc.string({ maxLength: 5 }), fc.boolean()), { minLength: 5, maxLength: 5 }),
      fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
      (text, cuts, payload, order) => {
        const offsets = cuts.map((c) => c % (text.length + 1));
        const points = [...new Set(offsets)].sort((a, b) => a - b);
        const edits: TextEdit[] = [];
        for (let i = 0; i + 1 < points.length; i += 2) {
          const [content, insert] = payload[edits.length % 5] as [string, boolean];
          edits.push({ start: points[i] as number, end: insert ? (points[i] as number) : (points[i + 1] as number), text: content });
        }
        const shuffled = edits.map((e, i) => [order[i] as number, e] as const).sort((a, b) => a[0] - b[0]).map(([, e]) => e);
        return applyEdits(text, shuffled) === oracleApply(text, edits);
      },
    ),
  );
  t.is(applyEdits('same', []), 'same');
});

test('applyEdits: an insertion at the start of a replacement goes before it, in either order given; adjacent replacements are not overlaps', (t) => {
  const text = '0123456789';
  const insert = { start: 5, end: 5, text: '[i]' };
  const replace = { start: 5, end: 8, text: 'R' };
  t.is(applyEdits(text, [replace, insert]), '01234[i]R89');
  t.is(applyEdits(text, [insert, replace]), '01234[i]R89');
  t.is(applyEdits(text, [{ start: 5, end: 8, text: 'B' }, { start: 3, end: 5, text: 'A' }]), '012AB89');
  t.is(applyEdits(text, [{ start: 8, end: 8, text: '!' }, replace]), '01234R!89');
});

test('applyEdits: overlapping replacements and two insertions at one offset are refused, naming both spans', (t) => {
  const text = '0123456789';
  t.throws(() => applyEdits(text, [{ start: 2, end: 6, text: 'a' }, { start: 5, end: 7, text: 'b' }]), { message: 'overlapping edits at offsets 2-6 and 5-7' });
  t.throws(() => applyEdits(text, [{ start: 4, end: 4, text: 'a' }, { start: 4, end: 4, text: 'b' }]), { message: 'overlapping edits at offsets 4-4 and 4-4' });
  t.throws(() => applyEdits(text, [{ start: 3, end: 5, text: 'a' }, { start: 4, end: 4, text: 'b' }]), { message: 'overlapping edits at offsets 3-5 and 4-4' });
});

test('renderDiff: no edits, no diff; one hunk a line with its 1-based number; edits on one line, or joined by a span, share a hunk', (t) => {
  const text = 'one\ntwo\nthree';
  t.is(renderDiff(text, [], 'a', 'b'), '');
  t.is(renderDiff(text, [{ start: 4, end: 7, text: '2' }], 'a', 'b'), ['--- a', '+++ b', '@@ line 2 @@', '-two', '+2'].join('\n'));
  // Separate lines, separate hunks (given out of order); the last line has no newline.
  t.is(
    renderDiff(text, [{ start: 8, end: 13, text: '3' }, { start: 0, end: 3, text: '1' }], 'a', 'b'),
    ['--- a', '+++ b', '@@ line 1 @@', '-one', '+1', '@@ line 3 @@', '-three', '+3'].join('\n'),
  );
  // A span across the line break, then an insertion at the end of the line it ends on: one hunk.
  t.is(renderDiff(text, [{ start: 2, end: 6, text: 'X' }, { start: 7, end: 7, text: '!' }], 'a', 'b'), ['--- a', '+++ b', '@@ line 1 @@', '-one', '-two', '+onXo!'].join('\n'));
  // A later edit of the hunk that runs onto the next line takes that line into the hunk.
  t.is(renderDiff(text, [{ start: 0, end: 1, text: 'O' }, { start: 3, end: 6, text: '-' }], 'a', 'b'), ['--- a', '+++ b', '@@ line 1 @@', '-one', '-two', '+One-o'].join('\n'));
  // An insertion at the very end of a line is on that line, not the next.
  t.is(renderDiff(text, [{ start: 3, end: 3, text: '1' }], 'a', 'b'), ['--- a', '+++ b', '@@ line 1 @@', '-one', '+one1'].join('\n'));
  t.is(renderDiff(text, [{ start: 13, end: 13, text: '!' }], 'a', 'b'), ['--- a', '+++ b', '@@ line 3 @@', '-three', '+three!'].join('\n'));
});

test("renderDiff: a CRLF file's lines are shown without their CR; a lone CR inside a line stays", (t) => {
  const text = 'a=1\r\nb=2\r\np=1\rq=2\r\n';
  t.is(renderDiff(text, [{ start: 7, end: 8, text: '3' }], 'a', 'b'), ['--- a', '+++ b', '@@ line 2 @@', '-b=2', '+b=3'].join('\n'));
  t.is(renderDiff(text, [{ start: 16, end: 17, text: '9' }], 'a', 'b'), ['--- a', '+++ b', '@@ line 3 @@', '-p=1\rq=2', '+p=1\rq=9'].join('\n'));
});

test('renderDiff: secrets are masked on both sides: a changed secret, an inserted one (shown form, nothing on the old side), and secret spans elsewhere on the hunk, given in any order', (t) => {
  const text = '<a pwd="s1" x="1" key="s2"/>\n<b pwd="" y="2"/>\n<c pwd="s3"/>';
  const s1 = { start: 8, end: 10 };
  const s2 = { start: 23, end: 25 };
  const empty = { start: 37, end: 37 };
  const s3 = { start: 55, end: 57 };
  t.is(text.slice(s1.start, s1.end) + text.slice(s2.start, s2.end) + text.slice(s3.start, s3.end), 's1s2s3');
  const secrets = [s3, s2, empty, s1];
  // Changing x: the secrets on its line are masked on both sides, those on other lines not shown.
  t.is(renderDiff(text, [{ start: 15, end: 16, text: '9' }], 'a', 'b', secrets), ['--- a', '+++ b', '@@ line 1 @@', `-<a pwd="${M}" x="1" key="${M}"/>`, `+<a pwd="${M}" x="9" key="${M}"/>`].join('\n'));
  // Two secrets before one edit on their line (the list is not in text order): both masked.
  t.is(renderDiff(text, [{ start: 26, end: 26, text: ' z="3"' }], 'a', 'b', secrets), ['--- a', '+++ b', '@@ line 1 @@', `-<a pwd="${M}" x="1" key="${M}"/>`, `+<a pwd="${M}" x="1" key="${M}" z="3"/>`].join('\n'));
  // An empty secret value has nothing to hide.
  t.is(renderDiff(text, [{ start: 42, end: 43, text: '3' }], 'a', 'b', secrets), ['--- a', '+++ b', '@@ line 2 @@', '-<b pwd="" y="2"/>', '+<b pwd="" y="3"/>'].join('\n'));
  // The secret itself changed: one mask a side, never two.
  t.is(renderDiff(text, [{ start: 55, end: 57, text: 'new', secret: true }], 'a', 'b', secrets), ['--- a', '+++ b', '@@ line 3 @@', `-<c pwd="${M}"/>`, `+<c pwd="${M}"/>`].join('\n'));
  // An attribute inserted right after a secret value's end: the secret is masked once.
  t.is(renderDiff(text, [{ start: 57, end: 57, text: '2', secret: false }], 'a', 'b', secrets), ['--- a', '+++ b', '@@ line 3 @@', `-<c pwd="${M}"/>`, `+<c pwd="${M}2"/>`].join('\n'));
  // A secret inserted: the old side shows nothing for it, the new side its shown form (or the mask).
  t.is(renderDiff(text, [{ start: 60, end: 60, text: '<d pwd="s4"/>', secret: true, shown: `<d pwd="${M}"/>` }], 'a', 'b', secrets), ['--- a', '+++ b', '@@ line 3 @@', `-<c pwd="${M}"/>`, `+<c pwd="${M}"/><d pwd="${M}"/>`].join('\n'));
  t.is(renderDiff(text, [{ start: 60, end: 60, text: 's4', secret: true }], 'a', 'b', secrets), ['--- a', '+++ b', '@@ line 3 @@', `-<c pwd="${M}"/>`, `+<c pwd="${M}"/>${M}`].join('\n'));
  t.false(renderDiff(text, [{ start: 15, end: 16, text: '9' }, { start: 42, end: 43, text: '3' }, { start: 60, end: 60, text: 's4', secret: true }], 'a', 'b', secrets).match(/s[1-4]/) !== null);
});

test('convertEol: CRLF, lone CR and LF all become the file\'s line end', (t) => {
  t.is(convertEol('a\r\nb\rc\nd', '\r\n'), 'a\r\nb\r\nc\r\nd');
  t.is(convertEol('a\r\nb\rc\nd', '\n'), 'a\nb\nc\nd');
});

function docOf(text: string) {
  return loadXmlDocument(Buffer.from(text), 'test.config');
}

test('attributeText: a carried value reuses its raw text only when it reads the same and holds no quote of the target', (t) => {
  const src = docOf(`<r><a v="caf&#233;&#10;" w='say "hi"'/></r>`);
  const a = src.tree.root.children[0];
  if (!a) throw new Error('no element');
  const [v, w] = a.attributes;
  if (!v || !w) throw new Error('no attributes');
  t.is(attributeText('café\n', '"', { doc: src, value: 'café\n', attr: v }), 'caf&#233;&#10;');
  // A different value: escaped afresh, never the source's raw text.
  t.is(attributeText('tea', '"', { doc: src, value: 'café\n', attr: v }), 'tea');
  // The raw text holds the target's quote: escaped for it.
  t.is(attributeText('say "hi"', '"', { doc: src, value: 'say "hi"', attr: w }), 'say &quot;hi&quot;');
  t.is(attributeText('say "hi"', "'", { doc: src, value: 'say "hi"', attr: w }), 'say "hi"');
});

const parser = new XMLParser({ ignoreAttributes: false, cdataPropName: '#cdata', trimValues: false, parseTagValue: false });

/** What fast-xml-parser reads in <r><x>…</x></r> after the edit: text, and CDATA apart. */
function readBack(text: string): unknown {
  return (parser.parse(text) as { r: { x: unknown } }).r.x;
}

test('setContentEdit: a self-closing element opens (any space before "/>", a "/>" inside a value kept); a lone CDATA section stays one; text mixed with CDATA, or two sections, are escaped', (t) => {
  const cases: Array<[string, string, string]> = [
    ['<r><x/></r>', 'v<1', '<r><x>v&lt;1</x></r>'],
    ['<r><x   /></r>', 'v', '<r><x>v</x></r>'],
    ['<r><x a="b/>c"/></r>', 'v', '<r><x a="b/>c">v</x></r>'],
    ['<r><x><![CDATA[old value\nhere]]></x></r>', 'a<b', '<r><x><![CDATA[a<b]]></x></r>'],
    ['<r><x>pre<![CDATA[old]]></x></r>', 'a<b', '<r><x>a&lt;b</x></r>'],
    ['<r><x><![CDATA[a]]><![CDATA[b]]></x></r>', 'a<b', '<r><x>a&lt;b</x></r>'],
  ];
  for (const [before, value, after] of cases) {
    const doc = docOf(before);
    const el = doc.tree.root.children[0];
    if (!el) throw new Error('no element');
    const edited = applyEdits(doc.text, [setContentEdit(doc, el, value)]);
    t.is(edited, after, before);
    const read = readBack(edited);
    const got = typeof read === 'string' ? read : String((read as Record<string, unknown>)['#cdata'] ?? (read as Record<string, unknown>)['#text']);
    t.is(got, value, `${before}: another parser reads the value written`);
  }
});
