// Bundles the TypeScript core into one CommonJS file, dist/mfa-upgrade.cjs: the "compiled Node
// bundle" the PowerShell cmdlets shell into, and the input of the single executable application.
import { build } from 'esbuild';
import { readFileSync, chmodSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// The bundle also runs on Node 12.16 (the runtime for Windows Server 2008 / 2008 R2 / 2012,
// docs/api-floor.md): syntax is lowered to it, and the one module it lacks is shimmed.
const node12Shims = {
  name: 'node12-shims',
  setup(b) {
    b.onResolve({ filter: /^(node:)?fs\/promises$/ }, () => ({ path: new URL('./build/fs-promises.cjs', import.meta.url).pathname }));
  },
};

await build({
  entryPoints: ['lib/bin.ts'],
  outfile: 'dist/mfa-upgrade.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node12',
  sourcemap: 'linked',
  // import.meta.url has no meaning in CommonJS: give modules that use it the bundle's own URL.
  banner: { js: "#!/usr/bin/env node\nconst __bundleUrl = require('url').pathToFileURL(__filename).href;" },
  define: { MFA_UPGRADE_VERSION: JSON.stringify(pkg.version), 'import.meta.url': '__bundleUrl' },
  // Optional or native pieces are resolved at run time, never bundled.
  external: ['edge-js'],
  plugins: [node12Shims],
  logLevel: 'warning',
});
chmodSync('dist/mfa-upgrade.cjs', 0o755);

// The PowerShell parser (register-script patch) loads these beside the bundle at run time.
const require = createRequire(import.meta.url);
for (const wasm of ['web-tree-sitter/web-tree-sitter.wasm', 'tree-sitter-powershell/tree-sitter-powershell.wasm']) {
  const from = require.resolve(wasm);
  copyFileSync(from, `dist/${basename(from)}`);
}
