// The parts of the Windows backend that need no Windows: registry value bytes and key paths,
// Windows Installer progress into one percentage, command lines, the platform guard. The calls
// themselves are tested under Wine by `npm run test:windows` (scripts/windows-tier/run.mjs).
import test from 'ava';
import { ExitCode, MfaError } from '../../lib/errors.js';
import type { InstallProgress, RegValue } from '../../lib/host/ports.js';
import { errorCode, fromNative } from '../../lib/host/windows/native-error.js';
import { commandLine, platformOf, propertyString, publicProperties } from '../../lib/host/windows/installer.js';
import { ProgressTracker } from '../../lib/host/windows/progress.js';
import { decodeValue, encodeValue, parseKeyPath, REG, viewBits } from '../../lib/host/windows/reg-codec.js';
import { win32 } from 'node:path';
import { foldersUpTo, locateAddon, type LocateContext } from '../../lib/host/windows/addon.js';
import { parseDacl, SID, untrustedWriters } from '../../lib/host/windows/file-trust.js';

const VALUES: RegValue[] = [
  { type: 'REG_SZ', data: 'C:\\Program Files\\PhoneFactor\\' },
  { type: 'REG_SZ', data: '' },
  { type: 'REG_SZ', data: 'Zürich ✓ 東京 😀' },
  { type: 'REG_EXPAND_SZ', data: '%SystemRoot%\\System32' },
  { type: 'REG_MULTI_SZ', data: ['a', 'b c'] },
  { type: 'REG_MULTI_SZ', data: [] },
  { type: 'REG_DWORD', data: 0 },
  { type: 'REG_DWORD', data: 0xffffffff },
  { type: 'REG_QWORD', data: (1n << 64n) - 1n },
  { type: 'REG_BINARY', data: Uint8Array.from([0, 255]) },
  { type: 'REG_NONE', data: new Uint8Array(0) },
  { type: 'REG_OTHER', kind: REG.DWORD_BIG_ENDIAN, data: Uint8Array.from([0, 0, 0x13, 0x22]) },
  { type: 'REG_OTHER', kind: 0x4000, data: Uint8Array.from([1]) },
];

test('registry values survive encode then decode', (t) => {
  for (const v of VALUES) {
    const { type, data } = encodeValue(v);
    t.deepEqual(decodeValue(type, data), v, JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x)));
  }
});

test('registry bytes as Windows stores them', (t) => {
  t.deepEqual(encodeValue({ type: 'REG_SZ', data: 'ab' }).data, Buffer.from([0x61, 0, 0x62, 0, 0, 0]));
  t.deepEqual(encodeValue({ type: 'REG_MULTI_SZ', data: ['a', 'b'] }).data, Buffer.from('a\0b\0\0', 'utf16le'));
  t.deepEqual(encodeValue({ type: 'REG_DWORD', data: 4898 }).data, Buffer.from([0x22, 0x13, 0, 0]));
  t.deepEqual(encodeValue({ type: 'REG_DWORD', data: -1 }).data, Buffer.from([0xff, 0xff, 0xff, 0xff]));
  // Strings without their terminator, or with bytes after it, read as Windows readers see them.
  t.deepEqual(decodeValue(REG.SZ, Buffer.from('abc', 'utf16le')), { type: 'REG_SZ', data: 'abc' });
  t.deepEqual(decodeValue(REG.SZ, Buffer.from('ab\0junk', 'utf16le')), { type: 'REG_SZ', data: 'ab' });
  t.deepEqual(decodeValue(REG.SZ, Buffer.from([0x61, 0, 0x62])), { type: 'REG_SZ', data: 'a' });
  t.deepEqual(decodeValue(REG.MULTI_SZ, Buffer.from('a\0b\0', 'utf16le')), { type: 'REG_MULTI_SZ', data: ['a', 'b'] });
  // A DWORD or QWORD of the wrong size is kept byte for byte rather than guessed.
  t.deepEqual(decodeValue(REG.DWORD, Buffer.from([1, 2])), { type: 'REG_OTHER', kind: REG.DWORD, data: Uint8Array.from([1, 2]) });
  t.deepEqual(decodeValue(REG.QWORD, Buffer.from([1, 2, 3, 4])), { type: 'REG_OTHER', kind: REG.QWORD, data: Uint8Array.from([1, 2, 3, 4]) });
});

