function Get-MfaCliPath {
    <#
    .SYNOPSIS
    Finds the mfa-upgrade executable: $env:MFA_UPGRADE_CLI when set, else bin\mfa-upgrade.exe.
    .DESCRIPTION
    $env:MFA_UPGRADE_CLI is a developer override: a command line whose first word is the program
    and the rest come before the command, e.g. 'node C:\src\mfa-upgrade\dist\mfa-upgrade.cjs'
    (double quotes group words: '"C:\Program Files\nodejs\node.exe" D:\mfa\dist\mfa-upgrade.cjs').
    Returns an object with FilePath and PrefixArguments; throws when nothing is found.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param()

    $override = $env:MFA_UPGRADE_CLI
    if (-not [string]::IsNullOrWhiteSpace($override)) {
        if (Test-Path -LiteralPath $override -PathType Leaf) {
            return [pscustomobject]@{ FilePath = $override; PrefixArguments = @(); Source = 'MFA_UPGRADE_CLI' }
        }
        $words = @(Split-MfaCommandLine -CommandLine $override)
        if ($words.Count -eq 0) {
            throw "MFA_UPGRADE_CLI is set but empty."
        }
        $prefix = @()
        if ($words.Count -gt 1) {
            $prefix = @($words[1..($words.Count - 1)])
        }
        return [pscustomobject]@{ FilePath = $words[0]; PrefixArguments = $prefix; Source = 'MFA_UPGRADE_CLI' }
    }

    $exe = Join-Path -Path $script:ModuleRoot -ChildPath 'bin\mfa-upgrade.exe'
    if (Test-Path -LiteralPath $exe -PathType Leaf) {
        return [pscustomobject]@{ FilePath = $exe; PrefixArguments = @(); Source = 'module' }
    }
    throw "The mfa-upgrade executable was not found at '$exe'. Reinstall the MfaUpgrade module (a release has bin\mfa-upgrade.exe), run 'npm run build:module' in a source checkout, or set `$env:MFA_UPGRADE_CLI to 'node <path>\dist\mfa-upgrade.cjs'."
}

function Split-MfaCommandLine {
    <#
    .SYNOPSIS
    Splits a command line into words: spaces separate, double quotes group (no escapes).
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $CommandLine
    )

    $words = New-Object -TypeName 'System.Collections.Generic.List[string]'
    $current = New-Object -TypeName 'System.Text.StringBuilder'
    $inQuotes = $false
    $hasWord = $false
    foreach ($ch in $CommandLine.ToCharArray()) {
        if ($ch -eq '"') {
            $inQuotes = -not $inQuotes
            $hasWord = $true
        }
        elseif ([char]::IsWhiteSpace($ch) -and -not $inQuotes) {
            if ($hasWord) {
                $words.Add($current.ToString())
                [void]$current.Clear()
                $hasWord = $false
            }
        }
        else {
            [void]$current.Append($ch)
            $hasWord = $true
        }
    }
    if ($hasWord) {
        $words.Add($current.ToString())
    }
    $words.ToArray()
}
