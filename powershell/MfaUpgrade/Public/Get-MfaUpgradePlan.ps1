function Get-MfaUpgradePlan {
    <#
    .SYNOPSIS
    Shows the upgrade plan of a server, or the order of a whole fleet of servers.

    .DESCRIPTION
    Runs `mfa-upgrade plan`. For one server it returns a MfaUpgrade.UpgradePlan: the path
    (phonefactor-agent, mfa-server or components), the ordered steps with their preconditions, what
    each protects and its undo, and the blockers that stop it (exit code 7 when there is any).
    With -Fleet it returns a MfaUpgrade.FleetPlan: the order across servers (subordinates first,
    then the promotion of a new master, the old master, the web servers, the AD FS farms in
    halves), the input of Invoke-MfaServerUpgrade -Fleet. Nothing is changed.

    .PARAMETER ImagePath
    An image host folder to plan for instead of this computer. Maps to --host.
    With -ComputerName or -Session: an image host folder on that server.

    .PARAMETER PackagePath
    The folder with the new installers (MFA Server, its components, the Visual C++
    redistributables). Maps to --packages.

    .PARAMETER VdirNames
    keep (the default) keeps every old IIS virtual directory name; new uses the new default names
    and adds the manual steps that follow. Maps to --vdir-names.

    .PARAMETER VdirProperty
    The installer property that sets the virtual directory, when the packages do not show it.
    Maps to --vdir-property.

    .PARAMETER RemoveMobileAppWebService
    From 8.0 on, remove the Mobile App Web Service instead of upgrading it. Maps to
    --remove-mobile-app.

    .PARAMETER UserCount
    The number of regularly authenticating users, for the memory check. Maps to --users.

    .PARAMETER SdkVdir
    The Web Service SDK moved to another virtual directory: OLD=NEW pairs, or 'default' for
    PhoneFactorWebServiceSdk=MultiFactorAuthWebServiceSdk. Carried SDK URLs are rewritten. Maps to
    --sdk-vdir.

    .PARAMETER Role
    This server's replication role: master, subordinate or standalone (a server without others).
    Windows does not record it in a documented place; the MFA Server console shows it under
    Servers. Without it the plan adds a manual step to confirm it before anything changes. Not
    with -Fleet (the fleet file gives each server's role). Maps to --role.

    .PARAMETER SubordinatesUpgraded
    With -Role master: every subordinate is at the target version already, so the master may be
    upgraded now (otherwise its plan is blocked: subordinates first). Not with -Fleet. Maps to
    --subordinates-upgraded.

    .PARAMETER LoadBalanced
    This node is behind a load balancer: the plan takes it out of the pool before the backup
    stops its service (an outage for this node) and puts it back at the end. Not with -Fleet
    (the fleet file's loadBalanced gives its own drain actions). Maps to --load-balanced.

    .PARAMETER CarryRemoved
    Also carry web.config keys the new version no longer has (as Merge-MfaWebConfig
    -CarryRemoved). With -Fleet, each server's upgrade command carries it. Maps to
    --carry-removed.

    .PARAMETER Fleet
    A JSON file of servers and their roles (master, subordinate, webServiceSdk, userPortal,
    mobileAppWebService, adfs with its farm) and the server to promote: the plan is the order
    across them, starting with a backup of the master's data file (action kind backup-master)
    before any server is touched. Each upgrade action carries the role its server is given.
    Maps to --fleet.

    .PARAMETER ComputerName
    Servers to plan for through PowerShell remoting; -PackagePath is a path as that server sees it.

    .PARAMETER Session
    Open PowerShell sessions to run on instead of -ComputerName.

    .PARAMETER Credential
    The account for -ComputerName.

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
    PS C:\> Get-MfaUpgradePlan -PackagePath D:\MFA\8.1.1.2 | Select-Object -ExpandProperty steps | Format-Table id, title

    The steps an upgrade of this server to the packages in D:\MFA\8.1.1.2 would take.

    .EXAMPLE
    PS C:\> Get-MfaUpgradePlan -PackagePath D:\MFA\8.1.1.2 -Role subordinate -LoadBalanced | Select-Object -ExpandProperty steps | Format-Table id, kind, title

    The plan of a subordinate behind a load balancer: drained first, its service stopped for the
    backup, put back at the end.

    .EXAMPLE
    PS C:\> Get-MfaUpgradePlan -Fleet .\contoso.json | Select-Object -ExpandProperty actions | Format-Table order, server, kind, manual, title

    The order in which to upgrade the servers listed in contoso.json.

    .EXAMPLE
    PS C:\> Get-MfaUpgradePlan -ImagePath .\examples\hosts\phonefactor-5.2 -PackagePath .\examples\packages -VdirNames new

    Plans the upgrade of the PhoneFactor Agent 5.2 sample with the new default virtual directory names.

    .INPUTS
    System.String (ComputerName, ImagePath by property name)

    .OUTPUTS
    MfaUpgrade.UpgradePlan, MfaUpgrade.FleetPlan

    .LINK
    Invoke-MfaServerUpgrade
    #>
    [CmdletBinding(DefaultParameterSetName = 'Local')]
    [OutputType('MfaUpgrade.UpgradePlan', 'MfaUpgrade.FleetPlan')]
    param(
        [Parameter(ParameterSetName = 'Local', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [ValidateNotNullOrEmpty()]
        [string] $ImagePath,

        [Parameter()]
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

        [Parameter(Mandatory = $true, ParameterSetName = 'Fleet')]
        [ValidateNotNullOrEmpty()]
        [string] $Fleet,

        [Parameter(Mandatory = $true, ParameterSetName = 'ComputerName', ValueFromPipelineByPropertyName = $true)]
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
        if ($PSBoundParameters.ContainsKey('VdirNames')) {
            $PSBoundParameters['VdirNames'] = $VdirNames.ToLowerInvariant()
        }
        if ($PSBoundParameters.ContainsKey('Role')) {
            $PSBoundParameters['Role'] = $Role.ToLowerInvariant()
        }
        if ($PSCmdlet.ParameterSetName -in @('ComputerName', 'Session')) {
            Invoke-MfaRemote -Cmdlet $PSCmdlet -CommandName $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ComputerName $ComputerName -Session $Session -Credential $Credential -PathParameter @('ImagePath', 'PackagePath', 'Fleet', 'ReportPath')
            return
        }
        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{
            ReportPath                 = 'report'
            SkipComponent              = 'skip-component'
            IgnoreProduct              = 'ignore-product'
            ImagePath                 = 'host'
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
            Fleet                     = 'fleet'
        } -PathParameter @('ImagePath', 'PackagePath', 'Fleet', 'ReportPath') -Cmdlet $PSCmdlet
        Invoke-MfaCli -Command 'plan' -Arguments $cliArgs -Cmdlet $PSCmdlet
    }
}
