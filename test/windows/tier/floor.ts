// The floor part of the Windows tier: node.exe 12.16.1 (N-API 5, the runtime for Windows Server
// 2008 to 2012) in a Wine prefix set to Windows Server 2008 R2. The same addon file the full part
// loads in Node 20 is loaded here, and a smoke of each area runs through the host ports: the
// registry, files (replace, free space without fs.statfs), Windows Installer (install with
// progress, a cancel, products, uninstall) and services (start, stop returning what it stopped).
// Bundled for node12 by scripts/windows-tier/run.mjs.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import { localFreeSpace } from '../../../lib/util/free-space.js';
import { CancelSource } from '../../../lib/util/cancel.js';
import type { InstallProgress } from '../../../lib/host/ports.js';
import { addonTrust } from '../../../lib/host/windows/addon.js';
import { PREBUILD_DIGESTS } from '../../../lib/host/windows/prebuild-digests.js';
import { AGENT, host, msi, SDK, work } from './context.js';
import { env, runAll, test } from './harness.js';

test('floor: node.exe 12.16.1 runs on a Windows Server 2008 R2 prefix and loads the one addon build (N-API 5)', async (t) => {
  assert.equal(process.versions.node, '12.16.1');
  assert.equal(process.versions.napi, '5');
  const h = await host();
  const trust = addonTrust()!;
  assert.equal(trust.sha256, PREBUILD_DIGESTS['win32-x64']);
  assert.equal(createHash('sha256').update(readFileSync(env('MFA_UPGRADE_ADDON'))).digest('hex'), trust.sha256);
  const info = await h.info();
  assert.equal(info.isAdministrator, true);
  const build = await h.registry.getValue('HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', 'CurrentBuild');
  assert.deepEqual(build, { type: 'REG_SZ', data: '7601' });
  t.note(`${info.os}; ${h.addon.wineVersion() ?? 'Windows'}`);
});

test('floor: registry round trip in both views', async () => {
  const { registry } = await host();
  const key = 'HKLM\\SOFTWARE\\MfaUpgradeFloor';
  await registry.setValue(key, 'Port', { type: 'REG_DWORD', data: 4898 }, '32');
  await registry.setValue(key, 'Path', { type: 'REG_SZ', data: 'C:\\Program Files\\PhoneFactor\\' });
  assert.deepEqual(await registry.getValue(key, 'Port', '32'), { type: 'REG_DWORD', data: 4898 });
  assert.equal(await registry.getValue(key, 'Port'), undefined, 'the 64-bit view is apart');
  assert.deepEqual(await registry.getValue(key, 'Path'), { type: 'REG_SZ', data: 'C:\\Program Files\\PhoneFactor\\' });
  await registry.deleteKey(key);
  await registry.deleteKey(key, '32');
  assert.equal(await registry.keyExists(key), false);
});

test('floor: atomic replace, and free space from the addon where Node has no fs.statfs', async (t) => {
  const { files } = await host();
  const path = work('floor', 'web.config');
  await files.writeFileAtomic(path, Buffer.from('old'));
  await files.writeFileAtomic(path, Buffer.from('new'));
  assert.equal(readFileSync(path, 'utf8'), 'new');
  assert.deepEqual((await fsp.readdir(work('floor'))).sort(), ['web.config']);
  assert.equal(await localFreeSpace('C:\\'), undefined, 'Node 12 cannot measure free space by itself');
  const free = await files.freeSpace(work('floor', 'no', 'such', 'folder'));
  const linux = Number(env('MFA_TIER_DRIVE_C_FREE'));
  assert.ok(Math.abs(free - linux) < linux * 0.05, `${free} bytes free, df says ${linux}`);
  t.note(`${free} bytes free (GetDiskFreeSpaceExW)`);
});

test('floor: install with progress, a cancel rolls back, products, services stop returns what it stopped, uninstall', async (t) => {
  const { installer, services } = await host();
  const events: InstallProgress[] = [];
  const result = await installer.install(msi(AGENT.file), { logFile: work('logs', 'floor-agent.log'), onProgress: (e) => events.push(e) });
  assert.equal(result.exitCode, 0);
  assert.ok(events.length >= 3 && events[events.length - 1]!.percent === 100, `${events.length} progress events`);
  assert.ok((await installer.listProducts()).some((p) => p.productCode === AGENT.productCode));
  await services.start('pfsvc');
  assert.deepEqual(await services.stop('pfsvc'), ['pfsvc']);
  assert.deepEqual(await services.stop('pfsvc'), []);
  const source = new CancelSource();
  const cancelled = await installer.install(msi(SDK.file), { cancel: source.signal, onProgress: () => source.cancel('test') });
  const sdkThere = (await installer.listProducts()).some((p) => p.productCode === SDK.productCode);
  if (cancelled.exitCode === 1602) assert.equal(sdkThere, false, 'rolled back');
  else if (sdkThere) await installer.uninstall(SDK.productCode);
  assert.equal((await installer.uninstall(AGENT.productCode)).exitCode, 0);
  t.note(`${events.length} progress events; the cancelled install returned ${cancelled.exitCode}${cancelled.exitCode === 1602 ? '' : ' (Wine went on: see the full part)'}`);
});

runAll().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
