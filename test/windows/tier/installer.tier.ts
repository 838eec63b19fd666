// Windows Installer: package identity, install with progress and a verbose log, products,
// related products, administrative extract, uninstall, major upgrade, result codes as they are.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { InstallProgress } from '../../../lib/host/ports.js';
import { AGENT, host, MOBILE_APP, msi, PORTAL, SDK, SERVER_80, SERVER_81, SERVER_UPGRADE_CODE, work } from './context.js';
import { test, type TestContext } from './harness.js';

/** Progress events must be several, never go back, and end at 100 with 'complete'. */
function checkProgress(events: InstallProgress[], t: TestContext, label: string): void {
  assert.ok(events.length >= 3, `${label}: only ${events.length} progress events`);
  for (let i = 1; i < events.length; i++) {
    assert.ok(events[i]!.percent >= events[i - 1]!.percent, `${label}: progress went back from ${events[i - 1]!.percent} to ${events[i]!.percent} at event ${i}`);
  }
  const last = events[events.length - 1]!;
  assert.equal(last.percent, 100, `${label}: the last event is at ${last.percent} %`);
  assert.equal(last.message, 'complete');
  const actions = [...new Set(events.map((e) => e.action).filter(Boolean))];
  assert.ok(actions.includes('InstallFiles'), `${label}: no InstallFiles action among ${actions.join(', ')}`);
  const middle = [...new Set(events.map((e) => e.percent))].filter((p) => p > 0 && p < 100);
  t.note(`${label}: ${events.length} events, ${actions.length} actions, ${middle.length} percentages between 0 and 100`);
}

test('readPackage: identity, platform and public properties from the .msi', async () => {
  const { installer } = await host();
  const server = await installer.readPackage(msi(SERVER_81.file));
  assert.equal(server.productCode, SERVER_81.productCode);
  assert.equal(server.upgradeCode, SERVER_UPGRADE_CODE);
  assert.equal(server.name, 'Multi-Factor Authentication Server');
  assert.equal(server.version, '8.1.1.2');
  assert.equal(server.manufacturer, 'Microsoft Corporation');
  assert.equal(server.platform, 'x64');
  const portal = await installer.readPackage(msi(PORTAL.file));
  assert.equal(portal.properties?.['TARGETVDIR'], 'PhoneFactor');
  assert.equal(portal.properties?.['TARGETSITE'], 'Default Web Site');
  assert.equal(portal.properties?.['ProductName'], undefined, 'only public (upper-case) properties');
  const sdk = await installer.readPackage(msi(SDK.file));
  assert.equal(sdk.upgradeCode, null);
});

