// The addon loads in the Windows node.exe from prebuilds/, and refuses bad arguments with TypeErrors.
import assert from 'node:assert/strict';
import { loadAddon } from '../../../lib/host/windows/addon.js';
import { MfaError } from '../../../lib/errors.js';
import { host, rejectsWith } from './context.js';
import { test } from './harness.js';

test('the addon loads through node-gyp-build from prebuilds/win32-x64 (the bundle loader)', () => {
  const addon = loadAddon();
  assert.equal(addon.abi, 1);
  const loaded = Object.keys(require.cache).find((k) => /prebuilds[\\/]win32-x64[\\/]node\.napi\.node$/i.test(k));
  assert.ok(loaded, `node.napi.node from prebuilds/win32-x64 is not among the loaded modules: ${Object.keys(require.cache).filter((k) => k.endsWith('.node')).join(', ')}`);
});

test('wrong argument types are TypeErrors, never a crash', async () => {
  const a = loadAddon() as unknown as Record<string, (...args: unknown[]) => unknown>;
  const calls: Array<[string, unknown[]]> = [
    ['regRead', []],
    ['regRead', [1, 'SOFTWARE', 64, 'x']],
    ['regRead', ['HKXX', 'SOFTWARE', 64, 'x']],
    ['regRead', ['HKLM', 'SOFTWARE', 33, 'x']],
    ['regRead', ['HKLM', 'SOFTWARE', 64.5, 'x']],
    ['regRead', ['HKLM', 'SOFT\0WARE', 64, 'x']],
    ['regWrite', ['HKLM', 'SOFTWARE\\MfaUpgradeTier', 64, 'v', 1, 'not a buffer']],
    ['regWrite', ['HKLM', 'SOFTWARE\\MfaUpgradeTier', 64, 'v', -1, Buffer.alloc(0)]],
    ['regDeleteKey', ['HKLM', '', 64]],
    ['msiRelated', [null]],
    ['msiReadPackage', [42]],
    ['msiRun', ['install', 1, '', null, () => undefined]],
    ['msiRun', ['repair', 'x.msi', '', null, () => undefined]],
    ['msiRun', ['install', 'x.msi', '', null, 'not a function']],
    ['svcGet', [{}]],
    ['svcStop', ['x', -1]],
    ['svcStart', ['x', 'soon']],
    ['replaceFile', [null, 'x']],
    ['protectPath', [[]]],
    ['setDacl', ['C:\\x', 5]],
  ];
  for (const [fn, args] of calls) {
    await rejectsWith(() => a[fn]!(...args), (e) => (e as unknown) instanceof TypeError, `${fn}(${args.map((x) => JSON.stringify(x)).join(', ')})`);
  }
  // Through the ports, malformed input is an MfaError before it reaches Win32.
  const h = await host();
  await rejectsWith(h.registry.getValue('HKXX\\SOFTWARE', 'x'), (e) => e instanceof MfaError && e['code'] === 'REG_BAD_KEY', 'bad root');
  await rejectsWith(h.installer.relatedProducts('not-a-guid'), (e) => e instanceof MfaError && e['code'] === 'BAD_INPUT', 'bad GUID');
});

test('host info: Windows 10 under Wine, elevated', async (t) => {
  const info = await (await host()).info();
  assert.ok(info.computerName.length > 0);
  assert.match(info.os, /Windows/);
  assert.equal(info.isAdministrator, true);
  assert.ok((info.memoryMB ?? 0) > 0);
  t.note(info.os);
});
