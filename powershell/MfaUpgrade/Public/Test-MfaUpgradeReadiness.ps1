function Test-MfaUpgradeReadiness {
    <#
    .SYNOPSIS
    Checks the prerequisites of an MFA Server upgrade on a server.

    .DESCRIPTION
    Runs `mfa-upgrade check` and returns one MfaUpgrade.ReadinessCheck object per check (Id,
    Title, Status pass/warn/fail, Evidence, Remedy): .NET Framework, the Visual C++ 2015 Update 1
    or later runtimes (x86 and x64), IIS and its features for the web components, memory for the
    number of users, free disk, a pending reboot, another installation in progress, elevation and
    outbound HTTPS. Nothing is changed.

    When a check fails, $LASTEXITCODE is 7 and a warning says so; the objects say which and what to
    do.

    .PARAMETER ImagePath
    An image host folder to check instead of this computer. Maps to --host.
    With -ComputerName or -Session: an image host folder on that server.

    .PARAMETER PackagePath
    The folder with the new installers: their version decides what is required. Maps to --packages.

    .PARAMETER UserCount
    The number of regularly authenticating users, to check memory against the sizing table. Maps
    to --users.

    .PARAMETER ComputerName
    Servers to check through PowerShell remoting (the module is copied when missing there).

    .PARAMETER Session
    Open PowerShell sessions to run on instead of -ComputerName.

    .PARAMETER Credential
    The account for -ComputerName.

    .PARAMETER Authentication
    The WinRM authentication for -ComputerName. CredSSP (with -Credential) lets the server reach
    a share with your credentials (the double hop); without it, a \\server\share path given to the
    server is checked from there first and refused before anything runs.

    .EXAMPLE
    PS C:\> Test-MfaUpgradeReadiness -PackagePath D:\MFA\8.1.1.2 -UserCount 5000 | Where-Object Status -ne 'pass'

    Lists the checks that do not pass on this server, with what to do about each.

    .EXAMPLE
    PS C:\> Get-MfaDeployment -ComputerName 'MFA01', 'MFA02' | Test-MfaUpgradeReadiness -PackagePath D:\MFA\8.1.1.2

    Checks two servers through remoting; each check carries the server's name in ComputerName.

    .INPUTS
    System.String (ComputerName, ImagePath by property name)

    .OUTPUTS
    MfaUpgrade.ReadinessCheck

    .LINK
    Get-MfaUpgradePlan
    #>
    [CmdletBinding(DefaultParameterSetName = 'Local')]
    [OutputType('MfaUpgrade.ReadinessCheck')]
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
        [ValidateRange(1, 10000000)]
        [int] $UserCount,

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
        if ($PSCmdlet.ParameterSetName -ne 'Local') {
            Invoke-MfaRemote -Cmdlet $PSCmdlet -CommandName $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ComputerName $ComputerName -Session $Session -Credential $Credential -PathParameter @('ImagePath', 'PackagePath')
            return
        }
        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{ ImagePath = 'host'; PackagePath = 'packages'; UserCount = 'users' } -PathParameter @('ImagePath', 'PackagePath') -Cmdlet $PSCmdlet
        Invoke-MfaCli -Command 'check' -Arguments $cliArgs -Cmdlet $PSCmdlet
    }
}
