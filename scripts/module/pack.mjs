// npm run pack:module: the PowerShell module as a .nupkg for the PowerShell Gallery or an internal
// NuGet feed, made by PowerShell's own tool (PSResourceGet's Publish-PSResource into a folder
// repository), so what installs it (Install-PSResource) reads exactly what it wrote.
//
//   node scripts/module/pack.mjs [--project-uri <https://...>] [--allow-no-bin] [--out <folder>]
//
// The module folder is staged in .cache/module/pack/MfaUpgrade with its bin/ (npm run build:module:
// the runtimes and the addon; refused without it unless --allow-no-bin), and ProjectUri and
// HelpInfoUri are stamped into the staged manifest from --project-uri, else package.json's
// homepage or repository (the source manifest names no address of its own; without one the
// package has no project link and a warning says so). Output: dist/module/MfaUpgrade.<version>.nupkg.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPwsh } from '../pwsh/install.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const moduleDir = join(root, 'powershell', 'MfaUpgrade');
const out = resolve(opt('--out') ?? join(root, 'dist', 'module'));
const stageRoot = join(root, '.cache', 'module', 'pack');
const stage = join(stageRoot, 'MfaUpgrade');

if (!existsSync(join(moduleDir, 'bin', 'mfa-upgrade.exe')) && !argv.includes('--allow-no-bin')) {
  throw new Error('powershell/MfaUpgrade/bin/ is not built: run npm run build:module first (or pass --allow-no-bin for a package without runtimes)');
}
const pwsh = findPwsh();
if (!pwsh) throw new Error('pwsh 7.6.9 is needed (PSResourceGet packs the module): node scripts/pwsh/install.mjs');

let projectUri = opt('--project-uri') ?? pkg.homepage ?? (typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url);
if (projectUri) projectUri = projectUri.replace(/^git\+/, '').replace(/\.git$/, '');
if (projectUri && !/^https:\/\/\S+$/.test(projectUri)) throw new Error(`the project URI must be an https:// address, not '${projectUri}'`);

rmSync(stageRoot, { recursive: true, force: true });
mkdirSync(stageRoot, { recursive: true });
cpSync(moduleDir, stage, { recursive: true });
const manifestPath = join(stage, 'MfaUpgrade.psd1');
let manifest = readFileSync(manifestPath, 'utf8');
if (projectUri) {
  manifest = manifest.replace(/(\n(\s*)LicenseUri\s*=)/, `\n$2ProjectUri   = '${projectUri}'$1`);
  manifest = manifest.replace(/(\n(\s*)PrivateData\s*=)/, `\n$2HelpInfoUri          = '${projectUri}'$1`);
} else {
  process.stderr.write('pack:module: no --project-uri and no homepage/repository in package.json: the package has no ProjectUri or HelpInfoUri (the gallery page will have no project link)\n');
}
writeFileSync(manifestPath, manifest);
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) if (/^MfaUpgrade\..*\.nupkg$/.test(f)) rmSync(join(out, f));

const script = `
$ErrorActionPreference = 'Stop'
$name = 'MfaUpgradePack' + [guid]::NewGuid().ToString('N').Substring(0, 8)
Register-PSResourceRepository -Name $name -Uri '${out.replace(/'/g, "''")}' -Trusted
try {
  Test-ModuleManifest -Path '${manifestPath.replace(/'/g, "''")}' | Out-Null
  Publish-PSResource -Path '${stage.replace(/'/g, "''")}' -Repository $name -SkipDependenciesCheck
}
finally {
  Unregister-PSResourceRepository -Name $name
}
`;
const r = spawnSync(pwsh, ['-NoProfile', '-NonInteractive', '-Command', script], { stdio: 'inherit', env: { ...process.env, POWERSHELL_TELEMETRY_OPTOUT: '1' } });
if (r.status !== 0) throw new Error(`Publish-PSResource failed (exit ${r.status})`);
const nupkg = readdirSync(out).find((f) => /^MfaUpgrade\..*\.nupkg$/i.test(f));
if (!nupkg) throw new Error(`no MfaUpgrade .nupkg in ${out}`);
process.stdout.write(`pack:module: ${join(out, nupkg)}\n`);
