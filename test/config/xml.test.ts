// The XML layer on its own: codec, scanner spans and refusals, escaping, edits and diffs.
import test from 'ava';
import fc from 'fast-check';
import { decodeText, encodeText, encodable, type TextEncodingName } from '../../lib/config/xml/codec.js';
import { loadXmlDocument } from '../../lib/config/xml/document.js';
import { applyEdits, renderDiff } from '../../lib/config/xml/edit.js';
import { decodeAttributeValue, decodeText as decodeXmlText, escapeAttributeValue, escapeText } from '../../lib/config/xml/entities.js';
import { appendChildren } from '../../lib/config/xml/insert.js';
import { scanXml, XmlScanError } from '../../lib/config/xml/scan.js';
import { attrValue, elementText } from '../../lib/config/xml/values.js';

test('codec: BOMs, UTF-16 without BOM, Latin-1 by declaration, CRLF/LF detection', (t) => {
  const cases: [Buffer, TextEncodingName, boolean][] = [
    [Buffer.from('<a/>'), 'utf-8', false],
    [Buffer.from('\uFEFF<a/>'), 'utf-8', true],
    [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a/>', 'utf16le')]), 'utf-16le', true],
    [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('<a/>', 'utf16le').swap16()]), 'utf-16be', true],
    [Buffer.from('<?xml version="1.0"?><a/>', 'utf16le'), 'utf-16le', false],
    [Buffer.from('<a/>', 'utf16le').swap16(), 'utf-16be', false],
    [Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>caf\xe9</a>', 'latin1'), 'latin1', false],
  ];
  for (const [bytes, encoding, bom] of cases) {
    const d = decodeText(bytes, 'f');
    t.is(d.format.encoding, encoding);
    t.is(d.format.bom, bom);
    t.true(encodeText(d.text, d.format).equals(bytes));
  }
  t.is(decodeText(Buffer.from('<a>\r\n</a>'), 'f').format.eol, '\r\n');
  t.is(decodeText(Buffer.from('<a>\n</a>\r\n'), 'f').format.eol, '\n');
  t.false(encodable('€', { encoding: 'latin1', bom: false, eol: '\n' }));
  t.true(encodable('é', { encoding: 'latin1', bom: false, eol: '\n' }));
});

test('scanner: spans of elements, attributes (with their quotes) and content', (t) => {
  const text = `<?xml version="1.0"?>\n<!-- c <not/> -->\n<r a = 'x"y' b="1">t<![CDATA[<z/>]]><c/><d k="v"></d ></r>`;
  const tree = scanXml(text);
  t.deepEqual(tree.declaration, { start: 0, end: 21 });
  const r = tree.root;
  t.is(r.name, 'r');
  t.deepEqual(r.attributes.map((a) => [a.name, text.slice(a.valueStart, a.valueEnd), a.quote]), [['a', 'x"y', "'"], ['b', '1', '"']]);
  t.true(r.hasText);
  t.deepEqual(r.children.map((c) => [c.name, c.selfClosing, text.slice(c.start, c.end)]), [['c', true, '<c/>'], ['d', false, '<d k="v"></d >']]);
  t.is(text.slice(r.startTagEnd, r.endTagStart), 't<![CDATA[<z/>]]><c/><d k="v"></d >');
  t.is(r.end, text.length);
});

test('scanner: malformed input is refused at the right offset', (t) => {
  const bad: [string, RegExp][] = [
    ['<a><b></a>', /does not match <b>/],
    ['<a>', /never closed/],
    ['<a/><b/>', /second root/],
    ['text<a/>', /outside the root/],
    ['<a x=1/>', /unquoted/],
    ['<a x="1"y="2"/>', /separated by white space/],
    ['<a x="<"/>', /'<' inside the value/],
    ['<a><!-- x </a>', /unterminated comment/],
    ['<!DOCTYPE a [<!ENTITY e "x">]><a/>', /declares entities/],
    ['<!DOCTYPE a SYSTEM "a.dtd"><a/>', /external DTD/],
  ];
  for (const [text, re] of bad) t.throws(() => scanXml(text), { instanceOf: XmlScanError, message: re }, text);
  t.notThrows(() => scanXml('<!DOCTYPE configuration><configuration/>'), 'a bare DOCTYPE declares nothing');
});

test('values: attribute normalization and character data as .NET reads them', (t) => {
  const doc = loadXmlDocument(Buffer.from('<r a="x\r\n y&#10;&#x9;&lt;&amp;"><v>a&amp;b<!-- c --><![CDATA[&x]]>\r\n</v></r>'), 'f');
  const a = doc.tree.root.attributes[0]!;
  t.is(attrValue(doc, a), 'x  y\n\t<&');
  t.is(elementText(doc, doc.tree.root.children[0]!), 'a&b&x\n');
});

test('escaping round-trips any value through either quote and through text', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('a', '&', '<', '>', '"', "'", '\t', '\n', '\r', 'é', '😀', ']]>') }), (v) => {
      const ok =
        decodeAttributeValue(escapeAttributeValue(v, '"')) === v &&
        decodeAttributeValue(escapeAttributeValue(v, "'")) === v &&
        !escapeAttributeValue(v, '"').includes('"') &&
        !escapeAttributeValue(v, "'").includes("'");
      // Text: line breaks are written with the file's line ending, a carriage return as &#13;.
      return ok && decodeXmlText(escapeText(v, '\r\n')) === v && decodeXmlText(escapeText(v, '\n')) === v;
    }),
  );
  t.pass();
});

test('edits: applied in order, overlaps refused, diff masks secret spans on both sides', (t) => {
  const text = 'line1\nkey="old-secret"\nline3';
  const s = text.indexOf('old-secret');
  const edits = [{ start: s, end: s + 10, text: 'new-secret', secret: true }];
  t.is(applyEdits(text, edits), 'line1\nkey="new-secret"\nline3');
  t.throws(() => applyEdits(text, [{ start: 0, end: 3, text: 'x' }, { start: 2, end: 4, text: 'y' }]), { message: /overlapping/ });
  const diff = renderDiff(text, edits, 'a', 'b');
  t.is(diff, '--- a\n+++ b\n@@ line 2 @@\n-key="********"\n+key="********"');
});

test('insertion follows the siblings: tabs or spaces, CRLF, end tag on its own line or not', (t) => {
  const check = (src: string, expected: string) => {
    const doc = loadXmlDocument(Buffer.from(src), 'f');
    const edit = appendChildren(doc, doc.tree.root.children[0]!, [() => '<add key="n" />']);
    t.is(applyEdits(doc.text, [edit]), expected);
  };
  check('<c>\r\n\t<s>\r\n\t\t<add key="a" />\r\n\t</s>\r\n</c>', '<c>\r\n\t<s>\r\n\t\t<add key="a" />\r\n\t\t<add key="n" />\r\n\t</s>\r\n</c>');
  check('<c>\n  <s><add key="a" /></s>\n</c>', '<c>\n  <s><add key="a" />\n    <add key="n" />\n  </s>\n</c>');
  check('<c>\n    <s />\n</c>', '<c>\n    <s>\n        <add key="n" />\n    </s>\n</c>');
  check('<c>\n  <s>\n    <add key="a" /> <!-- keep -->\n    <!-- trailing -->\n  </s>\n</c>', '<c>\n  <s>\n    <add key="a" /> <!-- keep -->\n    <!-- trailing -->\n    <add key="n" />\n  </s>\n</c>');
});