test('registry values Windows cannot hold are refused before any call', (t) => {
  t.throws(() => encodeValue({ type: 'REG_SZ', data: 'a\0b' }), { instanceOf: MfaError });
  t.throws(() => encodeValue({ type: 'REG_MULTI_SZ', data: ['a', '', 'b'] }), { instanceOf: MfaError });
  t.throws(() => encodeValue({ type: 'REG_DWORD', data: 2 ** 32 }), { instanceOf: TypeError });
  t.throws(() => encodeValue({ type: 'REG_DWORD', data: 1.5 }), { instanceOf: TypeError });
  t.throws(() => encodeValue({ type: 'REG_QWORD', data: 1 as unknown as bigint }), { instanceOf: TypeError });
  t.throws(() => encodeValue({ type: 'REG_BINARY', data: [1, 2] as unknown as Uint8Array }), { instanceOf: TypeError });
  t.throws(() => encodeValue({ type: 'REG_WHAT' } as unknown as RegValue), { instanceOf: TypeError });
});

test('key paths: long and short root names, slashes, trailing backslashes; views', (t) => {
  t.deepEqual(parseKeyPath('HKEY_LOCAL_MACHINE\\SOFTWARE\\Positive Networks\\PhoneFactor\\'), { root: 'HKLM', path: 'SOFTWARE\\Positive Networks\\PhoneFactor' });
  t.deepEqual(parseKeyPath('hklm/SOFTWARE/X'), { root: 'HKLM', path: 'SOFTWARE\\X' });
  t.deepEqual(parseKeyPath('HKU'), { root: 'HKU', path: '' });
  t.deepEqual(parseKeyPath('HKEY_CURRENT_USER\\Software'), { root: 'HKCU', path: 'Software' });
  const e = t.throws(() => parseKeyPath('SOFTWARE\\X'), { instanceOf: MfaError });
  t.is(e?.code, 'REG_BAD_KEY');
  t.is(viewBits(undefined), 64);
  t.is(viewBits('32'), 32);
  t.throws(() => viewBits('16' as '32'), { instanceOf: TypeError });
});

function track(events: Array<Parameters<ProgressTracker['handle']>[0]>, complete = true): InstallProgress[] {
  const out: InstallProgress[] = [];
  const tracker = new ProgressTracker((e) => out.push(e));
  for (const e of events) tracker.handle(e);
  if (complete) tracker.complete();
  return out;
}

const progress = (a: number, b: number, c = 0, d = 0) => ({ kind: 'progress' as const, fields: [a, b, c, d] as [number, number, number, number] });

test('progress: script generation then execution, never going back, ending at 100', (t) => {
  const out = track([
    { kind: 'action', action: 'CostFinalize', description: 'Computing space requirements' },
    progress(0, 100, 0, 1), // script generation
    progress(2, 50),
    progress(2, 50),
    progress(0, 1000, 0, 0), // execution: a new bar
    { kind: 'action', action: 'InstallFiles', description: 'Copying new files' },
    progress(1, 100, 1), // 100 ticks per ActionData
    { kind: 'data' },
    { kind: 'data' },
    progress(2, 300),
    progress(3, 1000), // more work found: the total doubles
    progress(2, 500),
  ]);
  const percents = out.map((e) => e.percent);
  t.deepEqual([...percents].sort((a, b) => a - b), percents, `monotone: ${percents.join(' ')}`);
  t.is(out[0]?.action, 'CostFinalize');
  t.is(out.find((e) => e.action === 'InstallFiles')?.message, 'Copying new files');
  t.true(percents.includes(5), 'half of script generation is 5 %');
  t.true(percents.some((p) => p > 10 && p < 100), 'execution moves the bar');
  t.deepEqual(out[out.length - 1], { percent: 100, message: 'complete' });
});

test('progress: rollback holds the percentage; no 100 without complete()', (t) => {
  const out = track([progress(0, 100), progress(2, 60), progress(0, 100, 1), progress(2, 90), progress(2, 90)], false);
  t.deepEqual(out.map((e) => e.percent), [60]);
  const noTotal = track([progress(2, 10), { kind: 'data' }, { kind: 'action', action: 'InstallFiles', description: '' }], false);
  t.deepEqual(noTotal, [{ percent: 0, action: 'InstallFiles' }]);
  const over = track([progress(0, 10), progress(2, 1000)], false);
  t.deepEqual(over.map((e) => e.percent), [99]);
});

