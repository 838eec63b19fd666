// Generated hosts: the PhoneFactor 5.2 sample varied the ways real servers differ from it (where
// the web roots live, site and vdir names, <sites> moved out with configSource, web.configs in
// UTF-8, UTF-8 with a BOM or UTF-16LE, components present or absent, marker files present or
// absent, applicationSettings group names, Windows Server 2008 R2 / IIS 7.5 to 2022 / IIS 10).
// Written with plain string edits on a copy, sharing no code with lib/.
import fc from 'fast-check';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type Kind = 'userPortal' | 'mobileAppWebService' | 'webServiceSdk';
export type Encoding = 'utf8' | 'utf8bom' | 'utf16le';

export interface ComponentShape {
  /** The vdir name; the old default keeps the documented name (one kind of evidence). */
  vdir: string;
  marker: boolean;
  encoding: Encoding;
  /** The applicationSettings section group element (its name is not public). */
  group: string;
}

export interface HostShape {
  /** Drive of the web roots (C: as installed, or moved to another disk). */
  drive: 'C' | 'D' | 'E';
  site: string;
  components: Partial<Record<Kind, ComponentShape>>;
  configSource: boolean;
  windows: { product: string; version: string; build: string; iis: [number, number] };
}

export const OLD_VDIR: Record<Kind, string> = { userPortal: 'PhoneFactor', mobileAppWebService: 'PhoneFactorPhoneAppWebService', webServiceSdk: 'PhoneFactorWebServiceSdk' };
const MARKER: Partial<Record<Kind, string>> = { mobileAppWebService: 'PfPaWs.asmx', webServiceSdk: 'PfWsSdk.asmx' };
const GROUP: Partial<Record<Kind, string>> = { userPortal: 'pfup.Properties.Settings', mobileAppWebService: 'pfpaws.Properties.Settings' };
const PRODUCT: Record<Kind, RegExp> = { userPortal: /User Portal/, mobileAppWebService: /Phone App Web Service/, webServiceSdk: /Web Service SDK/ };

const WINDOWS: Array<HostShape['windows']> = [
  { product: 'Windows Server 2008 R2 Standard', version: '6.1', build: '7601', iis: [7, 5] },
  { product: 'Windows Server 2012 Standard', version: '6.2', build: '9200', iis: [8, 0] },
  { product: 'Windows Server 2012 R2 Standard', version: '6.3', build: '9600', iis: [8, 5] },
  { product: 'Windows Server 2016 Standard', version: '6.3', build: '14393', iis: [10, 0] },
  { product: 'Windows Server 2022 Standard', version: '6.3', build: '20348', iis: [10, 0] },
];

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,14}$/);

function componentShape(kind: Kind): fc.Arbitrary<ComponentShape> {
  return fc.record({
    vdir: fc.oneof(fc.constant(OLD_VDIR[kind]), name.filter((n) => !Object.values(OLD_VDIR).some((o) => o.toLowerCase() === n.toLowerCase()))),
    marker: fc.boolean(),
    encoding: fc.constantFrom<Encoding>('utf8', 'utf8bom', 'utf16le'),
    group: fc.oneof(fc.constant(GROUP[kind] ?? ''), name.map((n) => `${n}.Properties.Settings`)),
  });
}

export const hostShape: fc.Arbitrary<HostShape> = fc
  .record({
    drive: fc.constantFrom<HostShape['drive']>('C', 'D', 'E'),
    site: fc.oneof(fc.constant('Default Web Site'), name.map((n) => `${n} Site`)),
    userPortal: fc.option(componentShape('userPortal'), { nil: undefined }),
    mobileAppWebService: fc.option(componentShape('mobileAppWebService'), { nil: undefined }),
    webServiceSdk: fc.option(componentShape('webServiceSdk'), { nil: undefined }),
    configSource: fc.boolean(),
    windows: fc.constantFrom(...WINDOWS),
  })
  .filter((s) => new Set([s.userPortal?.vdir, s.mobileAppWebService?.vdir, s.webServiceSdk?.vdir].filter(Boolean).map((v) => (v as string).toLowerCase())).size === [s.userPortal, s.mobileAppWebService, s.webServiceSdk].filter(Boolean).length)
  .map(({ userPortal, mobileAppWebService, webServiceSdk, ...rest }) => ({ ...rest, components: { ...(userPortal ? { userPortal } : {}), ...(mobileAppWebService ? { mobileAppWebService } : {}), ...(webServiceSdk ? { webServiceSdk } : {}) } }));

