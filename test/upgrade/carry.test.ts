// What the administrator changed under system.web / system.webServer is carried into the new
// web.config (byte-faithfully, judged against the old version's own web.config), and what cannot
// be carried is left to do (exit 5). Results are read back with fast-xml-parser (not the code
// under test) and the bytes outside the carried spans compared with the new file.
import test from 'ava';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { carryWebConfig } from '../../lib/config/webconfig/carry.js';
import { runCli } from '../helpers/run-cli.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';

const PKG = 'examples/packages';
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => ['add', 'remove', 'location', 'error'].includes(n) });
type Node = Record<string, unknown>;
const parse = (b: Buffer | string) => parser.parse(typeof b === 'string' ? b : b.toString('utf8')) as { configuration: Node };
const inp = (text: string, file: string, enc: 'utf8' | 'utf16le' = 'utf8') => ({ bytes: enc === 'utf8' ? Buffer.from(text) : Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), file });

const NEW = `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="LOG_LEVEL" value="Info" />
  </appSettings>
  <system.web>
    <compilation debug="false" targetFramework="4.5" />
    <httpRuntime targetFramework="4.5" enableVersionHeader="false" />
    <pages theme="Default" />
  </system.web>
  <system.webServer>
    <httpProtocol>
      <customHeaders>
        <add name="X-Content-Type-Options" value="nosniff" />
        <add name="X-Frame-Options" value="DENY" />
      </customHeaders>
    </httpProtocol>
  </system.webServer>
</configuration>
`;

const BASE = `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="LOG_LEVEL" value="Info" />
  </appSettings>
  <system.web>
    <compilation debug="false" />
    <httpHandlers>
      <add verb="*" path="*.asmx" type="System.Web.Script.Services.ScriptHandlerFactory, System.Web.Extensions, Version=1.0.61025.0" />
    </httpHandlers>
    <pages theme="Default" />
  </system.web>
</configuration>
`;

// The administrator's file: tabs, LF, a machine key, extra headers, a header removed, an
// authorization rule under a location, a changed theme, the .NET 2.0 handlers as shipped.
const OLD = [
  '<?xml version="1.0" encoding="utf-8"?>',
  '<configuration>',
  '\t<appSettings>',
  '\t\t<add key="LOG_LEVEL" value="Warning" />',
  '\t\t<add key="CUSTOM_BANNER" value="Contoso &amp; Partners" />',
  '\t</appSettings>',
  '\t<system.web>',
  '\t\t<compilation debug="false" />',
  '\t\t<httpHandlers>',
  '\t\t\t<add verb="*" path="*.asmx" type="System.Web.Script.Services.ScriptHandlerFactory, System.Web.Extensions, Version=1.0.61025.0" />',
  '\t\t</httpHandlers>',
  '\t\t<pages theme="Contoso" />',
  '\t\t<machineKey validationKey="0123456789ABCDEF0123456789ABCDEF" decryptionKey="FEDCBA9876543210FEDCBA9876543210" validation="SHA1" />',
  '\t\t<httpCookies httpOnlyCookies="true"',
  '\t\t\trequireSSL="true" />',
  '\t</system.web>',
  '\t<system.webServer>',
  '\t\t<httpProtocol>',
  '\t\t\t<customHeaders>',
  '\t\t\t\t<remove name="X-Powered-By" />',
  '\t\t\t\t<add name="X-Frame-Options" value="SAMEORIGIN" />',
  '\t\t\t\t<add name="Strict-Transport-Security" value="max-age=31536000" />',
  '\t\t\t</customHeaders>',
  '\t\t</httpProtocol>',
  '\t</system.webServer>',
  '\t<location path="Admin">',
  '\t\t<system.web>',
  '\t\t\t<authorization>',
  '\t\t\t\t<deny users="?" />',
  '\t\t\t</authorization>',
  '\t\t</system.web>',
  '\t</location>',
  '</configuration>',
  '',
].join('\n');

