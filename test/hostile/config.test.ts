// Hostile config files given to merge-config and compare-adfs-config: nesting that would exhaust
// a recursive walker, invalid UTF-16, characters XML cannot hold, entity tricks, configSource
// paths ASP.NET refuses, and passwords inside malformed values (never printed). Each is refused
// with exit 3 and neither file (nor --out) is written.
import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectRefusal } from './harness.js';

const PORTAL = readFileSync('test/fixtures/config/userportal-mfa-8.0.web.config');
const ADAPTER = readFileSync('test/fixtures/config/adfs-adapter-8.0.config');
const SECRET = 'Qz9!mal4formed';

const web = (body: string) => Buffer.from(`<?xml version="1.0" encoding="utf-8"?>\r\n<configuration>\r\n  <appSettings>\r\n${body}\r\n  </appSettings>\r\n</configuration>\r\n`);
const deep = (root: string, n: number) => Buffer.from(`<?xml version="1.0"?>\n<${root}>${'<a>'.repeat(n)}${'</a>'.repeat(n)}<WebServiceSdkPassword>x</WebServiceSdkPassword></${root}>\n`);

interface ConfigCase {
  name: string;
  command: 'merge-config' | 'compare-adfs-config';
  old: Buffer;
  /** The new (installed) file; the good sample by default. */
  new?: Buffer;
  extra?: Record<string, Buffer>;
  code: string;
  message?: RegExp;
  secrets?: string[];
}

