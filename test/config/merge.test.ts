// The web.config carry-over on realistic MFA Server files and on the ASP.NET rules it must follow.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { mergeWebConfig, type MergeOptions } from '../../lib/config/webconfig/merge.js';
import { formatMergeReport } from '../../lib/config/webconfig/report.js';
import { parseVdirMappings } from '../../lib/config/webconfig/sdk-vdir.js';
import { readWebConfigSettings, type Setting } from '../../lib/config/webconfig/settings.js';
import { loadXmlDocument } from '../../lib/config/xml/document.js';
import { MASK } from '../../lib/config/redact.js';

const fixture = (name: string) => ({ bytes: readFileSync(`test/fixtures/config/${name}`), file: name });
const PORTAL_OLD = fixture('userportal-phonefactor-5.2.web.config');
const PORTAL_NEW = fixture('userportal-mfa-8.0.web.config');
const APP_OLD = fixture('mobileapp-phonefactor-5.2.web.config');
const APP_NEW = fixture('mobileapp-mfa-8.0.web.config');

function settings(bytes: Uint8Array): Map<string, string> {
  const cfg = readWebConfigSettings(loadXmlDocument(bytes, 'x'));
  return new Map(cfg.settings.map((s: Setting) => [`${s.scope}|${s.section ?? ''}|${s.key}`, s.value]));
}

const text = (s: string) => ({ bytes: Buffer.from(s, 'utf8'), file: 'inline.config' });
const merge = (o: string, n: string, options?: MergeOptions) => mergeWebConfig({ ...text(o), file: 'old.config' }, { ...text(n), file: 'new.config' }, options);

test('User Portal 5.2 -> 8.0: every old value is carried, new keys keep their defaults, removed keys are reported', (t) => {
  const r = mergeWebConfig(PORTAL_OLD, PORTAL_NEW);
  const out = settings(r.bytes);
  const old = settings(PORTAL_OLD.bytes);
  const neu = settings(PORTAL_NEW.bytes);
  for (const [k, v] of old) if (neu.has(k)) t.is(out.get(k), v, k);
  t.is(out.get('||LOG_LEVEL'), 'Verbose', 'the later of two <add> wins');
  t.is(out.get('||WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD'), 'Winter2014!sdk&"x');
  t.is(out.get('|pfup.Properties.Settings|pfup_pfwssdk_PfWsSdk'), 'https://pf01.contoso.com/PhoneFactorWebServiceSdk/PfWsSdk.asmx');
  t.is(out.get('||ENABLE_OATH_TOKEN'), 'false');
  t.deepEqual(r.report.added.map((a) => a.key), ['ENABLE_OATH_TOKEN', 'SECURITY_QUESTIONS_REQUIRED']);
  t.deepEqual(r.report.removed.map((a) => [a.key, a.carried]), [['LEGACY_PIN_MODE', false]]);
  t.false(out.has('||LEGACY_PIN_MODE'));
  t.is(r.report.strategy, 'merge-into-new');
  t.true(r.report.newInNewFile.some((s) => s.includes('httpRuntime')));
  t.true(r.report.onlyInOldFile.includes('element configuration/system.web/customErrors'));
  // The new file's BOM, CRLF and layout are kept.
  t.deepEqual(r.report.format, { encoding: 'utf-8', bom: true, eol: '\r\n' });
  t.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  t.false(/[^\r]\n/.test(r.bytes.toString('utf8')));
  t.true(r.bytes.toString('utf8').includes('<!-- Multi-Factor Authentication Server User Portal -->'));
  t.true(r.bytes.toString('utf8').includes('<add key="HELPDESK_URL" value="https://intranet.contoso.com/helpdesk?topic=mfa&amp;lang=en" />'), 'raw entity form carried');
});

test('the only bytes that differ are the values that changed', (t) => {
  const r = mergeWebConfig(PORTAL_OLD, PORTAL_NEW, { sdkVdir: parseVdirMappings(['default']) });
  const before = PORTAL_NEW.bytes.toString('utf8').split('\r\n');
  const after = r.bytes.toString('utf8').split('\r\n');
  t.is(after.length, before.length);
  const changed = before.map((l, i) => [l, after[i]] as const).filter(([a, b]) => a !== b);
  t.is(changed.length, r.report.changes.length);
  for (const [a, b] of changed) {
    // Same line apart from what sits between value="..." quotes or inside <value>...</value>.
    const strip = (l: string) => l.replace(/value="[^"]*"/, 'value=""').replace(/<value>.*<\/value>/, '<value></value>');
    t.is(strip(b as string), strip(a));
  }
});