test('with the baseline: additions carried whole, changed values carried where the new version kept the old default, shipped .NET 2.0 parts dropped, a value both changed is left to do', (t) => {
  for (const enc of ['utf8', 'utf16le'] as const) {
    const r = carryWebConfig(inp(OLD, 'old.config', enc), inp(NEW.replace(/\n/g, '\r\n'), 'new.config'), { baseline: inp(BASE, 'base.config') });
    const text = r.bytes.toString('utf8');
    const cfg = parse(text).configuration;
    const web = cfg['system.web'] as Node;
    t.is((web['pages'] as Node)['@theme'], 'Contoso', enc);
    t.like(web['machineKey'], { '@validationKey': '0123456789ABCDEF0123456789ABCDEF', '@validation': 'SHA1' });
    t.like(web['httpCookies'], { '@requireSSL': 'true', '@httpOnlyCookies': 'true' });
    t.is(web['httpHandlers'], undefined, 'the .NET 2.0 handlers the old version shipped are not carried');
    const headers = ((cfg['system.webServer'] as Node)['httpProtocol'] as Node)['customHeaders'] as Node;
    t.deepEqual((headers['add'] as Node[]).map((a) => `${a['@name']}=${a['@value']}`), ['X-Content-Type-Options=nosniff', 'X-Frame-Options=DENY', 'Strict-Transport-Security=max-age=31536000']);
    t.deepEqual((headers['remove'] as Node[]).map((a) => a['@name']), ['X-Powered-By']);
    const admin = (cfg['location'] as Node[]).find((l) => l['@path'] === 'Admin') as Node;
    t.deepEqual(((admin['system.web'] as Node)['authorization'] as Node)['deny'], { '@users': '?' });
    // The key the administrator added (not in the baseline) is carried; the entity stays as written.
    t.regex(text, /<add key="CUSTOM_BANNER" value="Contoso &amp; Partners" \/>/);
    // The new file's own line endings and indentation; nothing of the new file outside the carried spans changed.
    t.false(/[^\r]\n/.test(text), 'CRLF throughout');
    t.regex(text, /\r\n    <machineKey /);
    t.regex(text, /<httpCookies httpOnlyCookies="true"\r\n      requireSSL="true" \/>/);
    const left = r.report.leftToDo.map((l) => l.title);
    t.deepEqual(left, ['Re-apply system.webServer/httpProtocol/customHeaders/add[name=X-Frame-Options]@value in new.config by hand']);
    // Secrets: in the bytes, never in the diff or the report.
    t.false(r.diff.includes('0123456789ABCDEF') || JSON.stringify(r.report).includes('0123456789ABCDEF'));
    t.regex(r.diff, /validationKey="\*\*\*\*\*\*\*\*"/);
    // Carrying again into the result changes nothing (the postcondition's check).
    const again = carryWebConfig(inp(OLD, 'old.config', enc), { bytes: r.bytes, file: 'new.config' }, { baseline: inp(BASE, 'base.config') });
    t.false(again.report.changed);
  }
});

test('removing the carried insertions gives the new file back byte for byte', (t) => {
  const neu = NEW.replace(/\n/g, '\r\n');
  const r = carryWebConfig(inp(OLD, 'old.config'), inp(neu, 'new.config'), { baseline: inp(BASE, 'base.config') });
  let text = r.bytes.toString('utf8');
  // Undo each carried edit by hand, from the report's values.
  text = text.replace(/\r\n    <add key="CUSTOM_BANNER" value="Contoso &amp; Partners" \/>/, '').replace('<add key="LOG_LEVEL" value="Warning" />', '<add key="LOG_LEVEL" value="Info" />');
  text = text.replace('<pages theme="Contoso" />', '<pages theme="Default" />');
  text = text.replace(/\r\n    <machineKey [^>]*\/>\r\n    <httpCookies httpOnlyCookies="true"\r\n      requireSSL="true" \/>/, '');
  text = text.replace(/\r\n        <remove name="X-Powered-By" \/>\r\n        <add name="Strict-Transport-Security" value="max-age=31536000" \/>/, '');
  text = text.replace(/\r\n  <location path="Admin">[\s\S]*?<\/location>/, '');
  t.is(text, neu);
});

