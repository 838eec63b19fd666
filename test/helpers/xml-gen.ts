// Generated web.config files for property tests, rendered with this file's own escaping and
// encoding (nothing from lib/config): a model (appSettings directives and the SDK URL setting)
// and its bytes in varied layouts: attribute order, quotes, whitespace inside tags, comments and
// CDATA in odd places, <clear/>, <remove>, duplicate keys, <location> scopes, every encoding.
import fc from 'fast-check';

export type Directive = { kind: 'add'; key: string; value: string } | { kind: 'remove'; key: string } | { kind: 'clear' };

export interface GenFormat {
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
  bom: boolean;
  eol: '\r\n' | '\n';
}

export interface GenFile {
  directives: Directive[];
  /** The <value> of the setting whose name ends in _pfwssdk_PfWsSdk, when there is one. */
  sdkUrl: string | undefined;
  /** A <location> scope with settings of its own (a sub-path's, not the application's). */
  location: { path: string; directives: Directive[] } | undefined;
  format: GenFormat;
  /** Layout choices, one draw per file. */
  layout: { indent: string; quotes: Array<'"' | "'">; keyFirst: boolean[]; spaces: string[]; comments: boolean[]; cdata: boolean; valueComment: boolean };
}

/** Code points XML 1.0 allows (the Char production). */
export function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Any code point at all: controls, U+FFFE/U+FFFF, astral planes, lone surrogates included. */
export const anyCodePoint = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }),
  fc.constantFrom(0x7f, 0x85, 0xa0, 0x2028, 0xfeff, 0xfffe, 0xffff, 0xd800, 0xdfff, 0x10ffff),
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.integer({ min: 0, max: 0x10ffff }),
).map((cp) => String.fromCodePoint(cp));

/** Characters a valid file can hold: any XML Char, weighted towards what escaping must handle. */
export const xmlChar = fc.oneof(
  fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', ']]>', ' ', '/PhoneFactorWebServiceSdk/', 'é', '€', '😀', '\u0085', '\u2028', '\ufeff'),
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0, max: 0x10ffff }).filter(isXmlChar).map((cp) => String.fromCodePoint(cp)),
);
export const xmlString = (maxLength: number) => fc.string({ unit: xmlChar, maxLength });

const REAL_KEYS = ['USE_WEB_SERVICE_SDK', 'WEB_SERVICE_SDK_AUTHENTICATION_USERNAME', 'WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD', 'SSL_REQUIRED', 'LOG_LEVEL', 'THEME'];
/** Keys: the real ones in other cases too, and arbitrary text (.NET compares keys case-insensitively). */
export const keyArb = fc.oneof(fc.constantFrom(...REAL_KEYS), fc.constantFrom(...REAL_KEYS).map((k) => k.toLowerCase()), xmlString(8).filter((k) => k.trim() !== ''));

const directiveArb: fc.Arbitrary<Directive> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('add' as const), key: keyArb, value: xmlString(10) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), key: keyArb }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

export const fileArb: fc.Arbitrary<GenFile> = fc.record({
  directives: fc.array(directiveArb, { maxLength: 8 }),
  sdkUrl: fc.option(fc.oneof(fc.constantFrom('http://localhost:4898/PfWsSdk.asmx', 'https://pf01.contoso.com/PhoneFactorWebServiceSdk/PfWsSdk.asmx', 'https://h/PhoneFactorWebServiceSdk?x=1&y=2'), xmlString(12)), { nil: undefined }),
  location: fc.option(fc.record({ path: fc.constantFrom('Admin', 'api/v1', 'Sécurité'), directives: fc.array(directiveArb, { maxLength: 3 }) }), { nil: undefined }),
  format: fc.record({ encoding: fc.constantFrom('utf-8' as const, 'utf-16le' as const, 'utf-16be' as const), bom: fc.boolean(), eol: fc.constantFrom('\r\n' as const, '\n' as const) }),
  layout: fc.record({
    indent: fc.constantFrom('  ', '    ', '\t', ''),
    quotes: fc.array(fc.constantFrom('"' as const, "'" as const), { minLength: 20, maxLength: 20 }),
    keyFirst: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
    spaces: fc.array(fc.constantFrom(' ', '  ', '\t', '\n    ', ' \r\n '), { minLength: 20, maxLength: 20 }),
    comments: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
    cdata: fc.boolean(),
    valueComment: fc.boolean(),
  }),
});

/** Escapes for an attribute: markup as entities, some characters as numeric references (decimal or hex). */
export function escAttr(v: string, quote: '"' | "'"): string {
  let out = '';
  for (const ch of v) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === quote) out += quote === '"' ? '&quot;' : '&apos;';
    // Literal tab, LF and CR in an attribute are normalised to spaces by every parser: references keep them.
    else if (ch === '\t' || ch === '\n' || ch === '\r') out += `&#${cp};`;
    else if (cp > 0x7e && cp % 3 === 0) out += `&#x${cp.toString(16).toUpperCase()};`;
    else out += ch;
  }
  return out;
}