test('--carry-removed inserts the key like its siblings: indentation, quotes, CRLF', (t) => {
  const r = mergeWebConfig(PORTAL_OLD, PORTAL_NEW, { carryRemoved: true });
  const s = r.bytes.toString('utf8');
  t.true(s.includes('    <add key="SECURITY_QUESTIONS_REQUIRED" value="3" />\r\n    <add key="LEGACY_PIN_MODE" value="Standard" />\r\n  </appSettings>'));
  t.deepEqual(r.report.removed.map((a) => [a.key, a.carried]), [['LEGACY_PIN_MODE', true]]);
  t.true(r.report.changes.some((c) => c.key === 'LEGACY_PIN_MODE' && c.old === undefined && c.new === 'Standard'));
});

test('SDK vdir: "default" rewrites PhoneFactorWebServiceSdk to MultiFactorAuthWebServiceSdk, any mapping works, nothing without one', (t) => {
  const d = mergeWebConfig(APP_OLD, APP_NEW, { sdkVdir: parseVdirMappings(['default']) });
  t.is(settings(d.bytes).get('|pfpaws.Properties.Settings|pfpaws_pfwssdk_PfWsSdk'), 'https://pf01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx');
  t.deepEqual(d.report.sdkUrl, { setting: 'pfpaws_pfwssdk_PfWsSdk', before: 'http://localhost:4898/PfWsSdk.asmx', after: 'https://pf01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx' });
  t.regex(d.report.changes.find((c) => c.key === 'pfpaws_pfwssdk_PfWsSdk')?.why ?? '', /SDK vdir PhoneFactorWebServiceSdk -> MultiFactorAuthWebServiceSdk/);

  const custom = mergeWebConfig(APP_OLD, APP_NEW, { sdkVdir: parseVdirMappings(['phonefactorwebservicesdk=MfaSdk']) });
  t.is(settings(custom.bytes).get('|pfpaws.Properties.Settings|pfpaws_pfwssdk_PfWsSdk'), 'https://pf01.contoso.com/MfaSdk/PfWsSdk.asmx');

  const none = mergeWebConfig(APP_OLD, APP_NEW);
  t.is(settings(none.bytes).get('|pfpaws.Properties.Settings|pfpaws_pfwssdk_PfWsSdk'), 'https://pf01.contoso.com/PhoneFactorWebServiceSdk/PfWsSdk.asmx');
  t.true(none.report.warnings.some((w) => w.includes('--sdk-vdir default')));
});

test('SDK vdir: every carried value through the vdir follows it, host names and other paths do not', (t) => {
  const o = `<configuration><appSettings>
  <add key="SDK_URL" value="https://sdk.contoso.com/PhoneFactorWebServiceSdk" />
  <add key="HOST_ONLY" value="https://PhoneFactorWebServiceSdk.contoso.com/x" />
  <add key="LONGER" value="https://h/PhoneFactorWebServiceSdkOld/PfWsSdk.asmx" />
  <add key="QUERY" value="/PhoneFactorWebServiceSdk?wsdl" />
</appSettings></configuration>`;
  const n = o.replace(/value="[^"]*"/g, 'value=""');
  const out = settings(merge(o, n, { sdkVdir: parseVdirMappings(['default']) }).bytes);
  t.is(out.get('||SDK_URL'), 'https://sdk.contoso.com/MultiFactorAuthWebServiceSdk');
  t.is(out.get('||HOST_ONLY'), 'https://PhoneFactorWebServiceSdk.contoso.com/x');
  t.is(out.get('||LONGER'), 'https://h/PhoneFactorWebServiceSdkOld/PfWsSdk.asmx');
  t.is(out.get('||QUERY'), '/MultiFactorAuthWebServiceSdk?wsdl');
  t.throws(() => parseVdirMappings(['no-equals-sign']), { code: 'USAGE' } as never);
});

