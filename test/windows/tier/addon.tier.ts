// The addon: loaded from its one place after its digest is checked, never a planted DLL (a marker
// DLL copied to every place the old loader searched), msi.dll only from System32, and bad
// arguments refused with TypeErrors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { addonTrust, loadAddon } from '../../../lib/host/windows/addon.js';
import { untrustedWriters } from '../../../lib/host/windows/file-trust.js';
import { PREBUILD_DIGESTS } from '../../../lib/host/windows/prebuild-digests.js';
import { MfaError } from '../../../lib/errors.js';
import { host, rejectsWith, work } from './context.js';
import { env, test } from './harness.js';

/** The marker files planted DLLs left, as the paths they were loaded from. */
function markersRan(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('ran-'))
    .map((f) => readFileSync(`${dir}\\${f}`).toString('utf16le'));
}

/** A fresh folder for marker files, named in this process's environment so DLLs loaded here see it too. */
function markerDir(name: string): string {
  const dir = work('markers', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs node.exe (or a copy) on a script under cmd.exe, output to a file (node.exe cannot write to a pipe under Wine). */
function runNode(exe: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; out: string }): { status: number | null; output: string } {
  const quoted = [exe, ...args].map((a) => `"${a}"`).join(' ');
  const r = spawnSync('cmd.exe', ['/d', '/s', '/c', `"${quoted} > "${options.out}" 2>&1"`], { cwd: options.cwd, env: options.env ?? process.env, windowsVerbatimArguments: true, stdio: 'ignore', timeout: 120_000 });
  let output = '';
  try {
    output = readFileSync(options.out, 'utf8');
  } catch {
    /* no output file */
  }
  return { status: r.status, output };
}

test('the addon loads from the one place named, after its SHA-256 matched the list the package ships', () => {
  const addon = loadAddon();
  assert.equal(addon.abi, 2);
  const trust = addonTrust();
  assert.ok(trust);
  assert.equal(trust.location.source, 'override');
  assert.equal(trust.location.file.toLowerCase(), env('MFA_UPGRADE_ADDON').toLowerCase());
  const digest = createHash('sha256').update(readFileSync(trust.location.file)).digest('hex');
  assert.equal(trust.sha256, digest);
  assert.equal(PREBUILD_DIGESTS['win32-x64'], digest);
});

test('the installation\'s owner and DACL are checked before the addon is used', (t) => {
  const addon = loadAddon();
  const trust = addonTrust()!;
  if (!trust.aclChecked) {
    const s = addon.getSecurity(trust.location.file);
    t.skip(`NOT VERIFIED: ${trust.note}; Wine reports owner ${s.owner} and ${s.dacl} for the addon, which would read as: ${untrustedWriters(s).join('; ') || 'trusted'}`);
  }
  t.note(`checked ${trust.location.file} and its folders up to ${trust.location.root}`);
});

test('a planted addon never loads: a marker DLL in every place the old loader searched, and in the one place, never runs', (t) => {
  const markers = markerDir('planted');
  const markerDll = `${env('MFA_TIER_MARKER_BUILD')}\\marker.dll`;
  // A package unpacked to C:\x\mfa without its addon; the bundle in dist\ as npm lays it out.
  const pkg = 'C:\\x\\mfa';
  mkdirSync(`${pkg}\\dist`, { recursive: true });
  copyFileSync(`${env('MFA_TIER_ROOT')}\\dist\\mfa-upgrade.cjs`, `${pkg}\\dist\\mfa-upgrade.cjs`);
  const nodeDir = work('planted-node');
  const cwd = work('planted-cwd');
  mkdirSync(nodeDir, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  copyFileSync(process.execPath, `${nodeDir}\\node.exe`);
  // The old loader's candidates: dist\.., dist\..\..\.. (the drive root), argv[1]'s folders,
  // the executable's folder and the current folder, each with prebuilds\ or build\Release\.
  const roots = [pkg, 'C:\\', 'C:\\x', `${pkg}\\dist`, nodeDir, cwd];
  const planted: string[] = [];
  for (const root of roots) {
    for (const rel of ['prebuilds\\win32-x64\\node.napi.node', 'build\\Release\\mfa_upgrade.node']) {
      const file = `${root.replace(/\\$/, '')}\\${rel}`;
      mkdirSync(file.slice(0, file.lastIndexOf('\\')), { recursive: true });
      copyFileSync(markerDll, file);
      planted.push(file);
    }
  }
  const childEnv: NodeJS.ProcessEnv = { ...process.env, MFA_TIER_MARKERS: markers };
  delete childEnv['MFA_UPGRADE_ADDON'];
  const r = runNode(`${nodeDir}\\node.exe`, [`${pkg}\\dist\\mfa-upgrade.cjs`, 'inventory', '--json'], { cwd, env: childEnv, out: work('planted-out.jsonl') });
  try {
    assert.deepEqual(markersRan(markers), [], 'a planted DLL ran');
    assert.notEqual(r.status, 0, `the command succeeded with only planted DLLs around: ${r.output}`);
    const error = r.output.split(/\r?\n/).filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['type'] === 'error');
    assert.equal(error?.['code'], 'ADDON_VERIFY_FAILED', r.output);
    assert.match(String(error?.['message']), /is not the addon this version of mfa-upgrade ships/);
    // The oracle works: the marker does leave its file when something does load it.
    process.env['MFA_TIER_MARKERS'] = markers;
    assert.throws(() => process.dlopen({ exports: {} }, planted[0]!), /self-register|not a valid|module/i);
    assert.equal(markersRan(markers).length, 1, 'the marker DLL leaves a file when it is loaded');
    t.note(`${planted.length} planted copies; the CLI refused with ADDON_VERIFY_FAILED and none ran`);
  } finally {
    delete process.env['MFA_TIER_MARKERS'];
  }
});

test('a planted msi.dll beside the addon is not loaded: msi.dll comes from System32', (t) => {
  const markers = markerDir('msi');
  const shim = work('shim', 'prebuilds', 'win32-x64');
  mkdirSync(shim, { recursive: true });
  copyFileSync(env('MFA_UPGRADE_ADDON'), `${shim}\\node.napi.node`);
  copyFileSync(`${env('MFA_TIER_MARKER_BUILD')}\\marker.dll`, `${shim}\\msi.dll`);
  copyFileSync(`${env('MFA_TIER_MARKER_BUILD')}\\import-msi.dll`, `${shim}\\import-msi.dll`);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, MFA_TIER_MARKERS: markers };
  // A fresh process each (msi.dll is already loaded in this one): the addon from the shim folder...
  const script = work('shim', 'load.js');
  const result = work('shim', 'result.json');
  writeFileSync(
    script,
    `const m = { exports: {} };
process.dlopen(m, ${JSON.stringify(`${shim}\\node.napi.node`)});
m.exports.msiProducts().then((p) => {
  require('fs').writeFileSync(${JSON.stringify(result)}, JSON.stringify({ products: p.length, msi: m.exports.loadedModule('msi.dll'), system: m.exports.systemDirectory() }));
});`,
  );
  const r = runNode(process.execPath, [script], { env: childEnv, out: work('shim', 'out.txt') });
  assert.equal(r.status, 0, r.output);
  const loaded = JSON.parse(readFileSync(result, 'utf8')) as { products: number; msi: string; system: string };
  assert.equal(loaded.msi.toLowerCase(), `${loaded.system}\\msi.dll`.toLowerCase());
  assert.deepEqual(markersRan(markers), [], 'the shim msi.dll ran');
  // ...and the control: a DLL importing msi.dll the ordinary way, from the same folder.
  const control = work('shim', 'control.js');
  writeFileSync(control, `try { process.dlopen({ exports: {} }, ${JSON.stringify(`${shim}\\import-msi.dll`)}); } catch (e) {}`);
  runNode(process.execPath, [control], { env: childEnv, out: work('shim', 'control.txt') });
  const controlRan = markersRan(markers).some((p) => p.toLowerCase() === `${shim}\\msi.dll`.toLowerCase());
  if (!controlRan) {
    t.skip(`NOT VERIFIED: the addon took msi.dll from ${loaded.msi}, but under Wine even a DLL that imports msi.dll the ordinary way did not load the planted one (Wine prefers its builtin), so this cannot show the difference`);
  }
  t.note(`the addon used ${loaded.msi}; the control DLL importing msi.dll normally did load the planted one`);
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
    ['replaceFile', [null, 'x', 'y']],
    ['replaceFile', ['x', 'y']],
    ['moveFile', ['x', 'y', 'yes']],
    ['protectDirectory', [[], []]],
    ['protectDirectory', ['C:\\x', 'BA']],
    ['protectDirectory', ['C:\\x', [1]]],
    ['setSecurity', ['C:\\x', 5]],
    ['setSecurity', ['C:\\x', 'G:BA']],
    ['diskFreeSpace', [undefined]],
    ['loadedModule', [7]],
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