test('install: the PhoneFactor Agent 5.2 with progress events and a verbose log', async (t) => {
  const { installer, files } = await host();
  const events: InstallProgress[] = [];
  const logFile = work('logs', 'agent-install.log');
  // The event loop keeps turning while the installer works on its thread: count its turns.
  let ticks = 0;
  let running = true;
  const spin = () => {
    ticks++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  const result = await installer.install(msi(AGENT.file), { logFile, onProgress: (e) => events.push(e) });
  running = false;
  assert.deepEqual(result, { exitCode: 0, logFile });
  checkProgress(events, t, 'agent');
  assert.ok(ticks > 10, `the event loop turned only ${ticks} times during the install`);
  t.note(`${ticks} event loop turns during the install`);
  const log = (await files.readFile(logFile)).toString('utf16le').includes('InstallFiles') ? (await files.readFile(logFile)).toString('utf16le') : (await files.readFile(logFile)).toString('utf8');
  assert.match(log, /InstallFiles/, 'the verbose log names the actions');
  t.note(`log ${log.length} characters`);
});

test('install: the portal, mobile app and SDK packages', async () => {
  const { installer, files } = await host();
  for (const p of [PORTAL, MOBILE_APP, SDK]) {
    const result = await installer.install(msi(p.file), { logFile: work('logs', `${p.file}.log`) });
    assert.equal(result.exitCode, 0, p.file);
  }
  const webConfig = await files.readFile('C:\\inetpub\\wwwroot\\PhoneFactor\\web.config');
  assert.match(webConfig.toString('utf8'), /pfup_pfwssdk_PfWsSdk/);
});

test('listProducts: name, version, publisher, install location, context and cached package', async () => {
  const { installer, files } = await host();
  const products = await installer.listProducts();
  const agent = products.find((p) => p.productCode === AGENT.productCode);
  assert.ok(agent, `the agent is not among ${products.map((p) => p.name).join(', ')}`);
  assert.equal(agent.name, 'PhoneFactor Agent');
  assert.equal(agent.version, '5.2.1.12');
  assert.equal(agent.publisher, 'PhoneFactor, Inc.');
  assert.equal(agent.upgradeCode, AGENT.upgradeCode);
  assert.equal(agent.context, 'machine');
  assert.equal(agent.installLocation, 'C:\\Program Files\\PhoneFactor\\');
  assert.ok(agent.localPackage && (await files.stat(agent.localPackage)), `cached package ${agent.localPackage}`);
  for (const p of [PORTAL, MOBILE_APP, SDK]) assert.ok(products.some((x) => x.productCode === p.productCode), p.file);
  assert.equal(products.find((p) => p.productCode === SDK.productCode)?.upgradeCode, null);
});

test('relatedProducts: by UpgradeCode; none for an unknown one', async () => {
  const { installer } = await host();
  assert.deepEqual(await installer.relatedProducts(AGENT.upgradeCode), [AGENT.productCode]);
  assert.deepEqual(await installer.relatedProducts(AGENT.upgradeCode.toLowerCase()), [AGENT.productCode]);
  assert.deepEqual(await installer.relatedProducts('{00000000-1111-2222-3333-444444444444}'), []);
});

test('adminExtract: lays the portal package\'s web.config under a folder without installing', async (t) => {
  const { installer, files } = await host();
  const target = work('admin', 'portal');
  const result = await installer.adminExtract(msi(PORTAL.file), target, { logFile: work('logs', 'portal-admin.log') });
  if (result.exitCode === 1626 && /wine/i.test((await host()).addon.wineVersion() ?? '')) {
    // Wine's msi.dll runs the ADMIN action as a no-op and answers ERROR_FUNCTION_NOT_CALLED;
    // its msiexec says "Administrative installs are not currently supported".
    t.skip('administrative installs are not implemented by Wine (1626): MsiInstallProductW with ACTION=ADMIN was called and its code returned as is');
  }
  assert.equal(result.exitCode, 0);
  const extracted = `${target}\\inetpub\\wwwroot\\PhoneFactor\\web.config`;
  const bytes = await files.readFile(extracted);
  assert.deepEqual(bytes, readFileSync(`${process.env['MFA_TIER_ROOT']}\\test\\windows\\fixtures\\payload\\portal-5.2\\web.config`));
  const portals = (await installer.listProducts()).filter((p) => p.productCode === PORTAL.productCode);
  assert.equal(portals.length, 1, 'an administrative install registers no product');
});

/** Windows deletes a service once it has stopped and its handles are closed: wait for that. */
async function gone(name: string): Promise<boolean> {
  const { services } = await host();
  for (let i = 0; i < 50; i++) {
    if ((await services.get(name)) === undefined) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

export async function uninstallPhoneFactor(): Promise<void> {
  const { installer, services } = await host();
  // As the upgrade does: the services are stopped (and waited for) before the uninstall.
  await services.stop('pfsvc');
  for (const p of [PORTAL, MOBILE_APP, SDK, AGENT]) {
    const result = await installer.uninstall(p.productCode, { logFile: work('logs', `${p.file}-uninstall.log`) });
    assert.equal(result.exitCode, 0, `uninstall ${p.file}`);
  }
}

export function declareUpgradeTests(): void {
  test('uninstall: the PhoneFactor products go (0), a second time gives 1605; InstallPath stays', async () => {
    const { installer, services, registry, files } = await host();
    await uninstallPhoneFactor();
    const codes = (await installer.listProducts()).map((p) => p.productCode);
    for (const p of [PORTAL, MOBILE_APP, SDK, AGENT]) assert.ok(!codes.includes(p.productCode), `${p.file} is still listed`);
    assert.ok(await gone('pfsvc'), `the agent service was not removed: ${JSON.stringify(await services.get('pfsvc'))}`);
    assert.equal(await files.stat('C:\\inetpub\\wwwroot\\PhoneFactor\\web.config'), undefined);
    assert.deepEqual(await installer.uninstall(AGENT.productCode), { exitCode: 1605 });
    assert.deepEqual(await registry.getValue('HKLM\\SOFTWARE\\Positive Networks\\PhoneFactor', 'InstallPath', '32'), { type: 'REG_SZ', data: 'C:\\Program Files\\PhoneFactor\\' });
  });

  test('install: MFA Server 8.0 lands in the old InstallPath (AppSearch on the 32-bit view)', async (t) => {
    const { installer, files } = await host();
    const events: InstallProgress[] = [];
    const result = await installer.install(msi(SERVER_80.file), { logFile: work('logs', 'server-8.0.log'), onProgress: (e) => events.push(e) });
    assert.equal(result.exitCode, 0);
    checkProgress(events, t, 'server 8.0');
    assert.ok(await files.stat('C:\\Program Files\\PhoneFactor\\MultiFactorAuthSvc.exe'), 'installed into C:\\Program Files\\PhoneFactor');
    assert.deepEqual(await installer.relatedProducts(SERVER_UPGRADE_CODE), [SERVER_80.productCode]);
    const product = (await installer.listProducts()).find((p) => p.productCode === SERVER_80.productCode);
    assert.equal(product?.version, '8.0.0.0');
    assert.equal(product?.installLocation, 'C:\\Program Files\\PhoneFactor\\');
  });

  test('install: MFA Server 8.1 replaces 8.0 by major upgrade', async () => {
    const { installer, files } = await host();
    const result = await installer.install(msi(SERVER_81.file), { logFile: work('logs', 'server-8.1.log'), properties: { MFA_TIER_NOTE: 'a "quoted" value' } });
    assert.equal(result.exitCode, 0);
    assert.deepEqual(await installer.relatedProducts(SERVER_UPGRADE_CODE), [SERVER_81.productCode]);
    const codes = (await installer.listProducts()).map((p) => p.productCode);
    assert.ok(!codes.includes(SERVER_80.productCode), '8.0 is gone');
    assert.ok(await files.stat('C:\\Program Files\\PhoneFactor\\MultiFactorAuthAdSyncSvc.exe'));
  });
}

export function declareServerUninstall(): void {
  test('uninstall: MFA Server 8.1 and its services', async () => {
    const { installer, services } = await host();
    await services.stop('MultiFactorAuth');
    assert.equal((await installer.uninstall(SERVER_81.productCode)).exitCode, 0);
    assert.ok(await gone('MultiFactorAuth'), JSON.stringify(await services.get('MultiFactorAuth')));
    assert.ok(await gone('MultiFactorAuthAdSync'), JSON.stringify(await services.get('MultiFactorAuthAdSync')));
    assert.deepEqual(await installer.relatedProducts(SERVER_UPGRADE_CODE), []);
  });

  test('result codes come back as they are: 1605 for a product that is not installed; a missing package fails', async (t) => {
    const { installer } = await host();
    assert.deepEqual(await installer.uninstall('{00000000-1111-2222-3333-444444444444}'), { exitCode: 1605 });
    // Windows answers 1619 (ERROR_INSTALL_PACKAGE_OPEN_FAILED); Wine's msi.dll answers 2.
    const missing = (await installer.install(work('no-such-package.msi'))).exitCode;
    assert.ok(missing === 1619 || missing === 2, `exit code ${missing}`);
    t.note(`missing package: ${missing}`);
  });
}
