#!/usr/bin/env node
// Builds the native addon (native/*.cc) into prebuilds/win32-<arch>/node.napi.node, the layout
// lib/host/windows/addon.ts loads from, and writes prebuilds/SHA256SUMS (the digests of what the
// package ships; lib/host/windows/prebuild-digests.ts holds the same list for the loader).
//
//   On Windows: prebuildify --napi --strip (node-gyp and MSVC, with binding.gyp's hardening flags).
//   Elsewhere:  a cross build with mingw-w64 (Debian: g++-mingw-w64-x86-64-posix, and
//               g++-mingw-w64-i686-posix for the 32-bit addon when it is installed). Node-API is
//               imported from node.exe through a delay-load import library made from
//               node-api-headers' def/node_api.def; native/addon.cc resolves it to the running
//               executable, so a renamed node.exe (a single executable application) works too.
//
// One build loads in Node 12.16.1 and in Node 20: NAPI_VERSION 5 (Node 12.16 has N-API 5;
// node-addon-api 8 guards everything newer behind NAPI_VERSION). The cross build is
// reproducible: the same sources give the same bytes in any folder (no timestamp, a fixed image
// base, build paths mapped to fixed names in the objects and in dlltool's archive members).
//
// Usage: node scripts/build-native.mjs [--arch x64|ia32|all] [--force] [--quiet] [--update-digests]
// Rebuilds only when a source, a flag or the compiler changed (stamp in .cache/native-build/).
// --update-digests rewrites lib/host/windows/prebuild-digests.ts from what was built (commit it
// with the sources that changed them).
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
export const ADDON_FILE = 'node.napi.node';
export const NAPI_VERSION = 5;
export const DIGESTS_TS = join(ROOT, 'lib', 'host', 'windows', 'prebuild-digests.ts');

export const TOOLCHAINS = {
  x64: {
    cxx: 'x86_64-w64-mingw32-g++-posix',
    dlltool: 'x86_64-w64-mingw32-dlltool',
    objdump: 'x86_64-w64-mingw32-objdump',
    machine: 'i386:x86-64',
    // The base MSVC gives 64-bit DLLs; ASLR moves it anyway. Fixed so the path does not choose it.
    extra: ['-Wl,--high-entropy-va', '-Wl,--image-base=0x180000000'],
  },
  ia32: {
    cxx: 'i686-w64-mingw32-g++-posix',
    dlltool: 'i686-w64-mingw32-dlltool',
    objdump: 'i686-w64-mingw32-objdump',
    machine: 'i386',
    extra: ['-Wl,--large-address-aware', '-Wl,--image-base=0x10000000'],
  },
};

