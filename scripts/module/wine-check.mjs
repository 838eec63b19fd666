// Runs the module's single executable (powershell/MfaUpgrade/bin/mfa-upgrade.exe) under Wine and
// checks that it works without Node installed:
//   1. `mfa-upgrade.exe --version` prints the package version;
//   2. `mfa-upgrade.exe inventory --host Z:\...\examples\hosts\phonefactor-5.2 --json` writes the
//      protocol's lines with a MfaUpgrade.Deployment object and a result line with exit code 0;
//   3. the native addon beside it (bin/prebuilds/win32-x64/node.napi.node) loads in the renamed
//      executable and answers a registry read (a --require probe through NODE_OPTIONS, because
//      no command reaches the live backend yet);
//   4. a command that needs the PowerShell parser (patch-register-script --what-if) finds the
//      .wasm files beside the executable.
//
//   node scripts/module/wine-check.mjs
//
//   5. under a second prefix set to Windows Server 2008 R2 (6.1): the Node 20 executable refuses to
//      start (why the module carries Node 12), and bin/node12/node.exe (Node 12.16.1, its SHA-256
//      the pinned one) runs bin/node12/mfa-upgrade.cjs: --version, an inventory, the .wasm files,
//      and the native addon loaded into Node 12 (N-API);
//   6. the same Node 12 runtime under the Windows 10 prefix.
// What Wine proves and does not: it runs the real node.exe binaries against Wine's Win32 (the
// version checks Node makes at start-up included), but it implements newer APIs even when it
// reports 6.1, so a call that real Windows Server 2008 R2 lacks would not fail here.
//
// Wine facts (DESIGN.md): node.exe cannot write to a pipe as stdout under Wine, so every run
// writes to a file. The prefixes live in .cache/wine-module/ (Windows 10) and
// .cache/wine-module-2008r2/ (made on first use, about a minute each).
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const exe = join(root, 'powershell', 'MfaUpgrade', 'bin', 'mfa-upgrade.exe');
import { createHash } from 'node:crypto';
import { NODE12_VERSION, NODE12_WIN_SHA256 } from './runtimes.mjs';
const prefixes = {
  win10: process.env.MFA_MODULE_WINEPREFIX ?? join(root, '.cache', 'wine-module'),
  win2008r2: process.env.MFA_MODULE_WINEPREFIX_2008R2 ?? join(root, '.cache', 'wine-module-2008r2'),
};
let prefix = prefixes.win10;
const env = { ...process.env, WINEPREFIX: prefix, WINEARCH: 'win64', WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
delete env.NODE_OPTIONS;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** A Linux path as Wine's Z: drive shows it. */
export function winePath(p) {
  return `Z:${resolve(p).split('/').join('\\')}`;
}

function wine(argv, { extraEnv = {}, timeoutMs = 180_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-wine-'));
  const outFile = join(dir, 'stdout.txt');
  const errFile = join(dir, 'stderr.txt');
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const r = spawnSync('wine', argv, { env: { ...env, WINEPREFIX: prefix, ...extraEnv }, stdio: ['ignore', out, err], timeout: timeoutMs });
  closeSync(out);
  closeSync(err);
  const result = { status: r.status, signal: r.signal, stdout: readFileSync(outFile, 'utf8'), stderr: readFileSync(errFile, 'utf8') };
  rmSync(dir, { recursive: true, force: true });
  return result;
}

function ensurePrefix(version = 'win10') {
  prefix = prefixes[version];
  if (existsSync(join(prefix, 'system.reg')) && existsSync(join(prefix, '.mfa-version')) && readFileSync(join(prefix, '.mfa-version'), 'utf8') === version) return;
  mkdirSync(prefix, { recursive: true });
  process.stdout.write(`wine-check: making the Wine prefix ${prefix} (${version})\n`);
  const boot = wine(['wineboot', '-i'], { timeoutMs: 600_000 });
  if (boot.status !== 0) throw new Error(`wineboot failed (${boot.status}): ${boot.stderr}`);
  const cfg = wine(['winecfg', '-v', version], { timeoutMs: 300_000 });
  if (cfg.status !== 0) throw new Error(`winecfg -v ${version} failed (${cfg.status}): ${cfg.stderr}`);
  spawnSync('wineserver', ['-w'], { env: { ...env, WINEPREFIX: prefix } });
  writeFileSync(join(prefix, '.mfa-version'), version);
}

const checks = [];
function check(name, ok, detail) {
  checks.push({ name, ok });
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `\n       ${detail.split('\n').join('\n       ')}` : ''}\n`);
}

if (!existsSync(exe)) throw new Error(`${exe} is missing: run node scripts/build-module.mjs first`);
ensurePrefix();

// 1. --version
const version = wine([exe, '--version']);
check(`mfa-upgrade.exe --version prints ${pkg.version}`, version.status === 0 && version.stdout.trim() === pkg.version, `exit ${version.status}: ${version.stdout.trim()} ${version.stderr.trim()}`);

// 2. inventory of a sample through Z:
const sample = winePath(join(root, 'examples', 'hosts', 'phonefactor-5.2'));
const inv = wine([exe, 'inventory', '--host', sample, '--json']);
let events = [];
try {
  events = inv.stdout.split(/\r?\n/).filter((l) => l.trim()).map((l) => JSON.parse(l));
} catch (e) {
  events = [];
}
const deployment = events.find((e) => e.type === 'object' && e.typeName === 'MfaUpgrade.Deployment');
const result = events.at(-1);
check(
  `mfa-upgrade.exe inventory --host ${sample} --json gives a MfaUpgrade.Deployment and {"type":"result","exitCode":0}`,
  inv.status === 0 && deployment?.data?.server?.product?.version === '5.2.1.12' && result?.type === 'result' && result.exitCode === 0,
  `exit ${inv.status}; ${events.length} events; product ${deployment?.data?.server?.product?.name} ${deployment?.data?.server?.product?.version}${inv.stderr.trim() ? `; stderr: ${inv.stderr.trim()}` : ''}`,
);

// 3. the addon in the renamed executable
const addonDir = join(root, 'powershell', 'MfaUpgrade', 'bin', 'prebuilds', 'win32-x64');
const addon = join(addonDir, 'node.napi.node');
if (existsSync(addon)) {
  const probeDir = mkdtempSync(join(tmpdir(), 'mfa-probe-'));
  const probe = join(probeDir, 'probe.cjs');
  const report = join(probeDir, 'report.json');
  writeFileSync(
    probe,
    `const fs = require('fs');
const out = { execPath: process.execPath, argv: process.argv };
try {
  // As in a single executable application: a file path is required through createRequire.
  const req = require('module').createRequire(process.execPath);
  const addon = req(${JSON.stringify(winePath(addon))});
  out.abi = addon.abi;
  const v = addon.regRead('HKLM', 'SOFTWARE\\\\Microsoft\\\\Windows NT\\\\CurrentVersion', 64, 'CurrentBuildNumber');
  out.build = v ? Buffer.from(v.data).toString('utf16le').replace(/\\0+$/, '') : null;
  out.admin = addon.isAdministrator();
} catch (e) { out.error = String(e && e.stack || e); }
fs.writeFileSync(${JSON.stringify(winePath(report))}, JSON.stringify(out));
`,
  );
  const run = wine([exe, '--version'], { extraEnv: { NODE_OPTIONS: `--require=${winePath(probe)}` } });
  const got = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : { error: `no report (exit ${run.status}; ${run.stderr.trim()})` };
  check(
    'the native addon loads in mfa-upgrade.exe (renamed node.exe) and reads the registry',
    got.abi !== undefined && !got.error && typeof got.build === 'string',
    got.error ? got.error : `abi ${got.abi}; CurrentBuildNumber ${got.build}; administrator ${got.admin}; execPath ${got.execPath}`,
  );
  rmSync(probeDir, { recursive: true, force: true });
} else {
  check('the native addon loads in mfa-upgrade.exe (skipped: no bin/prebuilds/win32-x64/node.napi.node; run npm run build:native, then build:module)', true);
}

// 3b. the live backend: inventory of the Wine machine itself, through lib/host/windows's own addon
// loader (bin/prebuilds/ beside the executable).
if (existsSync(addon)) {
  const live = wine([exe, 'inventory', '--json']);
  const liveEvents = live.stdout.split(/\r?\n/).filter((l) => l.trim()).map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      return { type: 'unparsed', line: l };
    }
  });
  const machine = liveEvents.find((e) => e.type === 'object' && e.typeName === 'MfaUpgrade.Deployment');
  check(
    'mfa-upgrade.exe inventory --json (no --host) inventories the Wine machine through the native addon',
    live.status === 0 && machine?.data?.host?.kind === 'windows',
    `exit ${live.status}; host ${JSON.stringify(machine?.data?.host ?? null)}; ${liveEvents.filter((e) => e.type === 'error').map((e) => `${e.code}: ${e.message}`).join('; ')}`,
  );
  if (/single-executable applications only supports loading built-in modules/.test(live.stderr)) {
    process.stdout.write('note the bundle calls the single executable\'s built-in-only require() for a file (node-gyp-build reading <dir>/package.json in lib/host/windows/addon.ts): a warning on stderr, harmless, see docs/powershell.md\n');
  }
}

// 4. the PowerShell parser's .wasm files beside the executable (the register script of a sample)
const adfsSample = winePath(join(root, 'examples', 'hosts', 'mfa-8.0-adfs'));
const patch = wine([exe, 'patch-register-script', '--host', adfsSample, '--script', 'C:\\Program Files\\Multi-Factor Authentication Server\\Register-MultiFactorAuthenticationAdfsAdapter.ps1', '--config-path', 'C:\\Program Files\\Multi-Factor Authentication Server\\MultiFactorAuthenticationAdfsAdapter.config', '--what-if', '--json']);
const patchEvents = patch.stdout.split(/\r?\n/).filter((l) => l.trim()).map((l) => {
  try {
    return JSON.parse(l);
  } catch {
    return { type: 'unparsed', line: l };
  }
});
const patched = patchEvents.find((e) => e.type === 'object' && e.typeName === 'MfaUpgrade.RegisterScriptPatch');
check(
  'patch-register-script --what-if parses PowerShell with the .wasm files beside the executable',
  patch.status === 0 && patched !== undefined,
  `exit ${patch.status}; ${patchEvents.map((e) => e.type === 'error' ? `${e.code}: ${e.message}` : e.type).join(', ')}${patch.stderr.trim() ? `; stderr: ${patch.stderr.trim()}` : ''}`,
);


// 5 and 6. Node 12.16.1 (bin/node12) under Windows Server 2008 R2, and under Windows 10.
const node12 = join(root, 'powershell', 'MfaUpgrade', 'bin', 'node12', 'node.exe');
const bundle12 = join(root, 'powershell', 'MfaUpgrade', 'bin', 'mfa-upgrade.cjs');
if (!existsSync(node12)) {
  check('bin/node12/node.exe exists (npm run build:module puts Node 12.16.1 there)', false);
} else {
  const hash = createHash('sha256').update(readFileSync(node12)).digest('hex');
  check(`bin/node12/node.exe is Node ${NODE12_VERSION} with the pinned SHA-256`, hash === NODE12_WIN_SHA256, `${hash}`);
  for (const version of ['win2008r2', 'win10']) {
    ensurePrefix(version);
    const reported = /"ProductName"="([^"]+)"/.exec(readFileSync(join(prefix, 'system.reg'), 'latin1'))?.[1] ?? '?';
    if (version === 'win2008r2') {
      const sea = wine([exe, '--version']);
      check(`[${reported}] the Node 20 executable refuses to start (why the module carries Node 12)`, sea.status !== 0 && /Windows 8\.1|Windows Server 2012 R2|not supported/i.test(sea.stdout + sea.stderr), `exit ${sea.status}: ${(sea.stdout + sea.stderr).trim().split('\n')[0]}`);
    }
    const v12 = wine([node12, bundle12, '--version']);
    check(`[${reported}] Node ${NODE12_VERSION}: mfa-upgrade.cjs --version prints ${pkg.version}`, v12.status === 0 && v12.stdout.trim() === pkg.version, `exit ${v12.status}: ${v12.stdout.trim()} ${v12.stderr.trim()}`);
    const inv12 = wine([node12, bundle12, 'inventory', '--host', sample, '--json']);
    let ev = [];
    try {
      ev = inv12.stdout.split(/\r?\n/).filter((l) => l.trim()).map((l) => JSON.parse(l));
    } catch {
      ev = [];
    }
    const dep = ev.find((e) => e.type === 'object' && e.typeName === 'MfaUpgrade.Deployment');
    const res = ev[ev.length - 1];
    check(`[${reported}] Node ${NODE12_VERSION}: inventory --host gives a Deployment and result 0`, inv12.status === 0 && dep?.data?.server?.product?.version === '5.2.1.12' && res?.type === 'result' && res.exitCode === 0, `exit ${inv12.status}; ${ev.length} events${inv12.stderr.trim() ? `; stderr: ${inv12.stderr.trim().slice(0, 300)}` : ''}`);
    const p12 = wine([node12, bundle12, 'patch-register-script', '--host', adfsSample, '--script', 'C:\\Program Files\\Multi-Factor Authentication Server\\Register-MultiFactorAuthenticationAdfsAdapter.ps1', '--config-path', 'C:\\Program Files\\Multi-Factor Authentication Server\\MultiFactorAuthenticationAdfsAdapter.config', '--what-if', '--json']);
    check(`[${reported}] Node ${NODE12_VERSION}: patch-register-script --what-if finds the .wasm files beside the bundle`, p12.status === 0 && /MfaUpgrade\.RegisterScriptPatch/.test(p12.stdout), `exit ${p12.status}${p12.stderr.trim() ? `; stderr: ${p12.stderr.trim().slice(0, 300)}` : ''}`);
    // The live backend under Node 12: lib/host/windows/addon.ts finds the addon in prebuilds\ beside
    // the bundle (bin\), checks its digest and loads it; inventory of the Wine machine itself.
    if (existsSync(join(root, 'powershell', 'MfaUpgrade', 'bin', 'prebuilds', 'win32-x64', 'node.napi.node'))) {
      const live12 = wine([node12, bundle12, 'inventory', '--json']);
      const le = live12.stdout.split(/\r?\n/).filter((l) => l.trim()).map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return { type: 'unparsed', line: l };
        }
      });
      const m12 = le.find((e) => e.type === 'object' && e.typeName === 'MfaUpgrade.Deployment');
      check(`[${reported}] Node ${NODE12_VERSION}: inventory --json (no --host) inventories the Wine machine through the addon beside the bundle`, live12.status === 0 && m12?.data?.host?.kind === 'windows', `exit ${live12.status}; host ${JSON.stringify(m12?.data?.host ?? null)}; ${le.filter((e) => e.type === 'error').map((e) => `${e.code}: ${e.message}`).join('; ')}`);
    }
    const addon12 = join(root, 'powershell', 'MfaUpgrade', 'bin', 'prebuilds', 'win32-x64', 'node.napi.node');
    if (existsSync(addon12)) {
      const probeDir = mkdtempSync(join(tmpdir(), 'mfa-probe12-'));
      const report = join(probeDir, 'report.json');
      const probe = join(probeDir, 'probe.js');
      writeFileSync(probe, `const fs = require('fs'); const out = { napi: process.versions.napi };
try { const a = require(${JSON.stringify(winePath(addon12))}); const v = a.regRead('HKLM', 'SOFTWARE\\\\Microsoft\\\\Windows NT\\\\CurrentVersion', 64, 'CurrentVersion'); out.currentVersion = v ? Buffer.from(v.data).toString('utf16le').replace(/\\0+$/, '') : null; }
catch (e) { out.error = String(e && e.message || e); }
fs.writeFileSync(${JSON.stringify(winePath(report))}, JSON.stringify(out));`);
      wine([node12, probe]);
      const got = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : { error: 'no report' };
      check(`[${reported}] Node ${NODE12_VERSION} (N-API ${got.napi ?? '?'}): the native addon loads and reads the registry`, !got.error && typeof got.currentVersion === 'string', got.error ?? `CurrentVersion ${got.currentVersion}`);
      rmSync(probeDir, { recursive: true, force: true });
    }
  }
}

const failed = checks.filter((c) => !c.ok).length;
process.stdout.write(`wine-check: ${checks.length - failed} of ${checks.length} checks passed\n`);
process.exitCode = failed ? 1 : 0;
