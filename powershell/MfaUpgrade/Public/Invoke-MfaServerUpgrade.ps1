function Invoke-MfaServerUpgrade {
    <#
    .SYNOPSIS
    Upgrades MFA Server (or the PhoneFactor Agent) on a server, resumes an interrupted upgrade, or rolls one back; with -Fleet, upgrades a whole deployment in order.

    .DESCRIPTION
    Runs `mfa-upgrade upgrade`. A verified backup is taken first (in -BackupPath, with the
    journal); then the plan's steps run in order (Visual C++ runtimes, uninstalls of PhoneFactor-era
    components, the MFA Server install, the web components, the web.config carry-over, the
    themes), each journaled before and after it runs. Windows Installer's verbose logs are kept in
    -MsiLogPath. An installation that finds another one running (1618) is retried.

    -Resume finishes an interrupted upgrade from its journal; -Rollback undoes what an upgrade did,
    newest step first, and restores from its backup. Both need the -BackupPath of that run.

    It asks for confirmation showing the plan (ConfirmImpact High); -WhatIf shows the plan (or,
    with -Resume/-Rollback, the steps left) and changes nothing. When the plan reaches a manual
    step (activation check, new portal URL, ...), an interactive session asks whether it is done
    and goes on; with -Unattended (SCCM, Group Policy) manual steps are recorded as left to do and
    $LASTEXITCODE is 5. Returns the MfaUpgrade.UpgradePlan and a MfaUpgrade.UpgradeResult.
    $LASTEXITCODE: 0, 3010 (reboot required), 1603, 1618, 5, 7 (plan blocked).

    The server's replication role is yours to give (Windows does not record it in a documented
    place): -Role, or -FleetFile. Without either, an interactive run first asks you to confirm
    it, and an -Unattended run is refused before anything changes ($LASTEXITCODE 7). A master is
    upgraded only after its subordinates: -SubordinatesUpgraded (or the fleet file's versions)
    says they are at the target already; else promote a subordinate and upgrade the old master
    with -Role subordinate. After the MFA Server install the run follows the service log until
    the data file is converted (-ConversionTimeoutMinutes). Test-MfaUpgrade checks the result.

    With -Fleet, the fleet plan (Get-MfaUpgradePlan -Fleet) is followed action by action, each on
    its server through PowerShell remoting:
      backup-master    Export-MfaBackup -Role master on the master, into a new bundle folder
                       <BackupPath>\fleet-master-backup-<yyyyMMdd-HHmmss> (as the master sees
                       -BackupPath), before any server is touched;
      upgrade          Invoke-MfaServerUpgrade there with -Role set to the role the plan gives that
                       server (subordinates first; the old master after the promotion, as a
                       subordinate; none for a web-only server) and the other options given here;
      drain, promote, restore-traffic
                       manual: they wait for you to confirm them (with -Unattended the run stops
                       before the first one, saying what to do);
      adfs-farm        Invoke-MfaAdfsAdapterUpgrade on the farm's servers when -AdfsConfigPath is
                       given, else manual.
    A plan holding an action kind this module does not know is refused before any action runs
    (FLEET_ACTION_UNKNOWN): update the module to the executable's version. One
    MfaUpgrade.ServerStatus row per action. A failed action stops the run; -StartAt continues
    from an action. -Role, -FleetFile, -SubordinatesUpgraded and -LoadBalanced are for one
    server and cannot be given with -Fleet: the fleet plan decides each server's role, and its
    own drain and restore-traffic actions replace -LoadBalanced.

    .PARAMETER PackagePath
    The folder with the new installers (as the server sees it). Maps to --packages.

    .PARAMETER BackupPath
    The folder for the backup bundle and the journal; keep it, resume and rollback need it. Maps
    to --backup.

    .PARAMETER ImagePath
    Upgrade an image host folder instead of this computer (a rehearsal off the server). Maps to
    --host.
    With -ComputerName or -Session: an image host folder on that server.

    .PARAMETER Resume
    Finish an interrupted upgrade from the journal in -BackupPath. Maps to --resume.

    .PARAMETER Rollback
    Undo what the upgrade in -BackupPath did and restore from its backup. Maps to --rollback.

    .PARAMETER Unattended
    Never wait for a person: manual steps are recorded as left to do (exit code 5). Maps to
    --unattended. With -Fleet, the run stops before the first manual action.

    .PARAMETER VdirNames
    keep (the default) keeps the old virtual directory names; new uses the new default names.
    Maps to --vdir-names.

    .PARAMETER VdirProperty
    The installer property that sets the virtual directory, when the packages do not show it.
    Maps to --vdir-property.

    .PARAMETER RemoveMobileAppWebService
    From 8.0 on, remove the Mobile App Web Service instead of upgrading it. Maps to
    --remove-mobile-app.

    .PARAMETER UserCount
    Regularly authenticating users, for the memory check. Maps to --users.

    .PARAMETER SdkVdir
    The Web Service SDK moved to another virtual directory: OLD=NEW pairs, or 'default'. Maps to
    --sdk-vdir.

    .PARAMETER InstallerRetryCount
    Attempts for an installation that finds another one running (default 6). Maps to --retry-1618.

    .PARAMETER InstallerRetryDelaySeconds
    First wait before retrying such an installation, doubled each time (default 30). Maps to
    --retry-delay.

    .PARAMETER Role
    This server's replication role: master, subordinate or standalone (a server without others).
    Windows does not record it in a documented place; the MFA Server console shows it under
    Servers. Without it (and without -FleetFile) an interactive run asks you to confirm it and an
    -Unattended run is refused (exit code 7). Not with -Fleet. Maps to --role.

    .PARAMETER SubordinatesUpgraded
    With -Role master: every subordinate is at the target version already, so the master may be
    upgraded now (otherwise the plan is blocked: subordinates first). Not with -Fleet. Maps to
    --subordinates-upgraded.

    .PARAMETER LoadBalanced
    This node is behind a load balancer: the plan takes it out of the pool before the backup
    stops its service (an outage for this node) and puts it back at the end (manual steps). Not
    with -Fleet, whose plan has drain and restore-traffic actions of its own. Maps to
    --load-balanced.

    .PARAMETER CarryRemoved
    Also carry web.config keys the new version no longer has (as Merge-MfaWebConfig
    -CarryRemoved). With -Fleet, every server's upgrade gets it. Maps to --carry-removed.

    .PARAMETER FleetFile
    The fleet file (as for Get-MfaUpgradePlan -Fleet), read for this one server: its role, whether
    it is load balanced and, for a master, its subordinates' recorded versions ("version"). A path
    as the server sees it. Unlike -Fleet, which walks every server of the file through remoting,
    this upgrades only this server (or -ComputerName/-Session). Not with -Fleet. Maps to --fleet.

    .PARAMETER ConversionTimeoutMinutes
    How long to follow the MFA Server service log for the end of the data file conversion after
    its install (default 60); then the run pauses for a person to confirm it (exit code 5). 0
    looks once. With -Fleet, every server's upgrade gets it. Maps to --conversion-timeout.

    .PARAMETER MsiLogPath
    The folder on the server for Windows Installer's verbose logs (default
    C:\Windows\Logs\MfaUpgrade). Maps to --msi-log-dir.

    .PARAMETER Fleet
    A fleet file (servers and roles, see Get-MfaUpgradePlan -Fleet), as this computer sees it:
    back up the master, then upgrade every server in the plan's order through PowerShell
    remoting. To upgrade one server with its role read from the fleet file, use -FleetFile.

    .PARAMETER AdfsConfigPath
    With -Fleet: the new AD FS adapter config as the AD FS servers see it; without it, AD FS farms
    are left as manual actions.

    .PARAMETER StartAt
    With -Fleet: start at the action with this order number (the earlier ones are done).

    .PARAMETER ComputerName
    Servers to upgrade through PowerShell remoting, one after another (the module is copied when
    missing). One MfaUpgrade.ServerStatus row per server.

    .PARAMETER Session
    Open PowerShell sessions to run on instead of -ComputerName.

    .PARAMETER Credential
    The account for -ComputerName and -Fleet.

    .PARAMETER Authentication
    The WinRM authentication for -ComputerName. CredSSP (with -Credential) lets the server reach
    a share with your credentials (the double hop); without it, a \\server\share path given to the
    server is checked from there first and refused before anything runs.

    .PARAMETER SkipComponent
    Leave these components (userPortal, mobileAppWebService, webServiceSdk) to be upgraded by
    hand: they are left alone and reported as left to do. Maps to --skip-component.

    .PARAMETER IgnoreProduct
    ProductCodes of products whose name only looks like part of MFA Server: the plan does not
    account for them. Maps to --ignore-product.

    .PARAMETER ReportPath
    Also write a change report: one self-contained HTML file (readiness, plan, web.config diffs,
    the AD FS window, the run). It holds no secrets, and is written under -WhatIf too. Maps to
    --report.

    .EXAMPLE
    PS C:\> Invoke-MfaServerUpgrade -PackagePath D:\MFA\8.1.1.2 -BackupPath D:\Backups\MFA01-upgrade -WhatIf

    Shows the plan of upgrading this server; changes nothing.

    .EXAMPLE
    PS C:\> Invoke-MfaServerUpgrade -PackagePath D:\MFA\8.1.1.2 -BackupPath D:\Backups\MFA03-upgrade -Role subordinate -Unattended -Confirm:$false; $LASTEXITCODE

    Upgrades this server (a subordinate) without any prompt, as a ConfigMgr program would.

    .EXAMPLE
    PS C:\> Invoke-MfaServerUpgrade -ComputerName MFA02 -PackagePath D:\MFA\8.1.1.2 -BackupPath D:\Backups\upgrade -FleetFile D:\MFA\contoso.json -ConversionTimeoutMinutes 180

    Upgrades MFA02 through remoting, its role and load balancer read from the fleet file (a path
    on MFA02), waiting up to three hours for a large data file to be converted.

    .EXAMPLE
    PS C:\> Invoke-MfaServerUpgrade -BackupPath D:\Backups\MFA01-upgrade -Resume

    Finishes an upgrade that was interrupted (a reboot, a crash) from its journal.

    .EXAMPLE
    PS C:\> Invoke-MfaServerUpgrade -BackupPath D:\Backups\MFA01-upgrade -Rollback -Confirm:$false

    Undoes the upgrade recorded in that folder and restores the backup taken before it.

    .EXAMPLE
    PS C:\> Invoke-MfaServerUpgrade -Fleet .\contoso.json -PackagePath D:\MFA\8.1.1.2 -BackupPath D:\Backups\upgrade -AdfsConfigPath 'C:\Program Files\Multi-Factor Authentication Server\MultiFactorAuthenticationAdfsAdapter.config'

    Backs up the master, then upgrades every server of contoso.json in order, asking before each
    action and waiting for the manual ones.

    .EXAMPLE
    PS C:\> Invoke-MfaServerUpgrade -Fleet .\contoso.json -PackagePath D:\MFA\8.1.1.2 -BackupPath D:\Backups\upgrade -WhatIf

    Shows every action of the fleet walk (the master's backup first, each upgrade with its role)
    and changes nothing.

    .INPUTS
    System.String (ComputerName, ImagePath by property name)

    .OUTPUTS
    MfaUpgrade.UpgradePlan, MfaUpgrade.UpgradeResult, MfaUpgrade.PendingSteps, MfaUpgrade.ServerStatus

    .LINK
    Get-MfaUpgradePlan
    #>
    [CmdletBinding(DefaultParameterSetName = 'Local', SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('MfaUpgrade.UpgradePlan', 'MfaUpgrade.UpgradeResult', 'MfaUpgrade.ServerStatus')]
    param(
        [Parameter(Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $PackagePath,

        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $BackupPath,

        [Parameter(ParameterSetName = 'Local', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [ValidateNotNullOrEmpty()]
        [string] $ImagePath,

        [Parameter(ParameterSetName = 'Local')]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [switch] $Resume,

        [Parameter(ParameterSetName = 'Local')]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [switch] $Rollback,

        [Parameter()]
        [switch] $Unattended,

        [Parameter()]
        [ValidateSet('keep', 'new')]
        [string] $VdirNames,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $VdirProperty,

        [Parameter()]
        [switch] $RemoveMobileAppWebService,

        [Parameter()]
        [ValidateRange(1, 10000000)]
        [int] $UserCount,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string[]] $SdkVdir,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ReportPath,

        [Parameter()]
        [ValidateSet('userPortal', 'mobileAppWebService', 'webServiceSdk')]
        [string[]] $SkipComponent,

        [Parameter()]
        [ValidatePattern('^\{[0-9A-Fa-f-]{36}\}$')]
        [string[]] $IgnoreProduct,

        [Parameter()]
        [ValidateRange(1, 100)]
        [int] $InstallerRetryCount,

        [Parameter()]
        [ValidateRange(0, 86400)]
        [int] $InstallerRetryDelaySeconds,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $MsiLogPath,

        [Parameter(ParameterSetName = 'Local')]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [ValidateSet('master', 'subordinate', 'standalone')]
        [string] $Role,

        [Parameter(ParameterSetName = 'Local')]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [switch] $SubordinatesUpgraded,

        [Parameter(ParameterSetName = 'Local')]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [switch] $LoadBalanced,

        [Parameter()]
        [switch] $CarryRemoved,

        [Parameter(ParameterSetName = 'Local')]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [ValidateNotNullOrEmpty()]
        [string] $FleetFile,

        [Parameter()]
        [ValidateRange(0, 10080)]
        [int] $ConversionTimeoutMinutes,

        [Parameter(Mandatory = $true, ParameterSetName = 'Fleet')]
        [ValidateNotNullOrEmpty()]
        [string] $Fleet,

        [Parameter(ParameterSetName = 'Fleet')]
        [ValidateNotNullOrEmpty()]
        [string] $AdfsConfigPath,

        [Parameter(ParameterSetName = 'Fleet')]
        [ValidateRange(1, 10000)]
        [int] $StartAt = 1,

        [Parameter(Mandatory = $true, ParameterSetName = 'ComputerName', ValueFromPipelineByPropertyName = $true)]
        [Alias('CN')]
        [ValidateNotNullOrEmpty()]
        [string[]] $ComputerName,

        [Parameter(Mandatory = $true, ParameterSetName = 'Session')]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Fleet')]
        [System.Management.Automation.PSCredential] $Credential,

        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Fleet')]
        [System.Management.Automation.Runspaces.AuthenticationMechanism] $Authentication
    )

    process {
        if ($Resume -and $Rollback) {
            $record = New-MfaErrorRecord -Code 'USAGE' -Message '-Resume and -Rollback cannot be used together.' -Remedy 'Use -Resume to finish the interrupted upgrade, or -Rollback to undo it.' -ExitCode 2
            $PSCmdlet.ThrowTerminatingError($record)
        }
        if ($PSBoundParameters.ContainsKey('VdirNames')) {
            $PSBoundParameters['VdirNames'] = $VdirNames.ToLowerInvariant()
        }
        if ($PSBoundParameters.ContainsKey('Role')) {
            $PSBoundParameters['Role'] = $Role.ToLowerInvariant()
        }
        if ($PSCmdlet.ParameterSetName -eq 'Fleet') {
            Invoke-MfaFleetUpgrade -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters -Fleet $Fleet -StartAt $StartAt -AdfsConfigPath $AdfsConfigPath -Unattended:$Unattended -Credential $Credential
            return
        }
        $action = "Upgrade MFA Server with the packages in '$PackagePath' (backup and journal in '$BackupPath')"
        if ($Resume) {
            $action = "Resume the interrupted upgrade journaled in '$BackupPath'"
        }
        if ($Rollback) {
            $action = "Roll back the upgrade journaled in '$BackupPath' and restore its backup"
        }
        if ($PSCmdlet.ParameterSetName -ne 'Local') {
            Invoke-MfaRemote -Cmdlet $PSCmdlet -CommandName $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ComputerName $ComputerName -Session $Session -Credential $Credential -StatusRows -Action $action -PathParameter @('ImagePath', 'PackagePath', 'BackupPath', 'MsiLogPath', 'ReportPath', 'FleetFile')
            return
        }

        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{
            ReportPath                 = 'report'
            SkipComponent              = 'skip-component'
            IgnoreProduct              = 'ignore-product'
            ImagePath                  = 'host'
            PackagePath                = 'packages'
            BackupPath                 = 'backup'
            Resume                     = 'resume'
            Rollback                   = 'rollback'
            Unattended                 = 'unattended'
            VdirNames                  = 'vdir-names'
            VdirProperty               = 'vdir-property'
            RemoveMobileAppWebService  = 'remove-mobile-app'
            UserCount                  = 'users'
            SdkVdir                    = 'sdk-vdir'
            InstallerRetryCount        = 'retry-1618'
            InstallerRetryDelaySeconds = 'retry-delay'
            MsiLogPath                 = 'msi-log-dir'
            Role                       = 'role'
            SubordinatesUpgraded       = 'subordinates-upgraded'
            LoadBalanced               = 'load-balanced'
            CarryRemoved               = 'carry-removed'
            FleetFile                  = 'fleet'
            ConversionTimeoutMinutes   = 'conversion-timeout'
        } -PathParameter @('ImagePath', 'PackagePath', 'BackupPath', 'MsiLogPath', 'ReportPath', 'FleetFile') -Cmdlet $PSCmdlet
        $target = Get-MfaTargetName -ImagePath $ImagePath
        $text = Get-MfaShouldProcessText -Command 'upgrade' -Arguments $cliArgs -Target $target -Action $action -Cmdlet $PSCmdlet
        if ($null -eq $text) {
            return
        }
        if (-not $PSCmdlet.ShouldProcess($text.Description, $text.Question, $text.Caption)) {
            return
        }
        while ($true) {
            # Objects go down the pipeline as they come: an error made terminating by
            # -ErrorAction Stop loses nothing already read.
            $upgradeResult = $null
            Invoke-MfaCli -Command 'upgrade' -Arguments $cliArgs -ChangesMachine -Cmdlet $PSCmdlet | ForEach-Object {
                if ($_.PSObject.TypeNames[0] -eq 'MfaUpgrade.UpgradeResult') {
                    $upgradeResult = $_
                }
                $_
            }
            if ($Unattended -or $null -eq $upgradeResult -or [string]$upgradeResult.outcome -ne 'paused') {
                break
            }
            # Paused at a manual step: ask whether it is done, then resume from the journal.
            $left = @($upgradeResult.leftToDo)
            $step = $left[$left.Count - 1]
            $question = "Manual step: $($step.title)`n$($step.instructions)`n`nIs it done? (No stops here; run again with -Resume when it is.)"
            $done = $false
            try {
                $done = $PSCmdlet.ShouldContinue($question, 'MFA Server upgrade: manual step')
            }
            catch {
                $PSCmdlet.WriteWarning("Cannot ask here ($($_.Exception.Message)); run Invoke-MfaServerUpgrade -BackupPath '$BackupPath' -Resume when the manual step is done.")
            }
            if (-not $done) {
                break
            }
            $cliArgs['resume'] = $true
        }
    }
}
