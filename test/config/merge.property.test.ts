// Properties of the web.config merge, checked with oracles that share no code with lib/config:
// files generated and encoded by test/helpers/xml-gen.ts (its own escaping, any XML character,
// <clear/>, <remove>, duplicate keys, <location>, comments and CDATA in odd places, UTF-8 with and
// without BOM, UTF-16LE/BE, CRLF/LF, varied layouts), results read back with saxes
// (test/helpers/xml-oracle.ts) and the appSettings rules of .NET written down in effective().
import test from 'ava';
import fc from 'fast-check';
import { mergeWebConfig } from '../../lib/config/webconfig/merge.js';
import { MfaError } from '../../lib/errors.js';
import { effective, fileArb, fileBytes, type Directive, type GenFile } from '../helpers/xml-gen.js';
import { decodeXmlBytes, elements, parseXmlBytes, textOf, type XmlElement } from '../helpers/xml-oracle.js';

// Bounded so npm test stays fast; FC_RUNS raises it for a long local run (FC_SEED replays one).
const RUNS = Number(process.env['FC_RUNS'] ?? 120);
const params = { numRuns: RUNS, ...(process.env['FC_SEED'] ? { seed: Number(process.env['FC_SEED']) } : {}) };

/** The appSettings directives of an element, as the oracle parser sees them. */
function directivesOf(appSettings: XmlElement | undefined): Directive[] {
  if (!appSettings) return [];
  return elements(appSettings).flatMap((e): Directive[] => {
    const key = e.attrs.find((a) => a.name === 'key')?.value;
    if (e.name === 'clear') return [{ kind: 'clear' }];
    if (e.name === 'remove' && key !== undefined) return [{ kind: 'remove', key }];
    if (e.name === 'add' && key !== undefined) return [{ kind: 'add', key, value: e.attrs.find((a) => a.name === 'value')?.value ?? '' }];
    return [];
  });
}

interface Read {
  app: Map<string, { key: string; value: string }>;
  location: Directive[] | undefined;
  sdkUrl: string | undefined;
}

function readBack(bytes: Buffer): Read {
  const { root } = parseXmlBytes(bytes, 'merged');
  const location = elements(root, 'location')[0];
  const setting = elements(root, 'applicationSettings')
    .flatMap((a) => elements(a))
    .flatMap((g) => elements(g, 'setting'))
    .find((s) => s.attrs.some((a) => a.name === 'name' && a.value.endsWith('_pfwssdk_PfWsSdk')));
  const value = setting && elements(setting, 'value')[0];
  return { app: effective(directivesOf(elements(root, 'appSettings')[0])), location: location ? directivesOf(elements(location, 'appSettings')[0]) : undefined, sdkUrl: value ? textOf(value) : undefined };
}

/** A merge, or undefined when the tool refused the input with an error a user can act on. */
function mergeOutcome(old: GenFile, neu: GenFile): { bytes: Buffer; copiedOld: boolean } | undefined {
  try {
    const r = mergeWebConfig({ bytes: fileBytes(old), file: 'old' }, { bytes: fileBytes(neu), file: 'new' }, { sdkVdir: [] });
    // When the new file brings nothing new the old one is written as it is (procedure.md: "the old
    // one may be copied over it"); the base of what must be kept is then the old file.
    return { bytes: r.bytes, copiedOld: r.report.strategy === 'copy-old' };
  } catch (e) {
    if (e instanceof MfaError) return undefined;
    throw e;
  }
}

function merge(old: GenFile, neu: GenFile): Buffer | undefined {
  return mergeOutcome(old, neu)?.bytes;
}

/** Inputs the tool may refuse: a UTF-16 file without a BOM (XML allows it; .NET reads it by the declaration). */
const mayRefuse = (f: GenFile) => f.format.encoding !== 'utf-8' && !f.format.bom;

test('the result is well-formed XML in the new file\'s encoding and BOM (or the old file when copied)', (t) => {
  fc.assert(
    fc.property(fileArb, fileArb, (old, neu) => {
      const out = merge(old, neu);
      if (!out) return mayRefuse(old) || mayRefuse(neu);
      const sniffed = decodeXmlBytes(out);
      parseXmlBytes(out, 'merged');
      const base = [neu, old].find((f) => f.format.encoding === sniffed.encoding && (f.format.encoding !== 'utf-8' || f.format.bom === sniffed.bom));
      return base !== undefined;
    }),
    params,
  );
  t.pass();
});

