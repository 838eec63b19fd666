# Dot-sourced by every *.Tests.ps1 in BeforeAll: the module imported from the repository, the CLI
# (bin\mfa-upgrade.exe on Windows when built, else node and dist/mfa-upgrade.cjs), sample copies.
$script:Repo = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '..\..')).ProviderPath
$script:ModulePath = Join-Path -Path $script:Repo -ChildPath 'powershell\MfaUpgrade\MfaUpgrade.psd1'
$script:Samples = Join-Path -Path $script:Repo -ChildPath 'examples\hosts'
$script:Packages = Join-Path -Path $script:Repo -ChildPath 'examples\packages'
$script:Fleets = Join-Path -Path $script:Repo -ChildPath 'examples\fleets'
$script:FakeCli = Join-Path -Path $script:Repo -ChildPath 'test\powershell\fakes\fake-cli.cjs'
$script:Bundle = Join-Path -Path $script:Repo -ChildPath 'dist\mfa-upgrade.cjs'
$exe = Join-Path -Path $script:Repo -ChildPath 'powershell\MfaUpgrade\bin\mfa-upgrade.exe'
$onWindows = ($PSVersionTable.PSVersion.Major -le 5) -or $IsWindows
if (-not $env:MFA_UPGRADE_CLI -and -not ($onWindows -and (Test-Path -LiteralPath $exe))) {
    if (-not (Test-Path -LiteralPath $script:Bundle)) {
        throw "Neither $exe nor $($script:Bundle) exists: run 'npm run build' (or 'npm run build:module') first."
    }
    $env:MFA_UPGRADE_CLI = "node `"$($script:Bundle)`""
}
$script:RealCli = $env:MFA_UPGRADE_CLI
# The PowerShell that runs these tests, to start scripts in a process of their own
# (a dotnet global tool runs as 'dotnet pwsh.dll', so the process path is not it).
if ($env:MFA_PWSH) {
    $script:Pwsh = $env:MFA_PWSH
}
elseif ($PSVersionTable.PSVersion.Major -le 5) {
    $script:Pwsh = Join-Path -Path $PSHOME -ChildPath 'powershell.exe'
}
else {
    $script:Pwsh = (Get-Command -Name pwsh -CommandType Application | Select-Object -First 1).Source
}
Import-Module -Name $script:ModulePath -Force -ErrorAction Stop

function script:New-TestFolder {
    # A new empty folder under the temp folder; -Name may hold spaces, quotes, non-ASCII.
    param([string] $Name = 'mfa-pester')
    $path = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ("$Name-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $path -Force | Out-Null
    $path
}

function script:Copy-Sample {
    # A copy of a sample host (tests never change examples/hosts itself); -Into: the parent folder.
    param([string] $Name, [string] $Into)
    if (-not $Into) {
        $Into = New-TestFolder
    }
    $to = Join-Path -Path $Into -ChildPath $Name
    Copy-Item -LiteralPath (Join-Path -Path $script:Samples -ChildPath $Name) -Destination $to -Recurse
    $to
}

function script:Get-TreeHash {
    # Every file under a folder with its SHA-256, for byte-for-byte comparisons before and after.
    param([string] $Path)
    $root = (Resolve-Path -LiteralPath $Path).ProviderPath
    $map = [ordered]@{}
    foreach ($f in @(Get-ChildItem -LiteralPath $root -Recurse -File -Force | Sort-Object -Property FullName)) {
        $map[$f.FullName.Substring($root.Length)] = (Get-FileHash -LiteralPath $f.FullName -Algorithm SHA256).Hash
    }
    ($map.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join "`n"
}

function script:Use-FakeCli {
    # Points the module at the fake CLI in a mode; returns the report file it will write.
    param([string] $Mode, [hashtable] $Environment = @{})
    $report = Join-Path -Path (New-TestFolder -Name 'mfa-fake') -ChildPath 'report.json'
    $env:MFA_UPGRADE_CLI = "node `"$($script:FakeCli)`""
    $env:FAKE_CLI_MODE = $Mode
    $env:FAKE_CLI_REPORT = $report
    foreach ($k in $Environment.Keys) {
        Set-Item -Path "Env:$k" -Value $Environment[$k]
    }
    $report
}

function script:Use-RealCli {
    $env:MFA_UPGRADE_CLI = $script:RealCli
    foreach ($k in @('FAKE_CLI_MODE', 'FAKE_CLI_REPORT', 'FAKE_CLI_TAIL', 'FAKE_CLI_EXIT', 'FAKE_CLI_CODE')) {
        Remove-Item -Path "Env:$k" -ErrorAction SilentlyContinue
    }
}

function script:Read-FakeReport {
    param([string] $Path)
    if (-not (Test-Path -LiteralPath $Path)) {
        return $null
    }
    Get-Content -LiteralPath $Path -Raw | ConvertFrom-Json
}

function script:Invoke-InRunspace {
    <#
    A script run in its own PowerShell instance (the module imported there), so that what a
    console shows and a test cannot redirect is observable: progress records, a stopped pipeline.
    -StopWhen: a script block given the instance; when it returns true the pipeline is stopped.
    Returns the output, the streams and whether it was stopped.
    #>
    param(
        [string] $Script,
        [scriptblock] $StopWhen,
        [hashtable] $Arguments = @{},
        [int] $GuardSeconds = 300
    )
    $ps = [powershell]::Create()
    try {
        [void]$ps.AddScript("Import-Module -Name '$($script:ModulePath)' -Force; `$ProgressPreference = 'Continue'")
        [void]$ps.AddStatement()
        [void]$ps.AddScript($Script)
        foreach ($k in $Arguments.Keys) {
            [void]$ps.AddParameter($k, $Arguments[$k])
        }
        $output = New-Object -TypeName 'System.Management.Automation.PSDataCollection[psobject]'
        $async = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]$null, $output)
        $stopped = $false
        $deadline = [DateTime]::UtcNow.AddSeconds($GuardSeconds)
        while (-not $async.IsCompleted) {
            if ($null -ne $StopWhen -and -not $stopped -and (& $StopWhen $ps $output)) {
                # Stop() returns when the pipeline has stopped: the cmdlet's cleanup is done by then.
                $ps.Stop()
                $stopped = $true
                break
            }
            if ([DateTime]::UtcNow -gt $deadline) {
                throw "Invoke-InRunspace: still running after $GuardSeconds s (a deadlock guard, not a timing check)"
            }
            Start-Sleep -Milliseconds 50
        }
        try {
            [void]$ps.EndInvoke($async)
        }
        catch {
            Write-Debug -Message "EndInvoke: $($_.Exception.Message)"
        }
        [pscustomobject]@{
            Output      = @($output)
            Errors      = @($ps.Streams.Error)
            Progress    = @($ps.Streams.Progress)
            Warnings    = @($ps.Streams.Warning)
            Verbose     = @($ps.Streams.Verbose)
            Information = @($ps.Streams.Information)
            Stopped     = $stopped
            State       = [string]$ps.InvocationStateInfo.State
            LastExit    = $null
        }
    }
    finally {
        $ps.Dispose()
    }
}