function encode(text: string, e: Encoding): Buffer {
  if (e === 'utf8') return Buffer.from(text, 'utf8');
  if (e === 'utf8bom') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/encoding="utf-8"/i, 'encoding="utf-16"'), 'utf16le')]);
}

const edit = (file: string, f: (s: string) => string) => writeFileSync(file, f(readFileSync(file, 'utf8')));

/** registry.reg is UTF-16LE with a BOM, as reg.exe writes it. */
function editReg(file: string, f: (s: string) => string): void {
  const text = readFileSync(file).subarray(2).toString('utf16le');
  writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(f(text), 'utf16le')]));
}

const dword = (n: number) => `dword:${n.toString(16).padStart(8, '0')}`;

/** Builds the host in a new temporary folder; returns it and what it holds, for the oracle. */
export function generateHost(shape: HostShape): { root: string; host: string; work: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'mfa-gen-'));
  const host = join(root, 'host');
  cpSync('examples/hosts/phonefactor-5.2', host, { recursive: true });
  const apphost = join(host, 'drive/C/Windows/System32/inetsrv/config/applicationHost.config');
  const oldRoot = join(host, 'drive/C/inetpub/wwwroot');
  const newRootWin = shape.drive === 'C' ? 'C:\\inetpub\\wwwroot' : `${shape.drive}:\\Web\\Sites`;
  const newRoot = join(host, 'drive', shape.drive, ...(shape.drive === 'C' ? ['inetpub', 'wwwroot'] : ['Web', 'Sites']));
  mkdirSync(newRoot, { recursive: true });
  const products = JSON.parse(readFileSync(join(host, 'products.json'), 'utf8')) as Array<{ name: string; localPackage?: string }>;
  let kept = products;
  for (const kind of Object.keys(OLD_VDIR) as Kind[]) {
    const c = shape.components[kind];
    const oldDir = join(oldRoot, OLD_VDIR[kind]);
    if (!c) {
      // Absent: no product, no application, no folder, no cached package.
      const p = products.find((x) => PRODUCT[kind].test(x.name));
      if (p?.localPackage) rmSync(join(host, 'drive', p.localPackage.replace(/^C:\\/, 'C/').split('\\').join('/')), { force: true });
      kept = kept.filter((x) => x !== p);
      rmSync(oldDir, { recursive: true, force: true });
      edit(apphost, (s) => s.replace(new RegExp(`\\s*<application path="/${OLD_VDIR[kind]}"[^>]*>[\\s\\S]*?</application>`), ''));
      continue;
    }
    const web = join(oldDir, 'web.config');
    if (existsSync(web)) {
      let text = readFileSync(web, 'utf8');
      const g = GROUP[kind];
      if (g && c.group !== g) text = text.split(g).join(c.group);
      writeFileSync(web, encode(text, c.encoding));
    }
    const marker = MARKER[kind];
    if (marker && !c.marker) rmSync(join(oldDir, marker), { force: true });
    // As installed there: Windows Installer keeps the properties a product was installed with in
    // its cached package, and uninstalls (and repairs) from them.
    const cached = products.find((x) => PRODUCT[kind].test(x.name))?.localPackage;
    if (cached) {
      edit(join(host, 'drive', cached.replace(/^C:\\/, 'C/').split('\\').join('/')), (text) => {
        const m = JSON.parse(text) as { properties?: Record<string, string>; installedWith?: Record<string, string>; files?: Array<{ target: string }>; iisApplications?: Array<{ physicalPath: string }> };
        m.properties = { ...(m.properties ?? {}), TARGETSITE: shape.site, TARGETVDIR: c.vdir };
        m.installedWith = { ...(m.installedWith ?? {}), TARGETSITE: shape.site, TARGETVDIR: c.vdir };
        const moved = (t: string) => t.replace(/^C:\\inetpub\\wwwroot\\/i, `${newRootWin}\\`);
        for (const f of m.files ?? []) f.target = moved(f.target);
        for (const a of m.iisApplications ?? []) a.physicalPath = moved(a.physicalPath);
        return JSON.stringify(m, null, 2);
      });
    }
    renameSync(oldDir, join(newRoot, c.vdir));
    edit(apphost, (s) =>
      s.replace(`<application path="/${OLD_VDIR[kind]}"`, `<application path="/${c.vdir}"`).replace(`physicalPath="C:\\inetpub\\wwwroot\\${OLD_VDIR[kind]}"`, `physicalPath="${newRootWin}\\${c.vdir}"`),
    );
  }
  writeFileSync(join(host, 'products.json'), JSON.stringify(kept, null, 2));
  // The SDK URL carried into the other components names the SDK's vdir as the server had it.
  const sdk = shape.components.webServiceSdk?.vdir;
  if (sdk && sdk !== OLD_VDIR.webServiceSdk) {
    for (const kind of ['userPortal', 'mobileAppWebService'] as const) {
      const c = shape.components[kind];
      if (!c) continue;
      const web = join(newRoot, c.vdir, 'web.config');
      const bytes = readFileSync(web);
      const isU16 = bytes[0] === 0xff;
      const text = (isU16 ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8')).split(`/${OLD_VDIR.webServiceSdk}/`).join(`/${sdk}/`);
      writeFileSync(web, isU16 ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) : Buffer.from(text, 'utf8'));
    }
  }
  if (shape.site !== 'Default Web Site') edit(apphost, (s) => s.replace('<site name="Default Web Site"', `<site name="${shape.site}"`));
  if (shape.configSource) {
    const text = readFileSync(apphost, 'utf8');
    const sites = /<sites>[\s\S]*?<\/sites>/.exec(text)?.[0] as string;
    writeFileSync(join(dirname(apphost), 'sites.config'), `<?xml version="1.0" encoding="UTF-8"?>\n${sites}\n`);
    writeFileSync(apphost, text.replace(sites, '<sites configSource="sites.config" />'));
  }
  const w = shape.windows;
  editReg(join(host, 'registry.reg'), (s) =>
    s
      .replace(/"MajorVersion"=dword:[0-9a-f]{8}/, `"MajorVersion"=${dword(w.iis[0])}`)
      .replace(/"MinorVersion"=dword:[0-9a-f]{8}/, `"MinorVersion"=${dword(w.iis[1])}`)
      .replace(/"ProductName"="[^"]*"/, `"ProductName"="${w.product}"`)
      .replace(/"CurrentVersion"="[^"]*"/, `"CurrentVersion"="${w.version}"`)
      .replace(/"CurrentBuildNumber"="[^"]*"/, `"CurrentBuildNumber"="${w.build}"${Number(w.build) >= 10240 ? `\r\n"CurrentMajorVersionNumber"=${dword(10)}\r\n"CurrentMinorVersionNumber"=${dword(0)}` : ''}`)
      // IIS 8 and later record ASP.NET 4.5 as its own component value; IIS 7.5 never does (DOMAIN.md §6).
      .replace(/("ASPNET"=dword:0000000[01]\r?\n)/, (m) => (w.iis[0] >= 8 ? `${m}"ASPNET45"=dword:00000001\r\n` : m)),
  );
  edit(join(host, 'host.json'), (s) => s.replace(/"os": "[^"]*"/, `"os": "${w.product} (${w.version}.${w.build})"`));
  return { root, host, work: join(root, 'work'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
