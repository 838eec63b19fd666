// Hostile XML: nesting that would exhaust a recursive walker, invalid UTF-16 and characters XML
// cannot hold, and malformed values whose text must never reach a message (they may be passwords).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { ExitCode, MfaError } from '../../lib/errors.js';
import { mergeWebConfig } from '../../lib/config/webconfig/merge.js';
import { compareAdapterConfigs } from '../../lib/config/adfs/adapter-config.js';
import { loadXmlDocument } from '../../lib/config/xml/document.js';
import { escapeAttributeValue, escapeText } from '../../lib/config/xml/entities.js';
import { ConfigFileError, forPlanning } from '../../lib/config/xml/errors.js';
import { MAX_XML_DEPTH } from '../../lib/config/xml/scan.js';

const GOOD = readFileSync('test/fixtures/config/userportal-mfa-8.0.web.config');
const ADAPTER = readFileSync('test/fixtures/config/adfs-adapter-8.0.config');

function nested(levels: number): Buffer {
  // configuration + system.web + (levels - 2) more: `levels` elements deep in all.
  const inner = levels - 2;
  return Buffer.from(`<?xml version="1.0"?>\n<configuration>\n<system.web>${'<a>'.repeat(inner)}${'</a>'.repeat(inner)}</system.web>\n</configuration>\n`);
}

function refusal(fn: () => unknown): MfaError {
  const e = (() => {
    try {
      fn();
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  if (!(e instanceof MfaError)) throw new Error(`expected an MfaError, got ${String(e)}`);
  return e;
}

test('10,000 nested elements are refused with exit 3, naming the root and a line (no stack overflow)', (t) => {
  const e = refusal(() => mergeWebConfig({ bytes: nested(10000), file: 'deep.config' }, { bytes: GOOD, file: 'new.config' }));
  t.true(e instanceof ConfigFileError);
  t.is(e.code, 'XML_TOO_DEEP');
  t.is(e.exitCode, ExitCode.badInput);
  t.regex(e.message, /more than 256 levels deep inside <configuration>/);
  t.is(e.line, 3);
  t.regex(e.remedy ?? '', /restore it from the backup/);
});

test('the depth limit is exactly 256 levels', (t) => {
  t.is(MAX_XML_DEPTH, 256);
  t.notThrows(() => loadXmlDocument(nested(256), 'ok.config'));
  t.is(refusal(() => loadXmlDocument(nested(257), 'deep.config')).code, 'XML_TOO_DEEP');
});

test('a host file read while planning gets exit 7 from the same refusal; other errors pass through', (t) => {
  const e = refusal(() => loadXmlDocument(nested(300), 'C:\\inetpub\\wwwroot\\MultiFactorAuth\\web.config'));
  const p = forPlanning(e) as MfaError;
  t.is(p.exitCode, ExitCode.notReady);
  t.is(p.code, 'XML_TOO_DEEP');
  t.is(p.target, 'C:\\inetpub\\wwwroot\\MultiFactorAuth\\web.config');
  t.regex(p.remedy ?? '', /nothing was changed/);
  const other = new MfaError('x', { code: 'Y', exitCode: ExitCode.fatal });
  t.is(forPlanning(other), other);
});

test('a lone UTF-16 surrogate is refused like invalid UTF-8, in both byte orders, with its line', (t) => {
  const text = '<configuration>\r\n<appSettings>\r\n<add key="A" value="x\uD800y" />\r\n</appSettings>\r\n</configuration>';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
  const lowFirst = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace('\uD800', '\uDC00'), 'utf16le')]);
  for (const [name, bytes] of [['le', le], ['be', be], ['low', lowFirst]] as const) {
    const e = refusal(() => loadXmlDocument(bytes, `${name}.config`));
    t.is(e.code, 'TEXT_ENCODING', name);
    t.is(e.line, 3, name);
    t.regex(e.message, /lone surrogate/, name);
  }
  // A proper pair is fine.
  t.notThrows(() => loadXmlDocument(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace('\uD800', '\uD83D\uDE00'), 'utf16le')]), 'pair.config'));
});

test('characters XML cannot hold are refused, written raw or as references', (t) => {
  const raw = ['\u0001', '\u001f', '\u000b', '\uFFFE', '\uFFFF'];
  for (const c of raw) {
    const e = refusal(() => loadXmlDocument(Buffer.from(`<configuration>\n<appSettings><add key="A" value="a${c}b" /></appSettings></configuration>`), 'c.config'));
    t.is(e.code, 'XML_CHAR', JSON.stringify(c));
    t.is(e.line, 2);
  }
  for (const ref of ['&#1;', '&#x1F;', '&#xD800;', '&#xFFFE;', '&#0;', '&#x110000;', '&#99999999999;']) {
    const doc = Buffer.from(`<configuration>\n<appSettings><add key="A" value="a${ref}b" /></appSettings></configuration>`);
    const e = refusal(() => mergeWebConfig({ bytes: doc, file: 'old.config' }, { bytes: GOOD, file: 'new.config' }));
    t.is(e.code, 'XML_MALFORMED', ref);
    t.regex(e.message, /attribute value of <add>: a character reference to a character XML does not allow/, ref);
  }
  t.notThrows(() => loadXmlDocument(Buffer.from('<c a="&#9;&#10;&#13;&#x10FFFF;&#xE000;"/>'), 'ok.config'));
});

