// applicationSettings (and appSettings) kept in a configSource file: read from it and carried
// into the new one, never by adding children to the element that names the configSource
// (ASP.NET refuses a section with both); a configSource that was not given is reported, not
// skipped without a word. Oracles: fast-xml-parser's view of the written files, and their bytes.
import test from 'ava';
import { XMLParser } from 'fast-xml-parser';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeWebConfig } from '../../lib/config/webconfig/merge.js';
import { MfaError } from '../../lib/errors.js';
import { runCli } from '../helpers/run-cli.js';

const main = (extra = '') => `<?xml version="1.0" encoding="utf-8"?>\r
<configuration>\r
  <configSections>\r
    <sectionGroup name="applicationSettings" type="System.Configuration.ApplicationSettingsGroup, System">\r
      <section name="pfup.Properties.Settings" type="System.Configuration.ClientSettingsSection, System" />\r
    </sectionGroup>\r
  </configSections>\r
  <appSettings configSource="App_Data\\appSettings.config" />\r
  <applicationSettings>\r
    <pfup.Properties.Settings configSource="settings.config" />\r
  </applicationSettings>\r
  <system.web><compilation targetFramework="4.5" />${extra}</system.web>\r
</configuration>\r
`;
const settingsFile = (url: string, more = '') => `<?xml version="1.0" encoding="utf-8"?>\r
<pfup.Properties.Settings>\r
  <setting name="pfup_pfwssdk_PfWsSdk" serializeAs="String">\r
    <value>${url}</value>\r
  </setting>${more}\r
</pfup.Properties.Settings>\r
`;
const appFile = (pw: string, more = '') => `<appSettings>\r
  <add key="USE_WEB_SERVICE_SDK" value="true" />\r
  <add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${pw}" />${more}\r
</appSettings>\r
`;

const OLD_URL = 'https://pf01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx';
const NEW_URL = 'http://localhost:4898/PfWsSdk.asmx';
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });

function input(file: string, text: string, sources: Record<string, string> = {}) {
  return { bytes: Buffer.from(text), file, sources: new Map(Object.entries(sources).map(([k, v]) => [k, { bytes: Buffer.from(v), file: `${file}:${k}` }])) };
}

test('values in configSource files are read from the old ones and carried into the new ones; the web.config is left alone', (t) => {
  const oldIn = input('old', main(), { 'App_Data\\appSettings.config': appFile('OldPw1'), 'settings.config': settingsFile(OLD_URL) });
  const newIn = input('new', main('<customErrors mode="On" />'), { 'App_Data\\appSettings.config': appFile(''), 'settings.config': settingsFile(NEW_URL) });
  const r = mergeWebConfig(oldIn, newIn);
  t.true(r.bytes.equals(newIn.bytes), 'the web.config itself is unchanged');
  const settings = r.sourced.find((s) => s.configSource === 'settings.config');
  const app = r.sourced.find((s) => s.configSource === 'App_Data\\appSettings.config');
  t.true(settings?.changed && app?.changed);
  t.is(settings?.bytes.toString(), settingsFile(NEW_URL).replace(NEW_URL, OLD_URL), 'only the value changed in the configSource file');
  t.is(app?.bytes.toString(), appFile('').replace('value=""', 'value="OldPw1"'));
  t.is(r.report.sdkUrl?.after, OLD_URL);
  t.true(r.report.changes.some((c) => c.key === 'pfup_pfwssdk_PfWsSdk' && c.file === 'new:settings.config'));
  t.false(JSON.stringify(r.report).includes('OldPw1'));
  t.false(r.diff.includes('OldPw1'));
  t.true(r.report.changed);
});