const CXXFLAGS = [
  '-std=c++17', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Wno-cast-function-type',
  `-DNAPI_VERSION=${NAPI_VERSION}`, '-DNAPI_CPP_EXCEPTIONS', '-DUNICODE', '-D_UNICODE', '-DWIN32_LEAN_AND_MEAN', '-D_WIN32_WINNT=0x0601',
  // Hardening within what mingw-w64 offers: stack protector, FORTIFY, ASLR (high entropy) and DEP.
  // Debian's GCC 12 has no Control Flow Guard (MSVC's /guard:cf is in binding.gyp).
  '-fstack-protector-strong', '-D_FORTIFY_SOURCE=2',
];
const LDFLAGS = [
  '-shared', '-static', '-static-libgcc', '-static-libstdc++', '-Wl,--no-undefined', '-Wl,--dynamicbase', '-Wl,--nxcompat',
  // Reproducible: no link timestamp, no image base hashed from the output's name; symbols
  // stripped by the linker (strip would stamp the time again).
  '-Wl,--no-insert-timestamp', '-Wl,--disable-auto-image-base', '-s',
];
// Only KnownDLLs are imported (kernel32, advapi32, msvcrt); msi.dll is loaded from System32 at run time.
const LIBS = ['-ladvapi32', '-lssp'];

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function sourcesIn(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.cc')).sort();
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

/** The folders a build reads: the sources and the two header packages (copied elsewhere by the reproducibility test). */
export function defaultInputs() {
  return {
    native: join(ROOT, 'native'),
    apiHeaders: dirname(require.resolve('node-api-headers/package.json')),
    addonApi: dirname(require.resolve('node-addon-api/package.json')),
  };
}

/**
 * Cross-builds one architecture from `inputs` in `work`, into `out`. Every build path is mapped
 * to a fixed name, so the bytes do not depend on where the folders are.
 */
export async function crossBuildInto(arch, { inputs = defaultInputs(), work, out, log = () => undefined }) {
  const tc = TOOLCHAINS[arch];
  mkdirSync(work, { recursive: true });
  mkdirSync(dirname(out), { recursive: true });
  const maps = [
    [inputs.native, 'native'],
    [inputs.apiHeaders, 'node-api-headers'],
    [inputs.addonApi, 'node-addon-api'],
    [work, 'build'],
  ].map(([from, to]) => `-ffile-prefix-map=${from}=${to}`);
  // -isystem: the header packages' own warnings are theirs.
  const includes = ['-isystem', join(inputs.apiHeaders, 'include'), '-isystem', inputs.addonApi];

  // dlltool names its archive members from --temp-prefix and the output path: relative, in `work`.
  await run(tc.dlltool, ['-d', join(inputs.apiHeaders, 'def', 'node_api.def'), '-y', 'libnode_delay.a', '-m', tc.machine, '-t', 'nodeapi', '--deterministic-libraries'], { cwd: work });
  const started = Date.now();
  const objects = await pool(
    sourcesIn(inputs.native).map((src) => async () => {
      const obj = src.replace(/\.cc$/, '.o');
      const { stderr } = await run(tc.cxx, [...CXXFLAGS, ...maps, `-frandom-seed=${src}`, ...includes, '-c', join(inputs.native, src), '-o', obj], { cwd: work, maxBuffer: 16 << 20 }).catch((e) => {
        throw new Error(`${tc.cxx} failed on native/${src}:\n${e.stderr || e.message}`);
      });
      if (stderr.trim()) log(stderr.trimEnd());
      return obj;
    }),
    2,
  );
  await run(tc.cxx, [...LDFLAGS, ...tc.extra, '-o', ADDON_FILE, ...objects, 'libnode_delay.a', ...LIBS], { cwd: work, maxBuffer: 16 << 20 }).catch((e) => {
    throw new Error(`linking the ${arch} addon failed:\n${e.stderr || e.message}`);
  });
  copyFileSync(join(work, ADDON_FILE), out);
  return { out, seconds: (Date.now() - started) / 1000 };
}

function stampOf(arch) {
  const tc = TOOLCHAINS[arch];
  const inputs = defaultInputs();
  const compilerVersion = spawnSync(tc.cxx, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  const stamp = createHash('sha256');
  stamp.update(JSON.stringify({ CXXFLAGS, LDFLAGS, LIBS, tc, compilerVersion, v: 2 }));
  for (const f of readdirSync(inputs.native).filter((f) => /\.(cc|h)$/.test(f)).sort()) stamp.update(f).update(readFileSync(join(inputs.native, f)));
  stamp.update(readFileSync(join(inputs.addonApi, 'napi-inl.h'))).update(readFileSync(join(inputs.addonApi, 'napi.h')));
  stamp.update(readFileSync(join(inputs.apiHeaders, 'def', 'node_api.def')));
  return stamp.digest('hex');
}

/** The digest stamp of the current sources, flags and compiler for one architecture (for caches of derived checks). */
export function sourceStamp(arch) {
  return stampOf(arch);
}

async function crossBuild(arch, { force, log }) {
  const out = join(ROOT, 'prebuilds', `win32-${arch}`, ADDON_FILE);
  const work = join(ROOT, '.cache', 'native-build', arch);
  const digest = stampOf(arch);
  const stampFile = join(work, 'stamp');
  if (!force && existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === digest) {
    log(`native: ${relative(ROOT, out)} is up to date`);
    return out;
  }
  const { seconds } = await crossBuildInto(arch, { work, out, log });
  writeFileSync(stampFile, digest);
  log(`native: built ${relative(ROOT, out)} with ${TOOLCHAINS[arch].cxx} in ${seconds.toFixed(1)} s`);
  return out;
}

export function sha256File(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** prebuilds/SHA256SUMS in sha256sum's format, one line per addon the package ships. */
export function writeDigests({ updateTs = false, log = () => undefined } = {}) {
  const prebuilds = join(ROOT, 'prebuilds');
  const entries = [];
  for (const dir of existsSync(prebuilds) ? readdirSync(prebuilds).filter((d) => /^win32-/.test(d)).sort() : []) {
    const file = join(prebuilds, dir, ADDON_FILE);
    if (existsSync(file)) entries.push([`${dir}/${ADDON_FILE}`, sha256File(file)]);
  }
  writeFileSync(join(prebuilds, 'SHA256SUMS'), entries.map(([f, h]) => `${h}  ${f}\n`).join(''));
  const digests = Object.fromEntries(entries.map(([f, h]) => [f.split('/')[0], h]));
  const committed = readCommittedDigests();
  const differ = Object.entries(digests).filter(([k, v]) => committed[k] !== v);
  if (updateTs) {
    writeFileSync(DIGESTS_TS, digestsSource({ ...committed, ...digests }));
    log(`native: wrote ${relative(ROOT, DIGESTS_TS)}`);
  } else if (differ.length) {
    log(`native: the addon built here differs from lib/host/windows/prebuild-digests.ts (${differ.map(([k]) => k).join(', ')}): the loader refuses it until "npm run build:native -- --update-digests" (then npm run build)`);
  }
  return { digests, differ: differ.map(([k]) => k) };
}

/** The digests lib/host/windows/prebuild-digests.ts holds (what the bundle will accept). */
export function readCommittedDigests() {
  if (!existsSync(DIGESTS_TS)) return {};
  const text = readFileSync(DIGESTS_TS, 'utf8');
  const out = {};
  for (const m of text.matchAll(/'(win32-[a-z0-9]+)':\s*'([0-9a-f]{64})'/g)) out[m[1]] = m[2];
  return out;
}

function digestsSource(digests) {
  const lines = Object.keys(digests)
    .sort()
    .map((k) => `  '${k}': '${digests[k]}',`);
  return `// SHA-256 of the addons this package ships (prebuilds/<platform>-<arch>/node.napi.node), written by
// \`npm run build:native -- --update-digests\` (scripts/build-native.mjs). The loader maps only a file
// with one of these digests: a planted or altered DLL never runs. The cross build is reproducible,
// so CI's build must give the same bytes (the Windows tier checks it).
export const PREBUILD_DIGESTS: Readonly<Record<string, string>> = {
${lines.join('\n')}
};
`;
}

/** Builds the addon for the given architectures; returns the paths written. */
export async function buildNative({ arch = 'all', force = false, log = console.log, updateDigests = false } = {}) {
  if (process.platform === 'win32') {
    const archs = arch === 'all' ? [process.arch] : [arch];
    const outs = [];
    for (const a of archs) {
      const r = spawnSync(process.execPath, [require.resolve('prebuildify/bin.js'), '--napi', '--strip', `--arch=${a}`], { cwd: ROOT, stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`prebuildify failed for ${a} (exit ${r.status}); it needs Visual Studio Build Tools with the C++ workload`);
      outs.push(join(ROOT, 'prebuilds', `win32-${a}`));
    }
    writeDigests({ updateTs: updateDigests, log });
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
  writeDigests({ updateTs: updateDigests, log });
  return outs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const archAt = args.indexOf('--arch');
  const options = {
    arch: archAt >= 0 ? args[archAt + 1] : 'all',
    force: args.includes('--force'),
    updateDigests: args.includes('--update-digests'),
    log: args.includes('--quiet') ? () => undefined : console.log,
  };
  buildNative(options).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
