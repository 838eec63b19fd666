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
    written with the invariant culture. The parameters named in -PathParameter are paths: a
    PowerShell path (~, a PSDrive such as TEMP:\ or one made with New-PSDrive) is given to the
    CLI as the file system path it stands for (Resolve-MfaPath).
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $BoundParameters,

        [Parameter(Mandatory = $true)]
        [hashtable] $Map,

        [string[]] $PathParameter = @(),

        [System.Management.Automation.PSCmdlet] $Cmdlet
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
        if ($name -in $PathParameter -and $null -ne $Cmdlet) {
            $value = @(foreach ($v in @($value)) { Resolve-MfaPath -Path ([string]$v) -Cmdlet $Cmdlet -ParameterName $name })
            if ($BoundParameters[$name] -is [string]) {
                $value = $value[0]
            }
        }
        $cliArgs[$Map[$name]] = $value
    }
    $cliArgs
}

function Resolve-MfaPath {
    <#
    .SYNOPSIS
    A path as PowerShell means it, given as the file system path the CLI understands.
    .DESCRIPTION
    The CLI knows nothing of PowerShell's drives: '~\x', 'TEMP:\x' or a New-PSDrive name would
    reach it as literal text. Such paths (and provider-qualified ones, FileSystem::...) are
    resolved here; a path on another provider (Env:, HKLM:, Cert:) is refused (PATH_PROVIDER).
    Anything else is left as it is: relative paths (the CLI runs in the current file system
    location), and drive letters this PowerShell does not have (C:\ inside an image host, read
    on Linux), which only the CLI can interpret.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $Path,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [string] $ParameterName = 'Path'
    )

    $psPath = $false
    if ($Path -match '^~([\\/]|$)' -or $Path.Contains('::')) {
        $psPath = $true
    }
    elseif ($Path -match '^(?<drive>[^:\\/]+):') {
        # GetAll, not Get: a missing drive would throw, and a caught exception still lands in
        # the caller's -ErrorVariable.
        $name = $Matches['drive']
        $psPath = @($Cmdlet.SessionState.Drive.GetAll() | Where-Object { $_.Name -eq $name }).Count -gt 0
    }
    if (-not $psPath) {
        return $Path
    }
    $provider = $null
    $psDrive = $null
    $resolved = $Cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path, [ref]$provider, [ref]$psDrive)
    if ($provider.Name -ne 'FileSystem') {
        $record = New-MfaErrorRecord -Code 'PATH_PROVIDER' -Message "-$ParameterName '$Path' is on the $($provider.Name) provider, not a file system path." -Target $Path -Remedy "Give -$ParameterName a file or folder path (C:\..., \\server\share\..., a relative path, or a FileSystem drive)." -ExitCode 2
        $script:LastExitCode = 2
        $global:LASTEXITCODE = 2
        $Cmdlet.ThrowTerminatingError($record)
    }
    $resolved
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

        [switch] $WhatIfRun,

        [switch] $ControlStdin
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
    if ($ControlStdin) {
        $argv.Add('--control-stdin')
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
        [AllowEmptyString()]
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
