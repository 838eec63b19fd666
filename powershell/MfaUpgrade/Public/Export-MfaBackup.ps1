function Export-MfaBackup {
    <#
    .SYNOPSIS
    Backs up an MFA Server (data file, web.configs, themes, AD FS adapter config, registry) into a verified bundle.

    .DESCRIPTION
    Runs `mfa-upgrade backup`: the data file is copied with the MFA Server service stopped (and
    started again at once), with every web component's web.config, the custom User Portal themes,
    the AD FS adapter config, the PhoneFactor registry key, the cached installer packages and an
    image of the machine (so an upgrade can be rehearsed off the server). The bundle is written as
    <Path>.partial, re-read and verified, then renamed to -Path; it is readable by administrators
    only and encrypted when -PassphraseFile is given. Returns a MfaUpgrade.BackupBundle.

    It stops a service for the copy, so it asks for confirmation (ConfirmImpact High); -WhatIf
    lists the files it would take. Use -Confirm:$false in scripts.

    .PARAMETER Path
    The bundle folder to create; it must not exist. Maps to --out. With several servers in the
    pipeline, give a script block: -Path { "\\backup01\mfa\$($_.ComputerName)" }.

    .PARAMETER ImagePath
    Back up an image host folder instead of this computer. Maps to --host.
    With -ComputerName or -Session: an image host folder on that server.

    .PARAMETER PassphraseFile
    A file whose first line is the passphrase: the bundle is encrypted (AES-256-GCM, key from
    scrypt). A passphrase is never taken on the command line. Maps to --passphrase-file.

    .PARAMETER Role
    This server's role in its replication group (Windows does not record it in a documented
    place): master (the writable data file: back it up before any server of the group is
    upgraded), subordinate (a read-only replica) or standalone (a server without others). It is
    recorded in the bundle. Maps to --role.

    .PARAMETER ComputerName
    Servers to back up through PowerShell remoting; -Path is a path as that server sees it. One
    MfaUpgrade.ServerStatus row per server.

    .PARAMETER Session
    Open PowerShell sessions to run on instead of -ComputerName.

    .PARAMETER Credential
    The account for -ComputerName.

    .PARAMETER Authentication
    The WinRM authentication for -ComputerName. CredSSP (with -Credential) lets the server reach
    a share with your credentials (the double hop); without it, a \\server\share path given to the
    server is checked from there first and refused before anything runs.

    .PARAMETER Destination
    With -ComputerName or -Session: also copy each server's bundle to <Destination>\<server> on
    this computer (Copy-Item -FromSession), verified here. Without CredSSP, a -Path on a share
    (\\server\share\...) is done this way by itself: the bundle is written on the server in a
    temporary folder, pulled to -Path from here, verified, and removed from the server.

    .EXAMPLE
    PS C:\> Export-MfaBackup -Path D:\Backups\MFA01-before-8.1

    Backs up this server after asking for confirmation.

    .EXAMPLE
    PS C:\> Export-MfaBackup -Path D:\Backups\MFA01 -PassphraseFile D:\secure\passphrase.txt -Role master -Confirm:$false | Test-MfaBackup -PassphraseFile D:\secure\passphrase.txt

    Takes an encrypted backup without a prompt and verifies it again.

    .EXAMPLE
    PS C:\> Export-MfaBackup -Path D:\Backups\MFA01 -WhatIf

    Lists the files a backup would take and the services it would stop; changes nothing.

    .INPUTS
    MfaUpgrade.Deployment (ComputerName or ImagePath by property name)

    .OUTPUTS
    MfaUpgrade.BackupBundle, MfaUpgrade.ServerStatus (with -ComputerName or -Session)

    .LINK
    Test-MfaBackup
    #>
    [CmdletBinding(DefaultParameterSetName = 'Local', SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('MfaUpgrade.BackupBundle', 'MfaUpgrade.ServerStatus')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('OutPath')]
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [Parameter(ParameterSetName = 'Local', ValueFromPipelineByPropertyName = $true)]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [ValidateNotNullOrEmpty()]
        [string] $ImagePath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $PassphraseFile,

        [Parameter()]
        [ValidateSet('master', 'subordinate', 'standalone')]
        [string] $Role,

        [Parameter(Mandatory = $true, ParameterSetName = 'ComputerName', ValueFromPipelineByPropertyName = $true)]
        [Alias('CN')]
        [ValidateNotNullOrEmpty()]
        [string[]] $ComputerName,

        [Parameter(Mandatory = $true, ParameterSetName = 'Session')]
        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [Parameter(ParameterSetName = 'ComputerName')]
        [System.Management.Automation.PSCredential] $Credential,

        [Parameter(ParameterSetName = 'ComputerName')]
        [System.Management.Automation.Runspaces.AuthenticationMechanism] $Authentication,

        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [ValidateNotNullOrEmpty()]
        [string] $Destination
    )

    process {
        if ($PSBoundParameters.ContainsKey('Role')) {
            $PSBoundParameters['Role'] = $Role.ToLowerInvariant()
        }
        if ($PSCmdlet.ParameterSetName -ne 'Local') {
            Invoke-MfaRemote -Cmdlet $PSCmdlet -CommandName $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ComputerName $ComputerName -Session $Session -Credential $Credential -StatusRows -Action "Back up MFA Server to '$Path'" -PathParameter @('Path', 'ImagePath', 'PassphraseFile') -PullParameter 'Path'
            return
        }
        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{ Path = 'out'; ImagePath = 'host'; PassphraseFile = 'passphrase-file'; Role = 'role' } -PathParameter @('Path', 'ImagePath', 'PassphraseFile') -Cmdlet $PSCmdlet
        $target = Get-MfaTargetName -ImagePath $ImagePath
        $text = Get-MfaShouldProcessText -Command 'backup' -Arguments $cliArgs -Target $target -Action "Back up MFA Server to '$Path' (the MFA Server service is stopped while the data file is copied)" -Cmdlet $PSCmdlet
        if ($null -eq $text) {
            return
        }
        if ($PSCmdlet.ShouldProcess($text.Description, $text.Question, $text.Caption)) {
            Invoke-MfaCli -Command 'backup' -Arguments $cliArgs -ChangesMachine -Cmdlet $PSCmdlet
        }
    }
}
