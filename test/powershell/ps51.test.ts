// Every .ps1/.psm1/.psd1 of the repository holds to Windows PowerShell 5.1 (ps51-checker.ts), and
// each rule of the checker fires on the construct it names (so a rule that matches nothing fails).
import test from 'ava';
import { checkPs51, checkRepository, EXEMPTIONS } from './ps51-checker.js';
import { parsePowerShell } from './ps-ast.js';

test('every PowerShell file of the repository is Windows PowerShell 5.1', async (t) => {
  const { files, problems } = await checkRepository('.');
  t.true(files.length >= 30, `only ${files.length} files`);
  for (const must of ['powershell/MfaUpgrade/MfaUpgrade.psd1', 'powershell/MfaUpgrade/Deploy-MfaUpgrade.ps1', 'test/powershell/fakes/ADFS/ADFS.psm1', 'scripts/pwsh/run-pester.ps1']) t.true(files.includes(must), must);
  t.deepEqual(problems.map((p) => `${p.file}:${p.line}: ${p.rule} (${p.text})`), []);
  t.log(`${files.length} files; exemptions: ${EXEMPTIONS.map((e) => `${e.file} (${e.rules.join(', ')}): ${e.why}`).join('; ')}`);
});

const planted: Array<[string, string]> = [
  ['$a = $b ?? 1', 'null-coalescing'],
  ['$a ??= 1', 'null-coalescing'],
  ['$n = $o?.Name', 'null-coalescing / null-conditional'],
  ['$x = $ok ? 1 : 2', 'ternary'],
  ['Get-Item x && Get-Item y', '&& / ||'],
  ['function F { param() process { } clean { } }', 'clean block'],
  ['$h = $t | ConvertFrom-Json -AsHashtable', 'ConvertFrom-Json -AsHashtable'],
  ['$h = ConvertFrom-Json -InputObject $t -Depth 5', 'ConvertFrom-Json -Depth'],
  ['1..3 | ForEach-Object -Parallel { $_ }', 'ForEach-Object -Parallel'],
  ["Join-Path -Path 'a' -ChildPath 'b' -AdditionalChildPath 'c'", 'Join-Path -AdditionalChildPath'],
  ["Join-Path 'a' 'b' 'c'", 'three-argument Join-Path'],
  ['Split-Path -Path $p -LeafBase', 'Split-Path -LeafBase'],
  ['Get-Content -Path $p -AsByteStream', 'Get-Content -AsByteStream'],
  ["Set-Content -Path $p -Value 1 -Encoding utf8NoBOM", 'encoding name'],
  ['Test-Json -Json $t', 'cmdlet Test-Json'],
  ['$r = [System.IO.Path]::GetRelativePath($a, $b)', '.NET Core API'],
  ['$psi.ArgumentList.Add("x")', '.NET Core API'],
  ['$psi.StandardInputEncoding = $utf8', '.NET Core API'],
  ['$d = [System.Text.Json.JsonDocument]::Parse($t)', '.NET Core API'],
  ['$p = [Environment]::ProcessPath', '.NET Core API'],
  ['if ($IsWindows) { 1 }', '$IsWindows'],
  ['$s = New-PSSession -HostName h', 'parameter New-PSSession -HostName'],
];

for (const [code, rule] of planted) {
  test(`the 5.1 check refuses: ${code}`, async (t) => {
    const found = checkPs51('planted.ps1', code, await parsePowerShell(code));
    t.true(found.some((p) => p.rule.toLowerCase().includes(rule.toLowerCase())), `${code} -> ${JSON.stringify(found)}`);
  });
}

test('the 5.1 check accepts what 5.1 has', async (t) => {
  const ok = [
    "$x = if ($a) { 1 } else { 2 }",
    "Join-Path -Path (Join-Path -Path 'a' -ChildPath 'b') -ChildPath 'c'",
    "$o = ConvertFrom-Json -InputObject $t",
    "Get-Content -LiteralPath $p -Encoding UTF8",
    "if ($PSVersionTable.PSVersion.Major -ge 6 -and $IsWindows) { 1 }",
    "# a comment with ?? and $IsWindows and ArgumentList = 1",
    "Write-Host 'a string with ?? in it'",
    "$h = @{ Name = 'x' }",
  ];
  for (const code of ok) t.deepEqual(checkPs51('ok.ps1', code, await parsePowerShell(code)), [], code);
});
