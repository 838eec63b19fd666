function Compare-MfaAdfsAdapterConfig {
    <#
    .SYNOPSIS
    Compares an old MFA Server AD FS adapter config with the new one, and with -OutPath writes the new one with the old values carried over.

    .DESCRIPTION
    Runs `mfa-upgrade compare-adfs-config` on MultiFactorAuthenticationAdfsAdapter.config: the
    old file (or the file Export-AdfsAuthenticationProviderConfigurationData wrote) against the
    config the new version ships. Returns a MfaUpgrade.AdfsAdapterConfigComparison with every
    setting that differs (secrets masked). Without -OutPath nothing is written; with -OutPath it
    asks for confirmation showing the diff (ConfirmImpact High) and writes the carried-over config.

    .PARAMETER OldPath
    The old adapter config, or an AD FS configuration export. Maps to --old.

    .PARAMETER NewPath
    The adapter config the new version ships. Maps to --new.

    .PARAMETER OutPath
    Write the carried-over config here (may be -NewPath). Maps to --out.

    .PARAMETER SdkVdir
    The Web Service SDK's virtual directory was renamed: OLD=NEW pairs, or 'default'; rewrites
    WebServiceSdkUrl. Maps to --sdk-vdir.

    .PARAMETER ImagePath
    The paths are inside this image host folder instead of this computer. Maps to --host.

    .EXAMPLE
    PS C:\> Compare-MfaAdfsAdapterConfig -OldPath D:\Backups\ADFS01\MultiFactorAuthenticationAdfsAdapter.config -NewPath 'C:\Program Files\Multi-Factor Authentication Server\MultiFactorAuthenticationAdfsAdapter.config'

    Lists the settings that differ; writes nothing.

    .EXAMPLE
    PS C:\> Compare-MfaAdfsAdapterConfig -OldPath .\old.config -NewPath .\new.config -OutPath .\new.config -Confirm:$false

    Writes the old settings into the new config.

    .INPUTS
    None

    .OUTPUTS
    MfaUpgrade.AdfsAdapterConfigComparison

    .LINK
    Invoke-MfaAdfsAdapterUpgrade
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('MfaUpgrade.AdfsAdapterConfigComparison')]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $OldPath,

        [Parameter(Mandatory = $true, Position = 1)]
        [ValidateNotNullOrEmpty()]
        [string] $NewPath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $OutPath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string[]] $SdkVdir,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ImagePath
    )

    process {
        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{ OldPath = 'old'; NewPath = 'new'; OutPath = 'out'; SdkVdir = 'sdk-vdir'; ImagePath = 'host' } -PathParameter @('OldPath', 'NewPath', 'OutPath', 'ImagePath') -Cmdlet $PSCmdlet
        if (-not $OutPath) {
            # A comparison only: nothing is written, nothing to confirm.
            Invoke-MfaCli -Command 'compare-adfs-config' -Arguments $cliArgs -Cmdlet $PSCmdlet
            return
        }
        $text = Get-MfaShouldProcessText -Command 'compare-adfs-config' -Arguments $cliArgs -Target $OutPath -Action "Write the adapter config with the settings of '$OldPath' to" -Cmdlet $PSCmdlet
        if ($null -eq $text) {
            return
        }
        if ($PSCmdlet.ShouldProcess($text.Description, $text.Question, $text.Caption)) {
            Invoke-MfaCli -Command 'compare-adfs-config' -Arguments $cliArgs -ChangesMachine -Cmdlet $PSCmdlet
        }
    }
}