test('merging twice equals merging once (with and without options)', (t) => {
  for (const options of [{}, { carryRemoved: true }, { sdkVdir: parseVdirMappings(['default']), carryRemoved: true }] as MergeOptions[]) {
    for (const [o, n] of [[PORTAL_OLD, PORTAL_NEW], [APP_OLD, APP_NEW]] as const) {
      const once = mergeWebConfig(o, n, options);
      const twice = mergeWebConfig(o, { bytes: once.bytes, file: n.file }, options);
      t.true(twice.bytes.equals(once.bytes));
      t.false(twice.report.changed);
      t.deepEqual(twice.report.changes, []);
    }
  }
});

test('secrets never reach the report or the diff', (t) => {
  const r = mergeWebConfig(PORTAL_OLD, PORTAL_NEW, { carryRemoved: true });
  const all = JSON.stringify(r.report) + r.diff + formatMergeReport(r.report, r.diff);
  t.false(all.includes('Winter2014'));
  const pw = r.report.changes.find((c) => c.key === 'WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD');
  t.is(pw?.new, MASK);
  t.true(pw?.secret);
  t.regex(r.diff, /WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="\*{8}"/);
  // A secret inside an ordinary key's value (a connection string), and a secret key carried by --carry-removed.
  const o = `<configuration><appSettings><add key="Db" value="Server=s;Password=hunter2;" /><add key="API_KEY" value="k-123456" /></appSettings></configuration>`;
  const m = merge(o, `<configuration><appSettings><add key="Db" value="" /></appSettings></configuration>`, { carryRemoved: true });
  const shown = JSON.stringify(m.report) + m.diff;
  t.false(shown.includes('hunter2'));
  t.false(shown.includes('k-123456'));
  t.true(m.bytes.toString().includes('k-123456'), 'the file itself gets the real value');
});

test('copy-old: a new file with nothing new keeps the old file whole, comments and all', (t) => {
  const o = `<?xml version="1.0"?>\r\n<configuration>\r\n  <!-- admin: changed 2019 -->\r\n  <appSettings>\r\n    <add key="A" value="mine" />\r\n  </appSettings>\r\n  <applicationSettings><x.Settings><setting name="x_pfwssdk_PfWsSdk" serializeAs="String"><value>https://h/PhoneFactorWebServiceSdk/PfWsSdk.asmx</value></setting></x.Settings></applicationSettings>\r\n</configuration>\r\n`;
  const n = `<?xml version="1.0"?>\n<configuration>\n  <appSettings>\n    <add key="A" value="default" />\n  </appSettings>\n  <applicationSettings><x.Settings><setting name="x_pfwssdk_PfWsSdk" serializeAs="String"><value>http://localhost:4898/PfWsSdk.asmx</value></setting></x.Settings></applicationSettings>\n</configuration>\n`;
  const r = merge(o, n);
  t.is(r.report.strategy, 'copy-old');
  t.is(r.bytes.toString(), o);
  t.deepEqual(r.report.changes.map((c) => [c.key, c.old, c.new]), [['A', 'default', 'mine'], ['x_pfwssdk_PfWsSdk', 'http://localhost:4898/PfWsSdk.asmx', 'https://h/PhoneFactorWebServiceSdk/PfWsSdk.asmx']]);
  const mapped = merge(o, n, { sdkVdir: parseVdirMappings(['default']) });
  t.is(mapped.bytes.toString(), o.replace('PhoneFactorWebServiceSdk', 'MultiFactorAuthWebServiceSdk'));
  // A changed value outside the settings (the new version's) rules the copy out.
  const r2 = merge(o, n.replace('<configuration>', '<configuration version="8">'));
  t.is(r2.report.strategy, 'merge-into-new');
  t.deepEqual(r2.report.newInNewFile, ['attribute configuration@version']);
  const r3 = merge(o.replace('<configuration>', '<configuration version="6">'), n.replace('<configuration>', '<configuration version="8">'));
  t.is(r3.report.strategy, 'merge-into-new');
  t.deepEqual(r3.report.changedByNewVersion, ['value of configuration@version']);
  // Keys only in the old file rule it out too, unless they are to be carried.
  const o4 = o.replace('<add key="A" value="mine" />', '<add key="A" value="mine" /><add key="OLD" value="1" />');
  t.is(merge(o4, n).report.strategy, 'merge-into-new');
  t.is(merge(o4, n, { carryRemoved: true }).report.strategy, 'copy-old');
});