test('command lines: quoted properties, reboots suppressed unless asked', (t) => {
  t.is(propertyString({ TARGETVDIR: 'PhoneFactor', NOTE: 'say "hi"' }), 'TARGETVDIR="PhoneFactor" NOTE="say ""hi"""');
  t.is(commandLine({ TARGETVDIR: 'MultiFactorAuth' }), 'TARGETVDIR="MultiFactorAuth" REBOOT="ReallySuppress"');
  t.is(commandLine({ reboot: 'Force' }), 'reboot="Force"');
  t.is(commandLine({}, { ACTION: 'ADMIN', TARGETDIR: 'C:\\x y' }), 'ACTION="ADMIN" TARGETDIR="C:\\x y" REBOOT="ReallySuppress"');
  t.throws(() => propertyString({ 'BAD NAME': 'x' }), { instanceOf: MfaError });
  t.is(platformOf('x64;1033'), 'x64');
  t.is(platformOf('Intel;1033'), 'x86');
  t.is(platformOf(';1033'), 'x86');
  t.deepEqual(publicProperties({ ProductName: 'x', TARGETVDIR: 'v', ALLUSERS: '1', _X: 'y' }), { TARGETVDIR: 'v', ALLUSERS: '1', _X: 'y' });
});

test('addon failures become MfaErrors with WIN32_/MSI_ codes; others pass through', (t) => {
  const native = Object.assign(new Error('OpenServiceW failed for pfsvc: access denied (5)'), { code: 5, api: 'OpenServiceW', target: 'pfsvc' });
  const e = fromNative(native) as MfaError;
  t.true(e instanceof MfaError);
  t.is(e.code, 'WIN32_5');
  t.is(e.target, 'pfsvc');
  t.regex(e.remedy ?? '', /administrator/);
  t.is(errorCode('MsiEnumProductsExW', 1605), 'MSI_1605');
  const plain = new TypeError('x');
  t.is(fromNative(plain), plain);
});

test('off Windows, the live backend refuses plainly and the addon is never loaded', async (t) => {
  if (process.platform === 'win32') return t.pass();
  const { openWindowsHost } = await import('../../lib/host/windows/index.js');
  const e = await t.throwsAsync(openWindowsHost(), { instanceOf: MfaError });
  t.is(e?.code, 'NOT_WINDOWS');
  t.is(e?.exitCode, ExitCode.notWindows);
  t.regex(e?.remedy ?? '', /--host <image folder>/);
});

const WIN: Omit<LocateContext, 'selfFile'> = { env: {}, platform: 'win32', arch: 'x64', execPath: 'C:\\Program Files\\nodejs\\node.exe', isSingleExecutable: false, path: win32 };

test('the addon has one place, from the code\'s own location: never the drive root, argv, the current folder', (t) => {
  // The package's bundle in dist\: the package's prebuilds\ (before: also dist\..\..\.. = C:\ and argv's folders).
  t.deepEqual(locateAddon({ ...WIN, selfFile: 'C:\\x\\mfa\\dist\\mfa-upgrade.cjs' }), {
    file: 'C:\\x\\mfa\\prebuilds\\win32-x64\\node.napi.node',
    root: 'C:\\x\\mfa',
    source: 'package',
  });
  // The module's bin\ (Node 12 runs the bundle there): beside the bundle.
  t.deepEqual(locateAddon({ ...WIN, selfFile: 'C:\\Program Files\\WindowsPowerShell\\Modules\\MfaUpgrade\\bin\\mfa-upgrade.cjs' }), {
    file: 'C:\\Program Files\\WindowsPowerShell\\Modules\\MfaUpgrade\\bin\\prebuilds\\win32-x64\\node.napi.node',
    root: 'C:\\Program Files\\WindowsPowerShell\\Modules\\MfaUpgrade\\bin',
    source: 'beside-bundle',
  });
  // A single executable: beside the executable, whatever the bundle's name says.
  t.deepEqual(locateAddon({ ...WIN, isSingleExecutable: true, execPath: 'C:\\M\\bin\\mfa-upgrade.exe', selfFile: 'C:\\M\\bin\\mfa-upgrade.exe' }).file, 'C:\\M\\bin\\prebuilds\\win32-x64\\node.napi.node');
  // From the sources: the repository's prebuilds\.
  t.is(locateAddon({ ...WIN, selfFile: 'D:\\src\\mfa-upgrade\\lib\\host\\windows\\addon.ts' }).file, 'D:\\src\\mfa-upgrade\\prebuilds\\win32-x64\\node.napi.node');
  // The override names the file itself, absolutely; a folder or a relative path fails closed.
  t.is(locateAddon({ ...WIN, env: { MFA_UPGRADE_ADDON: 'E:\\t\\node.napi.node' }, selfFile: 'C:\\x\\dist\\mfa-upgrade.cjs' }).file, 'E:\\t\\node.napi.node');
  for (const bad of ['E:\\t', 'node.napi.node', '..\\prebuilds\\win32-x64\\node.napi.node']) {
    const e = t.throws(() => locateAddon({ ...WIN, env: { MFA_UPGRADE_ADDON: bad }, selfFile: 'C:\\x\\dist\\mfa-upgrade.cjs' }), { instanceOf: MfaError });
    t.is(e?.code, 'ADDON_VERIFY_FAILED', bad);
  }
  // The checked folders stop at the installation's root.
  t.deepEqual(foldersUpTo('C:\\x\\mfa\\prebuilds\\win32-x64\\node.napi.node', 'C:\\x\\mfa', win32), ['C:\\x\\mfa\\prebuilds\\win32-x64', 'C:\\x\\mfa\\prebuilds', 'C:\\x\\mfa']);
});