test('without a baseline: only security and branding elements the new file lacks; differing security values left to do; other differences listed to check', (t) => {
  const r = carryWebConfig(inp(OLD, 'old.config'), inp(NEW, 'new.config'));
  const cfg = parse(r.bytes).configuration;
  const web = cfg['system.web'] as Node;
  t.is((web['pages'] as Node)['@theme'], 'Contoso');
  t.truthy(web['machineKey']);
  t.is(web['httpHandlers'], undefined, 'never a .NET 2.0 default');
  t.false(r.bytes.toString().includes('CUSTOM_BANNER'), 'without a baseline an old-only key is not known to be the administrator\'s');
  const actions = Object.fromEntries(r.report.elements.entries.map((e) => [e.path, e.action]));
  t.is(actions['system.web/httpHandlers'], 'check');
  t.is(actions['system.webServer/httpProtocol/customHeaders/add[name=X-Frame-Options]@value'], 'conflict');
  t.is(actions['system.web/machineKey'], 'carried');
  t.true(r.report.leftToDo.length === 1);
});

test('an element the administrator changed that the new version dropped is left to do, not carried; one left as shipped is dropped quietly', (t) => {
  const oldText = BASE.replace('<add verb="*" path="*.asmx"', '<add verb="GET,POST" path="*.asmx"');
  const r = carryWebConfig(inp(oldText, 'old.config'), inp(NEW, 'new.config'), { baseline: inp(BASE, 'base.config') });
  t.false(r.bytes.toString().includes('httpHandlers'));
  t.deepEqual(r.report.leftToDo.map((l) => l.title), ['Re-apply system.web/httpHandlers/add[path=*.asmx] in new.config by hand']);
  const quiet = carryWebConfig(inp(BASE, 'old.config'), inp(NEW, 'new.config'), { baseline: inp(BASE, 'base.config') });
  t.deepEqual(quiet.report.leftToDo, []);
  t.true(quiet.report.elements.entries.some((e) => e.path === 'system.web/httpHandlers' && e.action === 'default-dropped'));
});

// End to end on the samples: the baseline comes from the backup's copy of the old cached package.
async function upgrade(sample: string, extra: string[] = [], pkg = PKG) {
  const h = tempCopy(sample);
  const w = tempDir();
  const r = await runCli(['upgrade', '--host', h.dir, '--packages', pkg, '--backup', w.dir, '--role', 'standalone', '--unattended', '--json', '--retry-delay', '0', ...extra]);
  return { r, host: h.dir, cleanup: () => (h.cleanup(), w.cleanup()) };
}

const result = (events: Array<Record<string, unknown>>) => events.find((e) => e['typeName'] === 'MfaUpgrade.UpgradeResult')?.['data'] as { leftToDo: Array<{ title: string }>; outcome: string };

test('PhoneFactor 5.2: the theme, session state, custom errors and the mobile app\'s authentication are carried; only activation is left', async (t) => {
  const u = await upgrade('phonefactor-5.2');
  t.teardown(u.cleanup);
  t.is(u.r.code, 5);
  t.deepEqual(result(u.r.events).leftToDo.map((l) => l.title), ['Activate MFA Server if prompted, and check its replication group']);
  const portal = parse(readFileSync(join(u.host, 'drive/C/inetpub/wwwroot/PhoneFactor/web.config'))).configuration;
  const web = portal['system.web'] as Node;
  t.is((web['pages'] as Node)['@theme'], 'Contoso');
  t.like(web['sessionState'], { '@timeout': '20' });
  t.like(web['customErrors'], { '@mode': 'RemoteOnly', '@defaultRedirect': 'Error.aspx' });
  t.true(((portal['appSettings'] as Node)['add'] as Node[]).some((a) => a['@key'] === 'THEME' && a['@value'] === 'Contoso'));
  const mobile = parse(readFileSync(join(u.host, 'drive/C/inetpub/wwwroot/PhoneFactorPhoneAppWebService/web.config'))).configuration;
  t.like((mobile['system.web'] as Node)['authentication'], { '@mode': 'None' });
  const merges = u.r.events.filter((e) => e['typeName'] === 'MfaUpgrade.WebConfigMerge').map((e) => e['data'] as { elements: { baseline: string | null } });
  t.true(merges.every((m) => m.elements.baseline !== null && /backup copy/.test(m.elements.baseline)));
  t.false(JSON.stringify(u.r.events).includes('Winter2014'));
});

