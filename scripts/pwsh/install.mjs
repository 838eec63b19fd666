// Installs what the PowerShell tier needs, idempotently (a second run only checks):
//   pwsh 7.6.9   `dotnet tool install --global PowerShell --version 7.6.9` (lands in ~/.dotnet/tools)
//   Pester 5.7.1 restored from NuGet into .cache/pwsh/packages (a PackageDownload project), imported
//                from there by scripts/pwsh/run-pester.ps1: nothing is installed into PowerShell itself.
//
//   node scripts/pwsh/install.mjs          # prints where pwsh and Pester are
//   node scripts/pwsh/install.mjs --check  # exit 1 when either is missing, installs nothing
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PWSH_VERSION = '7.6.9';
export const PESTER_VERSION = '5.7.1';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = join(root, '.cache', 'pwsh');
const toolDir = join(homedir(), '.dotnet', 'tools');

/** pwsh 7.6.9 when it is installed (on PATH or in ~/.dotnet/tools), else null. */
export function findPwsh() {
  const candidates = [process.env.MFA_PWSH, join(toolDir, process.platform === 'win32' ? 'pwsh.exe' : 'pwsh'), 'pwsh'].filter(Boolean);
  for (const c of candidates) {
    const r = spawnSync(c, ['-NoProfile', '-NonInteractive', '-Command', '$PSVersionTable.PSVersion.ToString()'], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === PWSH_VERSION) return c;
  }
  return null;
}

/** The folder holding Pester.psd1 when it is restored, else null. */
export function findPester() {
  const dir = join(cache, 'packages', 'pester', PESTER_VERSION, 'tools');
  return existsSync(join(dir, 'Pester.psd1')) ? dir : null;
}

function installPwsh() {
  const found = findPwsh();
  if (found) return found;
  process.stdout.write(`pwsh: dotnet tool install --global PowerShell --version ${PWSH_VERSION}\n`);
  // "update" both installs and moves another installed version to this one.
  const r = spawnSync('dotnet', ['tool', 'update', '--global', 'PowerShell', '--version', PWSH_VERSION], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`dotnet tool install PowerShell ${PWSH_VERSION} failed (exit ${r.status}): is the .NET SDK installed and NuGet reachable?`);
  const pwsh = findPwsh();
  if (!pwsh) throw new Error(`pwsh ${PWSH_VERSION} was installed but does not start from ${toolDir}`);
  return pwsh;
}

function installPester() {
  const found = findPester();
  if (found) return found;
  const proj = join(cache, 'restore');
  mkdirSync(proj, { recursive: true });
  writeFileSync(
    join(proj, 'pester.csproj'),
    `<Project Sdk="Microsoft.NET.Sdk">
  <!-- Only downloads Pester (a PowerShell module shipped as a NuGet package) into .cache/pwsh/packages. -->
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="Pester" Version="[${PESTER_VERSION}]" /></ItemGroup>
</Project>
`,
  );
  process.stdout.write(`Pester: restoring ${PESTER_VERSION} from NuGet into ${join(cache, 'packages')}\n`);
  execFileSync('dotnet', ['restore', join(proj, 'pester.csproj'), '--packages', join(cache, 'packages')], { stdio: 'inherit' });
  const dir = findPester();
  if (!dir) throw new Error(`Pester ${PESTER_VERSION} was restored but ${join(cache, 'packages', 'pester', PESTER_VERSION, 'tools', 'Pester.psd1')} is missing`);
  return dir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const pwsh = findPwsh();
    const pester = findPester();
    process.stdout.write(`pwsh ${PWSH_VERSION}: ${pwsh ?? 'missing'}\nPester ${PESTER_VERSION}: ${pester ?? 'missing'}\n`);
    process.exitCode = pwsh && pester ? 0 : 1;
  } else {
    const pwsh = installPwsh();
    const pester = installPester();
    process.stdout.write(`pwsh ${PWSH_VERSION}: ${pwsh}\nPester ${PESTER_VERSION}: ${pester}\n`);
  }
}
