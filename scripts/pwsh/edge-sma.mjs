// The in-process PowerShell transport (lib/host/powershell/edge.ts) on the real
// System.Management.Automation: a .NET 10 application folder that edge-js (its CoreCLR flavour,
// edge_coreclr.node, which npm ci builds here) starts in Node, holding
//   - Microsoft.PowerShell.SDK 7.6.9 (System.Management.Automation and everything a runspace needs),
//     published for linux-x64 with its compilation context (the transport's C# host source is
//     compiled at run time by Roslyn against it);
//   - EdgeJs.dll, compiled here for net10.0 from edge-js's own sources (node_modules/edge-js/src):
//     its Edge.js.csproj pins System.* 4.3.x packages that NuGet here does not serve.
// Idempotent; prints EDGE_APP_ROOT and the reference list (MFA_EDGE_SMA_REFERENCES) for the tests.
//   node scripts/pwsh/edge-sma.mjs [--check]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SDK_VERSION = '7.6.9';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, '.cache', 'pwsh', 'edge-sma');
export const appRoot = join(dir, 'out');

/** The runtime's System.Private.Uri.dll: SMA's public types forward Uri there. */
function privateUri() {
  const shared = '/usr/share/dotnet/shared/Microsoft.NETCore.App';
  const versions = existsSync(shared) ? readdirSync(shared).filter((v) => v.startsWith('10.')).sort() : [];
  const last = versions[versions.length - 1];
  return last ? join(shared, last, 'System.Private.Uri.dll') : undefined;
}

export function edgeSma() {
  const sma = join(appRoot, 'System.Management.Automation.dll');
  const uri = privateUri();
  if (!existsSync(sma) || !existsSync(join(appRoot, 'EdgeJs.dll')) || !uri) return null;
  return { appRoot, references: [sma, uri] };
}

function build() {
  const edgeSrc = join(root, 'node_modules', 'edge-js', 'src');
  if (!existsSync(join(edgeSrc, 'double', 'Edge.js', 'dotnetcore'))) throw new Error('node_modules/edge-js/src is missing: npm ci first (edge-js is an optional dependency)');
  mkdirSync(join(dir, 'edgejs'), { recursive: true });
  writeFileSync(
    join(dir, 'edgejs', 'EdgeJs.csproj'),
    `<Project Sdk="Microsoft.NET.Sdk">
  <!-- edge-js's CoreCLR side (EdgeJs.dll) from its own sources, for net10.0. -->
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><AssemblyName>EdgeJs</AssemblyName><AllowUnsafeBlocks>true</AllowUnsafeBlocks><EnableDefaultCompileItems>false</EnableDefaultCompileItems><Nullable>disable</Nullable><NoWarn>$(NoWarn);CS0618;CS8632;SYSLIB0011;SYSLIB0012</NoWarn></PropertyGroup>
  <ItemGroup><Compile Include="${edgeSrc}/double/Edge.js/dotnetcore/*.cs;${edgeSrc}/common/*.cs" /></ItemGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.Extensions.DependencyModel" Version="8.0.2" />
    <PackageReference Include="Microsoft.DotNet.InternalAbstractions" Version="1.0.0" />
    <PackageReference Include="Microsoft.CodeAnalysis" Version="4.9.2" />
  </ItemGroup>
</Project>
`,
  );
  mkdirSync(join(dir, 'app'), { recursive: true });
  writeFileSync(
    join(dir, 'app', 'EdgeSmaHost.csproj'),
    `<Project Sdk="Microsoft.NET.Sdk">
  <!-- The application folder edge-js starts: the PowerShell SDK and EdgeJs, with the compilation
       context the run-time C# compile needs. -->
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><OutputType>Library</OutputType><PreserveCompilationContext>true</PreserveCompilationContext></PropertyGroup>
  <ItemGroup><PackageReference Include="Microsoft.PowerShell.SDK" Version="${SDK_VERSION}" /></ItemGroup>
  <ItemGroup><ProjectReference Include="../edgejs/EdgeJs.csproj" /></ItemGroup>
</Project>
`,
  );
  writeFileSync(join(dir, 'app', 'Empty.cs'), 'namespace EdgeSmaHost { internal static class Empty { } }\n');
  execFileSync('dotnet', ['publish', join(dir, 'app', 'EdgeSmaHost.csproj'), '-c', 'Release', '-r', 'linux-x64', '--self-contained', 'false', '-o', appRoot], { stdio: 'inherit' });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!process.argv.includes('--check') && !edgeSma()) build();
  const got = edgeSma();
  if (!got) {
    process.stdout.write('edge-sma: not built (node scripts/pwsh/edge-sma.mjs)\n');
    process.exitCode = 1;
  } else {
    process.stdout.write(`EDGE_APP_ROOT=${got.appRoot}\nMFA_EDGE_SMA_REFERENCES=${got.references.join(':')}\n`);
  }
}