/** Escapes element text (a CR kept as a reference: a literal one is a line end to the parser). */
export function escText(v: string): string {
  return [...v].map((ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '\r' ? '&#13;' : ch)).join('');
}

function renderDirectives(ds: Directive[], f: GenFile, indent: string, slot: number, out: string[]): void {
  const L = f.layout;
  ds.forEach((d, i) => {
    const n = (slot + i) % 20;
    const q = L.quotes[n] as '"' | "'";
    const sp = L.spaces[n] as string;
    if (L.comments[n]) out.push(`${indent}<!--${i % 2 ? ' <add key="not-a-setting" value="x"/> ' : ' -- no: a comment before a directive '.replace('--', '- -')}-->`);
    if (d.kind === 'clear') out.push(`${indent}<clear${sp}/>`);
    else if (d.kind === 'remove') out.push(`${indent}<remove${sp}key=${q}${escAttr(d.key, q)}${q} />`);
    else {
      const key = `key${sp === '\n    ' ? ' = ' : '='}${q}${escAttr(d.key, q)}${q}`;
      const value = `value=${q}${escAttr(d.value, q)}${q}`;
      out.push(`${indent}<add${sp}${L.keyFirst[n] ? `${key}${sp}${value}` : `${value}${sp}${key}`}${n % 2 ? ' />' : '></add>'}`);
    }
  });
}

export function renderFile(f: GenFile): string {
  const { eol } = f.format;
  const i1 = f.layout.indent;
  const i2 = i1 + i1;
  const out: string[] = [`<?xml version="1.0" encoding="${f.format.encoding === 'utf-8' ? 'utf-8' : 'utf-16'}"?>`, '<!-- generated; <appSettings> in a comment is not one -->', '<configuration>'];
  out.push(`${i1}<configSections>`, `${i2}<sectionGroup name="applicationSettings"><section name="pfup.Properties.Settings" /></sectionGroup>`, `${i1}</configSections>`);
  out.push(`${i1}<appSettings>`);
  renderDirectives(f.directives, f, i2, 0, out);
  out.push(`${i1}</appSettings>`);
  if (f.sdkUrl !== undefined) {
    const v = f.sdkUrl;
    let inner: string;
    if (f.layout.cdata && !v.includes(']]>') && !v.includes('\r')) inner = `<![CDATA[${v}]]>`;
    else inner = escText(v);
    // A comment inside <value>: readers of the text skip it.
    if (f.layout.valueComment) inner = `<!--before-->${inner}`;
    out.push(`${i1}<applicationSettings>`, `${i2}<pfup.Properties.Settings>`, `${i2}${i1}<setting name="pfup_pfwssdk_PfWsSdk" serializeAs="String">`);
    out.push(`${i2}${i2}<value>${inner}</value>`, `${i2}${i1}</setting>`, `${i2}</pfup.Properties.Settings>`, `${i1}</applicationSettings>`);
  }
  out.push(`${i1}<system.web>`, `${i2}<compilation debug="false" />`, `${i1}</system.web>`, '</configuration>');
  if (f.location) {
    // A <location> after the application's settings, as administrators add them.
    out.splice(out.length - 1, 0, `${i1}<location path="${escAttr(f.location.path, '"')}">`, `${i2}<appSettings>`);
    const inner: string[] = [];
    renderDirectives(f.location.directives, f, i2 + i1, 7, inner);
    out.splice(out.length - 1, 0, ...inner, `${i2}</appSettings>`, `${i1}</location>`);
  }
  out.push('<!-- trailing comment -->', '');
  return out.join(eol);
}

export function encodeFile(text: string, format: GenFormat): Buffer {
  const bom = format.bom ? '\ufeff' : '';
  if (format.encoding === 'utf-8') return Buffer.from(new TextEncoder().encode(bom + text));
  const le = Buffer.from(bom + text, 'utf16le');
  if (format.encoding === 'utf-16le') return le;
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1] as number;
    be[i + 1] = le[i] as number;
  }
  return be;
}

export function fileBytes(f: GenFile): Buffer {
  return encodeFile(renderFile(f), f.format);
}

/** What .NET's appSettings reader makes of directives, in order: the effective key -> value (keys case-insensitive). */
export function effective(ds: Directive[]): Map<string, { key: string; value: string }> {
  const m = new Map<string, { key: string; value: string }>();
  for (const d of ds) {
    if (d.kind === 'clear') m.clear();
    else if (d.kind === 'remove') m.delete(d.key.toLowerCase());
    else m.set(d.key.toLowerCase(), { key: d.key, value: d.value });
  }
  return m;
}
