#!/usr/bin/env node
// Finishes edge-js's Mono flavour when its own build stopped short. edge-js builds
// edge_nativeclr.node first, then MonoEmbedding.exe in a target that starts with `dotnet restore`
// of its CoreCLR bootstrap; when that restore fails (a feed without System.Console 4.3.1, as here)
// the .exe is never compiled, and loading edge-js on Mono then crashes with SIGSEGV in
// mono_assembly_get_image. This compiles the .exe with mcs, exactly as edge-js's binding.gyp does.
// Idempotent; exits 0 with a note when there is nothing to do (no Mono flavour, or already built).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let root;
try {
  root = dirname(require.resolve('edge-js/package.json'));
} catch {
  console.log('edge-js is not installed (optional dependency): nothing to do');
  process.exit(0);
}
const release = join(root, 'build', 'Release');
const exe = join(release, 'MonoEmbedding.exe');
if (!existsSync(join(release, 'edge_nativeclr.node'))) {
  console.log(`edge-js has no Mono flavour (${join(release, 'edge_nativeclr.node')} is missing): nothing to do`);
  process.exit(0);
}
if (existsSync(exe)) {
  console.log(`${exe} is there`);
  process.exit(0);
}
const sources = ['src/mono', 'src/common'].flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith('.cs')).map((f) => join(d, f)));
execFileSync('mcs', ['-sdk:4.5', '-target:exe', `-out:${exe}`, ...sources], { cwd: root, stdio: 'inherit' });
console.log(`built ${exe}`);
