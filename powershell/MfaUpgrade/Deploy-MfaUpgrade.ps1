<#
.SYNOPSIS
Upgrades MFA Server on this computer unattended, for a ConfigMgr (SCCM) program or a Group Policy startup script; exits with an SCCM exit code.

.DESCRIPTION
Imports the MfaUpgrade module from its own folder and runs Invoke-MfaServerUpgrade -Unattended
-Confirm:$false with the packages in -PackagePath, the backup and journal in -BackupPath, and
Windows Installer's verbose logs in -LogFolder. Nothing is ever asked: manual steps (the
activation check, a new portal URL, the AD FS adapter) are written to the log as left to do.

The server's replication role is not recorded by Windows in a documented place: give it with
-Role (or -FleetFile). Without either the run is refused before anything changes (exit code 7),
since nobody is there to confirm it. Give each collection its own program: the subordinates
with -Role subordinate first, then, after a subordinate is promoted, the old master with
-Role subordinate too; a server without others is -Role standalone.

It is safe to run twice. Before anything else it compares what is installed with the packages:
when MFA Server is already at the packages' version it logs so and exits 0; when the journal in
-BackupPath shows an interrupted run (a restart, a crash), it resumes that run instead of
starting another.

The log is in CMTrace format (ConfigMgr's log viewer, as PSAppDeployToolkit writes it):
%SystemRoot%\Logs\MfaUpgrade\MfaUpgrade.log by default, the wrapper's own lines and the
mfa-upgrade executable's (through $env:MFA_UPGRADE_LOG) in one file, with the MSI verbose logs
beside it.

Exit codes (set these in the ConfigMgr deployment type):
  0     success; also when the upgrade was already done
  3010  success, a restart is required (ConfigMgr restarts; the wrapper never does, so 1641 is not used)
  1603  fatal error (the upgrade was undone where it could be; see the log)
  1618  another installation is in progress (ConfigMgr retries later)
  5     manual steps remain (listed in the log); add it to the success codes if that suits you
  7     a prerequisite is missing or the plan is blocked: nothing was changed
  2, 3, 4, 6 as the mfa-upgrade executable documents them (bad command line, input refused,
        verification failed, not Windows)

.PARAMETER PackagePath
The folder with the MFA Server installers (default: the Packages folder beside the module folder
in the ConfigMgr package).

.PARAMETER BackupPath
The folder for the backup bundle and the upgrade journal (default:
%ProgramData%\MfaUpgrade\Upgrade). Keep it: -Resume and -Rollback need it.

.PARAMETER LogFolder
Where the CMTrace log and the MSI verbose logs go (default: %SystemRoot%\Logs\MfaUpgrade).

.PARAMETER VdirNames
keep (the default) keeps the old IIS virtual directory names; new uses the new default names.

.PARAMETER Role
This server's replication role: master, subordinate or standalone (a server without others).
A master is upgraded only with -SubordinatesUpgraded or a fleet file showing its subordinates at
the target version.

.PARAMETER SubordinatesUpgraded
With -Role master: every subordinate is at the target version already.

.PARAMETER FleetFile
A fleet file (as for Get-MfaUpgradePlan -Fleet) shipped with the package: this server's role, its
load balancer and, for a master, its subordinates' versions are read from it.

.PARAMETER Rollback
Undo the upgrade journaled in -BackupPath instead (the ConfigMgr "uninstall program").

.PARAMETER ImagePath
Act on an image host folder instead of this computer (a rehearsal of the deployment).

.EXAMPLE
PS C:\> powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File .\MfaUpgrade\Deploy-MfaUpgrade.ps1 -Role subordinate

The ConfigMgr program command line for the subordinates: upgrades with the packages in
.\Packages and exits with an SCCM exit code.

.EXAMPLE
PS C:\> powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File \\fs01\deploy$\MfaUpgrade\Deploy-MfaUpgrade.ps1 -PackagePath \\fs01\deploy$\MFA-8.1.1.2 -BackupPath D:\MfaBackup -FleetFile \\fs01\deploy$\contoso.json

A Group Policy startup script: the same from a share, with the backup on the D: drive and each
server's role read from the fleet file.

.EXAMPLE
PS C:\> powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File .\MfaUpgrade\Deploy-MfaUpgrade.ps1 -Rollback

The ConfigMgr uninstall program: undoes the upgrade and restores its backup.

.NOTES
Run it as SYSTEM or an administrator. It never prompts and never restarts the computer.
#>
[CmdletBinding()]
param(
    [Parameter()]
    [string] $PackagePath = (Join-Path -Path (Split-Path -Parent -Path $PSScriptRoot) -ChildPath 'Packages'),

    [Parameter()]
    [string] $BackupPath = (Join-Path -Path $env:ProgramData -ChildPath 'MfaUpgrade\Upgrade'),

    [Parameter()]
    [string] $LogFolder = (Join-Path -Path $env:SystemRoot -ChildPath 'Logs\MfaUpgrade'),

    [Parameter()]
    [ValidateSet('keep', 'new')]
    [string] $VdirNames = 'keep',

    [Parameter()]
    [ValidateSet('master', 'subordinate', 'standalone')]
    [string] $Role,

    [Parameter()]
    [switch] $SubordinatesUpgraded,

    [Parameter()]
    [ValidateNotNullOrEmpty()]
    [string] $FleetFile,

    [Parameter()]
    [switch] $Rollback,

    [Parameter()]
    [ValidateNotNullOrEmpty()]
    [string] $ImagePath
)

$ErrorActionPreference = 'Continue'
$ProgressPreference = 'SilentlyContinue'
$ConfirmPreference = 'None'

function Write-DeployLog {
    <#
    .SYNOPSIS
    Appends one CMTrace-format line (type 1 information, 2 warning, 3 error) to the log.
    #>
    param(
        [Parameter(Mandatory = $true)]
        [string] $Message,

        [ValidateSet(1, 2, 3)]
        [int] $Type = 1
    )

    $now = Get-Date
    $offset = [int][System.TimeZoneInfo]::Local.GetUtcOffset($now).TotalMinutes
    $sign = '+'
    if ($offset -lt 0) {
        $sign = '-'
    }
    $time = '{0}{1}{2}' -f $now.ToString('HH:mm:ss.fff'), $sign, [math]::Abs($offset)
    $date = $now.ToString('MM-dd-yyyy')
    $line = '<![LOG[{0}]LOG]!><time="{1}" date="{2}" component="Deploy-MfaUpgrade" context="" type="{3}" thread="{4}" file="Deploy-MfaUpgrade.ps1">' -f $Message, $time, $date, $Type, $PID
    try {
        Add-Content -LiteralPath $script:LogFile -Value $line -Encoding UTF8 -ErrorAction Stop
    }
    catch {
        Write-Warning -Message "Cannot write the log $($script:LogFile): $($_.Exception.Message)"
    }
}

function Get-JournalState {
    <#
    .SYNOPSIS
    'none', 'ended' or 'open': what the upgrade journal (upgrade-journal.jsonl) in the backup folder says.
    #>
    param(
        [Parameter(Mandatory = $true)]
        [string] $Folder
    )

    $journal = Join-Path -Path $Folder -ChildPath 'upgrade-journal.jsonl'
    if (-not (Test-Path -LiteralPath $journal -PathType Leaf)) {
        return 'none'
    }
    $lines = @(Get-Content -LiteralPath $journal -Encoding UTF8 | Where-Object { $_.Trim() })
    $last = $lines[$lines.Count - 1]
    try {
        $record = ConvertFrom-Json -InputObject $last -ErrorAction Stop
        if ([string]$record.type -eq 'end') {
            return 'ended'
        }
    }
    catch {
        Write-DeployLog -Message "The last journal line does not parse (a crash while writing it): treating the run as interrupted." -Type 2
    }
    'open'
}

function Write-ErrorsToLog {
    <#
    .SYNOPSIS
    Copies error records to the log with their recommended action.
    #>
    param(
        [AllowNull()]
        [object[]] $Records
    )

    foreach ($e in @($Records)) {
        if ($null -eq $e) {
            continue
        }
        $action = ''
        if ($e -is [System.Management.Automation.ErrorRecord] -and $null -ne $e.ErrorDetails -and $e.ErrorDetails.RecommendedAction) {
            $action = " What to do: $($e.ErrorDetails.RecommendedAction)"
        }
        Write-DeployLog -Message "$($e.ToString())$action" -Type 3
    }
}

$exitCode = 1603
try {
    if (-not (Test-Path -LiteralPath $LogFolder)) {
        New-Item -ItemType Directory -Path $LogFolder -Force | Out-Null
    }
    $script:LogFile = Join-Path -Path $LogFolder -ChildPath 'MfaUpgrade.log'
    # The mfa-upgrade executable appends its own CMTrace lines to the same file.
    $env:MFA_UPGRADE_LOG = $script:LogFile
    Write-DeployLog -Message "Deploy-MfaUpgrade on $([System.Environment]::MachineName) as $([System.Environment]::UserDomainName)\$([System.Environment]::UserName): packages '$PackagePath', backup '$BackupPath', logs '$LogFolder'$(if ($Rollback) { ', rollback' })"

    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'MfaUpgrade.psd1') -Force -ErrorAction Stop
    Write-DeployLog -Message "MfaUpgrade $((Get-Module -Name MfaUpgrade).Version) loaded from $PSScriptRoot"

    # -ImagePath: the same run on an image host folder (a rehearsal, the module's tests).
    $imageParams = @{}
    if ($ImagePath) {
        $imageParams['ImagePath'] = $ImagePath
    }
    $journal = Get-JournalState -Folder $BackupPath
    $common = @{ BackupPath = $BackupPath } + $imageParams
    # The role as the plan and the upgrade take it (a resume reads the journal's plan).
    $roleParams = @{}
    if ($Role) {
        $roleParams['Role'] = $Role.ToLowerInvariant()
    }
    if ($SubordinatesUpgraded) {
        $roleParams['SubordinatesUpgraded'] = $true
    }
    $fleetParams = @{}
    if ($FleetFile) {
        $fleetParams['FleetFile'] = $FleetFile
    }
    if (-not $ImagePath) {
        # An image host keeps the MSI logs inside itself (C:\Windows\Logs\MfaUpgrade there).
        $common['MsiLogPath'] = $LogFolder
    }
    $errs = @()
    if ($Rollback) {
        if ($journal -eq 'none') {
            Write-DeployLog -Message "Nothing to roll back: there is no upgrade journal in $BackupPath." -Type 2
            exit 0
        }
        Write-DeployLog -Message 'Rolling back the upgrade journaled in the backup folder.'
        $null = Invoke-MfaServerUpgrade @common -Rollback -Unattended -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $exitCode = $LASTEXITCODE
    }
    elseif ($journal -eq 'open') {
        Write-DeployLog -Message 'An earlier run was interrupted (its journal is open): resuming it.' -Type 2
        $null = Invoke-MfaServerUpgrade @common -PackagePath $PackagePath -Resume -Unattended -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $exitCode = $LASTEXITCODE
    }
    else {
        if (-not (Test-Path -LiteralPath $PackagePath -PathType Container)) {
            Write-DeployLog -Message "The package folder '$PackagePath' does not exist." -Type 3
            exit 1603
        }
        # Safe to run twice: nothing to do only when the plan says everything here (the server and
        # every web component) is at the packages' versions; the server's version alone is not
        # enough (a User Portal left at the old version would be reported done).
        $deployment = $null
        foreach ($o in @(Get-MfaDeployment @imageParams -ErrorVariable errDeployment -ErrorAction SilentlyContinue)) {
            if ($null -eq $deployment) {
                $deployment = $o
            }
        }
        $plan = $null
        foreach ($o in @(Get-MfaUpgradePlan @imageParams @roleParams -PackagePath $PackagePath -VdirNames $VdirNames -ErrorVariable errPlan -ErrorAction SilentlyContinue)) {
            if ($null -eq $plan -and $o.PSObject.TypeNames[0] -eq 'MfaUpgrade.UpgradePlan') {
                $plan = $o
            }
        }
        $errs = @($errDeployment) + @($errPlan)
        $installed = $null
        if ($null -ne $deployment -and $null -ne $deployment.server) {
            $installed = [string]$deployment.server.product.version
        }
        $target = $null
        if ($null -ne $plan -and $null -ne $plan.to) {
            $target = [string]$plan.to.version
        }
        Write-DeployLog -Message "Installed: $(if ($installed) { "$($deployment.server.product.name) $installed" } else { 'no MFA Server' }); packages: $(if ($target) { $target } else { 'unknown' })"
        if ($null -ne $plan -and $plan.upToDate -eq $true) {
            Write-DeployLog -Message "Everything here is at the packages' version $($target): the upgrade was done before. Nothing to do."
            exit 0
        }
        if ($null -eq $plan) {
            Write-ErrorsToLog -Records $errs
            Write-DeployLog -Message 'No upgrade plan could be made (see the errors above): nothing was changed.' -Type 3
            exit 1603
        }
        foreach ($b in @($plan.blockers)) {
            if ($null -ne $b) {
                Write-DeployLog -Message "Blocked: $($b.message) What to do: $($b.remedy)" -Type 3
            }
        }
        if (@($plan.blockers | Where-Object { $null -ne $_ }).Count -gt 0) {
            exit 7
        }
        if (-not $Role -and -not $FleetFile) {
            Write-DeployLog -Message "Blocked: this server's replication role is not known (Windows does not record it in a documented place) and nobody is there to confirm it. What to do: give -Role master, -Role subordinate or -Role standalone (the MFA Server console shows it under Servers), or -FleetFile. Nothing was changed." -Type 3
            exit 7
        }
        $errs = @()
        Write-DeployLog -Message "Upgrading: $(@($plan.steps).Count) steps ($(@($plan.steps | ForEach-Object { $_.id }) -join ', '))."
        $results = @(Invoke-MfaServerUpgrade @common @roleParams @fleetParams -PackagePath $PackagePath -VdirNames $VdirNames -Unattended -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        $exitCode = $LASTEXITCODE
        foreach ($r in $results) {
            if ($r.PSObject.TypeNames[0] -eq 'MfaUpgrade.UpgradeResult') {
                foreach ($m in @($r.leftToDo)) {
                    if ($null -ne $m) {
                        Write-DeployLog -Message "Left to do by hand: $($m.title). $($m.instructions)" -Type 2
                    }
                }
            }
        }
    }
    Write-ErrorsToLog -Records $errs
    if ($null -eq $exitCode) {
        $exitCode = 1603
    }
    $type = 1
    if ($exitCode -notin @(0, 3010)) {
        $type = 3
    }
    Write-DeployLog -Message "Done: exit code $exitCode." -Type $type
}
catch {
    $exitCode = 1603
    Write-DeployLog -Message "Stopped by an unexpected error: $($_.Exception.Message) ($($_.InvocationInfo.PositionMessage))" -Type 3
}
exit $exitCode