test('escapers refuse to write a character XML cannot hold (instead of writing invalid XML)', (t) => {
  for (const v of ['a\u0000', '\u0008', 'x\uFFFF', '\uD800', '\uDC00x']) {
    t.throws(() => escapeAttributeValue(v, '"'), { instanceOf: ConfigFileError, code: 'XML_CHAR' });
    t.throws(() => escapeText(v, '\r\n'), { instanceOf: ConfigFileError, code: 'XML_CHAR' });
  }
  t.is(escapeAttributeValue('a\t\n\r"<&', '"'), 'a&#9;&#10;&#13;&quot;&lt;&amp;');
});

// Each malformed value holds a password; the refusal must name where it is and nothing of it.
const SECRET = 'Zq7pW0rdXy';
const malformed: Array<{ name: string; line: string; where: RegExp }> = [
  { name: 'unknown entity in a value', line: `<add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${SECRET.slice(0, 5)}&${SECRET.slice(5)};" />`, where: /attribute value of <add>.*unknown entity/ },
  { name: 'bare ampersand in a value', line: `<add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${SECRET.slice(0, 4)}&${SECRET.slice(4)}" />`, where: /attribute value of <add>/ },
  { name: 'quote inside a value', line: `<add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${SECRET.slice(0, 4)}" ${SECRET.slice(4)}" />`, where: /start tag inside <appSettings> after attribute value/ },
  { name: 'quote then text inside a value', line: `<add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${SECRET.slice(0, 4)}"${SECRET.slice(4)}" />`, where: /separated by white space/ },
  { name: 'less-than inside a value', line: `<add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${SECRET.slice(0, 4)}<${SECRET.slice(4)}" />`, where: /'<' inside the value of attribute value of <add>/ },
  { name: 'repeated attribute (found by fast-xml-parser)', line: `<add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${SECRET}" value="${SECRET}" />`, where: /repeated/ },
];

for (const c of malformed) {
  test(`no value text in the refusal: ${c.name}`, (t) => {
    const bytes = Buffer.from(`<?xml version="1.0"?>\r\n<configuration>\r\n<appSettings>\r\n${c.line}\r\n</appSettings>\r\n</configuration>\r\n`);
    for (const side of ['old', 'new'] as const) {
      const e = refusal(() => (side === 'old' ? mergeWebConfig({ bytes, file: 'bad.config' }, { bytes: GOOD, file: 'good.config' }) : mergeWebConfig({ bytes: GOOD, file: 'good.config' }, { bytes, file: 'bad.config' })));
      t.is(e.exitCode, ExitCode.badInput);
      t.is(e.line, 4, `${side}: ${e.message}`);
      t.regex(e.message, c.where, side);
      const all = `${e.message} ${e.remedy ?? ''} ${e.target ?? ''} ${e.toString()}`;
      for (let i = 0; i + 4 <= SECRET.length; i++) t.false(all.includes(SECRET.slice(i, i + 4)), `${side}: '${SECRET.slice(i, i + 4)}' in: ${all}`);
    }
  });
}

test('no value text in the refusal: a password with a "<" in element text', (t) => {
  for (const text of [`${SECRET.slice(0, 3)}<${SECRET.slice(3)}`, `${SECRET.slice(0, 3)}<${SECRET.slice(3)}>`, `<${SECRET}`]) {
    const bytes = Buffer.from(ADAPTER.toString('utf8').replace(/<WebServiceSdkPassword>[^<]*<\/WebServiceSdkPassword>|<WebServiceSdkPassword\s*\/>/, `<WebServiceSdkPassword>${text}</WebServiceSdkPassword>`));
    t.not(bytes.toString(), ADAPTER.toString());
    const e = refusal(() => compareAdapterConfigs({ bytes, file: 'old.config' }, { bytes: ADAPTER, file: 'new.config' }));
    const all = `${e.message} ${e.remedy ?? ''}`;
    for (let i = 0; i + 4 <= SECRET.length; i++) t.false(all.includes(SECRET.slice(i, i + 4)), `'${SECRET.slice(i, i + 4)}' in: ${all}`);
    t.truthy(e.line);
  }
});
