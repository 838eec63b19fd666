function Test-MfaUpgrade {
    <#
    .SYNOPSIS
    Checks that an upgraded MFA Server is healthy: versions, services, data file, web components, SDK URLs, HTTP answers.

    .DESCRIPTION
    Runs `mfa-upgrade verify-upgrade` and returns one MfaUpgrade.HealthCheck object per check (Id,
    Title, Status pass/warn/fail, Evidence, Remedy): the products at the target versions, MFA
    Server's services running with their start types, MFA Server in its old folder with the data
    file the backup found, the data file converted by the new version, each web component's IIS
    application with a web.config that loads and holds the carried settings, each SDK URL leading
    to the Web Service SDK, and each local component answering an HTTP(S) request (2xx, 3xx and
    401 are healthy; 404, 5xx and a refused connection are not). Nothing is changed; the HTTP
    requests go to this server's own components only.

    The checks are held to what the upgrade planned and found (its journal and backup bundle in
    -BackupPath) or, without it, to the packages' versions (-PackagePath). When a check fails,
    $LASTEXITCODE is 4 and a warning says so; the objects say which and what to do. -Summary
    returns the one MfaUpgrade.UpgradeHealth instead (ComputerName, Against, Healthy, Checks).

    .PARAMETER BackupPath
    The upgrade's folder, as given to Invoke-MfaServerUpgrade -BackupPath: its journal and
    bundle say what was planned, carried and found before the upgrade. Maps to --backup.

    .PARAMETER ImagePath
    An image host folder to check instead of this computer. Maps to --host.
    With -ComputerName or -Session: an image host folder on that server.

    .PARAMETER PackagePath
    The packages the upgrade used, for the target versions when there is no journal. Maps to
    --packages.

    .PARAMETER NoHttp
    Send no HTTP(S) request to the web components (the other checks still run). Maps to
    --no-http.

    .PARAMETER HttpTimeoutSeconds
    How long to wait for each component's answer (default 10 seconds). Maps to --http-timeout.

    .PARAMETER Summary
    Return the one MfaUpgrade.UpgradeHealth object (Healthy, the checks inside it) instead of the
    checks one by one: for scripts that only need the verdict.

    .PARAMETER ComputerName
    Servers to check through PowerShell remoting (the module is copied when missing there);
    -BackupPath and -PackagePath are paths as that server sees them.

    .PARAMETER Session
    Open PowerShell sessions to run on instead of -ComputerName.

    .PARAMETER Credential
    The account for -ComputerName.

    .PARAMETER Authentication
    The WinRM authentication for -ComputerName. CredSSP (with -Credential) lets the server reach
    a share with your credentials (the double hop); without it, a \\server\share path given to the
    server is checked from there first and refused before anything runs.

    .EXAMPLE
    PS C:\> Test-MfaUpgrade -BackupPath D:\Backups\MFA01-upgrade | Where-Object Status -ne 'pass'

    After Invoke-MfaServerUpgrade -BackupPath D:\Backups\MFA01-upgrade: lists the checks that do
    not pass on this server, with what was found and what to do.

    .EXAMPLE
    PS C:\> if (-not (Test-MfaUpgrade -BackupPath D:\Backups\MFA01-upgrade -Summary -WarningAction SilentlyContinue).healthy) { throw 'MFA01 is not healthy after the upgrade' }

    Stops a script when the upgrade is not healthy.

    .EXAMPLE
    PS C:\> Invoke-MfaServerUpgrade -ComputerName MFA02, MFA03 -PackagePath D:\MFA\8.1.1.2 -BackupPath D:\Backups\upgrade -Role subordinate -Confirm:$false | Test-MfaUpgrade -BackupPath D:\Backups\upgrade -NoHttp

    Upgrades two subordinates through remoting, then checks each (its name comes from the status
    row), without HTTP requests.

    .INPUTS
    System.String (ComputerName, ImagePath, BackupPath by property name)

    .OUTPUTS
    MfaUpgrade.HealthCheck, MfaUpgrade.UpgradeHealth (with -Summary)

    .LINK
    Invoke-MfaServerUpgrade

    .LINK
    Test-MfaUpgradeReadiness
    #>
    [CmdletBinding(DefaultParameterSetName = 'Local')]
    [OutputType('MfaUpgrade.HealthCheck', 'MfaUpgrade.UpgradeHealth')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [ValidateNotNullOrEmpty()]
        [string] $BackupPath,

        [Parameter(ParameterSetName = 'Local', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [ValidateNotNullOrEmpty()]
        [string] $ImagePath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $PackagePath,

        [Parameter()]
        [switch] $NoHttp,

        [Parameter()]
        [ValidateRange(1, 3600)]
        [int] $HttpTimeoutSeconds,

        [Parameter()]
        [switch] $Summary,

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
            Invoke-MfaRemote -Cmdlet $PSCmdlet -CommandName $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ComputerName $ComputerName -Session $Session -Credential $Credential -PathParameter @('ImagePath', 'BackupPath', 'PackagePath')
            return
        }
        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{
            ImagePath          = 'host'
            BackupPath         = 'backup'
            PackagePath        = 'packages'
            NoHttp             = 'no-http'
            HttpTimeoutSeconds = 'http-timeout'
        } -PathParameter @('ImagePath', 'BackupPath', 'PackagePath') -Cmdlet $PSCmdlet
        # verify-upgrade writes each check, then the summary holding them all: one or the other
        # goes down the pipeline, so a filter on Status sees only checks.
        $wanted = 'MfaUpgrade.HealthCheck'
        if ($Summary) {
            $wanted = 'MfaUpgrade.UpgradeHealth'
        }
        Invoke-MfaCli -Command 'verify-upgrade' -Arguments $cliArgs -Cmdlet $PSCmdlet | Where-Object { $_.PSObject.TypeNames[0] -eq $wanted }
    }
}
