<#
.SYNOPSIS
Runs the module's Pester suite (test/powershell/*.Tests.ps1) with the Pester restored by
scripts/pwsh/install.mjs, against the bundle (dist/mfa-upgrade.cjs) unless MFA_UPGRADE_CLI is set.

.DESCRIPTION
Prints one closing line "pester: N passed, N failed, N skipped" and exits 1 when a test failed
or none ran. -ExcludeTag Remoting leaves out the tests that need an SSH server on localhost
(scripts/pwsh/ssh-localhost.sh sets one up and exports MFA_PESTER_SSH).
#>
param(
    [Parameter(Mandatory = $true)]
    [string] $PesterPath,

    [string[]] $Path,

    [string[]] $Tag,

    [string[]] $ExcludeTag,

    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Output = 'Normal'
)

$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../..')).ProviderPath
if (-not $Path) {
    $Path = @(Join-Path -Path $repo -ChildPath 'test/powershell')
}
if (-not $env:MFA_UPGRADE_CLI) {
    $bundle = Join-Path -Path $repo -ChildPath 'dist/mfa-upgrade.cjs'
    if (-not (Test-Path -LiteralPath $bundle)) {
        throw "$bundle is missing: run npm run build first."
    }
    $env:MFA_UPGRADE_CLI = "node `"$bundle`""
}
Import-Module -Name (Join-Path -Path $PesterPath -ChildPath 'Pester.psd1') -Force
$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = $Output
if ($Tag) {
    $config.Filter.Tag = $Tag
}
if ($ExcludeTag) {
    $config.Filter.ExcludeTag = $ExcludeTag
}
$result = Invoke-Pester -Configuration $config
"pester: $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped"
if ($result.FailedCount -gt 0 -or $result.PassedCount -eq 0 -or $result.Result -ne 'Passed') {
    exit 1
}
exit 0
