// The image installer behaves as Windows Installer does where an upgrade depends on it.
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { openImageHost } from '../../lib/host/image/image-host.js';
import type { InstallProgress } from '../../lib/host/ports.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';
import { completionLines, pfdataState } from '../helpers/pfdata.js';
import { treeHash } from '../helpers/tree-hash.js';

const PKG = 'examples/packages';
const SERVER = `${PKG}/MultiFactorAuthenticationServerSetup64.msi.json`;
const PORTAL = `${PKG}/MultiFactorAuthenticationUserPortalSetup64.msi.json`;
const notLogs = (rel: string) => rel.startsWith(join('drive', 'C', 'Logs'));

test('readPackage reports the identity a package carries', async (t) => {
  const host = await openImageHost('examples/hosts/mfa-7.0');
  const id = await host.installer.readPackage(SERVER);
  t.like(id, { name: 'Multi-Factor Authentication Server', version: '8.1.1.2', platform: 'x64', upgradeCode: '{8C2F4A61-7B3E-4D9C-A5F0-1E6B2D7C3A48}' });
});

test('PhoneFactor 5.2 to MFA Server: uninstall the agent, install into the old folder, the data file converted on the service\'s first start', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  const data = 'C:\\Program Files\\PhoneFactor\\Data\\Phonefactor.pfdata';
  const before = await host.files.readFile(data);
  t.is((await host.installer.uninstall('{6F3C1B2A-4D5E-4A71-9C0B-2E8D7F6A5B41}', { logFile: 'C:\\Logs\\agent-uninstall.log' })).exitCode, 0);
  t.is(await host.services.get('pfsvc'), undefined);
  t.false(existsSync(join(dir, 'drive/C/Program Files/PhoneFactor/pfsvc.exe')));
  // InstallPath is permanent, so the next installer finds the old folder.
  t.deepEqual(await host.registry.getValue('HKLM\\SOFTWARE\\Positive Networks\\PhoneFactor', 'InstallPath', '32'), { type: 'REG_SZ', data: 'C:\\Program Files\\PhoneFactor\\' });
  for (const vc of ['vc_redist.x64', 'vc_redist.x86']) t.is((await host.installer.install(`${PKG}/${vc}.msi.json`)).exitCode, 0);
  const events: InstallProgress[] = [];
  const result = await host.installer.install(SERVER, { logFile: 'C:\\Logs\\server.log', onProgress: (e) => events.push(e) });
  t.is(result.exitCode, 0);
  // MFA Server converted the agent's data file (schema 18, as pfsvc.log recorded) when its service started.
  const after = pfdataState(await host.files.readFile(data));
  t.deepEqual(after.body, before);
  t.deepEqual(after.header, { schema: 25, from: 18, state: 0, pollsLeft: 0 });
  t.deepEqual(completionLines((await host.files.readFile('C:\\Program Files\\PhoneFactor\\Logs\\MultiFactorAuthSvc.log')).toString('utf8')), [{ from: 18, to: 25 }]);
  const products = await host.installer.listProducts();
  t.true(products.some((p) => p.name === 'Multi-Factor Authentication Server' && p.installLocation === 'C:\\Program Files\\PhoneFactor\\'));
  t.false(products.some((p) => p.name === 'PhoneFactor Agent'));
  t.is((await host.services.get('MultiFactorAuth'))?.state, 'running');
  t.true(existsSync(join(dir, 'drive/C/Program Files/PhoneFactor/MultiFactorAuthenticationUserPortalSetup64.msi')));
  // Progress: several events, never going back, ending complete.
  t.true(events.length >= 4);
  for (let i = 1; i < events.length; i++) t.true((events[i] as InstallProgress).percent >= (events[i - 1] as InstallProgress).percent);
  t.is(events.at(-1)?.percent, 100);
  t.true(events.some((e) => e.action === 'InstallFiles'));
  const log = (await host.files.readFile('C:\\Logs\\server.log')).toString();
  t.regex(log, /AppSearch: INSTALLDIR = C:\\Program Files\\PhoneFactor\\/);
  t.regex(log, /MainEngineThread is returning 0/);
});

