// Registry round trips in both views, enumeration, deletion, absence.
import assert from 'node:assert/strict';
import { MfaError } from '../../../lib/errors.js';
import type { RegValue } from '../../../lib/host/ports.js';
import { host, rejectsWith } from './context.js';
import { test } from './harness.js';

const BASE = 'HKLM\\SOFTWARE\\MfaUpgradeTier';

const KINDS: Array<[string, RegValue]> = [
  ['', { type: 'REG_SZ', data: 'the default value' }],
  ['InstallPath', { type: 'REG_SZ', data: 'C:\\Program Files\\PhoneFactor\\' }],
  ['Unicode', { type: 'REG_SZ', data: 'Zürich ✓ 東京' }],
  ['Empty', { type: 'REG_SZ', data: '' }],
  ['Expand', { type: 'REG_EXPAND_SZ', data: '%SystemRoot%\\System32' }],
  ['Multi', { type: 'REG_MULTI_SZ', data: ['first', 'second value', 'ü'] }],
  ['MultiEmpty', { type: 'REG_MULTI_SZ', data: [] }],
  ['Port', { type: 'REG_DWORD', data: 4898 }],
  ['DwordMax', { type: 'REG_DWORD', data: 0xffffffff }],
  ['Qword', { type: 'REG_QWORD', data: (1n << 63n) + 5n }],
  ['Binary', { type: 'REG_BINARY', data: Uint8Array.from([0, 1, 0x7f, 0xff]) }],
  ['None', { type: 'REG_NONE', data: new Uint8Array(0) }],
  ['BigEndian', { type: 'REG_OTHER', kind: 5, data: Uint8Array.from([0, 0, 0x13, 0x22]) }],
];

test('registry: every value kind round-trips in the 64-bit view', async () => {
  const { registry } = await host();
  const key = `${BASE}\\Kinds`;
  for (const [name, value] of KINDS) await registry.setValue(key, name, value);
  for (const [name, value] of KINDS) assert.deepEqual(await registry.getValue(key, name), value, `value '${name}'`);
  const listed = await registry.listValues(key);
  assert.ok(listed);
  assert.deepEqual(
    [...listed].sort((a, b) => a.name.localeCompare(b.name)),
    KINDS.map(([name, value]) => ({ name, value })).sort((a, b) => a.name.localeCompare(b.name)),
  );
  // The HKEY_ long form names the same key.
  assert.deepEqual(await registry.getValue(`HKEY_LOCAL_MACHINE\\SOFTWARE\\MfaUpgradeTier\\Kinds\\`, 'Port'), { type: 'REG_DWORD', data: 4898 });
});

test('registry: the 32-bit view is HKLM\\SOFTWARE\\WOW6432Node and apart from the 64-bit view', async () => {
  const { registry } = await host();
  const key = `${BASE}\\Views`;
  await registry.setValue(key, 'Which', { type: 'REG_SZ', data: '32-bit' }, '32');
  await registry.setValue(key, 'Which', { type: 'REG_SZ', data: '64-bit' }, '64');
  assert.deepEqual(await registry.getValue(key, 'Which', '32'), { type: 'REG_SZ', data: '32-bit' });
  assert.deepEqual(await registry.getValue(key, 'Which', '64'), { type: 'REG_SZ', data: '64-bit' });
  assert.deepEqual(await registry.getValue('HKLM\\SOFTWARE\\WOW6432Node\\MfaUpgradeTier\\Views', 'Which', '64'), { type: 'REG_SZ', data: '32-bit' });
  await registry.setValue(key, 'Only32', { type: 'REG_DWORD', data: 32 }, '32');
  assert.equal(await registry.getValue(key, 'Only32', '64'), undefined);
  await registry.deleteKey(key, '32');
  assert.equal(await registry.keyExists(key, '32'), false);
  assert.equal(await registry.keyExists(key, '64'), true, 'deleting in the 32-bit view left the 64-bit key alone');
});

test('registry: enumerate subkeys and values, delete a value and a whole tree', async () => {
  const { registry } = await host();
  const tree = `${BASE}\\Tree`;
  await registry.setValue(`${tree}\\B`, 'x', { type: 'REG_SZ', data: 'b' });
  await registry.setValue(`${tree}\\A\\Deep\\Deeper`, 'x', { type: 'REG_DWORD', data: 1 });
  await registry.setValue(tree, 'Top', { type: 'REG_SZ', data: 'top' });
  assert.deepEqual((await registry.listSubkeys(tree))?.sort(), ['A', 'B']);
  assert.deepEqual(await registry.listSubkeys(`${tree}\\A\\Deep\\Deeper`), []);
  assert.equal(await registry.keyExists(`${tree}\\A\\Deep`), true);
  await registry.deleteValue(tree, 'Top');
  assert.equal(await registry.getValue(tree, 'Top'), undefined);
  await registry.deleteValue(tree, 'Top'); // a missing value: nothing to do
  await registry.deleteKey(tree);
  assert.equal(await registry.keyExists(tree), false);
  assert.equal(await registry.keyExists(`${tree}\\A\\Deep\\Deeper`), false);
  await registry.deleteKey(tree); // a missing key is not an error
});

test('registry: a missing key or value reads as undefined', async () => {
  const { registry } = await host();
  const missing = 'HKLM\\SOFTWARE\\MfaUpgradeTier-NoSuchKey\\Below';
  assert.equal(await registry.getValue(missing, 'InstallPath'), undefined);
  assert.equal(await registry.getValue(missing, 'InstallPath', '32'), undefined);
  assert.equal(await registry.listValues(missing), undefined);
  assert.equal(await registry.listSubkeys(missing), undefined);
  assert.equal(await registry.keyExists(missing), false);
  assert.equal(await registry.getValue(`${BASE}\\Kinds`, 'NoSuchValue'), undefined);
  // Windows' own keys read as Windows wrote them.
  const root = await registry.getValue('HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', 'SystemRoot');
  assert.ok(root?.type === 'REG_SZ' && /^C:\\windows$/i.test(root.data), JSON.stringify(root));
});

test('registry: a failing call carries the Win32 code, the API and the key', async () => {
  const { registry } = await host();
  // Key names are at most 255 characters: Windows refuses a longer one.
  const tooLong = `${BASE}\\${'k'.repeat(300)}`;
  const e = await rejectsWith(registry.setValue(tooLong, 'x', { type: 'REG_DWORD', data: 1 }), (err) => err instanceof MfaError && /^WIN32_\d+$/.test(String(err['code'])), 'over-long key name');
  assert.match(String(e['target']), /MfaUpgradeTier\\k{300}/);
  assert.match(String((e as unknown as Error).message), /RegCreateKeyExW failed/);
  await registry.deleteKey(BASE);
  await registry.deleteKey(BASE, '32');
});
