#!/usr/bin/env node
// The package's install script (package.json "install"), prebuildify's convention: the native addon
// (native/*.cc: Windows Installer, registry, services, files) is Windows-only, so
//   - on Windows: node-gyp-build uses the prebuild in prebuilds/win32-<arch>/ when one loads in this
//     Node, and compiles (node-gyp rebuild) only when none fits;
//   - anywhere else: nothing at all (no Node headers, no compiler, no network), since no code path
//     loads the addon off Windows (image hosts stand for machines there).
// Without this script npm would run its default `node-gyp rebuild` for the binding.gyp beside
// package.json, which needs headers (downloaded when no nodedir is set) and a compiler.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

if (process.platform !== 'win32') {
  process.stdout.write(`mfa-upgrade: the native addon is Windows-only; nothing to build on ${process.platform}\n`);
  process.exit(0);
}
const root = path.resolve(__dirname, '..', '..');
let bin;
try {
  bin = require.resolve('node-gyp-build/bin.js', { paths: [root] });
} catch (e) {
  process.stderr.write('mfa-upgrade: node-gyp-build is missing (a dependency of this package): reinstall\n');
  process.exit(1);
}
// node-gyp-build's bin: test-loads the prebuild for this platform, arch and ABI; node-gyp rebuild otherwise.
const r = spawnSync(process.execPath, [bin], { cwd: root, stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
