function Invoke-MfaAdfsAdapterUpgrade {
    <#
    .SYNOPSIS
    Upgrades the MFA Server AD FS adapter: carries its settings over and re-registers it with AD FS, once per farm, undone automatically if registering fails.

    .DESCRIPTION
    Runs `mfa-upgrade adfs-upgrade`: exports the registered adapter configuration, carries its
    settings into the new MultiFactorAuthenticationAdfsAdapter.config, patches the register
    script with -ConfigurationFilePath, takes the adapter out of the global authentication policy,
    unregisters the old and registers the new adapter (once per farm), restarts AD FS and puts the
    adapter back into the policy. If registering fails, everything it did is undone. With
    -AdfsServer the farm is done in halves. Returns a MfaUpgrade.AdfsAdapterUpgrade report
    (steps, how long the farm was without the adapter, the next step when paused).

    With several -ComputerName (the servers of one farm), the sequence is walked across them
    through PowerShell remoting: each server runs its own steps and the run continues on the
    server the report names next (-FromStep); a step by hand is asked for (ShouldContinue) or,
    with -Unattended, stops the run saying what to do. One MfaUpgrade.ServerStatus row per run.

    It asks for confirmation showing the steps (ConfirmImpact High); -WhatIf shows them and
    changes nothing.

    .PARAMETER ConfigPath
    The new adapter config (the MultiFactorAuthenticationAdfsAdapter.config the new version
    ships), as this server sees it. Maps to --config.

    .PARAMETER RegisterScriptPath
    Register-MultiFactorAuthenticationAdfsAdapter.ps1 of the new adapter (default: beside
    -ConfigPath). Maps to --register-script.

    .PARAMETER OutPath
    Write the carried-over config here and register it from here (default: over -ConfigPath).
    Maps to --out.

    .PARAMETER OldConfigPath
    The old adapter config, used when the registration holds no configuration data. Maps to
    --old-config.

    .PARAMETER AdfsServer
    The AD FS servers, NAME or FARM=NAME: each farm is done in halves. Maps to --servers. With
    several -ComputerName it defaults to them.

    .PARAMETER FarmName
    The name of this server's farm in step ids (default: farm). Maps to --farm.

    .PARAMETER TypeName
    The new adapter's assembly-qualified type name, when the register script does not give it.
    Maps to --type-name.

    .PARAMETER ProviderName
    The name to register the new adapter under (default: from the register script, else
    AzureMfaServerAuthentication). Maps to --name.

    .PARAMETER OldTypeName
    The registered adapter's type name, when AD FS does not report it (needed to undo). Maps to
    --old-type-name.

    .PARAMETER BackupPath
    Where the export, the originals of replaced files and the run state go (default
    C:\ProgramData\mfa-upgrade\adfs), as the server sees it. With several -ComputerName values
    each server keeps its own there: a local folder is right (a share would need CredSSP, the
    double hop). Maps to --backup-dir.

    .PARAMETER PackageFile
    MultiFactorAuthenticationAdfsAdapterSetup64.msi: install it on this server as part of the
    sequence. Maps to --package.

    .PARAMETER SdkVdir
    The Web Service SDK's virtual directory was renamed: OLD=NEW pairs, or 'default'. Maps to
    --sdk-vdir.

    .PARAMETER FromStep
    Resume at this step id (after a manual step or another server's steps). Maps to --from.

    .PARAMETER ImagePath
    Work on an image host folder instead of this computer. Maps to --host.
    With -ComputerName or -Session: an image host folder on that server.

    .PARAMETER Unattended
    With several -ComputerName: never wait for a person; a step by hand stops the run.

    .PARAMETER ComputerName
    The AD FS servers to run on through PowerShell remoting; several servers of one farm are
    walked in the order the sequence needs.

    .PARAMETER Session
    Open PowerShell sessions to run on instead of -ComputerName (one server each).

    .PARAMETER Credential
    The account for -ComputerName.

    .PARAMETER Authentication
    The WinRM authentication for -ComputerName. CredSSP (with -Credential) lets the server reach
    a share with your credentials (the double hop); without it, a \\server\share path given to the
    server is checked from there first and refused before anything runs.

    .PARAMETER Resume
    Go on with this server's paused or interrupted run, from its journal in -BackupPath. Maps to
    --resume.

    .PARAMETER Rollback
    Undo what this server's run did, newest step first (the registration, the policy and the
    replaced files put back). Maps to --rollback.

    .PARAMETER MsiLogPath
    The folder for the Windows Installer log of the adapter install (default
    C:\Windows\Logs\MfaUpgrade). Maps to --msi-log-dir.

    .PARAMETER ReportPath
    Also write a change report: one self-contained HTML file (readiness, plan, web.config diffs,
    the AD FS window, the run). It holds no secrets, and is written under -WhatIf too. Maps to
    --report.

    .EXAMPLE
    PS C:\> Invoke-MfaAdfsAdapterUpgrade -ConfigPath 'C:\Program Files\Multi-Factor Authentication Server\MultiFactorAuthenticationAdfsAdapter.config' -WhatIf

    Shows the steps of the adapter upgrade on this AD FS server; changes nothing.

    .EXAMPLE
    PS C:\> Invoke-MfaAdfsAdapterUpgrade -ComputerName 'ADFS01', 'ADFS02', 'ADFS03' -FarmName sts.contoso.com -ConfigPath 'C:\Program Files\Multi-Factor Authentication Server\MultiFactorAuthenticationAdfsAdapter.config'

    Upgrades the adapter across a three-server farm in halves, through remoting.

    .INPUTS
    None

    .OUTPUTS
    MfaUpgrade.AdfsAdapterUpgrade, MfaUpgrade.ServerStatus (with -ComputerName or -Session)

    .LINK
    Compare-MfaAdfsAdapterConfig
    #>
    [CmdletBinding(DefaultParameterSetName = 'Local', SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('MfaUpgrade.AdfsAdapterUpgrade', 'MfaUpgrade.ServerStatus')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $ConfigPath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $RegisterScriptPath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $OutPath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $OldConfigPath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string[]] $AdfsServer,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $FarmName,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $TypeName,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ProviderName,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $OldTypeName,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $BackupPath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $PackageFile,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string[]] $SdkVdir,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ReportPath,

        [Parameter(ParameterSetName = 'Local')]
        [Parameter(ParameterSetName = 'Session')]
        [Parameter(ParameterSetName = 'ComputerName')]
        [switch] $Resume,

        [Parameter(ParameterSetName = 'Local')]
        [Parameter(ParameterSetName = 'Session')]
        [Parameter(ParameterSetName = 'ComputerName')]
        [switch] $Rollback,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $MsiLogPath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $FromStep,

        [Parameter(ParameterSetName = 'Local')]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [ValidateNotNullOrEmpty()]
        [string] $ImagePath,

        [Parameter(ParameterSetName = 'ComputerName')]
        [switch] $Unattended,

        [Parameter(Mandatory = $true, ParameterSetName = 'ComputerName')]
        [Alias('CN')]
        [ValidateNotNullOrEmpty()]
        [string[]] $ComputerName,

        [Parameter(Mandatory = $true, ParameterSetName = 'Session')]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [Parameter(ParameterSetName = 'ComputerName')]
        [System.Management.Automation.PSCredential] $Credential,

        [Parameter(ParameterSetName = 'ComputerName')]
        [System.Management.Automation.Runspaces.AuthenticationMechanism] $Authentication
    )

    process {
        if ($Resume -and $Rollback) {
            $record = New-MfaErrorRecord -Code 'USAGE' -Message '-Resume and -Rollback cannot be used together.' -Remedy 'Use -Resume to go on with the paused run, or -Rollback to undo it.' -ExitCode 2
            $PSCmdlet.ThrowTerminatingError($record)
        }
        $action = "Upgrade the MFA Server AD FS adapter (new config '$ConfigPath'): AD FS is restarted and the adapter re-registered"
        if ($PSCmdlet.ParameterSetName -eq 'ComputerName' -and @($ComputerName).Count -gt 1) {
            # Each server keeps its own state (its --backup-dir, local by default) and the walk its
            # record here (the status rows): no share is needed, and none is asked for.
            $params = @{}
            foreach ($k in $PSBoundParameters.Keys) {
                $params[$k] = $PSBoundParameters[$k]
            }
            if (-not $params.ContainsKey('AdfsServer')) {
                $params['AdfsServer'] = @($ComputerName | ForEach-Object {
                        if ($FarmName) {
                            "$FarmName=$_"
                        }
                        else {
                            $_
                        }
                    })
            }
            Invoke-MfaAdfsFarmWalk -Cmdlet $PSCmdlet -BoundParameters $params -ComputerName $ComputerName -Credential $Credential -Authentication $(if ($PSBoundParameters.ContainsKey('Authentication')) { [string]$Authentication } else { '' }) -Unattended:$Unattended -Action $action
            return
        }
        if ($PSCmdlet.ParameterSetName -ne 'Local') {
            Invoke-MfaRemote -Cmdlet $PSCmdlet -CommandName $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ComputerName $ComputerName -Session $Session -Credential $Credential -StatusRows -Action $action -PathParameter @('ConfigPath', 'RegisterScriptPath', 'OutPath', 'OldConfigPath', 'BackupPath', 'PackageFile', 'ImagePath', 'MsiLogPath', 'ReportPath')
            return
        }
        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{
            ReportPath                 = 'report'
            Resume             = 'resume'
            Rollback           = 'rollback'
            MsiLogPath         = 'msi-log-dir'
            ConfigPath         = 'config'
            RegisterScriptPath = 'register-script'
            OutPath            = 'out'
            OldConfigPath      = 'old-config'
            AdfsServer         = 'servers'
            FarmName           = 'farm'
            TypeName           = 'type-name'
            ProviderName       = 'name'
            OldTypeName        = 'old-type-name'
            BackupPath         = 'backup-dir'
            PackageFile        = 'package'
            SdkVdir            = 'sdk-vdir'
            FromStep           = 'from'
            ImagePath          = 'host'
        } -PathParameter @('ConfigPath', 'RegisterScriptPath', 'OutPath', 'OldConfigPath', 'BackupPath', 'PackageFile', 'ImagePath', 'MsiLogPath', 'ReportPath') -Cmdlet $PSCmdlet
        $target = Get-MfaTargetName -ImagePath $ImagePath
        $text = Get-MfaShouldProcessText -Command 'adfs-upgrade' -Arguments $cliArgs -Target $target -Action $action -Cmdlet $PSCmdlet
        if ($null -eq $text) {
            return
        }
        if ($PSCmdlet.ShouldProcess($text.Description, $text.Question, $text.Caption)) {
            Invoke-MfaCli -Command 'adfs-upgrade' -Arguments $cliArgs -ChangesMachine -Cmdlet $PSCmdlet
        }
    }
}