test('.NET reads every setting of the new file with the old file\'s value where the old one had it, and the new default elsewhere', (t) => {
  fc.assert(
    fc.property(fileArb, fileArb, (old, neu) => {
      const out = merge(old, neu);
      if (!out) return mayRefuse(old) || mayRefuse(neu);
      const got = readBack(out);
      const before = effective(old.directives);
      const defaults = effective(neu.directives);
      for (const [k, n] of defaults) {
        const expected = before.get(k)?.value ?? n.value;
        if (got.app.get(k)?.value !== expected) throw new Error(`key ${JSON.stringify(n.key)}: read ${JSON.stringify(got.app.get(k)?.value)}, expected ${JSON.stringify(expected)}`);
      }
      // Nothing the new file does not have appears (carryRemoved is off).
      for (const k of got.app.keys()) if (!defaults.has(k)) throw new Error(`key ${JSON.stringify(k)} appeared`);
      const sdk = neu.sdkUrl === undefined ? undefined : (old.sdkUrl ?? neu.sdkUrl);
      if (got.sdkUrl !== sdk) throw new Error(`SDK URL ${JSON.stringify(got.sdkUrl)}, expected ${JSON.stringify(sdk)}`);
      return true;
    }),
    params,
  );
  t.pass();
});

test('a <location> scope keeps its own settings: the new file\'s, each with the old value of the same scope (or the old file\'s when copied)', (t) => {
  fc.assert(
    fc.property(fileArb, fileArb, (old, neu) => {
      const out = mergeOutcome(old, neu);
      if (!out) return mayRefuse(old) || mayRefuse(neu);
      const got = readBack(out.bytes).location;
      if (out.copiedOld) return JSON.stringify(got) === JSON.stringify(old.location?.directives);
      // Merged: the new file's scope, each of its settings carrying the old value of the same
      // scope (<location path> compared case-insensitively), as the application's settings do.
      const defaults = effective(neu.location?.directives ?? []);
      const sameScope = old.location && neu.location && old.location.path.toLowerCase() === neu.location.path.toLowerCase() ? effective(old.location.directives) : new Map<string, { key: string; value: string }>();
      const read = effective(got ?? []);
      if (read.size !== defaults.size) return false;
      for (const [k, n] of defaults) if (read.get(k)?.value !== (sameScope.get(k)?.value ?? n.value)) return false;
      return true;
    }),
    params,
  );
  t.pass();
});

/**
 * The decoded text with the value of every <add> and the content of every <value> cut out, found
 * by this test's own scan of the text (not the implementation's spans).
 */
function skeleton(text: string): string {
  return text.replace(/(<add\b[^>]*?\bvalue\s*=\s*)("[^"]*"|'[^']*')/g, (_m, head: string, q: string) => `${head}${q[0]}…${q[0]}`).replace(/(<value>)[\s\S]*?(<\/value>)/g, '$1…$2');
}

test('no byte outside the values changes: the base file\'s text with values cut out (found by this test\'s own scan) is the result\'s', (t) => {
  fc.assert(
    fc.property(fileArb, fileArb, (old, neu) => {
      const out = mergeOutcome(old, neu);
      if (!out) return mayRefuse(old) || mayRefuse(neu);
      const base = decodeXmlBytes(fileBytes(out.copiedOld ? old : neu)).text;
      return skeleton(base) === skeleton(decodeXmlBytes(out.bytes).text);
    }),
    params,
  );
  t.pass();
});

test('merging again changes nothing (a fixed point)', (t) => {
  fc.assert(
    fc.property(fileArb, fileArb, (old, neu) => {
      const once = merge(old, neu);
      if (!once) return mayRefuse(old) || mayRefuse(neu);
      const twice = mergeWebConfig({ bytes: fileBytes(old), file: 'old' }, { bytes: once, file: 'new' }, { sdkVdir: [] });
      return twice.bytes.equals(once) && !twice.report.changed;
    }),
    params,
  );
  t.pass();
});

// Found by the property above (seed 1821964060): an old value holding a CR (written &#13; in the
// old file) was carried into a new <value> that uses CDATA as <![CDATA[\r\n]]>, which every parser
// reads as "\n". Fixed in lib/config/xml/value-edits.ts (such a value is written as &#13;).
test('a carried value with a CR survives a new file whose <value> is CDATA', (t) => {
  const layout = { indent: '  ', quotes: Array<'"'>(20).fill('"'), keyFirst: Array<boolean>(20).fill(false), spaces: Array<string>(20).fill(' '), comments: Array<boolean>(20).fill(false), cdata: false, valueComment: false };
  const format = { encoding: 'utf-8' as const, bom: false, eol: '\r\n' as const };
  const old: GenFile = { directives: [], sdkUrl: '\r', location: undefined, format, layout };
  // The new file's <location> makes it bring something new, so it is merged into (not replaced by the old one).
  const neu: GenFile = { directives: [], sdkUrl: '', location: { path: 'Admin', directives: [] }, format, layout: { ...layout, cdata: true } };
  t.is(readBack(merge(old, neu) as Buffer).sdkUrl, '\r');
});
