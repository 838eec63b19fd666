function Invoke-MfaUpgradeRehearsal {
    <#
    .SYNOPSIS
    Rehearses an MFA Server upgrade on a copy of the server taken from a backup bundle, off the server.

    .DESCRIPTION
    Runs `mfa-upgrade rehearse`: the machine image inside a backup bundle (Export-MfaBackup) is
    extracted into a temporary folder and the upgrade runs there, unattended, with the same plan
    the real upgrade would make: uninstalls, installs, each web.config merged, themes restored.
    Returns the MfaUpgrade.UpgradePlan and a MfaUpgrade.Rehearsal (outcome, the steps that ran,
    what is left to do by hand, whether a reboot would be needed, and the inventory of the
    machine after the upgrade). Nothing outside the temporary folder is touched, so it needs no
    confirmation; it can run on any machine that holds the bundle and the packages.

    Give the server's replication role (-Role) as for the real upgrade: without it the rehearsal
    stops at the manual step that asks a person to confirm the role (outcome paused), where an
    unattended upgrade is refused.

    .PARAMETER BackupPath
    The backup bundle whose machine image is rehearsed on. Maps to --backup.

    .PARAMETER PackagePath
    The folder with the new installers. Maps to --packages.

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

    .PARAMETER Role
    The replication role of the server the bundle was taken on: master, subordinate or
    standalone (a server without others). Not recorded by Windows in a documented place. Maps to
    --role.

    .PARAMETER SubordinatesUpgraded
    With -Role master: every subordinate is at the target version already (subordinates first,
    then the master). Maps to --subordinates-upgraded.

    .PARAMETER LoadBalanced
    The server is behind a load balancer: the rehearsed plan drains it before the backup and puts
    it back at the end (both left to do by hand in the rehearsal). Maps to --load-balanced.

    .PARAMETER CarryRemoved
    Also carry web.config keys the new version no longer has (as Merge-MfaWebConfig
    -CarryRemoved). Maps to --carry-removed.

    .PARAMETER PassphraseFile
    The passphrase file of an encrypted bundle. Maps to --passphrase-file.

    .PARAMETER ExpectDigest
    The digest Export-MfaBackup printed (the Digest property of its object): a bundle whose
    manifest has another digest (changed or swapped) is refused. An unencrypted bundle is
    authenticated only this way. Maps to --expect-digest.

    .PARAMETER KeepCopy
    Keep the rehearsed copy (its folder is in the result's kept property; open it with
    Get-MfaDeployment -ImagePath) instead of deleting it. Maps to --keep.

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
    PS C:\> Invoke-MfaUpgradeRehearsal -BackupPath D:\Backups\MFA01-before-8.1 -PackagePath D:\MFA\8.1.1.2 -Role subordinate

    Rehearses the upgrade of MFA01 on a copy from its backup and shows the outcome.

    .EXAMPLE
    PS C:\> Export-MfaBackup -Path D:\Backups\MFA01 -Confirm:$false | ForEach-Object { Invoke-MfaUpgradeRehearsal -BackupPath $_.Path -PackagePath D:\MFA\8.1.1.2 -Role standalone -KeepCopy }

    Backs up this server, rehearses the upgrade on the copy and keeps the upgraded copy for a look.

    .INPUTS
    System.String (BackupPath, also by the property name Path)

    .OUTPUTS
    MfaUpgrade.UpgradePlan, MfaUpgrade.Rehearsal

    .LINK
    Invoke-MfaServerUpgrade
    #>
    [CmdletBinding()]
    [OutputType('MfaUpgrade.UpgradePlan', 'MfaUpgrade.Rehearsal')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Path', 'Bundle')]
        [ValidateNotNullOrEmpty()]
        [string] $BackupPath,

        [Parameter(Mandatory = $true, Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string] $PackagePath,

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
        [ValidateSet('master', 'subordinate', 'standalone')]
        [string] $Role,

        [Parameter()]
        [switch] $SubordinatesUpgraded,

        [Parameter()]
        [switch] $LoadBalanced,

        [Parameter()]
        [switch] $CarryRemoved,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $PassphraseFile,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Digest')]
        [ValidateNotNullOrEmpty()]
        [string] $ExpectDigest,

        [Parameter()]
        [switch] $KeepCopy
    )

    process {
        if ($PSBoundParameters.ContainsKey('VdirNames')) {
            $PSBoundParameters['VdirNames'] = $VdirNames.ToLowerInvariant()
        }
        if ($PSBoundParameters.ContainsKey('Role')) {
            $PSBoundParameters['Role'] = $Role.ToLowerInvariant()
        }
        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{
            ReportPath                 = 'report'
            SkipComponent              = 'skip-component'
            IgnoreProduct              = 'ignore-product'
            BackupPath                = 'backup'
            PackagePath               = 'packages'
            VdirNames                 = 'vdir-names'
            VdirProperty              = 'vdir-property'
            RemoveMobileAppWebService = 'remove-mobile-app'
            UserCount                 = 'users'
            SdkVdir                   = 'sdk-vdir'
            Role                      = 'role'
            SubordinatesUpgraded      = 'subordinates-upgraded'
            LoadBalanced              = 'load-balanced'
            CarryRemoved              = 'carry-removed'
            PassphraseFile            = 'passphrase-file'
            ExpectDigest              = 'expect-digest'
            KeepCopy                  = 'keep'
        } -PathParameter @('BackupPath', 'PackagePath', 'PassphraseFile', 'ReportPath') -Cmdlet $PSCmdlet
        Invoke-MfaCli -Command 'rehearse' -Arguments $cliArgs -Cmdlet $PSCmdlet
    }
}