test('MFA 7.0: the X-Frame-Options header and the changed forms timeout are carried', async (t) => {
  const u = await upgrade('mfa-7.0');
  t.teardown(u.cleanup);
  const portal = parse(readFileSync(join(u.host, 'drive/C/inetpub/wwwroot/MFAPortal/web.config'))).configuration;
  const headers = ((portal['system.webServer'] as Node)['httpProtocol'] as Node)['customHeaders'] as Node;
  t.deepEqual(headers['add'], [{ '@name': 'X-Frame-Options', '@value': 'SAMEORIGIN' }]);
  t.like(((portal['system.web'] as Node)['authentication'] as Node)['forms'], { '@timeout': '15', '@requireSSL': 'true' });
});

test('a conflict (the new version changed what the administrator changed) is left to do: exit 5, named in the result, the new value kept', async (t) => {
  const pk = tempDir();
  t.teardown(pk.cleanup);
  cpSync(PKG, pk.dir, { recursive: true });
  const payload = join(pk.dir, 'payload/portal/web.config');
  writeFileSync(payload, readFileSync(payload, 'utf8').replace('<forms loginUrl="Login.aspx" timeout="20" requireSSL="true" />', '<forms loginUrl="Login.aspx" timeout="30" requireSSL="true" />'));
  const u = await upgrade('mfa-7.0', [], pk.dir);
  t.teardown(u.cleanup);
  t.is(u.r.code, 5);
  const left = result(u.r.events).leftToDo;
  t.true(left.some((l) => l.title === 'Re-apply system.web/authentication/forms@timeout in C:\\inetpub\\wwwroot\\MFAPortal\\web.config by hand'), JSON.stringify(left));
  const forms = (((parse(readFileSync(join(u.host, 'drive/C/inetpub/wwwroot/MFAPortal/web.config'))).configuration['system.web'] as Node)['authentication'] as Node)['forms'] as Node);
  t.is(forms['@timeout'], '30');
});

test('--what-if shows each merge\'s diff, passwords masked, and changes nothing', async (t) => {
  const h = tempCopy('phonefactor-5.2');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const r = await runCli(['upgrade', '--host', h.dir, '--packages', PKG, '--backup', w.dir, '--role', 'standalone', '--what-if']);
  t.is(r.code, 0);
  t.regex(r.stdout, /\+\s+<add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="\*\*\*\*\*\*\*\*" \/>/);
  t.regex(r.stdout, /\+\s+<sessionState timeout="20" \/>/);
  t.regex(r.stdout, /\+\s+<pages theme="Contoso" \/>/);
  t.regex(r.stdout, /Decision: carry the old values into the new file, because:\n\s+- the new file has/);
  t.false(r.stdout.includes('Winter2014'));
});

test('a locally changed Default theme is kept aside in App_Data and left to do; --rollback removes the copy', async (t) => {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const css = join(h.dir, 'drive/C/inetpub/wwwroot/MFAPortal/App_Themes/Default/Default.css');
  const mine = `${readFileSync(css, 'utf8')}\n/* Contoso: our colours */\nbody { background: #003366; }\n`;
  writeFileSync(css, mine);
  const r = await runCli(['upgrade', '--host', h.dir, '--packages', PKG, '--backup', w.dir, '--role', 'standalone', '--unattended', '--json', '--retry-delay', '0']);
  t.is(r.code, 5);
  const left = result(r.events).leftToDo.find((l) => l.title === 'Re-apply the local changes to the Default portal theme') as { title: string; instructions?: string } | undefined;
  t.truthy(left);
  t.regex(left?.instructions ?? '', /Default\.css differed from what Multi-Factor Authentication User Portal 7\.0\.2\.1 shipped/);
  const kept = join(h.dir, 'drive/C/inetpub/wwwroot/MFAPortal/App_Data/mfa-upgrade/Default theme before the upgrade/Default.css');
  t.is(readFileSync(kept, 'utf8'), mine);
  t.is(readFileSync(css, 'utf8'), readFileSync(join(PKG, 'payload/portal/App_Themes/Default/Default.css'), 'utf8'), 'the new version\'s Default theme is in place');
  const back = await runCli(['upgrade', '--host', h.dir, '--backup', w.dir, '--rollback', '--json']);
  t.is(back.code, 0);
  t.throws(() => readFileSync(kept));
  t.is(readFileSync(css, 'utf8'), mine, 'the old theme is back');
});