test('ASP.NET rules: <clear/>, <remove>, duplicates (later wins), case-insensitive keys, <location> scopes', (t) => {
  const o = `<configuration>
  <appSettings>
    <add key="GONE" value="before-clear" />
    <clear />
    <add key="A" value="first" />
    <add key="a" value="second" />
    <add key="R" value="removed" />
    <remove key="r" />
  </appSettings>
  <location path="admin">
    <appSettings><add key="A" value="admin-value" /></appSettings>
  </location>
</configuration>`;
  const n = `<configuration>
  <appSettings>
    <add key="A" value="d1" />
    <add key="A" value="d2" />
    <add key="GONE" value="new-default" />
    <add key="R" value="new-default" />
  </appSettings>
  <location path="Admin/">
    <appSettings>
      <add key="A" value="d" />
    </appSettings>
  </location>
</configuration>`;
  const r = merge(o, n);
  const out = readWebConfigSettings(loadXmlDocument(r.bytes, 'x'));
  const get = (scope: string, key: string) => out.settings.find((s) => s.scope === scope && s.key === key)?.value;
  t.is(get('', 'A'), 'second');
  t.is(get('', 'GONE'), 'new-default', 'cleared in the old file: nothing to carry');
  t.is(get('', 'R'), 'new-default', 'removed in the old file: nothing to carry');
  t.is(get('Admin/', 'A'), 'admin-value');
  t.true(r.bytes.toString().includes('<add key="A" value="d1" />'), 'the shadowed first <add> is left alone');
  t.deepEqual(r.report.added.map((a) => a.key).sort(), ['GONE', 'R']);
});

test('applicationSettings: found by suffix in any section, self-closing <value/>, CDATA kept, serializeAs="Xml" copied raw, renamed section', (t) => {
  const o = `<configuration><applicationSettings>
  <old.Settings>
    <setting name="app_pfwssdk_PfWsSdk" serializeAs="String"><value>https://h/sdk/PfWsSdk.asmx</value></setting>
    <setting name="Cdata" serializeAs="String"><value>a &lt; b</value></setting>
    <setting name="List" serializeAs="Xml"><value><ArrayOfString><string>x</string></ArrayOfString></value></setting>
    <setting name="Empty" serializeAs="String"><value>filled</value></setting>
  </old.Settings>
</applicationSettings></configuration>`;
  const n = `<configuration><applicationSettings>
  <new.Settings>
    <setting name="app_pfwssdk_PfWsSdk" serializeAs="String"><value>http://localhost:4898/PfWsSdk.asmx</value></setting>
    <setting name="Cdata" serializeAs="String"><value><![CDATA[default]]></value></setting>
    <setting name="List" serializeAs="Xml"><value><ArrayOfString /></value></setting>
    <setting name="Empty" serializeAs="String"><value /></setting>
  </new.Settings>
</applicationSettings></configuration>`;
  const r = merge(o, n);
  const s = r.bytes.toString();
  t.true(s.includes('<value>https://h/sdk/PfWsSdk.asmx</value>'));
  t.true(s.includes('<value><![CDATA[a < b]]></value>'));
  t.true(s.includes('<value><ArrayOfString><string>x</string></ArrayOfString></value>'));
  t.true(s.includes('<value>filled</value>'));
  t.is(r.report.sdkUrl?.after, 'https://h/sdk/PfWsSdk.asmx');
  t.deepEqual(r.report.removed, []);
});

test('values are escaped for where they land: quotes, ampersands, line breaks', (t) => {
  const o = `<configuration><appSettings><add key='Q' value='say "hi" &amp; &#10;bye' /></appSettings></configuration>`;
  const n = `<configuration version="8"><appSettings><add key="Q" value="" /><add key="NOVALUE" /></appSettings></configuration>`;
  const r = merge(o.replace('</appSettings>', '<add key="NOVALUE" value="v&amp;" /></appSettings>'), n);
  t.is(r.report.strategy, 'merge-into-new');
  const s = r.bytes.toString();
  t.true(s.includes('<add key="Q" value="say &quot;hi&quot; &amp; &#10;bye" />'));
  t.true(s.includes('<add key="NOVALUE" value="v&amp;" />'), 'a value attribute is added where missing');
  t.is(settings(r.bytes).get('||Q'), 'say "hi" & \nbye');
});

