// Secrets in every report of the config commands: added, removed and changed nodes, the text and
// the JSON object, and the diff (whose context lines show whole lines). The oracle is the list of
// passwords planted in the inputs, searched for in everything the reports hold.
import test from 'ava';
import { compareAdapterConfigs, formatAdapterReport } from '../../lib/config/adfs/adapter-config.js';
import { mergeWebConfig } from '../../lib/config/webconfig/merge.js';
import { formatMergeReport } from '../../lib/config/webconfig/report.js';

function leaks(haystack: string, secrets: string[]): string[] {
  return secrets.filter((s) => haystack.includes(s));
}

const ADFS_OLD = `<?xml version="1.0" encoding="utf-8"?>
<ConfigurationData>
  <UseWebServiceSdk>true</UseWebServiceSdk>
  <WebServiceSdkUrl>https://svc:UrlPw4412@pf01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx</WebServiceSdkUrl>
  <WebServiceSdkUsername>CONTOSO\\svc</WebServiceSdkUsername>
  <WebServiceSdkPassword>RemovedPw9931</WebServiceSdkPassword>
  <Legacy>
    <WebServiceSdkPassword><Value>NestedPw5520</Value></WebServiceSdkPassword>
    <add key="WebServiceSdkPassword" value="KeyValuePw7781" />
    <Setting Name="SmtpPassword">NamedPw3317</Setting>
    <Db connectionString="Server=db;Password=ConnPw6604;Encrypt=true" />
  </Legacy>
  <Changed secretToken="ChangedOldPw1188">x</Changed>
</ConfigurationData>
`;
const ADFS_NEW = `<?xml version="1.0" encoding="utf-8"?>
<ConfigurationData>
  <UseWebServiceSdk>false</UseWebServiceSdk> <WebServiceSdkCertificateThumbprint>AddedPw? no</WebServiceSdkCertificateThumbprint> <NewPassword>AddedPw2209</NewPassword>
  <WebServiceSdkUrl></WebServiceSdkUrl>
  <Changed secretToken="ChangedNewPw8842">x</Changed>
  <Extra apiKey="AddedKey5573" />
</ConfigurationData>
`;
const ADFS_SECRETS = ['UrlPw4412', 'RemovedPw9931', 'NestedPw5520', 'KeyValuePw7781', 'NamedPw3317', 'ConnPw6604', 'ChangedOldPw1188', 'ChangedNewPw8842', 'AddedPw2209', 'AddedKey5573'];

test('AD FS adapter compare: no secret in added, removed or changed nodes, the text, the JSON or the diff', (t) => {
  const r = compareAdapterConfigs({ bytes: Buffer.from(ADFS_OLD), file: 'old.config' }, { bytes: Buffer.from(ADFS_NEW), file: 'new.config' });
  const json = JSON.stringify(r.report);
  const text = formatAdapterReport(r.report, r.diff, 'out.config');
  t.deepEqual(leaks(json, ADFS_SECRETS), []);
  t.deepEqual(leaks(text, ADFS_SECRETS), []);
  t.deepEqual(leaks(r.diff, ADFS_SECRETS), []);
  // The reports still say what they are about: names and masks, and the written file holds the values.
  const removed = new Map(r.report.removed.map((x) => [x.path, x.value]));
  t.is(removed.get('WebServiceSdkPassword'), '********');
  t.is(removed.get('Legacy/WebServiceSdkPassword/Value'), '********');
  t.is(removed.get('Legacy/add@value'), '********');
  t.is(removed.get('Legacy/add@key'), 'WebServiceSdkPassword', 'a key attribute holds a name, not a secret');
  t.is(removed.get('Legacy/Setting'), '********');
  t.is(removed.get('Legacy/Db@connectionString'), '********', 'a connection string is a secret by its name');
  t.is(new Map(r.report.added.map((x) => [x.path, x.value])).get('NewPassword'), '********');
  const changed = r.report.changed.find((c) => c.path === 'Changed@secretToken');
  t.deepEqual([changed?.old, changed?.new], ['********', '********']);
  t.true(r.bytes.toString().includes('ChangedOldPw1188'), 'the carried value is written');
  t.true(r.report.changed.some((c) => c.path === 'WebServiceSdkUrl' && c.new.includes('********') && !c.new.includes('UrlPw4412')));
});