test('a missing prerequisite fails the install with 1603 and changes nothing but the log', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  const before = treeHash(dir, notLogs);
  const r = await host.installer.install(SERVER, { logFile: 'C:\\Logs\\server.log' });
  t.is(r.exitCode, 1603);
  t.deepEqual(treeHash(dir, notLogs), before);
  t.regex((await host.files.readFile('C:\\Logs\\server.log')).toString(), /Microsoft Visual C\+\+ 2015 Redistributable Update 1 or higher is required/);
});

test('MFA Server 7.0 to 8.1 in place: a major upgrade removes the old product, keeps the path and converts the data (23 to 25)', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  t.is((await host.installer.install(`${PKG}/vc_redist.x86.msi.json`)).exitCode, 0);
  t.is((await host.installer.install(`${PKG}/vc_redist.x64.msi.json`)).exitCode, 0);
  const vc = (await host.installer.listProducts()).filter((p) => p.name.includes('Visual C++'));
  t.deepEqual(vc.map((p) => p.version).sort(), ['14.29.30139', '14.29.30139']);
  const data = await host.files.readFile('C:\\Program Files\\Multi-Factor Authentication Server\\Data\\PhoneFactor.pfdata');
  t.is((await host.installer.install(SERVER)).exitCode, 0);
  const servers = (await host.installer.listProducts()).filter((p) => p.name === 'Multi-Factor Authentication Server');
  t.deepEqual(servers.map((p) => p.version), ['8.1.1.2']);
  const converted = pfdataState(await host.files.readFile('C:\\Program Files\\Multi-Factor Authentication Server\\Data\\PhoneFactor.pfdata'));
  t.deepEqual(converted.body, data);
  t.deepEqual(converted.header, { schema: 25, from: 23, state: 0, pollsLeft: 0 });
  t.deepEqual(completionLines((await host.files.readFile('C:\\Program Files\\Multi-Factor Authentication Server\\Logs\\MultiFactorAuthSvc.log')).toString('utf8')), [{ from: 22, to: 23 }, { from: 23, to: 25 }]);
});

test('uninstalling the portal removes its own files and IIS application, keeps custom themes, and leaves the rest of applicationHost.config as it was', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  const apphostFile = join(dir, 'drive/C/Windows/System32/inetsrv/config/applicationHost.config');
  const apphostBefore = readFileSync(apphostFile, 'utf8');
  t.is((await host.installer.uninstall('{A2C4E6F8-1B3D-4E5F-8A9B-C0D1E2F3A4B5}')).exitCode, 0);
  t.false(existsSync(join(dir, 'drive/C/inetpub/wwwroot/PhoneFactor/web.config')));
  t.false(existsSync(join(dir, 'drive/C/inetpub/wwwroot/PhoneFactor/App_Themes/Default')));
  t.true(existsSync(join(dir, 'drive/C/inetpub/wwwroot/PhoneFactor/App_Themes/Contoso/Contoso.css')));
  const after = readFileSync(apphostFile, 'utf8');
  const removed = apphostBefore.match(/ *<application path="\/PhoneFactor" [\s\S]*?<\/application>\r\n/)?.[0] ?? '';
  t.true(removed.length > 0);
  t.is(after, apphostBefore.replace(removed, ''));
  t.false((await host.iis.sites()).some((s) => s.applications.some((a) => a.path === '/PhoneFactor')));
});

