// Carried values keep how they were written: an attribute value's character references stay
// references (caf&#233; is not re-encoded as café), and carried element text takes the line
// endings of the file it goes into. Oracles: the literal bytes, and a count of bare LFs.
import test from 'ava';
import { compareAdapterConfigs } from '../../lib/config/adfs/adapter-config.js';
import { mergeWebConfig } from '../../lib/config/webconfig/merge.js';

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');
const lf = (s: string) => s.replace(/\r\n/g, '\n');
/** Line breaks that are not part of a CRLF. */
const bareLf = (s: string) => (s.match(/(?<!\r)\n/g) ?? []).length;
const bareCr = (s: string) => (s.match(/\r(?!\n)/g) ?? []).length;

const webOld = `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="GREETING" value="caf&#233; &amp; cr&#xE8;me&#10;line" />
    <add key="QUOTED" value='say "hi"' />
  </appSettings>
  <applicationSettings>
    <pfup.Properties.Settings>
      <setting name="Notice" serializeAs="String">
        <value>first line
second &lt;line&gt;
third</value>
      </setting>
      <setting name="Layout" serializeAs="Xml">
        <value>
          <Layout><Row a="1" />
          <Row a="2" /></Layout>
        </value>
      </setting>
    </pfup.Properties.Settings>
  </applicationSettings>
</configuration>
`;
const webNew = `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="GREETING" value="hello" />
    <add key="QUOTED" value="x" />
  </appSettings>
  <applicationSettings>
    <pfup.Properties.Settings>
      <setting name="Notice" serializeAs="String">
        <value>none</value>
      </setting>
      <setting name="Layout" serializeAs="Xml">
        <value><Layout /></value>
      </setting>
    </pfup.Properties.Settings>
  </applicationSettings>
  <system.web><compilation targetFramework="4.5" /></system.web>
</configuration>
`;

test('web.config: carried attribute values keep their character references as written', (t) => {
  const r = mergeWebConfig({ bytes: Buffer.from(crlf(webOld)), file: 'old' }, { bytes: Buffer.from(crlf(webNew)), file: 'new' });
  const out = r.bytes.toString('utf8');
  t.true(out.includes('value="caf&#233; &amp; cr&#xE8;me&#10;line"'), out);
  t.false(out.includes('café'));
  // A raw value whose quotes do not fit the target's quoting is escaped, and still reads the same.
  t.true(out.includes('value="say &quot;hi&quot;"'));
});

for (const [name, oldEol, newEol] of [['LF old into CRLF new', lf, crlf], ['CRLF old into LF new', crlf, lf]] as const) {
  test(`web.config: carried element text takes the new file's line endings (${name})`, (t) => {
    const r = mergeWebConfig({ bytes: Buffer.from(oldEol(webOld)), file: 'old' }, { bytes: Buffer.from(newEol(webNew)), file: 'new' });
    const out = r.bytes.toString('utf8');
    t.true(r.report.changes.some((c) => c.key === 'Notice'));
    t.true(r.report.changes.some((c) => c.key === 'Layout'));
    if (newEol === crlf) {
      t.is(bareLf(out), 0, 'no bare LF in a CRLF file');
      t.true(out.includes('first line\r\nsecond &lt;line&gt;\r\nthird'));
      t.true(out.includes('<Row a="1" />\r\n          <Row a="2" />'));
    } else {
      t.is(bareCr(out) + (out.match(/\r\n/g) ?? []).length, 0, 'no CR in an LF file');
      t.true(out.includes('first line\nsecond &lt;line&gt;\nthird'));
    }
  });
}

test('AD FS adapter config: carried attribute references kept, carried text in the file\'s line endings', (t) => {
  const oldCfg = lf(`<?xml version="1.0"?>
<ConfigurationData>
  <UseWebServiceSdk>true</UseWebServiceSdk>
  <WebServiceSdkUrl>https://pf01/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx</WebServiceSdkUrl>
  <Banner lang="fran&#231;ais">caf&#233;
deux</Banner>
</ConfigurationData>
`);
  const newCfg = crlf(`<?xml version="1.0"?>
<ConfigurationData>
  <UseWebServiceSdk>false</UseWebServiceSdk>
  <WebServiceSdkUrl></WebServiceSdkUrl>
  <Banner lang="en">none</Banner>
</ConfigurationData>
`);
  const r = compareAdapterConfigs({ bytes: Buffer.from(oldCfg), file: 'old' }, { bytes: Buffer.from(newCfg), file: 'new' });
  const out = r.bytes.toString('utf8');
  t.true(out.includes('lang="fran&#231;ais"'), out);
  t.true(out.includes('<Banner lang="fran&#231;ais">caf&#233;\r\ndeux</Banner>'), out);
  t.is(bareLf(out), 0);
});
