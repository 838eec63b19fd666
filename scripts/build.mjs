// Bundles the TypeScript core into one CommonJS file, dist/mfa-upgrade.cjs: the "compiled Node
// bundle" the PowerShell cmdlets shell into, and the input of the single executable application.
import { build } from 'esbuild';
import { readFileSync, chmodSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['lib/bin.ts'],
  outfile: 'dist/mfa-upgrade.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  banner: { js: '#!/usr/bin/env node' },
  define: { MFA_UPGRADE_VERSION: JSON.stringify(pkg.version) },
  // Optional or native pieces are resolved at run time, never bundled.
  external: ['edge-js'],
  logLevel: 'warning',
});
chmodSync('dist/mfa-upgrade.cjs', 0o755);