test('--carry-removed into <appSettings/>, into a file without appSettings, and into a <location>', (t) => {
  const o = `<configuration>\n\t<appSettings>\n\t\t<add key="K" value="v" />\n\t</appSettings>\n\t<location path="p">\n\t\t<appSettings>\n\t\t\t<add key="L" value="w" />\n\t\t</appSettings>\n\t</location>\n</configuration>`;
  const selfClosing = `<configuration>\n\t<configSections />\n\t<appSettings />\n\t<location path="p">\n\t\t<system.web />\n\t</location>\n</configuration>`;
  const r1 = merge(o, selfClosing, { carryRemoved: true });
  t.is(
    r1.bytes.toString(),
    `<configuration>\n\t<configSections />\n\t<appSettings>\n\t\t<add key="K" value="v" />\n\t</appSettings>\n\t<location path="p">\n\t\t<appSettings>\n\t\t\t<add key="L" value="w" />\n\t\t</appSettings>\n\t\t<system.web />\n\t</location>\n</configuration>`,
  );
  const none = `<configuration>\n  <configSections />\n  <system.web />\n</configuration>`;
  const r2 = merge(o, none, { carryRemoved: true });
  t.is(r2.bytes.toString(), `<configuration>\n  <configSections />\n  <appSettings>\n    <add key="K" value="v" />\n  </appSettings>\n  <system.web />\n</configuration>`);
  t.is(r2.report.removed.find((x) => x.key === 'L')?.carried, false, 'no <location path="p"> to carry into');
  t.regex(r2.report.removed.find((x) => x.key === 'L')?.note ?? '', /location path="p"/);
  const twice = merge(o, r1.bytes.toString(), { carryRemoved: true });
  t.true(twice.bytes.equals(r1.bytes));
});

test('configSource / file= appSettings are reported, not silently skipped', (t) => {
  const o = `<configuration><appSettings file="extra.config"><add key="A" value="1" /></appSettings></configuration>`;
  const n = `<configuration><appSettings configSource="appSettings.config" /></configuration>`;
  const r = merge(o, n, { carryRemoved: true });
  t.true(r.report.warnings.some((w) => w.includes('extra.config')));
  t.true(r.report.warnings.some((w) => w.includes('appSettings.config')));
  t.is(r.report.removed[0]?.carried, false);
  t.false(r.report.changed);
});

test('the human report states the decision, the changes and the file format', (t) => {
  const r = mergeWebConfig(PORTAL_OLD, PORTAL_NEW, { sdkVdir: parseVdirMappings(['default']) });
  r.report.whatIf = true;
  const s = formatMergeReport(r.report, r.diff);
  t.regex(s, /Decision: carry values into the new file: the new file has \d+ thing\(s\) the old lacks/);
  t.regex(s, /USE_WEB_SERVICE_SDK: "false" -> "true"/);
  t.regex(s, /SDK URL \(pfup_pfwssdk_PfWsSdk\): https:\/\/pf01\.contoso\.com\/MultiFactorAuthWebServiceSdk\/PfWsSdk\.asmx/);
  t.regex(s, /utf-8 with BOM, CRLF/);
  t.regex(s, /What if: nothing was written/);
  t.regex(s, /^-\s+<add key="USE_WEB_SERVICE_SDK" value="false" \/>$/m);
});

test('a Latin-1 file that cannot hold a carried value is refused before anything is written', (t) => {
  const o = `<?xml version="1.0" encoding="utf-8"?><configuration><appSettings><add key="A" value="€uro" /></appSettings></configuration>`;
  const n = Buffer.from(`<?xml version="1.0" encoding="iso-8859-1"?><configuration version="8"><appSettings><add key="A" value="caf\xe9" /></appSettings></configuration>`, 'latin1');
  const err = t.throws(() => mergeWebConfig({ ...text(o), file: 'old.config' }, { bytes: n, file: 'new.config' }));
  t.regex(err?.message ?? '', /latin1 file cannot store/);
  const ok = mergeWebConfig({ ...text(o.replace('€', 'é')), file: 'old.config' }, { bytes: n, file: 'new.config' });
  t.true(ok.bytes.equals(Buffer.from(n.toString('latin1').replace('caf\xe9', '\xe9uro'), 'latin1')));
});