const cases: ConfigCase[] = [
  { name: 'issue 12: a web.config with 10,000 nested elements', command: 'merge-config', old: Buffer.from(`<configuration><system.web>${'<a>'.repeat(10000)}${'</a>'.repeat(10000)}</system.web></configuration>`), code: 'XML_TOO_DEEP', message: /more than 256 levels/ },
  { name: 'issue 12: a lone UTF-16 surrogate', command: 'merge-config', old: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<configuration>\r\n<appSettings><add key="A" value="x\uDC01" /></appSettings></configuration>', 'utf16le')]), code: 'TEXT_ENCODING', message: /lone surrogate/ },
  { name: 'issue 12: a password inside a malformed value (an unknown entity)', command: 'merge-config', old: web(`    <add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${SECRET.slice(0, 5)}&${SECRET.slice(5)};" />`), code: 'XML_MALFORMED', secrets: [SECRET, SECRET.slice(5)] },
  { name: 'a password inside a malformed value (a bare ampersand)', command: 'merge-config', old: web(`    <add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${SECRET}&" />`), new: PORTAL, code: 'XML_MALFORMED', secrets: [SECRET] },
  { name: 'a password inside a malformed value (a stray quote)', command: 'merge-config', old: web(`    <add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${SECRET.slice(0, 4)}" ${SECRET.slice(4)}" />`), code: 'XML_MALFORMED', secrets: [SECRET.slice(4, 12)] },
  { name: 'a password inside a malformed new file', command: 'merge-config', old: PORTAL, new: web(`    <add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${SECRET}<" />`), code: 'XML_MALFORMED', secrets: [SECRET] },
  { name: 'a repeated attribute holding a password (found by fast-xml-parser)', command: 'merge-config', old: web(`    <add key="K" value="${SECRET}" value="${SECRET}x" />`), code: 'XML_MALFORMED', secrets: [SECRET] },
  { name: 'fuzz finding: an unterminated comment after the declaration (the prolog check looped forever)', command: 'merge-config', old: Buffer.from('<?xml version="1.0" encoding="utf-8"?>\r\n<!-- PhoneFactor'), code: 'XML_MALFORMED', message: /unterminated comment/ },
  { name: 'fuzz finding: an unterminated processing instruction after the declaration', command: 'merge-config', old: Buffer.from('<?xml version="1.0"?>\n<?pi never ends'), code: 'XML_MALFORMED' },
  { name: 'a control character in a value', command: 'merge-config', old: web('    <add key="A" value="a\u0007b" />'), code: 'XML_CHAR' },
  { name: 'U+FFFE written as a character reference', command: 'merge-config', old: web('    <add key="A" value="&#xFFFE;" />'), code: 'XML_MALFORMED' },
  { name: 'entity expansion (billion laughs)', command: 'merge-config', old: Buffer.from('<?xml version="1.0"?>\n<!DOCTYPE configuration [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<configuration><appSettings><add key="A" value="&b;" /></appSettings></configuration>'), code: 'XML_DOCTYPE' },
  { name: 'an external entity', command: 'merge-config', old: Buffer.from('<?xml version="1.0"?>\n<!DOCTYPE configuration SYSTEM "file:///etc/passwd">\n<configuration/>'), code: 'XML_DOCTYPE' },
  { name: 'a 5 MB web.config', command: 'merge-config', old: Buffer.concat([Buffer.from('<configuration><!--'), Buffer.alloc(5 * 1024 * 1024, 0x20), Buffer.from('--></configuration>')]), code: 'FILE_TOO_LARGE' },
  { name: 'a UTF-16 file with an odd number of bytes', command: 'merge-config', old: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<configuration/>', 'utf16le'), Buffer.from([0x20])]), code: 'TEXT_ENCODING' },
  { name: 'an encoding the tool does not edit', command: 'merge-config', old: Buffer.from('<?xml version="1.0" encoding="shift_jis"?><configuration/>'), code: 'TEXT_ENCODING' },
  { name: 'a configSource that climbs out of the application', command: 'merge-config', old: Buffer.from('<configuration>\n<appSettings configSource="..\\..\\Windows\\win.ini" />\n</configuration>'), code: 'WEBCONFIG_CONFIGSOURCE' },
  { name: 'a configSource with a drive', command: 'merge-config', old: Buffer.from('<configuration>\n<applicationSettings><pfup.Properties.Settings configSource="C:\\secrets.config" /></applicationSettings>\n</configuration>'), code: 'WEBCONFIG_CONFIGSOURCE' },
  { name: 'a configSource file of another section', command: 'merge-config', old: Buffer.from('<configuration>\n<appSettings configSource="app.config" />\n</configuration>'), extra: { 'app.config': Buffer.from('<connectionStrings><add name="x" connectionString="Password=Zz8!cs" /></connectionStrings>') }, code: 'WEBCONFIG_CONFIGSOURCE', secrets: ['Zz8!cs'] },
  { name: 'a section given twice', command: 'merge-config', old: Buffer.from(web('').toString().replace('</configuration>', '<appSettings />\r\n</configuration>')), code: 'WEBCONFIG_DUPLICATE_SECTION' },
  { name: 'an adapter config with 10,000 nested elements', command: 'compare-adfs-config', old: deep('ConfigurationData', 10000), new: ADAPTER, code: 'XML_TOO_DEEP' },
  { name: 'an adapter password with a "<" in it', command: 'compare-adfs-config', old: Buffer.from(ADAPTER.toString().replace(/<WebServiceSdkPassword>[^<]*<\/WebServiceSdkPassword>|<WebServiceSdkPassword\s*\/>/, `<WebServiceSdkPassword>${SECRET.slice(0, 3)}<${SECRET.slice(3)}</WebServiceSdkPassword>`)), new: ADAPTER, code: 'XML_MALFORMED', secrets: [SECRET.slice(3)] },
  { name: 'an adapter password with an unknown entity', command: 'compare-adfs-config', old: Buffer.from(ADAPTER.toString().replace(/<WebServiceSdkPassword>[^<]*<\/WebServiceSdkPassword>|<WebServiceSdkPassword\s*\/>/, `<WebServiceSdkPassword>${SECRET}&${SECRET};</WebServiceSdkPassword>`)), new: ADAPTER, code: 'XML_MALFORMED', secrets: [SECRET] },
  { name: 'a file that is not an adapter config', command: 'compare-adfs-config', old: PORTAL, new: ADAPTER, code: 'ADFS_NOT_ADAPTER_CONFIG' },
];

for (const c of cases) {
  test(`exit 3: ${c.command}: ${c.name}`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mfa-hostile-cfg-'));
    try {
      mkdirSync(join(dir, 'old'));
      mkdirSync(join(dir, 'new'));
      const oldFile = join(dir, 'old', c.command === 'merge-config' ? 'web.config' : 'adapter.config');
      const newFile = join(dir, 'new', c.command === 'merge-config' ? 'web.config' : 'adapter.config');
      writeFileSync(oldFile, c.old);
      writeFileSync(newFile, c.new ?? (c.command === 'merge-config' ? PORTAL : ADAPTER));
      for (const [name, bytes] of Object.entries(c.extra ?? {})) writeFileSync(join(dir, 'old', name), bytes);
      const out = join(dir, 'out.config');
      await expectRefusal(t, {
        argv: [c.command, '--old', oldFile, '--new', newFile, '--out', out],
        watch: [dir],
        exit: 3,
        code: c.code,
        ...(c.message ? { message: c.message } : {}),
        secrets: c.secrets ?? [],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
