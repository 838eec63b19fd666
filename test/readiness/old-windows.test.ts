// Windows Server 2008 / 2008 R2 and IIS 7.x, the OS matrix, and TLS 1.2 (DOMAIN.md §6), on the
// samples and on hosts varied from them (Windows and IIS versions, client and server editions,
// a real applicationHost.config from the corpus, 32- and 64-bit registry views).
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openImageHost, type ImageHost } from '../../lib/host/image/image-host.js';
import { takeInventory } from '../../lib/inventory/take-inventory.js';
import { runChecks } from '../../lib/readiness/run-checks.js';
import type { CheckResult } from '../../lib/readiness/types.js';
import { sharedFolder } from '../helpers/shared.js';
import { tempCopy } from '../helpers/temp-host.js';

const CV = 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';
const INETSTP = 'HKLM\\SOFTWARE\\Microsoft\\InetStp';
const COMPONENTS = `${INETSTP}\\Components`;
const APPHOST = 'drive/C/Windows/System32/inetsrv/config/applicationHost.config';
const SCHANNEL = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client';
const NETFX = 'HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319';

async function checks(dir: string, targetMajor = 8): Promise<Record<string, CheckResult>> {
  const host = await openImageHost(dir);
  const results = await runChecks({ host, inventory: await takeInventory(host), targetMajor });
  return Object.fromEntries(results.map((r) => [r.id, r]));
}

const dword = (data: number) => ({ type: 'REG_DWORD' as const, data });
const sz = (data: string) => ({ type: 'REG_SZ' as const, data });

async function setOs(host: ImageHost, o: { name: string; version: string; build: string; major?: number; minor?: number; type?: string }): Promise<void> {
  await host.registry.setValue(CV, 'ProductName', sz(o.name));
  await host.registry.setValue(CV, 'CurrentVersion', sz(o.version));
  await host.registry.setValue(CV, 'CurrentBuildNumber', sz(o.build));
  if (o.major !== undefined) await host.registry.setValue(CV, 'CurrentMajorVersionNumber', dword(o.major));
  if (o.minor !== undefined) await host.registry.setValue(CV, 'CurrentMinorVersionNumber', dword(o.minor));
  if (o.type !== undefined) await host.registry.setValue(CV, 'InstallationType', sz(o.type));
}

async function setIis(host: ImageHost, major: number, minor: number, components: string[]): Promise<void> {
  await host.registry.setValue(INETSTP, 'MajorVersion', dword(major));
  await host.registry.setValue(INETSTP, 'MinorVersion', dword(minor));
  await host.registry.deleteKey(COMPONENTS);
  for (const c of components) await host.registry.setValue(COMPONENTS, c, dword(1));
}

/** The sample's applicationHost.config without its system.webServer sections (an IIS that never had ASP.NET 4 registered). */
function withoutAspNet4(dir: string): void {
  const file = join(dir, APPHOST);
  const text = readFileSync(file, 'utf8').replace(/\s*<system\.webServer>[\s\S]*?<\/system\.webServer>/, '').replace(/\s*<location path="" overrideMode="Allow">[\s\S]*?<\/location>/, '');
  writeFileSync(file, text);
}