test('installation permissions: only Administrators, SYSTEM and TrustedInstaller may own or change the addon and its folders', (t) => {
  // Program Files as Windows Server sets it (and what an installer's folder there inherits): trusted.
  const programFiles = `D:PAI(A;;FA;;;${SID.trustedInstaller})(A;CIIO;GA;;;${SID.trustedInstaller})(A;;0x1301bf;;;SY)(A;OICIIO;GA;;;SY)(A;;0x1301bf;;;BA)(A;OICIIO;GA;;;BA)(A;;0x1200a9;;;BU)(A;OICIIO;GXGR;;;BU)(A;OICIIO;GA;;;CO)(A;;0x1200a9;;;AC)(A;OICIIO;GXGR;;;AC)`;
  t.deepEqual(untrustedWriters({ owner: SID.trustedInstaller, dacl: programFiles }), []);
  t.deepEqual(untrustedWriters({ owner: 'S-1-5-32-544', dacl: 'D:AI(A;ID;FA;;;SY)(A;ID;FA;;;BA)(A;ID;0x1200a9;;;BU)' }), []);
  // A folder made under C:\ inherits Authenticated Users: Modify.
  const underRoot = 'D:AI(A;ID;FA;;;BA)(A;OICIIOID;GA;;;BA)(A;ID;FA;;;SY)(A;OICIIOID;GA;;;SY)(A;OICIID;0x1200a9;;;BU)(A;ID;0x1301bf;;;AU)(A;OICIIOID;SDGXGWGR;;;AU)';
  const problems = untrustedWriters({ owner: SID.administrators, dacl: underRoot });
  t.is(problems.length, 1, problems.join('; '));
  t.regex(problems[0] ?? '', /S-1-5-11 may change it/);
  // An owner outside the three, even with a tight DACL (the owner can rewrite the DACL).
  t.regex(untrustedWriters({ owner: 'S-1-5-21-1-2-3-1001', dacl: 'D:P(A;;FA;;;BA)(A;;FA;;;SY)' }).join(), /owned by S-1-5-21-1-2-3-1001/);
  // A process that is not elevated also accepts its own account (owner and writer), never others.
  const profile = { owner: 'S-1-5-21-1-2-3-1001', dacl: 'D:(A;ID;FA;;;S-1-5-21-1-2-3-1001)(A;ID;FA;;;SY)(A;ID;FA;;;BA)' };
  t.deepEqual(untrustedWriters(profile, ['S-1-5-21-1-2-3-1001']), []);
  t.is(untrustedWriters({ ...profile, dacl: `${profile.dacl}(A;;0x1301bf;;;AU)` }, ['S-1-5-21-1-2-3-1001']).length, 1);
  // A null DACL, Everyone with write data only, a right spelled in directory-service codes, an unknown code.
  t.regex(untrustedWriters({ owner: 'BA', dacl: 'D:NO_ACCESS_CONTROL' }).join(), /no DACL/);
  t.regex(untrustedWriters({ owner: 'BA', dacl: '' }).join(), /no DACL/);
  t.is(untrustedWriters({ owner: 'BA', dacl: 'D:(A;;0x2;;;WD)' }).length, 1);
  t.is(untrustedWriters({ owner: 'BA', dacl: 'D:(A;;DC;;;BU)' }).length, 1, 'DC = FILE_WRITE_DATA');
  t.is(untrustedWriters({ owner: 'BA', dacl: 'D:(A;;ZZ;;;BU)' }).length, 1, 'an unreadable right counts as every right');
  // Deny entries and inherit-only entries grant nothing on the object itself.
  t.deepEqual(untrustedWriters({ owner: 'SY', dacl: 'D:P(D;;FA;;;WD)(A;OICIIO;FA;;;BU)(A;;FA;;;BA)' }), []);
  t.deepEqual(parseDacl('O:BAD:P(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)')?.map((a) => [a.type, a.flags.join(''), a.mask, a.sid]), [
    ['A', 'OICI', 0x1f01ff, SID.administrators],
    ['A', 'OICI', 0x1f01ff, SID.system],
  ]);
});
