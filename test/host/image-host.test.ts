// The image backend's ports: registry views, files, services, IIS, AD FS state, and bad input.
import test from 'ava';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MfaError } from '../../lib/errors.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { decodeRegBytes } from '../../lib/host/image/reg-file.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';

const PF_KEY = 'HKLM\\SOFTWARE\\Positive Networks\\PhoneFactor';

test('the 32-bit registry view is HKLM\\SOFTWARE\\WOW6432Node, matched case-insensitively', async (t) => {
  const host = await openImageHost('examples/hosts/phonefactor-5.2');
  t.deepEqual(await host.registry.getValue(PF_KEY, 'InstallPath', '32'), { type: 'REG_SZ', data: 'C:\\Program Files\\PhoneFactor\\' });
  t.is(await host.registry.getValue(PF_KEY, 'InstallPath', '64'), undefined);
  t.deepEqual(await host.registry.getValue('HKEY_LOCAL_MACHINE\\software\\wow6432node\\positive networks\\phonefactor', 'installpath'), { type: 'REG_SZ', data: 'C:\\Program Files\\PhoneFactor\\' });
  t.deepEqual(await host.registry.listSubkeys('HKLM\\SOFTWARE\\Positive Networks', '32'), ['PhoneFactor']);
  t.is(await host.registry.listValues('HKLM\\SOFTWARE\\Nothing\\Here'), undefined);
  t.false(await host.registry.keyExists('HKLM\\SOFTWARE\\Nothing'));
});

test('registry writes persist to registry.reg in reg.exe form, and deletes are not errors when absent', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  await host.registry.setValue('HKLM\\SOFTWARE\\Contoso\\Test', 'Multi', { type: 'REG_MULTI_SZ', data: ['a', 'b'] }, '32');
  await host.registry.deleteValue('HKLM\\SOFTWARE\\Contoso\\Test', 'NotThere', '32');
  await host.registry.deleteKey('HKLM\\SOFTWARE\\No\\Such\\Key');
  const text = decodeRegBytes(readFileSync(join(dir, 'registry.reg')));
  t.true(text.startsWith('Windows Registry Editor Version 5.00\r\n'));
  t.regex(text, /\[HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Contoso\\Test\]\r\n"Multi"=hex\(7\):61,00,00,00,62,00,00,00,00,00/i);
  const again = await openImageHost(dir);
  t.deepEqual(await again.registry.getValue('HKLM\\SOFTWARE\\Contoso\\Test', 'Multi', '32'), { type: 'REG_MULTI_SZ', data: ['a', 'b'] });
  await again.registry.deleteKey('HKLM\\SOFTWARE\\Contoso', '32');
  t.false(await (await openImageHost(dir)).registry.keyExists('HKLM\\SOFTWARE\\Contoso\\Test', '32'));
});

test('Windows paths map into drive/, case-insensitively, and cannot leave the image', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  t.is((await host.files.stat('c:\\PROGRAM FILES\\phonefactor\\data\\PHONEFACTOR.PFDATA'))?.size, 3145728);
  await t.throwsAsync(host.files.readFile('C:\\..\\..\\etc\\passwd'), { message: /climbs above its drive/ });
  await t.throwsAsync(host.files.readFile('\\\\server\\share\\x'), { message: /not an absolute local Windows path/ });
  await t.throwsAsync(host.files.readFile('C:\\a\\b?c'), { message: /character Windows does not allow/ });
  symlinkSync('/etc', join(dir, 'drive/C/escape'));
  await t.throwsAsync(host.files.readFile('C:\\escape\\hostname'), { message: /leads outside the image host/ });
  await t.throwsAsync(host.files.readFile('C:\\missing.txt'), { instanceOf: MfaError, message: /file not found/ });
});