test('PhoneFactor 5.2 sample (Windows Server 2008 R2, IIS 7.5): no ASPNET45 value, ASP.NET 4 registered in applicationHost.config, OS in the matrix', async (t) => {
  const r = await checks('examples/hosts/phonefactor-5.2');
  t.is(r['iis']?.status, 'pass', r['iis']?.evidence);
  t.regex(r['iis']?.evidence ?? '', /^IIS 7\.5; .*ASP\.NET 4 registered with IIS \(64-bit and 32-bit aspnet_isapi\.dll allowed, 4 v4\.0 handlers/);
  t.is(r['os']?.status, 'pass');
  t.regex(r['os']?.evidence ?? '', /Windows Server 2008 R2 Standard 6\.1 build 7601/);
  t.is(r['tls12']?.status, 'warn');
  // 2008 R2: TLS 1.2 is off for clients unless the SCHANNEL values say otherwise; both .NET views.
  const remedy = r['tls12']?.remedy ?? '';
  for (const key of [`${SCHANNEL}\\Enabled = 1`, `${SCHANNEL}\\DisabledByDefault = 0`, `${NETFX}\\SchUseStrongCrypto = 1`, `${NETFX}\\SystemDefaultTlsVersions = 1`, 'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\.NETFramework\\v4.0.30319\\SchUseStrongCrypto = 1']) {
    t.true(remedy.includes(key), key);
  }
  t.regex(r['tls12']?.evidence ?? '', /absent means off on Windows 6\.1/);
});

test('IIS 7.5 without ASP.NET 4 registered: aspnet_regiis -i, and role services with the 2008 R2 command (never Install-WindowsFeature or Web-Asp-Net45)', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  withoutAspNet4(dir);
  const host = await openImageHost(dir);
  await setIis(host, 7, 5, ['ASPNET', 'Metabase']);
  const r = (await checks(dir))['iis'];
  t.is(r?.status, 'fail');
  t.regex(r?.evidence ?? '', /missing: Basic Authentication/);
  t.regex(r?.evidence ?? '', /ASP\.NET 4 is not registered with IIS 7\.5/);
  t.regex(r?.remedy ?? '', /Import-Module ServerManager; Add-WindowsFeature Web-Basic-Auth\./);
  t.regex(r?.remedy ?? '', /%windir%\\Microsoft\.NET\\Framework64\\v4\.0\.30319\\aspnet_regiis\.exe -i/);
  t.false(/Install-WindowsFeature|Web-Asp-Net45/.test(r?.remedy ?? ''));
  // MFA Server 6.x needs only ASP.NET (2.0) there: applicationHost.config is not asked.
  t.regex((await checks(dir, 6))['iis']?.evidence ?? '', /missing: Basic Authentication/);
  t.false(/aspnet_regiis/.test((await checks(dir, 6))['iis']?.remedy ?? ''));
});

test('IIS 7.0 on Windows Server 2008: ServerManagerCmd; a 32-bit OS registers with the 32-bit Framework folder', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  withoutAspNet4(dir);
  const host = await openImageHost(dir);
  await setOs(host, { name: 'Windows Server (R) 2008 Standard', version: '6.0', build: '6002' });
  await setIis(host, 7, 0, ['BasicAuthentication']);
  await host.registry.setValue('HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment', 'PROCESSOR_ARCHITECTURE', sz('x86'));
  const r = await checks(dir);
  t.is(r['os']?.status, 'pass');
  t.regex(r['iis']?.remedy ?? '', /ServerManagerCmd\.exe -install Web-Asp-Net Web-Metabase/);
  t.regex(r['iis']?.remedy ?? '', /%windir%\\Microsoft\.NET\\Framework\\v4\.0\.30319\\aspnet_regiis\.exe -i/);
});

test('a real applicationHost.config (corpus 01: ASP.NET 4 registered, not allowed): the check says so and how to allow it', async (t) => {
  const corpus = sharedFolder('corpus/iis');
  if (corpus.dir === undefined) {
    t.log(`skipped: ${corpus.reason}`);
    t.pass();
    return;
  }
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  // The corpus file as it is, with the sample's <sites> in place of its own (so the MFA web components are there).
  const sites = /<sites>[\s\S]*<\/sites>/.exec(readFileSync(join(dir, APPHOST), 'utf8'))?.[0] ?? '';
  writeFileSync(join(dir, APPHOST), readFileSync(join(corpus.dir, '01-pubslocator-applicationHost.config'), 'utf8').replace(/<sites>[\s\S]*<\/sites>/, () => sites));
  const r = (await checks(dir))['iis'];
  t.is(r?.status, 'fail');
  t.regex(r?.evidence ?? '', /registered but not allowed: isapiCgiRestriction lists C:\\Windows\\Microsoft\.NET\\Framework\\v4\.0\.30319\\aspnet_isapi\.dll, C:\\Windows\\Microsoft\.NET\\Framework64\\v4\.0\.30319\\aspnet_isapi\.dll with allowed="false"/);
  t.regex(r?.remedy ?? '', /appcmd\.exe set config -section:system\.webServer\/security\/isapiCgiRestriction "\/\[path='C:\\Windows\\Microsoft\.NET\\Framework\\v4\.0\.30319\\aspnet_isapi\.dll'\]\.allowed:True" \/commit:apphost/);
});

