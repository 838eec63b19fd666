function Restore-MfaBackup {
    <#
    .SYNOPSIS
    Restores the MFA Server data file (and, when asked, web.configs and themes) from a verified backup bundle.

    .DESCRIPTION
    Runs `mfa-upgrade restore`: the bundle is verified first; then the MFA Server service is
    stopped, the data file replaced atomically and the service started again. With -Include Web
    the web components' web.config files are restored too, with -Include Themes the User Portal
    themes. The files it replaces are kept aside (-UndoPath, default beside the bundle). Returns
    a MfaUpgrade.RestoreResult; -WhatIf lists what it would do (from a MfaUpgrade.RestorePlan).

    It asks for confirmation (ConfirmImpact High); use -Confirm:$false in scripts.

    .PARAMETER Path
    The bundle folder. The command's <bundle> argument.

    .PARAMETER ImagePath
    Restore into an image host folder instead of this computer. Maps to --host.
    With -ComputerName or -Session: an image host folder on that server.

    .PARAMETER Include
    Also restore Web (the web components' web.config files) and/or Themes (the portal themes).
    Maps to --include.

    .PARAMETER PassphraseFile
    The passphrase file of an encrypted bundle. Maps to --passphrase-file.

    .PARAMETER ExpectDigest
    The digest Export-MfaBackup printed (the Digest property of its object): a bundle whose
    manifest has another digest (changed or swapped) is refused. An unencrypted bundle is
    authenticated only this way. Maps to --expect-digest.

    .PARAMETER UndoPath
    Where the files the restore replaces are kept (default: beside the bundle). Maps to --undo-dir.

    .PARAMETER ComputerName
    Servers to restore through PowerShell remoting (-Path as that server sees it). One
    MfaUpgrade.ServerStatus row per server.

    .PARAMETER Session
    Open PowerShell sessions to run on instead of -ComputerName.

    .PARAMETER Credential
    The account for -ComputerName.

    .PARAMETER Authentication
    The WinRM authentication for -ComputerName. CredSSP (with -Credential) lets the server reach
    a share with your credentials (the double hop); without it, a \\server\share path given to the
    server is checked from there first and refused before anything runs.

    .EXAMPLE
    PS C:\> Restore-MfaBackup -Path D:\Backups\MFA01-before-8.1 -WhatIf

    Shows what a restore would replace; changes nothing.

    .EXAMPLE
    PS C:\> Restore-MfaBackup -Path D:\Backups\MFA01-before-8.1 -Include Web, Themes -Confirm:$false

    Restores the data file, every web.config and the portal themes without a prompt.

    .INPUTS
    System.String (Path, also by the property names Bundle and FullName)

    .OUTPUTS
    MfaUpgrade.RestoreResult, MfaUpgrade.ServerStatus (with -ComputerName or -Session)

    .LINK
    Export-MfaBackup
    #>
    [CmdletBinding(DefaultParameterSetName = 'Local', SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('MfaUpgrade.RestoreResult', 'MfaUpgrade.ServerStatus')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Bundle', 'FullName')]
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [Parameter(ParameterSetName = 'Local')]
        [Parameter(ParameterSetName = 'ComputerName')]
        [Parameter(ParameterSetName = 'Session')]
        [ValidateNotNullOrEmpty()]
        [string] $ImagePath,

        [Parameter()]
        [ValidateSet('web', 'themes')]
        [string[]] $Include,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $PassphraseFile,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Digest')]
        [ValidateNotNullOrEmpty()]
        [string] $ExpectDigest,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $UndoPath,

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
        if ($PSBoundParameters.ContainsKey('Include')) {
            $PSBoundParameters['Include'] = @($Include | ForEach-Object { $_.ToLowerInvariant() })
        }
        if ($PSCmdlet.ParameterSetName -ne 'Local') {
            Invoke-MfaRemote -Cmdlet $PSCmdlet -CommandName $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ComputerName $ComputerName -Session $Session -Credential $Credential -StatusRows -Action "Restore MFA Server from '$Path'" -PathParameter @('Path', 'ImagePath', 'PassphraseFile', 'UndoPath')
            return
        }
        $Path = Resolve-MfaPath -Path $Path -Cmdlet $PSCmdlet -ParameterName 'Path'
        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{ ImagePath = 'host'; Include = 'include'; PassphraseFile = 'passphrase-file'; ExpectDigest = 'expect-digest'; UndoPath = 'undo-dir' } -PathParameter @('ImagePath', 'PassphraseFile', 'UndoPath') -Cmdlet $PSCmdlet
        $target = Get-MfaTargetName -ImagePath $ImagePath
        $text = Get-MfaShouldProcessText -Command 'restore' -Arguments $cliArgs -Positional $Path -Target $target -Action "Restore from '$Path' (the MFA Server service is stopped while the data file is replaced)" -Cmdlet $PSCmdlet
        if ($null -eq $text) {
            return
        }
        if ($PSCmdlet.ShouldProcess($text.Description, $text.Question, $text.Caption)) {
            Invoke-MfaCli -Command 'restore' -Arguments $cliArgs -Positional $Path -ChangesMachine -Cmdlet $PSCmdlet
        }
    }
}
