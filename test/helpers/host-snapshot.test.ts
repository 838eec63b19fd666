// The strict host comparison must see every kind of change an upgrade, a rollback or a bad input
// could leave, name it, and stay silent about what Windows and IIS give no meaning (the order of
// attributes, of applications in a site, of service dependencies; a .reg file's encoding).
import test, { type ExecutionContext } from 'ava';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostState } from './host-state.js';
import { compareSnapshots, hostSnapshot } from './host-snapshot.js';
import { tempCopy } from './temp-host.js';

const APPHOST = 'drive/C/Windows/System32/inetsrv/config/applicationHost.config';
const SITES = 'drive/C/Windows/System32/inetsrv/config/sites.config';

/** Edits a text file as LF text and writes it back with the line ends it had (the samples are CRLF). */
function edit(dir: string, rel: string, change: (text: string) => string): void {
  const raw = readFileSync(join(dir, rel), 'utf8');
  const crlf = raw.includes('\r\n');
  const text = raw.replace(/\r\n/g, '\n');
  const after = change(text);
  if (after === text) throw new Error(`the edit of ${rel} changed nothing`);
  writeFileSync(join(dir, rel), crlf ? after.replace(/\n/g, '\r\n') : after);
}

/** registry.reg is UTF-16LE with a BOM, as reg.exe writes it. */
/** s with from replaced by to; throws when from is not there, so no edit silently does nothing. */
function must(s: string, from: string, to: string): string {
  if (!s.includes(from)) throw new Error(`'${from.slice(0, 60)}' is not in the file`);
  return s.replace(from, to);
}

function editReg(dir: string, change: (text: string) => string): void {
  const file = join(dir, 'registry.reg');
  const text = new TextDecoder('utf-16le').decode(readFileSync(file).subarray(2));
  const after = change(text);
  if (after === text) throw new Error('the registry edit changed nothing');
  writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(after, 'utf16le')]));
}

function editJson(dir: string, rel: string, change: (v: Array<Record<string, unknown>>) => void): void {
  const v = JSON.parse(readFileSync(join(dir, rel), 'utf8')) as Array<Record<string, unknown>>;
  change(v);
  writeFileSync(join(dir, rel), JSON.stringify(v, null, 2));
}

/** Applies a change to a copy of the sample and returns the differences the comparison names. */
function differences(sample: string, change: (dir: string) => void): string[] {
  const ws = tempCopy(sample);
  try {
    const before = hostSnapshot(ws.dir);
    const pristine = tempCopy(sample);
    try {
      change(ws.dir);
      return compareSnapshots(hostSnapshot(ws.dir), before, { actualDir: ws.dir, expectedDir: pristine.dir });
    } finally {
      pristine.cleanup();
    }
  } finally {
    ws.cleanup();
  }
}

function detects(t: ExecutionContext, diffs: string[], ...expected: RegExp[]): void {
  t.true(diffs.length > 0, 'the change went unseen');
  for (const re of expected) t.true(diffs.some((d) => re.test(d)), `no difference matches ${re}: ${diffs.join(' | ')}`);
}

test('a host compared with itself, or with a fresh copy of itself, has no differences', (t) => {
  t.deepEqual(differences('phonefactor-5.2', () => undefined), []);
  t.deepEqual(differences('mfa-8.0-adfs', () => undefined), []);
});

// Registry
test('registry: a changed string value is named by key and value, with both data', (t) => {
  const d = differences('mfa-7.0', (dir) => editReg(dir, (s) => s.replace('"SetupString"="IIS 8.5"', '"SetupString"="IIS 8.0"')));
  detects(t, d, /registry: HKEY_LOCAL_MACHINE\\SOFTWARE\\MICROSOFT\\INETSTP value SETUPSTRING is "REG_SZ \\"IIS 8.0\\"", expected "REG_SZ \\"IIS 8.5\\""/);
});

