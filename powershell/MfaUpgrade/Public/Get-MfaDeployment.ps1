function Get-MfaDeployment {
    <#
    .SYNOPSIS
    Finds what of Azure MFA Server or the PhoneFactor Agent is installed on a server.

    .DESCRIPTION
    Runs `mfa-upgrade inventory` and returns one MfaUpgrade.Deployment object: the MFA Server or
    PhoneFactor Agent product and version (versions outside the known 1.x-5.x and 6.x-8.x ranges are
    reported as unknown, never guessed), its install path from both registry views, the data file
    and its size, the services and their state, every web component (User Portal, Mobile App Web
    Service, Web Service SDK) with its IIS site, virtual directory, physical path, web.config and
    the SDK URL it calls, and the AD FS adapter with its config file and AD FS registration.

    Nothing is changed. Without -ImagePath, -ComputerName or -Session, this computer is inspected
    (Windows only). The object has a ComputerName (or, for an image host, an ImagePath) property,
    so it can be piped to Export-MfaBackup, Test-MfaUpgradeReadiness and Get-MfaUpgradePlan.

    .PARAMETER ImagePath
    An image host: a folder that mirrors a Windows server (registry.reg, products.json,
    services.json, drive\C\...), such as a bundled sample or the image inside a backup bundle.
    Maps to --host.
    With -ComputerName or -Session: an image host folder on that server.

    .PARAMETER ComputerName
    Servers to inspect through PowerShell remoting, one after another. The module is copied to a
    server that lacks it. Each object comes back with the server in its ComputerName property.

    .PARAMETER Session
    Open PowerShell sessions (New-PSSession) to run on instead of -ComputerName.

    .PARAMETER Credential
    The account for -ComputerName (an administrator of those servers).

    .PARAMETER Authentication
    The WinRM authentication for -ComputerName. CredSSP (with -Credential) lets the server reach
    a share with your credentials (the double hop); without it, a \\server\share path given to the
    server is checked from there first and refused before anything runs.

    .EXAMPLE
    PS C:\> Get-MfaDeployment

    Inspects this server: the installed MFA Server or PhoneFactor Agent, data file, services, web
    components and AD FS adapter.

    .EXAMPLE
    PS C:\> Get-MfaDeployment -ImagePath C:\mfa-upgrade\examples\hosts\phonefactor-5.2 | Format-List

    Inspects an image of a server (here the bundled PhoneFactor Agent 5.2 sample) instead of a
    live machine.

    .EXAMPLE
    PS C:\> Get-MfaDeployment -ComputerName 'MFA01', 'MFA02' | Export-MfaBackup -Path { "\\backup01\mfa\$($_.ComputerName)" } -Confirm:$false

    Inspects two servers through remoting and backs each one up to a folder of its own.

    .INPUTS
    System.String (ComputerName, ImagePath by property name)

    .OUTPUTS
    MfaUpgrade.Deployment

    .LINK
    about_MfaUpgrade
    #>
    [CmdletBinding(DefaultParameterSetName = 'Local')]
    [OutputType('MfaUpgrade.Deployment')]
    param(
        [Parameter(ParameterSetName = 'Local', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [ValidateNotNullOrEmpty()]
        [string] $ImagePath,

        [Parameter(Mandatory = $true, ParameterSetName = 'ComputerName', ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
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
            Invoke-MfaRemote -Cmdlet $PSCmdlet -CommandName $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ComputerName $ComputerName -Session $Session -Credential $Credential -PathParameter @('ImagePath')
            return
        }
        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{ ImagePath = 'host' } -PathParameter @('ImagePath') -Cmdlet $PSCmdlet
        Invoke-MfaCli -Command 'inventory' -Arguments $cliArgs -Cmdlet $PSCmdlet
    }
}
