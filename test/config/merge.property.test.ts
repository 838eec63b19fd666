// Properties of the merge over generated web.config pairs: old values are kept, new-only keys
// keep their defaults, the result is a fixed point, the file format is kept, and no byte outside
// the setting values changes.
import test from 'ava';
import fc from 'fast-check';
import { mergeWebConfig } from '../../lib/config/webconfig/merge.js';
import { parseVdirMappings, type VdirMapping } from '../../lib/config/webconfig/sdk-vdir.js';
import { readWebConfigSettings, type Setting } from '../../lib/config/webconfig/settings.js';
import { loadXmlDocument, type XmlDocument } from '../../lib/config/xml/document.js';
import { configArb, configBytes, type GenConfig } from './helpers/gen-webconfig.js';

const RUNS = 150;

/**
 * The test's own oracle for the default vdir mapping (independent of the code under test): in
 * generated values the vdir only appears as the unit "/PhoneFactorWebServiceSdk/", rewritten
 * unless it follows another "/" (then it is not a path segment after a host or segment).
 */
function expectedRewrite(v: string, mappings: VdirMapping[]): string {
  if (mappings.length === 0) return v;
  const unit = '/PhoneFactorWebServiceSdk';
  let out = '';
  for (let i = 0; i < v.length; ) {
    if (v.startsWith(unit, i) && (i === 0 || v[i - 1] !== '/') && /^([/?#]|$)/.test(v.slice(i + unit.length, i + unit.length + 1))) {
      out += '/MultiFactorAuthWebServiceSdk';
      i += unit.length;
    } else {
      out += v[i];
      i++;
    }
  }
  return out;
}
const mappingsArb = fc.constantFrom([], parseVdirMappings(['default']));

function read(bytes: Buffer): { doc: XmlDocument; settings: Setting[] } {
  const doc = loadXmlDocument(bytes, 'generated');
  return { doc, settings: readWebConfigSettings(doc).settings };
}

function valueOf(settings: Setting[], key: string): string | undefined {
  return settings.find((s) => s.key.toLowerCase() === key.toLowerCase())?.value;
}

/** The text with every setting value's span cut out: what must not change. */
function skeleton(doc: XmlDocument, settings: Setting[]): string {
  const spans = settings
    .map((s) => (s.valueAttr ? [s.valueAttr.valueStart, s.valueAttr.valueEnd] : s.valueElement ? [s.valueElement.startTagEnd, s.valueElement.endTagStart] : undefined))
    .filter((x): x is number[] => x !== undefined)
    .sort((a, b) => (a[0] as number) - (b[0] as number));
  let out = '';
  let pos = 0;
  for (const [a, b] of spans) {
    out += doc.text.slice(pos, a);
    pos = b as number;
  }
  return out + doc.text.slice(pos);
}

const pairArb = fc.record({ old: configArb, new: configArb, mappings: mappingsArb, carryRemoved: fc.boolean() });

test('every old value is carried (through the vdir mapping); new-only keys keep their defaults; old-only keys only when asked', (t) => {
  fc.assert(
    fc.property(pairArb, ({ old, new: neu, mappings, carryRemoved }) => {
      const r = mergeWebConfig({ bytes: configBytes(old), file: 'old' }, { bytes: configBytes(neu), file: 'new' }, { sdkVdir: mappings, carryRemoved });
      const out = read(r.bytes).settings;
      for (const e of old.entries) {
        const inNew = neu.entries.some((n) => n.key.toLowerCase() === e.key.toLowerCase());
        const expected = expectedRewrite(e.value, mappings);
        if (inNew || carryRemoved) {
          if (valueOf(out, e.key) !== expected) return false;
        } else if (valueOf(out, e.key) !== undefined) return false;
      }
      for (const n of neu.entries) {
        if (!old.entries.some((e) => e.key.toLowerCase() === n.key.toLowerCase()) && valueOf(out, n.key) !== n.value) return false;
      }
      if (old.sdkUrl !== undefined && neu.sdkUrl !== undefined && valueOf(out, 'pfup_pfwssdk_PfWsSdk') !== expectedRewrite(old.sdkUrl, mappings)) return false;
      return true;
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

test('merging is idempotent: merge(old, merge(old, new)) = merge(old, new)', (t) => {
  fc.assert(
    fc.property(pairArb, ({ old, new: neu, mappings, carryRemoved }) => {
      const options = { sdkVdir: mappings, carryRemoved };
      const once = mergeWebConfig({ bytes: configBytes(old), file: 'old' }, { bytes: configBytes(neu), file: 'new' }, options);
      const twice = mergeWebConfig({ bytes: configBytes(old), file: 'old' }, { bytes: once.bytes, file: 'new' }, options);
      return twice.bytes.equals(once.bytes) && !twice.report.changed;
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

test('no byte outside the setting values changes, and encoding, BOM and line endings are kept', (t) => {
  fc.assert(
    fc.property(pairArb, ({ old, new: neu, mappings }) => {
      const r = mergeWebConfig({ bytes: configBytes(old), file: 'old' }, { bytes: configBytes(neu), file: 'new' }, { sdkVdir: mappings });
      const base: GenConfig = r.report.strategy === 'copy-old' ? old : neu;
      const before = read(configBytes(base));
      const after = read(r.bytes);
      if (JSON.stringify(after.doc.format) !== JSON.stringify(base.format)) return false;
      return skeleton(after.doc, after.settings) === skeleton(before.doc, before.settings);
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

test('the copy-old decision is taken exactly when the new file brings nothing new', (t) => {
  fc.assert(
    fc.property(pairArb, ({ old, new: neu, carryRemoved }) => {
      const r = mergeWebConfig({ bytes: configBytes(old), file: 'old' }, { bytes: configBytes(neu), file: 'new' }, { carryRemoved });
      const lower = (c: GenConfig) => new Set(c.entries.map((e) => e.key.toLowerCase()));
      const o = lower(old);
      const n = lower(neu);
      const nothingNew =
        [...n].every((k) => o.has(k)) &&
        (carryRemoved || [...o].every((k) => n.has(k))) &&
        (neu.sdkUrl === undefined || old.sdkUrl !== undefined) &&
        (carryRemoved || old.sdkUrl === undefined || neu.sdkUrl !== undefined) &&
        (!neu.extraAttribute || old.extraAttribute);
      return (r.report.strategy === 'copy-old') === nothingNew;
    }),
    { numRuns: RUNS },
  );
  t.pass();
});
