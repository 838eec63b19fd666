// The Windows tier's checks on the Linux side, on the built DLL itself (no Wine needed):
//   - the cross build is reproducible: the sources copied into two folders of different depths
//     build to the same bytes as prebuilds/win32-x64 (cached per source stamp: it costs two builds);
//   - prebuilds/ match lib/host/windows/prebuild-digests.ts (what the loader accepts);
//   - the addon imports only KnownDLLs (kernel32, advapi32, msvcrt; never msi.dll) and, from
//     node.exe, only Node-API functions that node.exe 12.16.1 exports (one build, both runtimes).
// Each returns { name, ok, skipped?, note?, error?, ms } like the tests run under Wine.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADDON_FILE, crossBuildInto, defaultInputs, readCommittedDigests, sha256File, sourceStamp, TOOLCHAINS } from '../build-native.mjs';

const KNOWN_DLLS = new Set(['kernel32.dll', 'advapi32.dll', 'msvcrt.dll']);

async function check(name, fn) {
  const t0 = Date.now();
  try {
    const note = await fn();
    return { name, ok: true, ms: Date.now() - t0, ...(note ? { note } : {}) };
  } catch (e) {
    if (e && e.skip) return { name, ok: true, skipped: true, note: e.message, ms: Date.now() - t0 };
    return { name, ok: false, ms: Date.now() - t0, error: e instanceof Error ? e.message : String(e) };
  }
}

function skip(message) {
  return Object.assign(new Error(message), { skip: true });
}

/** Builds the sources from copies at two different paths and compares all three builds byte for byte. */
async function reproducible({ root, cache, rebuild }) {
  const built = join(root, 'prebuilds', 'win32-x64', ADDON_FILE);
  const stamp = sourceStamp('x64');
  const ok = join(cache, `reproducible-${stamp}.ok`);
  if (!rebuild && existsSync(ok) && readFileSync(ok, 'utf8') === sha256File(built)) return 'two builds in other folders gave the same bytes (cached for these sources)';
  const base = mkdtempSync(join(tmpdir(), 'mfa-repro-'));
  try {
    const inputs = defaultInputs();
    const copies = [join(base, 'a'), join(base, 'b', 'deeper', 'folder')].map((dir) => {
      const i = { native: join(dir, 'src', 'native'), apiHeaders: join(dir, 'h', 'node-api-headers'), addonApi: join(dir, 'h', 'x', 'node-addon-api') };
      cpSync(inputs.native, i.native, { recursive: true });
      cpSync(inputs.apiHeaders, i.apiHeaders, { recursive: true });
      cpSync(inputs.addonApi, i.addonApi, { recursive: true });
      return { inputs: i, work: join(dir, 'work'), out: join(dir, ADDON_FILE) };
    });
    const outs = [];
    for (const c of copies) outs.push((await crossBuildInto('x64', c)).out);
    const bytes = [built, ...outs].map((f) => readFileSync(f));
    for (let k = 1; k < bytes.length; k++) {
      const a = bytes[0];
      const b = bytes[k];
      let differ = Math.abs(a.length - b.length);
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) differ++;
      if (differ) throw new Error(`the build in ${copies[k - 1].work} differs from prebuilds/win32-x64 in ${differ} bytes`);
    }
    writeFileSync(ok, sha256File(built));
    return `three builds (the repository's and two copies in other folders) are byte-identical, ${bytes[0].length} bytes`;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

function digestsMatch({ root }) {
  const committed = readCommittedDigests();
  const built = sha256File(join(root, 'prebuilds', 'win32-x64', ADDON_FILE));
  if (committed['win32-x64'] !== built) {
    throw new Error(`prebuilds/win32-x64 has SHA-256 ${built}, lib/host/windows/prebuild-digests.ts lists ${committed['win32-x64']}: the loader would refuse it (npm run build:native -- --update-digests, then commit)`);
  }
  const sums = readFileSync(join(root, 'prebuilds', 'SHA256SUMS'), 'utf8');
  if (!sums.includes(`${built}  win32-x64/${ADDON_FILE}`)) throw new Error(`prebuilds/SHA256SUMS does not list ${built}`);
  return `win32-x64 ${built.slice(0, 16)}…`;
}

function importsOf(file) {
  const text = execFileSync(TOOLCHAINS.x64.objdump, ['-p', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return [...text.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1].toLowerCase());
}

function exportsOf(file) {
  const text = execFileSync(TOOLCHAINS.x64.objdump, ['-p', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const at = text.indexOf('[Ordinal/Name Pointer] Table');
  const out = new Set();
  for (const line of text.slice(at).split('\n').slice(1)) {
    const m = /^\s*\[\s*\d+\]\s+(\S+)\s*$/.exec(line);
    if (m) out.add(m[1]);
    else if (out.size && line.trim() === '') break;
  }
  return out;
}

function importsAllowed({ root, node12Exe }) {
  const file = join(root, 'prebuilds', 'win32-x64', ADDON_FILE);
  const dlls = importsOf(file);
  const foreign = dlls.filter((d) => !KNOWN_DLLS.has(d));
  if (foreign.length) throw new Error(`the addon imports ${foreign.join(', ')}: only KnownDLLs may be imported (msi.dll is loaded from System32 at run time)`);
  // Node-API names the delay-load table holds (the names are plain strings in the image).
  const strings = execFileSync('strings', ['-a', file], { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
  const own = new Set(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
  const used = [...new Set(strings.filter((s) => /^(napi|node_api)_[a-z0-9_]+$/.test(s) && !own.has(s)))].sort();
  if (used.length < 20) throw new Error(`found only ${used.length} Node-API names in the addon: the check cannot read its delay imports`);
  const exported = exportsOf(node12Exe);
  const missing = used.filter((n) => !exported.has(n));
  if (missing.length) throw new Error(`node.exe 12.16.1 does not export ${missing.join(', ')}: the addon would fail there (NAPI_VERSION must stay 5)`);
  return `imports ${dlls.join(', ')} and, delay-loaded from node.exe, ${used.length} Node-API functions, all exported by node.exe 12.16.1`;
}

export async function hostChecks({ root, cache, node12Exe, rebuild = false }) {
  return [
    await check('[linux] the mingw build is reproducible: the same DLL bytes from two other folders', () => reproducible({ root, cache, rebuild })),
    await check('[linux] prebuilds/ match the digests the loader accepts (prebuild-digests.ts, SHA256SUMS)', () => digestsMatch({ root })),
    await check('[linux] the addon imports only KnownDLLs and the Node-API functions node.exe 12.16.1 exports', () => importsAllowed({ root, node12Exe })),
  ];
}

export { skip };
