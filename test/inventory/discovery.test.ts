// Discovery on hosts that differ from the samples: things missing, moved, renamed or unknown.
import test from 'ava';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { takeInventory } from '../../lib/inventory/take-inventory.js';
import { classifyServer, roleOf } from '../../lib/inventory/products.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';

test('product names are recognised by pattern, not by code', (t) => {
  t.is(roleOf('PhoneFactor Agent'), 'server');
  t.is(roleOf('Multi-Factor Authentication Server'), 'server');
  t.is(roleOf('Multi-Factor Authentication User Portal'), 'userPortal');
  t.is(roleOf('Multi-Factor Authentication Mobile App Web Service'), 'mobileAppWebService');
  t.is(roleOf('PhoneFactor Phone App Web Service'), 'mobileAppWebService');
  t.is(roleOf('Multi-Factor Authentication Web Service SDK'), 'webServiceSdk');
  t.is(roleOf('Multi-Factor Authentication AD FS Adapter'), 'adfsAdapter');
  t.is(roleOf('Microsoft Visual C++ 2015 x64 Minimum Runtime - 14.0.23506'), undefined);
  t.is(roleOf('Contoso Phone Directory'), undefined);
});

test('versions outside the known ranges are reported as unknown, never guessed', (t) => {
  t.deepEqual(classifyServer('PhoneFactor Agent', '5.2.1.12'), { generation: 'phonefactor-agent', versionKnown: true });
  t.deepEqual(classifyServer('Multi-Factor Authentication Server', '8.1.1.2'), { generation: 'mfa-server', versionKnown: true });
  t.false(classifyServer('Multi-Factor Authentication Server', '9.0.0.1').versionKnown);
  t.false(classifyServer('PhoneFactor Agent', '6.0.0.0').versionKnown);
  t.false(classifyServer('Multi-Factor Authentication Server', 'beta').versionKnown);
});

test('an MFA Server of an unknown version is reported as such, with a warning', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const products = JSON.parse(readFileSync(join(dir, 'products.json'), 'utf8')) as Array<{ version: string }>;
  (products[0] as { version: string }).version = '9.2.0.0';
  writeFileSync(join(dir, 'products.json'), JSON.stringify(products));
  const inv = await takeInventory(await openImageHost(dir));
  t.is(inv.server?.product.version, '9.2.0.0');
  t.false(inv.server?.versionKnown);
  t.regex(inv.server?.versionNote ?? '', /outside the known range 6\.x-8\.x/);
  t.true(inv.warnings.some((w) => /will not plan an upgrade/.test(w)));
});

test('a bare host is a result: nothing installed, no error', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  writeFileSync(join(dir, 'products.json'), '[]');
  const inv = await takeInventory(await openImageHost(dir));
  t.is(inv.server, null);
  t.deepEqual(inv.webComponents, []);
  t.is(inv.adfsAdapter, null);
});

