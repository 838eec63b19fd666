function Test-MfaBackup {
    <#
    .SYNOPSIS
    Verifies a backup bundle: every file re-read and re-hashed against its sealed manifest.

    .DESCRIPTION
    Runs `mfa-upgrade verify-backup`. Returns a MfaUpgrade.BackupVerification (Ok, Files, Bytes,
    Problems, NotTaken); each missing, extra or altered file is also written as an error, and
    $LASTEXITCODE is 4 when there is any. An encrypted bundle needs -PassphraseFile to be
    authenticated. Nothing is changed.

    .PARAMETER Path
    The bundle folder. Accepts the output of Export-MfaBackup from the pipeline. The command's
    <bundle> argument.

    .PARAMETER PassphraseFile
    The passphrase file of an encrypted bundle. Maps to --passphrase-file.

    .PARAMETER ExpectDigest
    The digest Export-MfaBackup printed (the Digest property of its object): a bundle whose
    manifest has another digest (changed or swapped) is refused. An unencrypted bundle is
    authenticated only this way. Maps to --expect-digest.

    .PARAMETER ComputerName
    Verify a bundle on other servers through PowerShell remoting (-Path as that server sees it).

    .PARAMETER Session
    Open PowerShell sessions to run on instead of -ComputerName.

    .PARAMETER Credential
    The account for -ComputerName.

    .PARAMETER Authentication
    The WinRM authentication for -ComputerName. CredSSP (with -Credential) lets the server reach
    a share with your credentials (the double hop); without it, a \\server\share path given to the
    server is checked from there first and refused before anything runs.

    .EXAMPLE
    PS C:\> Test-MfaBackup -Path D:\Backups\MFA01-before-8.1

    Verifies the bundle; Ok is True when every file is as it was written.

    .EXAMPLE
    PS C:\> Get-ChildItem D:\Backups -Directory | Test-MfaBackup | Where-Object { -not $_.ok }

    Verifies every bundle in D:\Backups and shows the ones with problems.

    .INPUTS
    System.String (Path, also by the property names Bundle and FullName)

    .OUTPUTS
    MfaUpgrade.BackupVerification

    .LINK
    Export-MfaBackup
    #>
    [CmdletBinding(DefaultParameterSetName = 'Local')]
    [OutputType('MfaUpgrade.BackupVerification')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Bundle', 'FullName')]
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $PassphraseFile,

        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('Digest')]
        [ValidateNotNullOrEmpty()]
        [string] $ExpectDigest,

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
        if ($PSCmdlet.ParameterSetName -ne 'Local') {
            Invoke-MfaRemote -Cmdlet $PSCmdlet -CommandName $MyInvocation.MyCommand.Name -BoundParameters $PSBoundParameters -ComputerName $ComputerName -Session $Session -Credential $Credential -PathParameter @('Path', 'PassphraseFile')
            return
        }
        $Path = Resolve-MfaPath -Path $Path -Cmdlet $PSCmdlet -ParameterName 'Path'
        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{ PassphraseFile = 'passphrase-file'; ExpectDigest = 'expect-digest' } -PathParameter @('PassphraseFile') -Cmdlet $PSCmdlet
        Invoke-MfaCli -Command 'verify-backup' -Arguments $cliArgs -Positional $Path -Cmdlet $PSCmdlet
    }
}
