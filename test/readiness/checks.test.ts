import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { takeInventory } from '../../lib/inventory/take-inventory.js';
import { dotnetVersion } from '../../lib/readiness/check-dotnet.js';
import { recommendedGb } from '../../lib/readiness/check-sizing.js';
import { vcAtLeastUpdate1 } from '../../lib/readiness/check-vcredist.js';
import { runChecks, worst } from '../../lib/readiness/run-checks.js';
import type { CheckResult } from '../../lib/readiness/types.js';
import { runCli } from '../helpers/run-cli.js';
import { tempCopy } from '../helpers/temp-host.js';

async function checks(dir: string, users?: number, targetMajor = 8): Promise<Record<string, CheckResult>> {
  const host = await openImageHost(dir);
  const inventory = await takeInventory(host);
  const results = await runChecks({ host, inventory, targetMajor, ...(users !== undefined ? { users } : {}) });
  return Object.fromEntries(results.map((r) => [r.id, r]));
}

test('the .NET release table and the VC++ Update 1 threshold', (t) => {
  t.is(dotnetVersion(378389), '4.5');
  t.is(dotnetVersion(394802), '4.6.2');
  t.is(dotnetVersion(461808), '4.7.2');
  t.is(dotnetVersion(528040), '4.7.2 or later');
  t.is(dotnetVersion(378388), undefined);
  t.true(vcAtLeastUpdate1(14, 0, 23506));
  t.false(vcAtLeastUpdate1(14, 0, 23026));
  t.true(vcAtLeastUpdate1(14, 29, 30139));
  t.false(vcAtLeastUpdate1(12, 40, 99999));
});

test('the sizing table', (t) => {
  t.deepEqual([1, 10_000, 10_001, 50_000, 100_000, 150_000, 200_001].map(recommendedGb), [4, 4, 8, 8, 12, 16, 32]);
});

test('PhoneFactor 5.2 sample: no VC++ runtimes, everything else ready', async (t) => {
  const r = await checks('examples/hosts/phonefactor-5.2', 30_000);
  t.is(r['vcredist-x86']?.status, 'fail');
  t.is(r['vcredist-x64']?.status, 'fail');
  t.regex(r['vcredist-x64']?.remedy ?? '', /Redistributable Update 1 or higher is required/);
  t.is(r['dotnet']?.status, 'pass');
  t.is(r['dotnet']?.evidence, 'Release = 378389 (.NET 4.5)');
  t.is(r['iis']?.status, 'pass');
  t.is(r['memory']?.status, 'pass');
  t.is(r['outbound-443']?.status, 'warn');
  t.is(r['administrator']?.status, 'pass');
});

test('MFA 7.0 sample: only the x86 runtime is missing', async (t) => {
  const r = await checks('examples/hosts/mfa-7.0');
  t.is(r['vcredist-x86']?.status, 'fail');
  t.is(r['vcredist-x64']?.status, 'pass');
  t.regex(r['vcredist-x64']?.evidence ?? '', /^14\.0\.23506/);
});

test('AD FS sample: a pending reboot is a warning; no web components, so IIS is not needed', async (t) => {
  const r = await checks('examples/hosts/mfa-8.0-adfs', 150_000);
  t.is(r['pending-reboot']?.status, 'warn');
  t.regex(r['pending-reboot']?.evidence ?? '', /PendingFileRenameOperations/);
  t.is(r['iis']?.status, 'pass');
  t.is(r['memory']?.status, 'pass');
  t.is(r['memory']?.evidence, '16.0 GB installed; 150,000 regularly authenticating users call for 16 GB');
});

test('too little memory, a missing IIS feature, low disk, an install in progress, no elevation', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const hostJson = JSON.parse(readFileSync(join(dir, 'host.json'), 'utf8')) as Record<string, unknown>;
  Object.assign(hostJson, { memoryMB: 4096, freeDiskBytes: 100 * 1024 * 1024, isAdministrator: false });
  writeFileSync(join(dir, 'host.json'), JSON.stringify(hostJson));
  const host = await openImageHost(dir);
  await host.registry.deleteValue('HKLM\\SOFTWARE\\Microsoft\\InetStp\\Components', 'BasicAuthentication');
  await host.registry.setValue('HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Installer\\InProgress', '', { type: 'REG_SZ', data: '' });
  const r = await checks(dir, 60_000);
  t.is(r['memory']?.status, 'warn');
  t.regex(r['memory']?.evidence ?? '', /call for 12 GB/);
  t.is(r['iis']?.status, 'fail');
  t.regex(r['iis']?.evidence ?? '', /missing: Basic Authentication/);
  t.is(r['disk']?.status, 'fail');
  t.is(r['installer-busy']?.status, 'fail');
  t.is(r['administrator']?.status, 'fail');
  t.is(worst(Object.values(r)), 'fail');
});

test('.NET below 4.5 fails for MFA Server 7+, passes for 6.x', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  await host.registry.deleteValue('HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full', 'Release');
  t.is((await checks(dir, undefined, 8))['dotnet']?.status, 'fail');
  t.is((await checks(dir, undefined, 6))['dotnet']?.status, 'pass');
});

test('check command: objects per check, exit 7 when not ready, 0 with warnings only', async (t) => {
  const notReady = await runCli(['check', '--host', 'examples/hosts/mfa-7.0', '--json']);
  t.is(notReady.code, 7);
  const objects = notReady.events.filter((e) => e['type'] === 'object');
  t.is(objects.length, 12);
  t.true(objects.every((o) => o['typeName'] === 'MfaUpgrade.ReadinessCheck'));
  const ready = await runCli(['check', '--host', 'examples/hosts/mfa-8.0-adfs']);
  t.is(ready.code, 0);
  t.regex(ready.stdout, /WARN\s+No reboot pending/);
});

test('a missing runtime whose redistributable is among the packages is a warning: the upgrade installs it first', async (t) => {
  const host = await openImageHost('examples/hosts/mfa-7.0');
  const inventory = await takeInventory(host);
  const results = await runChecks({ host, inventory, targetMajor: 8, redistributables: ['x86'] });
  const x86 = results.find((r) => r.id === 'vcredist-x86');
  t.is(x86?.status, 'warn');
  t.regex(x86?.evidence ?? '', /the upgrade installs it first/);
  const only64 = await runChecks({ host, inventory, targetMajor: 8, redistributables: ['x64'] });
  t.is(only64.find((r) => r.id === 'vcredist-x86')?.status, 'fail');
});
