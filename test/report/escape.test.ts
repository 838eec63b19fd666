// Hostile text from hosts nobody on the team wrote (a vdir, a setting key, a farm or server name)
// must reach the reader as text and never as markup: planted in every string of a model, and as
// random strings, it leaves the document's elements, attributes and script unchanged.
import test from 'ava';
import fc from 'fast-check';
import { esc, wrap } from '../../lib/report/escape.js';
import { renderReport } from '../../lib/report/render.js';
import { ALLOWED_TAGS, nestingProblems, tags, visibleText } from './helpers/html.js';
import { ENUM_FIELDS, fullModel, mapStrings } from './helpers/model.js';

const HOSTILE = `"><script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>'&amp;</style></textarea><!--`;

function hostileModel(payload: string) {
  return mapStrings(fullModel(), (s, key) => (ENUM_FIELDS.has(key) ? s : `${s}${payload}`));
}

/** Elements whose number follows the text itself: changed words, break opportunities. */
const TEXT_DEPENDENT = new Set(['del', 'ins', 'wbr']);

function attributeNames(attrs: string): string[] {
  return [...attrs.matchAll(/([^\s=]+)(?:="[^"]*")?/g)].map((m) => m[1] as string);
}

/** The shape of a document: its tags with their attribute names, text left out. */
function shape(html: string): string[] {
  return tags(html)
    .filter((t) => !TEXT_DEPENDENT.has(t.name))
    .map((t) => `${t.closing ? '/' : ''}${t.name}(${attributeNames(t.attrs).join(',')})`);
}

test('a hostile name in every string of the model stays text: no new element, attribute or script', (t) => {
  const clean = renderReport(fullModel());
  const html = renderReport(hostileModel(HOSTILE));
  t.deepEqual(nestingProblems(html), []);
  t.deepEqual([...new Set(tags(html).map((x) => x.name))].filter((n) => !ALLOWED_TAGS.has(n)), []);
  t.is(tags(html).filter((x) => x.name === 'script' && !x.closing).length, 1);
  t.false(tags(html).some((x) => attributeNames(x.attrs).some((n) => /^on/i.test(n))), 'no event handler attribute');
  t.deepEqual(shape(html), shape(clean), 'the same elements and attributes as without the payload');
  // The reader sees the text as it was (the diff view masks config text, so count elsewhere).
  const text = visibleText(html);
  t.true(text.split(HOSTILE).length - 1 >= 40, 'the payload is shown as text wherever a string is');
});

test('random strings in every field never change the markup', (t) => {
  const clean = shape(renderReport(fullModel()));
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      const html = renderReport(hostileModel(s));
      return nestingProblems(html).length === 0 && JSON.stringify(shape(html)) === JSON.stringify(clean);
    }),
    { numRuns: 60 },
  );
  t.pass();
});

test('esc escapes the five characters and replaces control characters and lone surrogates', (t) => {
  t.is(esc(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  t.is(esc('a\u0000b\u001bc\td\ne'), 'a\uFFFDb\uFFFDc\td\ne');
  t.is(esc('x\uD800y'), 'x\uFFFDy');
  t.is(esc('😀'), '😀', 'a surrogate pair is kept');
});

test('wrap escapes and adds break opportunities after separators in long words only', (t) => {
  t.is(wrap('HKLM\\SOFTWARE\\Microsoft\\<x> 8.1.1.2').html, 'HKLM\\<wbr>SOFTWARE\\<wbr>Microsoft\\<wbr>&lt;x&gt; 8.1.1.2');
  t.is(wrap('a&b').html, 'a&amp;b', 'a short word stays whole');
  t.is(wrap('Data Source=x;Password=abc;Extra=1').html, 'Data Source=<wbr>x;<wbr>Password=<wbr>abc;<wbr>Extra=<wbr>1');
});