test('IIS 8.5 on 2012 R2 (mfa-7.0 sample) missing a role service: Install-WindowsFeature; a client OS: Windows features', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  await host.registry.deleteValue(COMPONENTS, 'ASPNET45');
  const r = (await checks(dir))['iis'];
  t.regex(r?.remedy ?? '', /Install-WindowsFeature Web-Asp-Net45\./);
  await setOs(host, { name: 'Windows 8.1 Enterprise', version: '6.3', build: '9600', type: 'Client' });
  const c = (await checks(dir))['iis'];
  t.regex(c?.remedy ?? '', /Turn Windows features on or off > Internet Information Services: .*ASP\.NET 4\.5/);
  t.false(/Install-WindowsFeature/.test(c?.remedy ?? ''));
});

test('the OS matrix: Server 2008 or later, client Windows 7 or later; Windows 10 read from its real version numbers', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  const cases: Array<[Parameters<typeof setOs>[1], 'pass' | 'fail', RegExp]> = [
    [{ name: 'Windows Server 2003 R2', version: '5.2', build: '3790' }, 'fail', /older than Windows Server 2008 \(6\.0\)/],
    [{ name: 'Windows Vista (TM) Business', version: '6.0', build: '6002' }, 'fail', /older than Windows 7 \(6\.1\)/],
    [{ name: 'Windows 7 Professional', version: '6.1', build: '7601', type: 'Client' }, 'pass', /client OS, Windows 7 or later/],
    [{ name: 'Windows Server 2019 Datacenter', version: '6.3', build: '17763', major: 10, minor: 0, type: 'Server' }, 'pass', /10\.0 build 17763/],
  ];
  for (const [os, status, evidence] of cases) {
    await setOs(host, os);
    const r = (await checks(dir))['os'];
    t.is(r?.status, status, os.name);
    t.regex(r?.evidence ?? '', evidence);
  }
  await host.registry.deleteKey(CV);
  t.is((await checks(dir))['os']?.status, 'warn');
});

test('TLS: 2012 R2 with SCHANNEL untouched needs only the .NET values; everything set passes; a missing 32-bit view is named alone', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  const r1 = (await checks(dir))['tls12'];
  t.is(r1?.status, 'warn');
  t.false((r1?.remedy ?? '').includes('TLS 1.2\\Client'), 'on by default from 6.2');
  for (const view of ['64', '32'] as const) for (const n of ['SchUseStrongCrypto', 'SystemDefaultTlsVersions']) await host.registry.setValue(NETFX, n, dword(1), view);
  t.is((await checks(dir))['tls12']?.status, 'pass');
  await host.registry.setValue(NETFX, 'SchUseStrongCrypto', dword(0), '32');
  const r2 = (await checks(dir))['tls12'];
  t.is(r2?.status, 'warn');
  t.regex(r2?.remedy ?? '', /^The MFA services .*set HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\\.NETFramework\\v4\.0\.30319\\SchUseStrongCrypto = 1 \(DWORD\)\. For example: reg add "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\\.NETFramework\\v4\.0\.30319" \/v SchUseStrongCrypto \/t REG_DWORD \/d 1 \/f\./);
  // SCHANNEL explicitly off on a new OS counts.
  await host.registry.setValue(SCHANNEL, 'Enabled', dword(0));
  t.regex((await checks(dir))['tls12']?.remedy ?? '', /TLS 1\.2\\Client\\Enabled = 1/);
});
