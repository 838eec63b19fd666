// The AD FS adapter config compare and carry-over.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { compareAdapterConfigs, formatAdapterReport } from '../../lib/config/adfs/adapter-config.js';
import { parseVdirMappings } from '../../lib/config/webconfig/sdk-vdir.js';
import { loadXmlDocument } from '../../lib/config/xml/document.js';
import { elementText } from '../../lib/config/xml/values.js';

const OLD = { bytes: readFileSync('test/fixtures/config/adfs-adapter-6.3.config'), file: 'old.config' };
const NEW = { bytes: readFileSync('test/fixtures/config/adfs-adapter-8.0.config'), file: 'new.config' };

function nodes(bytes: Buffer): Record<string, string> {
  const doc = loadXmlDocument(bytes, 'x');
  return Object.fromEntries(doc.tree.root.children.map((c) => [c.localName, elementText(doc, c)]));
}

test('nodes added, removed and changed are reported; old values are carried into the new file', (t) => {
  const r = compareAdapterConfigs(OLD, NEW, { sdkVdir: parseVdirMappings(['default']) });
  t.deepEqual(r.report.added, [{ path: 'PinLength', value: '4' }]);
  t.deepEqual(r.report.removed, [{ path: 'AllowedDomains', value: 'contoso.com' }]);
  t.deepEqual(r.report.changed.map((c) => c.path), ['UseWebServiceSdk', 'WebServiceSdkUrl', 'WebServiceSdkUsername', 'WebServiceSdkPassword']);
  const out = nodes(r.bytes);
  t.is(out['UseWebServiceSdk'], 'true');
  t.is(out['WebServiceSdkUrl'], 'https://pf01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx');
  t.is(out['WebServiceSdkPassword'], 'Winter2014!sdk&');
  t.is(out['PinLength'], '4', 'a new node keeps its default');
  t.false('AllowedDomains' in out);
  // Minimal diff: only the four values changed, CRLF and the self-closing thumbprint untouched.
  const expected = NEW.bytes
    .toString()
    .replace('<UseWebServiceSdk>false<', '<UseWebServiceSdk>true<')
    .replace('<WebServiceSdkUrl></WebServiceSdkUrl>', '<WebServiceSdkUrl>https://pf01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx</WebServiceSdkUrl>')
    .replace('<WebServiceSdkUsername></', '<WebServiceSdkUsername>CONTOSO\\svc-pfsdk</')
    .replace('<WebServiceSdkPassword></', '<WebServiceSdkPassword>Winter2014!sdk&amp;</');
  t.is(r.bytes.toString(), expected);
});

test('the root element name does not matter, and attributes and repeated nodes are compared by path', (t) => {
  const o = `<Anything xmlns="urn:x"><WebServiceSdkUrl>u1</WebServiceSdkUrl><Servers><Server name="a" port="1"/><Server name="b" port="2"/></Servers></Anything>`;
  const n = `<Other><WebServiceSdkUrl/><Servers><Server name="a" port="9"/><Server name="b" port="2"/></Servers></Other>`;
  const r = compareAdapterConfigs({ bytes: Buffer.from(o), file: 'o' }, { bytes: Buffer.from(n), file: 'n' });
  t.deepEqual(r.report.changed.map((c) => [c.path, c.old, c.new]), [['WebServiceSdkUrl', '', 'u1'], ['Servers/Server@port', '9', '1']]);
  t.is(r.bytes.toString(), `<Other><WebServiceSdkUrl>u1</WebServiceSdkUrl><Servers><Server name="a" port="1"/><Server name="b" port="2"/></Servers></Other>`);
});

test('the password never appears in the report, the diff or the text', (t) => {
  const r = compareAdapterConfigs(OLD, NEW);
  const all = JSON.stringify(r.report) + r.diff + formatAdapterReport(r.report, r.diff, 'out.config');
  t.false(all.includes('Winter2014'));
  t.regex(r.diff, /<WebServiceSdkPassword>\*{8}<\/WebServiceSdkPassword>/);
});

test('comparing the carried file with the old one again changes nothing (idempotent), UTF-16 exports work', (t) => {
  const once = compareAdapterConfigs(OLD, NEW);
  const again = compareAdapterConfigs(OLD, { bytes: once.bytes, file: 'n' });
  t.true(again.bytes.equals(once.bytes));
  t.deepEqual(again.report.changed, []);
  const exported = { bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(OLD.bytes.toString().replace('utf-8', 'utf-16'), 'utf16le')]), file: 'export.xml' };
  t.true(compareAdapterConfigs(exported, NEW).bytes.equals(once.bytes));
});
