// The byte-exactness property on every real-world web.config of the corpus, in every encoding
// and line-ending variant: loading and writing back gives the same bytes; the scanner sees the
// same elements and attribute values as fast-xml-parser; changing every attribute value changes
// nothing outside those values; merging a file with itself changes nothing.
import test from 'ava';
import { XMLParser } from 'fast-xml-parser';
import { encodeText, decodeText } from '../../lib/config/xml/codec.js';
import { loadXmlDocument, type XmlDocument } from '../../lib/config/xml/document.js';
import { applyEdits, type TextEdit } from '../../lib/config/xml/edit.js';
import type { XmlElement } from '../../lib/config/xml/scan.js';
import { setAttributeEdit } from '../../lib/config/xml/value-edits.js';
import { attrValue } from '../../lib/config/xml/values.js';
import { mergeWebConfig } from '../../lib/config/webconfig/merge.js';
import { readWebConfigSettings } from '../../lib/config/webconfig/settings.js';
import { corpus, corpusFiles, variants } from './helpers/corpus.js';

const files = corpusFiles();

const withCorpus = corpus.dir === undefined ? test.skip : test;
if (corpus.dir === undefined) test.skip(`web.config corpus tests (skipped: ${corpus.reason})`, () => {});
else {
  test('the corpus is there (at least 15 real web.config files)', (t) => {
    t.true(files.length >= 15, `${files.length} files in ${corpus.dir}`);
  });
}

const fxp = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: true,
  htmlEntities: true,
  trimValues: false,
  parseAttributeValue: false,
  parseTagValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
});

type FxpNode = Record<string, unknown>;

/** fast-xml-parser does not normalize white space in attribute values; compare without it. */
const ws = (s: string) => s.replace(/[\r\n\t]/g, ' ');

function compareWithFxp(doc: XmlDocument, ours: XmlElement, theirs: FxpNode, path: string, errors: string[]): void {
  const name = Object.keys(theirs).find((k) => k !== ':@') as string;
  if (name !== ours.name) {
    errors.push(`${path}: fast-xml-parser sees <${name}>, the scanner <${ours.name}>`);
    return;
  }
  const attrs = (theirs[':@'] ?? {}) as Record<string, string>;
  const mine = Object.fromEntries(ours.attributes.map((a) => [a.name, ws(attrValue(doc, a))]));
  const expected = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, ws(String(v))]));
  if (JSON.stringify(mine) !== JSON.stringify(expected)) errors.push(`${path}/${name}: attributes ${JSON.stringify(mine)} vs ${JSON.stringify(expected)}`);
  const kids = ((theirs[name] ?? []) as FxpNode[]).filter((k) => !('#text' in k) && !('#comment' in k) && !('#cdata' in k));
  if (kids.length !== ours.children.length) {
    errors.push(`${path}/${name}: ${ours.children.length} children vs ${kids.length}`);
    return;
  }
  ours.children.forEach((c, i) => compareWithFxp(doc, c, kids[i] as FxpNode, `${path}/${name}`, errors));
}

function allElements(el: XmlElement): XmlElement[] {
  return [el, ...el.children.flatMap(allElements)];
}

