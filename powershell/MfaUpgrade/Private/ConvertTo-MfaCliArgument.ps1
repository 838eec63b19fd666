function ConvertTo-MfaCliArgument {
    <#
    .SYNOPSIS
    Turns a cmdlet's bound parameters into CLI options through a literal map (parameter name -> option name).
    .DESCRIPTION
    Only parameters the caller actually bound are passed, so an unbound [int] never becomes
    "--users 0". The map is a literal hashtable in each public cmdlet: the module's static tests
    read it from the PowerShell syntax tree and hold every option name against the CLI's command
    table (lib/cli/commands.ts), so a renamed option fails a test.
    Switches become flags (omitted when $false); arrays become one option per item; numbers are
    written with the invariant culture.
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $BoundParameters,

        [Parameter(Mandatory = $true)]
        [hashtable] $Map
    )

    $cliArgs = [ordered]@{}
    foreach ($name in @($Map.Keys | Sort-Object)) {
        if (-not $BoundParameters.ContainsKey($name)) {
            continue
        }
        $value = $BoundParameters[$name]
        if ($value -is [System.Management.Automation.SwitchParameter]) {
            $value = $value.IsPresent
        }
        if ($null -eq $value) {
            continue
        }
        $cliArgs[$Map[$name]] = $value
    }
    $cliArgs
}

function ConvertTo-MfaArgumentList {
    <#
    .SYNOPSIS
    The argv for one run: <command> [positionals after --] --json and the options.
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Command,

        [System.Collections.IDictionary] $Arguments,

        [string[]] $Positional,

        [switch] $WhatIfRun
    )

    $argv = New-Object -TypeName 'System.Collections.Generic.List[string]'
    $argv.Add($Command)
    $argv.Add('--json')
    if ($null -ne $Arguments) {
        foreach ($key in $Arguments.Keys) {
            $value = $Arguments[$key]
            if ($value -is [System.Management.Automation.SwitchParameter]) {
                $value = $value.IsPresent
            }
            if ($value -is [bool]) {
                if ($value) {
                    $argv.Add("--$key")
                }
                continue
            }
            foreach ($item in @($value)) {
                if ($null -eq $item) {
                    continue
                }
                $argv.Add("--$key")
                if ($item -is [System.IFormattable]) {
                    $argv.Add($item.ToString($null, [System.Globalization.CultureInfo]::InvariantCulture))
                }
                else {
                    $argv.Add([string]$item)
                }
            }
        }
    }
    if ($WhatIfRun) {
        $argv.Add('--what-if')
    }
    if (-not [string]::IsNullOrWhiteSpace($env:MFA_UPGRADE_LOG)) {
        $argv.Add('--log')
        $argv.Add($env:MFA_UPGRADE_LOG)
    }
    $items = @($Positional | Where-Object { -not [string]::IsNullOrEmpty($_) })
    if ($items.Count -gt 0) {
        $argv.Add('--')
        foreach ($item in $items) {
            $argv.Add($item)
        }
    }
    $argv.ToArray()
}

function ConvertTo-MfaCommandLine {
    <#
    .SYNOPSIS
    Quotes argv into one Windows command line (the rules CommandLineToArgvW and the C runtime use).
    .DESCRIPTION
    ProcessStartInfo.ArgumentList does not exist in Windows PowerShell 5.1 (.NET Framework), so the
    words are joined here: a word with a space, tab or double quote (or an empty word) is quoted;
    inside quotes, backslashes before a quote or the closing quote are doubled and the quote is
    escaped. .NET on Linux and macOS splits ProcessStartInfo.Arguments by the same rules.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [string[]] $ArgumentList
    )

    $quoted = foreach ($arg in $ArgumentList) {
        if ($arg.Length -gt 0 -and $arg -notmatch '[\s"]') {
            $arg
            continue
        }
        $sb = New-Object -TypeName 'System.Text.StringBuilder'
        [void]$sb.Append('"')
        $backslashes = 0
        foreach ($ch in $arg.ToCharArray()) {
            if ($ch -eq '\') {
                $backslashes++
                continue
            }
            if ($ch -eq '"') {
                [void]$sb.Append([char]'\', 2 * $backslashes + 1)
                [void]$sb.Append('"')
            }
            else {
                if ($backslashes -gt 0) {
                    [void]$sb.Append([char]'\', $backslashes)
                }
                [void]$sb.Append($ch)
            }
            $backslashes = 0
        }
        if ($backslashes -gt 0) {
            [void]$sb.Append([char]'\', 2 * $backslashes)
        }
        [void]$sb.Append('"')
        $sb.ToString()
    }
    @($quoted) -join ' '
}
