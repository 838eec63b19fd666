// The npm package: no module executable or runtime in it (powershell/MfaUpgrade/bin/ is built for
// the PowerShell module's own package, npm run pack:module), and an install script that needs
// neither Node headers nor a compiler off Windows (prebuildify's convention through node-gyp-build
// on Windows). The file rules are checked with npm itself (npm pack --dry-run) on a tree that holds
// every kind of file the real one can hold, a built bin/ included.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string>; files: string[] };

function packList(root: string): string[] {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm pack failed: ${r.stderr}`);
  const [info] = JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>;
  return (info?.files ?? []).map((f) => f.path).sort();
}

test('npm pack carries the bundle, the module sources and the prebuilds, never the module executable or a runtime', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mfa-pack-'));
  try {
    cpSync('package.json', join(root, 'package.json'));
    const files = [
      'dist/mfa-upgrade.cjs',
      'dist/web-tree-sitter.wasm',
      'prebuilds/win32-x64/node.napi.node',
      'native/addon.cc',
      'binding.gyp',
      'scripts/module/install-addon.cjs',
      'powershell/MfaUpgrade/MfaUpgrade.psd1',
      'powershell/MfaUpgrade/Public/Get-MfaDeployment.ps1',
      // what npm run build:module puts in bin/: all of it stays out of the npm package
      'powershell/MfaUpgrade/bin/mfa-upgrade.exe',
      'powershell/MfaUpgrade/bin/node12/node.exe',
      'powershell/MfaUpgrade/bin/mfa-upgrade.cjs',
      'powershell/MfaUpgrade/bin/prebuilds/win32-x64/node.napi.node',
      'powershell/MfaUpgrade/bin/build-info.json',
      // and what the repository has beside
      'scripts/build-module.mjs',
      'test/powershell/Cmdlets.Tests.ps1',
      '.cache/module/x.nupkg',
      'dist/module/MfaUpgrade.0.1.0.nupkg',
    ];
    for (const f of files) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), 'x');
    }
    const listed = packList(root);
    t.deepEqual(listed.filter((p) => p.includes('/bin/') || /\.exe$/i.test(p) || p.endsWith('.nupkg')), []);
    for (const must of ['dist/mfa-upgrade.cjs', 'prebuilds/win32-x64/node.napi.node', 'native/addon.cc', 'binding.gyp', 'scripts/module/install-addon.cjs', 'powershell/MfaUpgrade/MfaUpgrade.psd1', 'powershell/MfaUpgrade/Public/Get-MfaDeployment.ps1', 'package.json']) {
      t.true(listed.includes(must), must);
    }
    t.false(listed.includes('scripts/build-module.mjs'));
    t.false(listed.some((p) => p.startsWith('test/')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the install script is prebuildify\'s convention, and off Windows it needs no headers, no compiler, no network', (t) => {
  t.is(pkg.scripts['install'], 'node scripts/module/install-addon.cjs');
  t.true(pkg.files.includes('scripts/module/install-addon.cjs'));
  const script = readFileSync('scripts/module/install-addon.cjs', 'utf8');
  t.regex(script, /node-gyp-build\/bin\.js/);
  // No PATH (no cc, no python, no node-gyp), a nodedir that does not exist: it must still succeed.
  const r = spawnSync(process.execPath, ['scripts/module/install-addon.cjs'], { encoding: 'utf8', env: { PATH: '', npm_config_nodedir: '/nonexistent' } });
  if (process.platform === 'win32') {
    t.pass('on Windows it runs node-gyp-build (the prebuild, or a compile)');
    return;
  }
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /Windows-only; nothing to build/);
});