for (const file of files) {
  for (const v of variants(file)) {
    test(`corpus ${v.name}: written back byte for byte with no edits`, (t) => {
      const doc = loadXmlDocument(v.bytes, v.name);
      t.true(encodeText(doc.text, doc.format).equals(v.bytes));
      t.true(encodeText(applyEdits(doc.text, []), doc.format).equals(v.bytes));
    });
  }

  test(`corpus ${file.name}: the scanner sees what fast-xml-parser sees`, (t) => {
    const doc = loadXmlDocument(file.bytes, file.name);
    const parsed = (fxp.parse(doc.text) as FxpNode[]).filter((n) => !('#comment' in n) && !('#text' in n));
    t.is(parsed.length, 1);
    const errors: string[] = [];
    compareWithFxp(doc, doc.tree.root, parsed[0] as FxpNode, '', errors);
    t.deepEqual(errors, []);
  });

  for (const v of variants(file).filter((x) => /UTF-16BE|other EOL|^[^(]*$/.test(x.name))) {
    test(`corpus ${v.name}: changing every attribute value changes only those values`, (t) => {
      const doc = loadXmlDocument(v.bytes, v.name);
      const attrs = allElements(doc.tree.root).flatMap((el) => el.attributes);
      const newValue = (i: number) => `v${i} <&> "q" 'a' \t\n é`;
      const edits: TextEdit[] = attrs.map((a, i) => setAttributeEdit(a, newValue(i)));
      const out = encodeText(applyEdits(doc.text, edits), doc.format);
      const back = loadXmlDocument(out, v.name);
      t.is(back.format.encoding, doc.format.encoding);
      t.is(back.format.bom, doc.format.bom);
      const backAttrs = allElements(back.tree.root).flatMap((el) => el.attributes);
      t.is(backAttrs.length, attrs.length);
      backAttrs.forEach((a, i) => {
        if (attrValue(back, a) !== newValue(i)) t.fail(`attribute ${a.name} #${i} reads ${JSON.stringify(attrValue(back, a))}`);
        t.is(a.quote, (attrs[i] as (typeof attrs)[number]).quote);
      });
      // Cut the value spans out of both texts: what remains is identical.
      const cut = (d: XmlDocument, list: typeof attrs) => {
        let s = '';
        let pos = 0;
        for (const a of list) {
          s += d.text.slice(pos, a.valueStart);
          pos = a.valueEnd;
        }
        return s + d.text.slice(pos);
      };
      t.is(cut(back, backAttrs), cut(doc, attrs));
    });
  }

  test(`corpus ${file.name}: merging the file with itself changes no byte`, (t) => {
    const doc = loadXmlDocument(file.bytes, file.name);
    if (doc.tree.root.localName !== 'configuration' && doc.tree.root.localName !== 'appSettings') {
      t.pass();
      return;
    }
    const r = mergeWebConfig({ bytes: file.bytes, file: 'old' }, { bytes: file.bytes, file: 'new' }, { carryRemoved: true });
    t.true(r.bytes.equals(file.bytes));
    t.false(r.report.changed);
    t.is(r.report.strategy, 'copy-old');
    t.deepEqual(r.report.changes, []);
  });
}

withCorpus('corpus: every appSettings value is carried into a copy with other defaults, and only those values change', (t) => {
  let carried = 0;
  for (const file of files) {
    const doc = loadXmlDocument(file.bytes, file.name);
    const cfg = readWebConfigSettings(doc);
    if (cfg.settings.length === 0) continue;
    const defaults = cfg.settings.filter((s) => s.valueAttr).map((s) => setAttributeEdit(s.valueAttr!, `default-${s.key.length}`));
    // A new version that only changed defaults: the old file is kept whole.
    const sameShape = encodeText(applyEdits(doc.text, defaults), doc.format);
    const a = mergeWebConfig({ bytes: file.bytes, file: `${file.name} (old)` }, { bytes: sameShape, file: `${file.name} (new)` });
    t.is(a.report.strategy, 'copy-old', file.name);
    t.true(a.bytes.equals(file.bytes), `${file.name}: copy-old gives back the original bytes`);
    // A new version that also added an attribute: the values go into the new file, nothing else changes.
    const at = doc.tree.root.start + 1 + doc.tree.root.name.length;
    const addition: TextEdit = { start: at, end: at, text: ' newAttribute="8.0"' };
    const newShape = encodeText(applyEdits(doc.text, [...defaults, addition]), doc.format);
    const b = mergeWebConfig({ bytes: file.bytes, file: `${file.name} (old)` }, { bytes: newShape, file: `${file.name} (new)` });
    t.is(b.report.strategy, 'merge-into-new', file.name);
    t.true(b.bytes.equals(encodeText(applyEdits(doc.text, [addition]), doc.format)), `${file.name}: the merge is the new file with the old values`);
    carried += b.report.changes.length;
  }
  t.true(carried >= 40, `carried ${carried} values`);
  t.log(`carried ${carried} values`);
});

withCorpus('corpus: decodeText refuses nothing the corpus holds and keeps each file\'s line ending', (t) => {
  for (const f of files) {
    const { format } = decodeText(f.bytes, f.name);
    t.is(format.eol, f.bytes.includes(Buffer.from('\r\n')) ? '\r\n' : '\n', f.name);
  }
});