const WEB_OLD = `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="USE_WEB_SERVICE_SDK" value="true" /><add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="SdkPw1234" />
    <add key="OLD_SMTP_PASSWORD" value="RemovedPw5678" />
    <add key="DB" value="Server=db;User Id=sa;Password=EmbeddedPw9012;" />
  </appSettings>
  <applicationSettings>
    <pfup.Properties.Settings>
      <setting name="pfup_pfwssdk_PfWsSdk" serializeAs="String">
        <value>https://svc:UrlPw3456@pf01/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx</value>
      </setting>
      <setting name="ProxyPassword" serializeAs="String">
        <value>AppPw7890</value>
      </setting>
      <setting name="Blob" serializeAs="Xml">
        <value><Creds><SdkPassword>XmlPw2468</SdkPassword></Creds></value>
      </setting>
    </pfup.Properties.Settings>
  </applicationSettings>
</configuration>
`;
const WEB_NEW = `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="USE_WEB_SERVICE_SDK" value="false" /><add key="NEW_API_KEY" value="AddedKey1357" /><add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="ShippedPw1111" />
    <add key="DB" value="Server=db;User Id=sa;Password=NewEmbedded2222;" />
  </appSettings>
  <applicationSettings>
    <pfup.Properties.Settings>
      <setting name="pfup_pfwssdk_PfWsSdk" serializeAs="String">
        <value>http://localhost:4898/PfWsSdk.asmx</value>
      </setting>
      <setting name="ProxyPassword" serializeAs="String">
        <value></value>
      </setting>
      <setting name="Blob" serializeAs="Xml">
        <value><Creds><SdkPassword>XmlNew3333</SdkPassword></Creds></value>
      </setting>
    </pfup.Properties.Settings>
  </applicationSettings>
  <system.web><compilation targetFramework="4.5" /></system.web>
</configuration>
`;
const WEB_SECRETS = ['SdkPw1234', 'RemovedPw5678', 'EmbeddedPw9012', 'UrlPw3456', 'AppPw7890', 'XmlPw2468', 'AddedKey1357', 'ShippedPw1111', 'NewEmbedded2222', 'XmlNew3333'];

for (const carryRemoved of [false, true]) {
  test(`web.config merge${carryRemoved ? ' --carry-removed' : ''}: no secret in changes, added, removed, the SDK URL, the text, the JSON or the diff`, (t) => {
    const r = mergeWebConfig({ bytes: Buffer.from(WEB_OLD), file: 'old.config' }, { bytes: Buffer.from(WEB_NEW), file: 'new.config' }, { carryRemoved });
    t.is(r.report.strategy, 'merge-into-new');
    const all = [JSON.stringify(r.report), formatMergeReport(r.report, r.diff), r.diff].join('\n');
    t.deepEqual(leaks(all, WEB_SECRETS), []);
    t.true(r.report.removed.some((x) => x.key === 'OLD_SMTP_PASSWORD' && x.value === '********' && x.carried === carryRemoved));
    t.true(r.report.added.some((x) => x.key === 'NEW_API_KEY' && x.value === '********'));
    t.true(r.report.changes.some((c) => c.key === 'WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD' && c.old === '********' && c.new === '********'));
    t.true(r.report.changes.some((c) => c.key === 'Blob' && !c.new.includes('XmlPw2468')));
    // What is written holds the old values (the masking is in the reports only).
    const out = r.bytes.toString();
    for (const s of ['SdkPw1234', 'EmbeddedPw9012', 'UrlPw3456', 'AppPw7890', 'XmlPw2468']) t.true(out.includes(s), s);
    t.is(out.includes('RemovedPw5678'), carryRemoved);
  });
}
