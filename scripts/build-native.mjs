#!/usr/bin/env node
// Builds the native addon (native/*.cc) into prebuilds/win32-<arch>/node.napi.node, the layout
// prebuildify writes and node-gyp-build loads.
//
//   On Windows: prebuildify --napi --strip (node-gyp and MSVC, with binding.gyp's hardening flags).
//   Elsewhere:  a cross build with mingw-w64 (Debian: g++-mingw-w64-x86-64-posix, and
//               g++-mingw-w64-i686-posix for the 32-bit addon when it is installed). Node-API is
//               imported from node.exe through a delay-load import library made from
//               node-api-headers' def/node_api.def; native/addon.cc resolves it to the running
//               executable, so a renamed node.exe (a single executable application) works too.
//
// Usage: node scripts/build-native.mjs [--arch x64|ia32|all] [--force] [--quiet]
// Rebuilds only when a source, a flag or the compiler changed (stamp in .cache/native-build/).
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
const NATIVE = join(ROOT, 'native');
export const ADDON_FILE = 'node.napi.node';

const TOOLCHAINS = {
  x64: { cxx: 'x86_64-w64-mingw32-g++-posix', dlltool: 'x86_64-w64-mingw32-dlltool', machine: 'i386:x86-64', strip: 'x86_64-w64-mingw32-strip', extra: ['-Wl,--high-entropy-va'] },
  ia32: { cxx: 'i686-w64-mingw32-g++-posix', dlltool: 'i686-w64-mingw32-dlltool', machine: 'i386', strip: 'i686-w64-mingw32-strip', extra: ['-Wl,--large-address-aware'] },
};

const CXXFLAGS = [
  '-std=c++17', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Wno-cast-function-type',
  '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS', '-DUNICODE', '-D_UNICODE', '-DWIN32_LEAN_AND_MEAN', '-D_WIN32_WINNT=0x0601',
  // Hardening within what mingw-w64 offers (MSVC's /guard:cf and Spectre flags have no equivalent here).
  '-fstack-protector-strong', '-D_FORTIFY_SOURCE=2',
];
const LDFLAGS = ['-shared', '-static', '-static-libgcc', '-static-libstdc++', '-Wl,--no-undefined', '-Wl,--dynamicbase', '-Wl,--nxcompat'];
const LIBS = ['-lmsi', '-ladvapi32', '-lssp'];

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function sources() {
  return readdirSync(NATIVE).filter((f) => f.endsWith('.cc')).sort();
}

/** Runs jobs with at most `limit` at once (the machines have two cores, shared). */
async function pool(jobs, limit) {
  const results = [];
  let next = 0;
  async function lane() {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, lane));
  return results;
}

async function crossBuild(arch, { force, log }) {
  const tc = TOOLCHAINS[arch];
  const out = join(ROOT, 'prebuilds', `win32-${arch}`, ADDON_FILE);
  const work = join(ROOT, '.cache', 'native-build', arch);
  mkdirSync(work, { recursive: true });
  mkdirSync(dirname(out), { recursive: true });
  const apiHeaders = dirname(require.resolve('node-api-headers/package.json'));
  const addonApi = dirname(require.resolve('node-addon-api/package.json'));
  const includes = [`-I${join(apiHeaders, 'include')}`, `-I${addonApi}`];
  const compilerVersion = spawnSync(tc.cxx, ['--version'], { encoding: 'utf8' }).stdout ?? '';

  const stamp = createHash('sha256');
  stamp.update(JSON.stringify({ CXXFLAGS, LDFLAGS, LIBS, tc, compilerVersion }));
  for (const f of [...sources(), ...readdirSync(NATIVE).filter((f) => f.endsWith('.h')).sort()]) stamp.update(f).update(readFileSync(join(NATIVE, f)));
  stamp.update(readFileSync(join(addonApi, 'napi-inl.h')));
  const digest = stamp.digest('hex');
  const stampFile = join(work, 'stamp');
  if (!force && existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === digest) {
    log(`native: ${relative(ROOT, out)} is up to date`);
    return out;
  }

  const importLib = join(work, 'libnode_delay.a');
  await run(tc.dlltool, ['-d', join(apiHeaders, 'def', 'node_api.def'), '-y', importLib, '-m', tc.machine]);
  const started = Date.now();
  const objects = await pool(
    sources().map((src) => async () => {
      const obj = join(work, src.replace(/\.cc$/, '.o'));
      const { stderr } = await run(tc.cxx, [...CXXFLAGS, ...includes, '-c', join(NATIVE, src), '-o', obj], { maxBuffer: 16 << 20 }).catch((e) => {
        throw new Error(`${tc.cxx} failed on native/${src}:\n${e.stderr || e.message}`);
      });
      if (stderr.trim()) log(stderr.trimEnd());
      return obj;
    }),
    2,
  );
  const linked = join(work, ADDON_FILE);
  await run(tc.cxx, [...LDFLAGS, ...tc.extra, '-o', linked, ...objects, importLib, ...LIBS], { maxBuffer: 16 << 20 }).catch((e) => {
    throw new Error(`linking the ${arch} addon failed:\n${e.stderr || e.message}`);
  });
  await run(tc.strip, ['--strip-unneeded', linked]);
  copyFileSync(linked, out);
  writeFileSync(stampFile, digest);
  log(`native: built ${relative(ROOT, out)} with ${tc.cxx} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return out;
}

/** Builds the addon for the given architectures; returns the paths written. */
export async function buildNative({ arch = 'all', force = false, log = console.log } = {}) {
  if (process.platform === 'win32') {
    const archs = arch === 'all' ? [process.arch] : [arch];
    const outs = [];
    for (const a of archs) {
      const r = spawnSync(process.execPath, [require.resolve('prebuildify/bin.js'), '--napi', '--strip', `--arch=${a}`], { cwd: ROOT, stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`prebuildify failed for ${a} (exit ${r.status}); it needs Visual Studio Build Tools with the C++ workload`);
      outs.push(join(ROOT, 'prebuilds', `win32-${a}`));
    }
    return outs;
  }
  const wanted = arch === 'all' ? ['x64', 'ia32'] : [arch];
  const outs = [];
  for (const a of wanted) {
    const tc = TOOLCHAINS[a];
    if (!tc) throw new Error(`unknown architecture '${a}' (x64, ia32 or all)`);
    if (!has(tc.cxx) || !has(tc.dlltool)) {
      if (arch === 'all' && a !== 'x64') {
        log(`native: skipping win32-${a}: ${tc.cxx} is not installed`);
        continue;
      }
      throw new Error(`${tc.cxx} is not installed: apt-get install g++-mingw-w64-${a === 'x64' ? 'x86-64' : 'i686'}-posix`);
    }
    outs.push(await crossBuild(a, { force, log }));
  }
  return outs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const archAt = args.indexOf('--arch');
  const options = {
    arch: archAt >= 0 ? args[archAt + 1] : 'all',
    force: args.includes('--force'),
    log: args.includes('--quiet') ? () => undefined : console.log,
  };
  buildNative(options).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