test('--carry-removed never adds children to a section that names a configSource it was not given', (t) => {
  const oldText = main().replace('<pfup.Properties.Settings configSource="settings.config" />', `<pfup.Properties.Settings>\r\n      <setting name="pfup_pfwssdk_PfWsSdk" serializeAs="String"><value>${OLD_URL}</value></setting>\r\n      <setting name="OnlyOld" serializeAs="String"><value>x</value></setting>\r\n    </pfup.Properties.Settings>`).replace(' configSource="App_Data\\appSettings.config" /', '><add key="OLD_ONLY" value="1" /></appSettings');
  const newIn = input('new', main('<customErrors mode="On" />'));
  const r = mergeWebConfig(input('old', oldText), newIn, { carryRemoved: true });
  t.true(r.bytes.equals(newIn.bytes), 'nothing inserted into the web.config');
  const doc = parser.parse(r.bytes.toString()) as { configuration: { applicationSettings: Record<string, unknown>; appSettings: Record<string, unknown> } };
  t.deepEqual(Object.keys(doc.configuration.applicationSettings['pfup.Properties.Settings'] as object), ['@configSource']);
  t.deepEqual(Object.keys(doc.configuration.appSettings), ['@configSource']);
  for (const key of ['OnlyOld', 'pfup_pfwssdk_PfWsSdk', 'OLD_ONLY']) {
    const rm = r.report.removed.find((x) => x.key === key);
    t.false(rm?.carried, key);
    t.regex(rm?.note ?? '', /configSource.*not given/, key);
  }
  t.true(r.report.warnings.some((w) => /applicationSettings pfup\.Properties\.Settings live in "settings\.config" \(configSource\), which was not given/.test(w)));
  t.true(r.report.warnings.some((w) => /appSettings live in "App_Data\\appSettings\.config"/.test(w)));
});

test('--carry-removed carries an old-only setting into the configSource file when it is given', (t) => {
  const oldIn = input('old', main(), { 'settings.config': settingsFile(OLD_URL, '\r\n  <setting name="OnlyOld" serializeAs="String">\r\n    <value>kept</value>\r\n  </setting>'), 'App_Data\\appSettings.config': appFile('p') });
  const newIn = input('new', main('<customErrors mode="On" />'), { 'settings.config': settingsFile(NEW_URL), 'App_Data\\appSettings.config': appFile('p') });
  const r = mergeWebConfig(oldIn, newIn, { carryRemoved: true });
  t.true(r.bytes.equals(newIn.bytes));
  const out = r.sourced.find((s) => s.configSource === 'settings.config')?.bytes.toString() ?? '';
  const parsed = parser.parse(out) as { 'pfup.Properties.Settings': { setting: Array<{ '@name': string; value: string }> } };
  t.deepEqual(parsed['pfup.Properties.Settings'].setting.map((s) => [s['@name'], s.value]), [['pfup_pfwssdk_PfWsSdk', OLD_URL], ['OnlyOld', 'kept']]);
  t.is((out.match(/(?<!\r)\n/g) ?? []).length, 0, 'the file keeps CRLF');
});

test('a configSource ASP.NET would refuse, or a file of another section, is refused with the line', (t) => {
  for (const cs of ['..\\outside.config', 'C:\\Windows\\x.config', '\\\\server\\share\\x.config', 'a:b.config', 'sub\\..\\x.config']) {
    const text = main().replace('configSource="settings.config"', `configSource="${cs}"`);
    const e = t.throws(() => mergeWebConfig(input('old', text), input('new', main())), { instanceOf: MfaError }) as MfaError;
    t.is(e.code, 'WEBCONFIG_CONFIGSOURCE', cs);
    t.is(e.exitCode, 3);
    t.is(e.line, 10);
  }
  const wrongRoot = input('old', main(), { 'settings.config': appFile('x') });
  t.is((t.throws(() => mergeWebConfig(wrongRoot, input('new', main()))) as MfaError).code, 'WEBCONFIG_CONFIGSOURCE');
});

test('merge-config reads and writes the configSource files beside the web.configs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-cs-'));
  try {
    for (const side of ['old', 'new']) mkdirSync(join(dir, side, 'App_Data'), { recursive: true });
    writeFileSync(join(dir, 'old', 'web.config'), main());
    writeFileSync(join(dir, 'old', 'settings.config'), settingsFile(OLD_URL));
    writeFileSync(join(dir, 'old', 'App_Data', 'appSettings.config'), appFile('OldPw2'));
    writeFileSync(join(dir, 'new', 'web.config'), main('<customErrors mode="On" />'));
    writeFileSync(join(dir, 'new', 'settings.config'), settingsFile(NEW_URL));
    writeFileSync(join(dir, 'new', 'App_Data', 'appSettings.config'), appFile(''));
    const r = await runCli(['merge-config', '--old', join(dir, 'old', 'web.config'), '--new', join(dir, 'new', 'web.config'), '--json']);
    t.is(r.code, 0, r.stdout);
    t.true(readFileSync(join(dir, 'new', 'settings.config'), 'utf8').includes(OLD_URL));
    t.true(readFileSync(join(dir, 'new', 'App_Data', 'appSettings.config'), 'utf8').includes('value="OldPw2"'));
    t.is(readFileSync(join(dir, 'new', 'web.config'), 'utf8'), main('<customErrors mode="On" />'));
    t.false(r.stdout.includes('OldPw2'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