test('registry: the same text under another type (REG_SZ -> REG_EXPAND_SZ) is a difference', (t) => {
  const expand = Buffer.from('IIS 8.5\0', 'utf16le').toJSON().data.map((b) => b.toString(16).padStart(2, '0')).join(',');
  const d = differences('mfa-7.0', (dir) => editReg(dir, (s) => s.replace('"SetupString"="IIS 8.5"', `"SetupString"=hex(2):${expand}`)));
  detects(t, d, /SETUPSTRING is "REG_EXPAND_SZ/);
});

test('registry: a DWORD, a value added, a value removed, an empty key added and a key removed are each seen', (t) => {
  detects(t, differences('mfa-7.0', (dir) => editReg(dir, (s) => s.replace('"Bld"=dword:00005bd2', '"Bld"=dword:00005bd3'))), /VC\\RUNTIMES\\X64 value BLD is "REG_DWORD 0x00005bd3", expected "REG_DWORD 0x00005bd2"/);
  detects(t, differences('mfa-7.0', (dir) => editReg(dir, (s) => s.replace('"SetupString"="IIS 8.5"', '"SetupString"="IIS 8.5"\r\n"Extra"=hex(b):01,00,00,00,00,00,00,00'))), /unexpected .*INETSTP value EXTRA = "REG_QWORD 0x0000000000000001"/);
  detects(t, differences('mfa-7.0', (dir) => editReg(dir, (s) => s.replace('"SetupString"="IIS 8.5"\r\n', ''))), /missing .*INETSTP value SETUPSTRING/);
  detects(t, differences('mfa-7.0', (dir) => editReg(dir, (s) => `${s}\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Leftover]\r\n`)), /registry: unexpected HKEY_LOCAL_MACHINE\\SOFTWARE\\LEFTOVER$/);
  detects(t, differences('mfa-7.0', (dir) => editReg(dir, (s) => `${s}\r\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\InetStp\\Components]\r\n`)), /registry: missing HKEY_LOCAL_MACHINE\\SOFTWARE\\MICROSOFT\\INETSTP\\COMPONENTS$/, /missing .*COMPONENTS value ASPNET45/);
});

test('registry: the 32-bit view (WOW6432Node) is compared too', (t) => {
  const d = differences('mfa-7.0', (dir) => editReg(dir, (s) => s.replace('"Pfsvc_ncan_ip_tcp_port"=dword:00001322', '"Pfsvc_ncan_ip_tcp_port"=dword:00001323')));
  detects(t, d, /WOW6432NODE\\POSITIVE NETWORKS\\PHONEFACTOR value PFSVC_NCAN_IP_TCP_PORT/);
});

test('registry: the same registry written in UTF-8, or with the value name in another case, is no difference', (t) => {
  t.deepEqual(differences('mfa-7.0', (dir) => {
    const text = new TextDecoder('utf-16le').decode(readFileSync(join(dir, 'registry.reg')).subarray(2));
    writeFileSync(join(dir, 'registry.reg'), text.replace('"SetupString"', '"SETUPSTRING"'));
  }), []);
});

// Products
test('products: a changed field, a product gone, and a cached package changed or gone are each seen', (t) => {
  detects(t, differences('mfa-7.0', (dir) => editJson(dir, 'products.json', (p) => void ((p[0] as Record<string, unknown>)['version'] = '7.0.2.2'))), /products: Multi-Factor Authentication Server \{1D9B7C3E-.*version is "7.0.2.2", expected "7.0.2.1"/);
  detects(t, differences('mfa-7.0', (dir) => editJson(dir, 'products.json', (p) => void p.splice(0, 1))), /products: Multi-Factor Authentication Server \{1D9B7C3E-.*is not installed/);
  detects(t, differences('mfa-7.0', (dir) => appendFileSync(join(dir, 'drive/C/Windows/Installer/c1d2e3f4.msi'), ' ')), /products: .*cachedPackage is/);
  detects(t, differences('mfa-7.0', (dir) => rmSync(join(dir, 'drive/C/Windows/Installer/c1d2e3f4.msi'))), /cachedPackage is "absent"/);
});

test('products: a cached package under another random name is no difference; one no product refers to is', (t) => {
  t.deepEqual(differences('mfa-7.0', (dir) => {
    renameSync(join(dir, 'drive/C/Windows/Installer/c1d2e3f4.msi'), join(dir, 'drive/C/Windows/Installer/0badf00d.msi'));
    edit(dir, 'products.json', (s) => s.replace('c1d2e3f4.msi', '0badf00d.msi'));
  }), []);
  detects(t, differences('mfa-7.0', (dir) => writeFileSync(join(dir, 'drive/C/Windows/Installer/feedf00d.msi'), '{}')), /cached packages no product refers to: 1, expected 0/);
});

// Services
test('services: state, start type, path and dependencies are each seen; dependency order is not', (t) => {
  detects(t, differences('mfa-7.0', (dir) => editJson(dir, 'services.json', (s) => void ((s[0] as Record<string, unknown>)['state'] = 'stopped'))), /services: multifactorauth: state is "stopped", expected "running"/);
  detects(t, differences('mfa-7.0', (dir) => editJson(dir, 'services.json', (s) => void ((s[1] as Record<string, unknown>)['startType'] = 'disabled'))), /services: multifactorauthadsync: startType/);
  detects(t, differences('mfa-7.0', (dir) => editJson(dir, 'services.json', (s) => void ((s[2] as Record<string, unknown>)['dependsOn'] = ['WAS', 'HTTP']))), /services: w3svc: dependsOn/);
  detects(t, differences('mfa-7.0', (dir) => editJson(dir, 'services.json', (s) => void s.splice(1, 1))), /services: multifactorauthadsync is missing/);
  t.deepEqual(differences('mfa-7.0', (dir) => editJson(dir, 'services.json', (s) => {
    (s[2] as Record<string, unknown>)['dependsOn'] = ['WAS', 'HTTP'];
    s.reverse();
  })).filter((d) => !/dependsOn/.test(d)), []);
});

// Files
test('files: changed bytes are located, added and removed files and a folder left behind are named', (t) => {
  const data = 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata';
  detects(t, differences('mfa-7.0', (dir) => {
    const b = readFileSync(join(dir, data));
    b[100] = (b[100] as number) ^ 1;
    writeFileSync(join(dir, data), b);
  }), new RegExp(`files: ${data.replace(/\./g, '\\.')} differs: \\d+ bytes, expected \\d+ \\(first difference at byte 100`));
  detects(t, differences('mfa-7.0', (dir) => writeFileSync(join(dir, 'drive/C/inetpub/wwwroot/MFAPortal/.web.config.1a2b3c4d.tmp'), 'x')), /files: drive\/C\/inetpub\/wwwroot\/MFAPortal\/\.web\.config\.1a2b3c4d\.tmp is unexpected \(1 bytes\)/);
  detects(t, differences('mfa-7.0', (dir) => rmSync(join(dir, 'drive/C/inetpub/wwwroot/MFAPortal/Default.aspx'))), /files: drive\/C\/inetpub\/wwwroot\/MFAPortal\/Default\.aspx is missing/);
  detects(t, differences('mfa-7.0', (dir) => mkdirSync(join(dir, 'drive/C/inetpub/wwwroot/MultiFactorAuth'))), /files: drive\/C\/inetpub\/wwwroot\/MultiFactorAuth is unexpected \(a folder\)/);
  detects(t, differences('mfa-7.0', (dir) => writeFileSync(join(dir, 'msiexec.lock'), '123')), /files: msiexec\.lock is unexpected/);
  detects(t, differences('mfa-7.0', (dir) => writeFileSync(join(dir, 'host.json'), '{}')), /files: host\.json differs/);
});

test('files: ignoreFiles leaves out exactly the named folder', (t) => {
  const ws = tempCopy('mfa-7.0');
  try {
    const before = hostSnapshot(ws.dir);
    mkdirSync(join(ws.dir, 'drive/C/Windows/Logs/MfaUpgrade'), { recursive: true });
    writeFileSync(join(ws.dir, 'drive/C/Windows/Logs/MfaUpgrade/x.log'), 'log');
    writeFileSync(join(ws.dir, 'drive/C/Windows/LogsNot.txt'), 'x');
    const d = compareSnapshots(hostSnapshot(ws.dir), before, { ignoreFiles: ['drive/C/Windows/Logs'] });
    t.deepEqual(d, ['files: drive/C/Windows/LogsNot.txt is unexpected (1 bytes)']);
  } finally {
    ws.cleanup();
  }
});

test('adfs.json: a provider or the global policy changed is seen; providers listed in another order are not', (t) => {
  detects(t, differences('mfa-8.0-adfs', (dir) => edit(dir, 'adfs.json', (s) => s.replace('["AzureMfaServerAuthentication", "CertificateAuthentication"]', '["CertificateAuthentication"]'))), /files: adfs\.json differs/);
  t.deepEqual(differences('mfa-8.0-adfs', (dir) => {
    const v = JSON.parse(readFileSync(join(dir, 'adfs.json'), 'utf8')) as { providers: unknown[] };
    v.providers.reverse();
    writeFileSync(join(dir, 'adfs.json'), JSON.stringify(v));
  }), []);
});

// IIS
test('iis: a binding added or changed is seen (the legacy comparison sees neither)', async (t) => {
  const add = (dir: string) => edit(dir, APPHOST, (s) => s.replace('<binding protocol="https" bindingInformation="*:443:" />', '<binding protocol="https" bindingInformation="*:443:" />\n                    <binding protocol="http" bindingInformation="*:8080:" />'));
  detects(t, differences('phonefactor-5.2', add), /iis: unexpected configuration\/system\.applicationHost\/sites\/site\[name='default web site'\]\/bindings\/binding\[protocol='http',bindingInformation='\*:8080:'\]$/);
  detects(t, differences('mfa-7.0', (dir) => edit(dir, SITES, (s) => s.replace('sslFlags="1"', 'sslFlags="0"'))), /bindings\/binding\[protocol='https',bindingInformation='\*:443:mfa\.contoso\.com'\]\/@sslFlags is "0", expected "1"/);
  // The legacy comparison, kept for the crash tier until it is switched, misses this.
  const ws = tempCopy('phonefactor-5.2');
  try {
    const before = await hostState(ws.dir);
    add(ws.dir);
    t.deepEqual(await hostState(ws.dir), before);
  } finally {
    ws.cleanup();
  }
});

test('iis: an application moved to another pool, a vdir path changed, an app pool setting changed are each seen', (t) => {
  detects(t, differences('phonefactor-5.2', (dir) => edit(dir, APPHOST, (s) => s.replace('<application path="/PhoneFactor" applicationPool="PhoneFactor">', '<application path="/PhoneFactor" applicationPool="DefaultAppPool">'))), /application\[path='\/phonefactor'\]\/@applicationPool is "DefaultAppPool", expected "PhoneFactor"/);
  detects(t, differences('phonefactor-5.2', (dir) => edit(dir, APPHOST, (s) => s.replace('physicalPath="C:\\inetpub\\wwwroot\\PhoneFactor"', 'physicalPath="D:\\inetpub\\wwwroot\\PhoneFactor"'))), /application\[path='\/phonefactor'\]\/virtualDirectory\[path='\/'\]\/@physicalPath is "D:/);
  detects(t, differences('phonefactor-5.2', (dir) => edit(dir, APPHOST, (s) => s.replace('<add name="PhoneFactor" managedRuntimeVersion="v2.0" />', '<add name="PhoneFactor" managedRuntimeVersion="v4.0" />'))), /applicationPools\/add\[name='phonefactor'\]\/@managedRuntimeVersion is "v4.0", expected "v2.0"/);
  detects(t, differences('phonefactor-5.2', (dir) => edit(dir, APPHOST, (s) => s.replace('<add name="PhoneFactor" managedRuntimeVersion="v2.0" />\n', ''))), /iis: missing configuration\/system\.applicationHost\/applicationPools\/add\[name='phonefactor'\]$/);
  detects(t, differences('phonefactor-5.2', (dir) => edit(dir, APPHOST, (s) => s.replace('<processModel identityType="ApplicationPoolIdentity" />', '<processModel identityType="NetworkService" />'))), /applicationPoolDefaults\/processModel\/@identityType/);
});

test('iis: what IIS gives no meaning is no difference (application and binding order, attribute order, comments, layout, entity spelling)', (t) => {
  t.deepEqual(differences('phonefactor-5.2', (dir) => edit(dir, APPHOST, (s) => {
    const portal = '                <application path="/PhoneFactor" applicationPool="PhoneFactor">\n                    <virtualDirectory path="/" physicalPath="C:\\inetpub\\wwwroot\\PhoneFactor" />\n                </application>\n';
    let out = must(s, portal, '');
    out = must(out, '                <bindings>', `${portal}                <bindings>`);
    out = must(out, '<binding protocol="http" bindingInformation="*:80:" />\n                    <binding protocol="https" bindingInformation="*:443:" />', '<binding bindingInformation="*:443:" protocol="https" /><!-- moved -->\n<binding protocol="http" bindingInformation="*:80:"/>');
    return must(out, '<site name="Default Web Site" id="1">', '<site id="1" name="Default&#32;Web Site">');
  })), []);
});

test('iis: order is kept where IIS runs items in order (handlers) or where <clear/> makes it matter', (t) => {
  const withHandlers = (order: string[]) => (dir: string) => edit(dir, APPHOST, (s) => s.replace('    </system.applicationHost>', `    </system.applicationHost>\n    <system.webServer>\n        <handlers>\n${order.map((n) => `            <add name="${n}" path="*.${n}" verb="*" modules="IsapiModule" />`).join('\n')}\n        </handlers>\n    </system.webServer>`));
  const ws = tempCopy('phonefactor-5.2');
  const other = tempCopy('phonefactor-5.2');
  try {
    withHandlers(['asmx', 'aspx'])(ws.dir);
    withHandlers(['aspx', 'asmx'])(other.dir);
    detects(t, compareSnapshots(hostSnapshot(ws.dir), hostSnapshot(other.dir)), /handlers\/add#0\/@name is "asmx", expected "aspx"/);
    // Application pools with a <clear/> first: position decides, so it is compared in order.
    edit(ws.dir, APPHOST, (s) => s.replace('<add name="DefaultAppPool" />', '<clear />\n            <add name="DefaultAppPool" />'));
    edit(other.dir, APPHOST, (s) => s.replace('<add name="DefaultAppPool" />', '<add name="DefaultAppPool" />\n            <clear />'));
    detects(t, compareSnapshots(hostSnapshot(ws.dir), hostSnapshot(other.dir)), /applicationPools\/clear#0/);
  } finally {
    ws.cleanup();
    other.cleanup();
  }
});

test('iis: the configSource file is read as part of IIS, and moving sites back inline shows as the configSource attribute only', (t) => {
  detects(t, differences('mfa-7.0', (dir) => edit(dir, SITES, (s) => s.replace('physicalPath="%SystemDrive%\\inetpub\\wwwroot\\MFAPortal"', 'physicalPath="C:\\inetpub\\wwwroot\\MFAPortal"'))), /application\[path='\/mfaportal'\]\/virtualDirectory\[path='\/'\]\/@physicalPath is "C:\\\\inetpub/);
  const d = differences('mfa-7.0', (dir) => {
    const sites = readFileSync(join(dir, SITES), 'utf8').replace(/^<\?xml[^>]*\?>\r?\n/, '');
    edit(dir, APPHOST, (s) => s.replace('<sites configSource="sites.config" />', sites));
    rmSync(join(dir, SITES));
  });
  t.deepEqual(d, ["iis: missing configuration/system.applicationHost/sites/@configSource (expected \"sites.config\")"]);
});

test('iis: a configuration file IIS could not read is reported, naming the file', (t) => {
  detects(t, differences('phonefactor-5.2', (dir) => edit(dir, APPHOST, (s) => s.replace('</sites>', '</site>'))), /unreadable: drive\/C\/Windows\/System32\/inetsrv\/config\/applicationHost\.config: .*not well-formed/);
  detects(t, differences('mfa-7.0', (dir) => rmSync(join(dir, SITES))), /unreadable: .*sites\.config: the configSource file of <sites> is missing/);
});