test('a missing data file, a missing web.config and an orphaned product are warnings', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  rmSync(join(dir, 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata'));
  rmSync(join(dir, 'drive/C/inetpub/wwwroot/PhoneFactor/web.config'));
  // Move the mobile app out of IIS: its product stays installed but nothing serves it.
  const apphost = join(dir, 'drive/C/Windows/System32/inetsrv/config/applicationHost.config');
  writeFileSync(apphost, readFileSync(apphost, 'utf8').replace(/\s*<application path="\/PhoneFactorPhoneAppWebService"[\s\S]*?<\/application>/, ''));
  const inv = await takeInventory(await openImageHost(dir));
  t.false(inv.server?.dataFile.exists);
  t.is(inv.server?.dataFile.size, null);
  // Without its web.config the portal is known by its default vdir name, and the gap is reported.
  t.deepEqual(inv.webComponents.map((w) => [w.component, w.webConfigExists]), [['userPortal', false], ['webServiceSdk', true]]);
  t.true(inv.warnings.some((w) => w === 'C:\\inetpub\\wwwroot\\PhoneFactor\\web.config is missing.'));
  t.true(inv.warnings.some((w) => w.includes('Phonefactor.pfdata does not exist')));
  t.true(inv.warnings.some((w) => w.includes('PhoneFactor Phone App Web Service 5.2.1.12 is installed but no IIS application serves it')));
});

test('a component under a renamed folder and vdir is still found by what lies on disk', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  renameSync(join(dir, 'drive/C/inetpub/wwwroot/PhoneFactorPhoneAppWebService'), join(dir, 'drive/C/inetpub/wwwroot/pa'));
  const apphost = join(dir, 'drive/C/Windows/System32/inetsrv/config/applicationHost.config');
  writeFileSync(apphost, readFileSync(apphost, 'utf8').replace('path="/PhoneFactorPhoneAppWebService"', 'path="/PA"').replace('wwwroot\\PhoneFactorPhoneAppWebService', 'wwwroot\\PA'));
  const inv = await takeInventory(await openImageHost(dir));
  const mobile = inv.webComponents.find((w) => w.component === 'mobileAppWebService');
  t.is(mobile?.vdir, 'PA');
  t.is(mobile?.physicalPath, 'C:\\inetpub\\wwwroot\\PA');
  t.is(mobile?.sdkUrl, 'https://pf01.contoso.com/PhoneFactorWebServiceSdk/PfWsSdk.asmx');
});

test('InstallPath differing between the registry views is pointed out', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  await host.registry.setValue('HKLM\\SOFTWARE\\Positive Networks\\PhoneFactor', 'InstallPath', { type: 'REG_SZ', data: 'D:\\MFA\\' }, '64');
  const inv = await takeInventory(await openImageHost(dir));
  t.deepEqual(inv.server?.installPathRegistry, { '32': 'C:\\Program Files\\Multi-Factor Authentication Server\\', '64': 'D:\\MFA\\' });
  t.true(inv.warnings.some((w) => /differs between the 32-bit view/.test(w)));
});

test('both AD FS adapter names registered is a warning', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-8.0-adfs');
  t.teardown(cleanup);
  const adfs = JSON.parse(readFileSync(join(dir, 'adfs.json'), 'utf8')) as { providers: unknown[] };
  adfs.providers.push({ name: 'WindowsAzureMultiFactorAuthentication', typeName: 'pfadfs.AuthenticationAdapter, MultiFactorAuthAdfsAdapter, Version=6.3.0.17452, Culture=neutral, PublicKeyToken=31bf3856ad364e35' });
  writeFileSync(join(dir, 'adfs.json'), JSON.stringify(adfs));
  const inv = await takeInventory(await openImageHost(dir));
  t.true(inv.warnings.some((w) => /Both AzureMfaServerAuthentication and WindowsAzureMultiFactorAuthentication are registered/.test(w)));
});

test('an SDK URL with a password in it (https://user:pass@host/) is shown masked', async (t) => {
  const { tempCopy } = await import('../helpers/temp-host.js');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const h = tempCopy('mfa-7.0');
  t.teardown(h.cleanup);
  const web = join(h.dir, 'drive/C/inetpub/wwwroot/MFAPortal/web.config');
  writeFileSync(web, readFileSync(web, 'utf8').replace('http://localhost:4898/PfWsSdk.asmx', 'https://svc-sdk:Hunter2!x@mfa01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx'));
  const { openImageHost } = await import('../../lib/host/image/image-host.js');
  const { takeInventory } = await import('../../lib/inventory/take-inventory.js');
  const inv = await takeInventory(await openImageHost(h.dir));
  t.false(JSON.stringify(inv).includes('Hunter2!x'));
  t.regex(inv.webComponents[0]?.sdkUrl ?? '', /^https:\/\/svc-sdk:\*+@mfa01\.contoso\.com\//);
});