test('atomic writes replace content, keep the mode, and leave no temporary file', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  const path = 'C:\\inetpub\\wwwroot\\MFAPortal\\web.config';
  await host.files.writeFileAtomic(path, Buffer.from('<configuration />\r\n'));
  t.is((await host.files.readFile(path)).toString(), '<configuration />\r\n');
  t.deepEqual((await host.files.listDir('C:\\inetpub\\wwwroot\\MFAPortal'))?.map((e) => e.name), ['App_Themes', 'Default.aspx', 'web.config']);
  const copy = await host.files.copyFile('C:\\Program Files\\Multi-Factor Authentication Server\\Data\\PhoneFactor.pfdata', 'C:\\Backup\\PhoneFactor.pfdata');
  t.is(copy.size, 2621440);
  t.is(copy.sha256, (await import('node:crypto')).createHash('sha256').update(readFileSync(join(dir, 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata'))).digest('hex'));
});

test('stopping a service stops its dependents first; a disabled service will not start', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  await host.services.stop('WAS');
  t.is((await host.services.get('W3SVC'))?.state, 'stopped');
  await host.services.start('w3svc');
  t.is((await host.services.get('WAS'))?.state, 'running');
  const services = JSON.parse(readFileSync(join(dir, 'services.json'), 'utf8')) as Array<{ name: string; startType: string }>;
  (services.find((s) => s.name === 'pfsvc') as { startType: string }).startType = 'disabled';
  writeFileSync(join(dir, 'services.json'), JSON.stringify(services));
  const again = await openImageHost(dir);
  await t.throwsAsync(again.services.start('pfsvc'), { message: /disabled/ });
  await t.throwsAsync(again.services.stop('NoSuchService'), { message: /does not exist/ });
});

test('IIS sites are read through configSource, with environment variables expanded', async (t) => {
  const host = await openImageHost('examples/hosts/mfa-7.0');
  t.deepEqual(await host.iis.version(), { majorVersion: 8, minorVersion: 5 });
  const [site] = await host.iis.sites();
  t.is(site?.name, 'Default Web Site');
  const portal = site?.applications.find((a) => a.path === '/MFAPortal');
  t.is(portal?.applicationPool, 'MultiFactorAuth');
  t.deepEqual(portal?.virtualDirectories, [{ path: '/', physicalPathRaw: '%SystemDrive%\\inetpub\\wwwroot\\MFAPortal', physicalPath: 'C:\\inetpub\\wwwroot\\MFAPortal' }]);
  t.is(site?.applications.find((a) => a.path === '/')?.applicationPool, 'DefaultAppPool');
  t.deepEqual(site?.bindings, [{ protocol: 'https', bindingInformation: '*:443:mfa.contoso.com' }]);
  t.is(await (await openImageHost('examples/hosts/mfa-8.0-adfs')).iis.version(), undefined);
});

test('AD FS state is read through the PowerShell port; hosts without AD FS have no such cmdlets', async (t) => {
  const adfs = await openImageHost('examples/hosts/mfa-8.0-adfs');
  t.true(await adfs.powershell.hasCommand('Get-AdfsAuthenticationProvider'));
  t.deepEqual(await adfs.powershell.invoke('Get-AdfsAuthenticationProvider', { Name: 'azuremfaserverauthentication' }), [
    { Name: 'AzureMfaServerAuthentication', AdminName: 'Azure Multi-Factor Authentication Server', TypeName: 'pfadfs.AuthenticationAdapter, MultiFactorAuthAdfsAdapter, Version=8.0.0.3, Culture=neutral, PublicKeyToken=31bf3856ad364e35' },
  ]);
  const plain = await openImageHost('examples/hosts/mfa-7.0');
  t.false(await plain.powershell.hasCommand('Get-AdfsAuthenticationProvider'));
  await t.throwsAsync(plain.powershell.invoke('Get-AdfsAuthenticationProvider'), { message: /not recognized/ });
});

async function errorOf(p: Promise<unknown>): Promise<MfaError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof MfaError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

test('malformed image files are refused naming the file, the line and the problem', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  writeFileSync(join(dir, 'registry.reg'), 'Windows Registry Editor Version 5.00\r\n\r\n[HKLM\\SOFTWARE\\X]\r\n"v"=dword:xyz\r\n');
  writeFileSync(join(dir, 'products.json'), '[\n  { "productCode": "{1}",\n  "name": }\n]');
  writeFileSync(join(dir, 'services.json'), '[{"name":"a","displayName":"A","state":"sleeping","startType":"auto","path":"x"}]');
  mkdirSync(join(dir, 'drive/C/Windows/System32/inetsrv/config'), { recursive: true });
  writeFileSync(join(dir, 'drive/C/Windows/System32/inetsrv/config/applicationHost.config'), '<configuration>\n  <system.applicationHost>\n    <sites>\n  </system.applicationHost>\n</configuration>\n');
  const host = await openImageHost(dir);
  const reg = await errorOf(host.registry.getValue('HKLM\\SOFTWARE\\X', 'v'));
  t.deepEqual([reg.target, reg.line, reg.exitCode], [join(dir, 'registry.reg'), 4, 3]);
  t.regex(reg.message, /unknown value data 'dword:xyz'/);
  const products = await errorOf(host.installer.listProducts());
  t.is(products.target, join(dir, 'products.json'));
  t.is(products.line, 3);
  t.regex(products.message, /malformed JSON/);
  const services = await errorOf(host.services.list());
  t.regex(services.message, /unknown state 'sleeping'/);
  const iis = await errorOf(host.iis.sites());
  t.is(iis.target, 'C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config');
  t.is(iis.line, 4);
  t.regex(iis.message, /malformed XML/);
});

test('applicationHost.config with a DOCTYPE (entity expansion) is refused', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  mkdirSync(join(dir, 'drive/C/Windows/System32/inetsrv/config'), { recursive: true });
  writeFileSync(join(dir, 'drive/C/Windows/System32/inetsrv/config/applicationHost.config'), '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><configuration>&b;</configuration>');
  const host = await openImageHost(dir);
  await t.throwsAsync(host.iis.sites(), { message: /must not contain a DOCTYPE/ });
});

test('a folder that is not an image host is refused', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  await t.throwsAsync(openImageHost(dir), { message: /is not an image host/ });
  await t.throwsAsync(openImageHost(join(dir, 'nope')), { message: /image host folder not found/ });
});
