// Generated web.config files for property tests and the benchmark: a model (keys and values) and
// its text, laid out in varied but realistic ways (indentation, quotes, comments, CRLF/LF,
// BOM, UTF-16).
import fc from 'fast-check';
import { escapeAttributeValue, escapeText } from '../../../lib/config/xml/entities.js';
import { encodeText, type TextFormat } from '../../../lib/config/xml/codec.js';

export interface GenEntry {
  key: string;
  value: string;
  quote: '"' | "'";
  /** A comment on the line before. */
  comment: string | undefined;
}

export interface GenConfig {
  entries: GenEntry[];
  /** The SDK URL setting's value, when the file has one. */
  sdkUrl: string | undefined;
  /** Outside the settings: an attribute only some versions have. */
  extraAttribute: boolean;
  format: TextFormat;
  indent: string;
}

const KEYS = ['USE_WEB_SERVICE_SDK', 'WEB_SERVICE_SDK_AUTHENTICATION_USERNAME', 'WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD', 'SSL_REQUIRED', 'LOG_LEVEL', 'THEME', 'Key With Spaces', 'path/[x]', 'ENABLE_OATH_TOKEN', 'é-clé'];

const valueChar = fc.constantFrom('a', 'Z', '0', ' ', '&', '<', '>', '"', "'", '\t', '\n', 'é', '€', '/', ';', '=', ']]>', '/PhoneFactorWebServiceSdk/', '😀');
export const valueArb = fc.string({ unit: valueChar, maxLength: 12 });
const commentArb = fc.option(fc.string({ unit: fc.constantFrom('a', ' ', '<', '&', 'é', '>', "'"), maxLength: 10 }), { nil: undefined });

export const entryArb = (keys: string[]) =>
  fc.record({ key: fc.constantFrom(...keys), value: valueArb, quote: fc.constantFrom('"' as const, "'" as const), comment: commentArb });

export const configArb: fc.Arbitrary<GenConfig> = fc.record({
  entries: fc.uniqueArray(entryArb(KEYS), { selector: (e) => e.key.toLowerCase(), maxLength: 7 }),
  sdkUrl: fc.option(fc.constantFrom('http://localhost:4898/PfWsSdk.asmx', 'https://pf01.contoso.com/PhoneFactorWebServiceSdk/PfWsSdk.asmx', 'https://h/PhoneFactorWebServiceSdk?x=1&y=2'), { nil: undefined }),
  extraAttribute: fc.boolean(),
  format: fc.record({
    encoding: fc.constantFrom('utf-8' as const, 'utf-16le' as const, 'utf-16be' as const),
    bom: fc.boolean(),
    eol: fc.constantFrom('\r\n' as const, '\n' as const),
  }).map((f) => (f.encoding === 'utf-8' ? f : { ...f, bom: true })),
  indent: fc.constantFrom('  ', '    ', '\t'),
});

export function renderConfig(c: GenConfig): string {
  const { eol } = c.format;
  const i1 = c.indent;
  const i2 = c.indent + c.indent;
  const lines = [`<?xml version="1.0" encoding="${c.format.encoding === 'utf-8' ? 'utf-8' : 'utf-16'}"?>`, '<!-- generated -->', '<configuration>'];
  lines.push(`${i1}<configSections>`, `${i2}<sectionGroup name="applicationSettings"><section name="pfup.Properties.Settings" /></sectionGroup>`, `${i1}</configSections>`);
  lines.push(`${i1}<appSettings>`);
  for (const e of c.entries) {
    if (e.comment !== undefined) lines.push(`${i2}<!-- ${e.comment} -->`);
    lines.push(`${i2}<add key=${e.quote}${escapeAttributeValue(e.key, e.quote)}${e.quote} value=${e.quote}${escapeAttributeValue(e.value, e.quote)}${e.quote} />`);
  }
  lines.push(`${i1}</appSettings>`);
  if (c.sdkUrl !== undefined) {
    lines.push(`${i1}<applicationSettings>`, `${i2}<pfup.Properties.Settings>`, `${i2}${i1}<setting name="pfup_pfwssdk_PfWsSdk" serializeAs="String">`);
    lines.push(`${i2}${i2}<value>${escapeText(c.sdkUrl, eol)}</value>`, `${i2}${i1}</setting>`, `${i2}</pfup.Properties.Settings>`, `${i1}</applicationSettings>`);
  }
  lines.push(`${i1}<system.web>`, `${i2}<compilation debug="false"${c.extraAttribute ? ' targetFramework="4.5"' : ''} />`, `${i1}</system.web>`, '</configuration>', '');
  return lines.join(eol);
}

export function configBytes(c: GenConfig): Buffer {
  return encodeText(renderConfig(c), c.format);
}

/** A ~size-byte web.config: many keys, comments and system.webServer rules, CRLF, UTF-8 BOM. */
export function bigWebConfig(size: number, valueOf: (i: number) => string): Buffer {
  const parts = ['<?xml version="1.0" encoding="utf-8"?>\r\n<configuration>\r\n  <appSettings>\r\n'];
  let length = parts[0]!.length;
  let i = 0;
  const rules: string[] = [];
  while (length < size * 0.7) {
    const line = `    <!-- setting ${i}: see change ${1000 + i} -->\r\n    <add key="KEY_${i}" value="${escapeAttributeValue(valueOf(i), '"')}" />\r\n`;
    parts.push(line);
    length += line.length;
    i++;
  }
  parts.push('  </appSettings>\r\n  <system.webServer>\r\n    <rewrite>\r\n      <rules>\r\n');
  for (let r = 0; length < size; r++) {
    const rule = `        <rule name="r${r}" stopProcessing="true">\r\n          <match url="^old/${r}/(.*)$" />\r\n          <action type="Redirect" url="/new/${r}/{R:1}" redirectType="Permanent" />\r\n        </rule>\r\n`;
    rules.push(rule);
    length += rule.length;
  }
  parts.push(...rules, '      </rules>\r\n    </rewrite>\r\n  </system.webServer>\r\n</configuration>\r\n');
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(parts.join(''), 'utf8')]);
}