test('a failing custom action rolls every change back (1603)', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-8.0-adfs');
  t.teardown(cleanup);
  const pkg = tempDir();
  t.teardown(pkg.cleanup);
  const manifest = JSON.parse(readFileSync(SERVER, 'utf8')) as Record<string, unknown>;
  manifest['customActions'] = [{ name: 'ConfigureDataFileUpgrade', exitCode: 1603, message: 'Data file conversion could not start' }];
  // The payload sits beside the package, as it would on a share.
  writeFileSync(join(pkg.dir, 'server.msi.json'), JSON.stringify(manifest).replace(/"source":"payload\//g, `"source":"payload/`));
  mkdirSync(join(pkg.dir, 'payload'), { recursive: true });
  for (const f of ['server/MultiFactorAuthSvc.exe', 'server/MultiFactorAuthAdSyncSvc.exe']) {
    mkdirSync(join(pkg.dir, 'payload', 'server'), { recursive: true });
    writeFileSync(join(pkg.dir, 'payload', f), readFileSync(join(PKG, 'payload', f)));
  }
  for (const f of ['MultiFactorAuthenticationUserPortalSetup64', 'MultiFactorAuthenticationMobileAppWebServiceSetup64', 'MultiFactorAuthenticationWebServiceSdkSetup64', 'MultiFactorAuthenticationAdfsAdapterSetup64']) {
    writeFileSync(join(pkg.dir, `${f}.msi.json`), readFileSync(join(PKG, `${f}.msi.json`)));
  }
  const host = await openImageHost(dir);
  const before = treeHash(dir, notLogs);
  const r = await host.installer.install(join(pkg.dir, 'server.msi.json'), { logFile: 'C:\\Logs\\fail.log' });
  t.is(r.exitCode, 1603);
  t.deepEqual(treeHash(dir, notLogs), before);
  const log = (await host.files.readFile('C:\\Logs\\fail.log')).toString();
  t.regex(log, /CustomAction ConfigureDataFileUpgrade returned actual error code 1603/);
  t.regex(log, /Rollback/);
});

test('another installation in progress gives 1618 and changes nothing', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  t.teardown(() => sleeper.kill());
  writeFileSync(join(dir, 'msiexec.lock'), String(sleeper.pid));
  const host = await openImageHost(dir);
  const before = treeHash(dir);
  t.is((await host.installer.install(`${PKG}/vc_redist.x86.msi.json`)).exitCode, 1618);
  t.deepEqual(treeHash(dir), before);
  // A lock left by a process that is gone is stale, as a mutex would be.
  sleeper.kill();
  await new Promise((r) => sleeper.once('exit', r));
  t.is((await host.installer.install(`${PKG}/vc_redist.x86.msi.json`)).exitCode, 0);
  t.false(existsSync(join(dir, 'msiexec.lock')));
});

test('uninstalling a product that is not installed gives 1605', async (t) => {
  // On a copy: an operation takes the image's msiexec.lock, and a sample changed in place is
  // copied half-changed by tests running beside this one (the 1618 flake of upgrade.test.ts).
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  t.is((await host.installer.uninstall('{00000000-0000-0000-0000-000000000000}')).exitCode, 1605);
});

test('an administrative extract lays the files under the target folder and installs nothing', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  const productsBefore = readFileSync(join(dir, 'products.json'), 'utf8');
  t.is((await host.installer.adminExtract(PORTAL, 'C:\\Temp\\portal-admin')).exitCode, 0);
  const webConfig = (await host.files.readFile('C:\\Temp\\portal-admin\\inetpub\\wwwroot\\MultiFactorAuth\\web.config')).toString();
  t.regex(webConfig, /SECURITY_QUESTIONS_REQUIRED_COUNT/);
  t.is(readFileSync(join(dir, 'products.json'), 'utf8'), productsBefore);
});

test('a package whose payload points outside its folder is refused', async (t) => {
  const pkg = tempDir();
  t.teardown(pkg.cleanup);
  const manifest = JSON.parse(readFileSync(PORTAL, 'utf8')) as { files: Array<{ source?: string }> };
  (manifest.files[0] as { source?: string }).source = '../../etc/passwd';
  writeFileSync(join(pkg.dir, 'evil.msi.json'), JSON.stringify(manifest));
  const host = await openImageHost('examples/hosts/mfa-7.0');
  await t.throwsAsync(host.installer.readPackage(join(pkg.dir, 'evil.msi.json')), { message: /must stay inside the package folder/ });
});
