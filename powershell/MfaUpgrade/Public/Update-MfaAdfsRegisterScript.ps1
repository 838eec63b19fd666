function Update-MfaAdfsRegisterScript {
    <#
    .SYNOPSIS
    Adds -ConfigurationFilePath to the Register-AdfsAuthenticationProvider call of the AD FS adapter register script.

    .DESCRIPTION
    Runs `mfa-upgrade patch-register-script` on Register-MultiFactorAuthenticationAdfsAdapter.ps1
    (or a copy): the script's Register-AdfsAuthenticationProvider command gets
    -ConfigurationFilePath <path> (an existing value is replaced), found with a real PowerShell
    parser; nothing else in the script changes. Returns a MfaUpgrade.RegisterScriptPatch with the
    diff. It asks for confirmation showing the diff (ConfirmImpact High); -WhatIf writes nothing.

    .PARAMETER Path
    The register script. Maps to --script.

    .PARAMETER ConfigurationFilePath
    The adapter config path the registration should read, as the AD FS server sees it. Maps to
    --config-path.

    .PARAMETER OutPath
    Write the patched script here instead of over -Path. Maps to --out.

    .PARAMETER ImagePath
    The paths are inside this image host folder instead of this computer. Maps to --host.

    .EXAMPLE
    PS C:\> Update-MfaAdfsRegisterScript -Path 'C:\Program Files\Multi-Factor Authentication Server\Register-MultiFactorAuthenticationAdfsAdapter.ps1' -ConfigurationFilePath 'C:\Program Files\Multi-Factor Authentication Server\MultiFactorAuthenticationAdfsAdapter.config' -WhatIf

    Shows the change to the register script; writes nothing.

    .EXAMPLE
    PS C:\> Update-MfaAdfsRegisterScript -Path .\Register-MultiFactorAuthenticationAdfsAdapter.ps1 -ConfigurationFilePath 'C:\Program Files\Multi-Factor Authentication Server\MultiFactorAuthenticationAdfsAdapter.config' -OutPath .\Register-Patched.ps1 -Confirm:$false

    Writes a patched copy beside the original.

    .INPUTS
    None

    .OUTPUTS
    MfaUpgrade.RegisterScriptPatch

    .LINK
    Invoke-MfaAdfsAdapterUpgrade
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('MfaUpgrade.RegisterScriptPatch')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [Alias('ScriptPath')]
        [ValidateNotNullOrEmpty()]
        [string] $Path,

        [Parameter(Mandatory = $true, Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string] $ConfigurationFilePath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $OutPath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ImagePath
    )

    process {
        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{ Path = 'script'; ConfigurationFilePath = 'config-path'; OutPath = 'out'; ImagePath = 'host' } -PathParameter @('Path', 'OutPath', 'ImagePath') -Cmdlet $PSCmdlet
        $written = $Path
        if ($OutPath) {
            $written = $OutPath
        }
        $text = Get-MfaShouldProcessText -Command 'patch-register-script' -Arguments $cliArgs -Target $written -Action "Add -ConfigurationFilePath '$ConfigurationFilePath' to the register script" -Cmdlet $PSCmdlet
        if ($null -eq $text) {
            return
        }
        if ($PSCmdlet.ShouldProcess($text.Description, $text.Question, $text.Caption)) {
            Invoke-MfaCli -Command 'patch-register-script' -Arguments $cliArgs -ChangesMachine -Cmdlet $PSCmdlet
        }
    }
}
