function Merge-MfaWebConfig {
    <#
    .SYNOPSIS
    Carries the settings of an old web.config (User Portal, Mobile App Web Service, Web Service SDK) into the newly installed one.

    .DESCRIPTION
    Runs `mfa-upgrade merge-config`: the appSettings and applicationSettings values of the
    backed-up web.config are written into the web.config the new version installed, and the SDK
    URL is rewritten when the SDK's virtual directory was renamed; nothing else in the file
    changes (encoding, BOM, line endings, comments and attribute order are kept). The file is
    replaced atomically. Returns a MfaUpgrade.WebConfigMerge with each change and the diff
    (passwords are masked).

    It asks for confirmation showing the diff (ConfirmImpact High); -WhatIf shows the diff and
    writes nothing.

    .PARAMETER OldPath
    The backed-up web.config of the old version. Maps to --old.

    .PARAMETER NewPath
    The web.config the new version installed; it receives the values. Maps to --new.

    .PARAMETER OutPath
    Write the result here instead of over -NewPath. Maps to --out.

    .PARAMETER SdkVdir
    The Web Service SDK's virtual directory was renamed: OLD=NEW pairs, or 'default' for
    PhoneFactorWebServiceSdk=MultiFactorAuthWebServiceSdk. Maps to --sdk-vdir.

    .PARAMETER CarryRemovedKeys
    Also carry keys the new version no longer has. Maps to --carry-removed.

    .PARAMETER ImagePath
    The paths are inside this image host folder instead of this computer. Maps to --host.

    .EXAMPLE
    PS C:\> Merge-MfaWebConfig -OldPath D:\Backups\MFA01\web\UserPortal\web.config -NewPath C:\inetpub\wwwroot\MultiFactorAuth\web.config -WhatIf

    Shows the diff the merge would make to the new User Portal web.config.

    .EXAMPLE
    PS C:\> Merge-MfaWebConfig -OldPath .\old\web.config -NewPath C:\inetpub\wwwroot\MultiFactorAuth\web.config -SdkVdir default -Confirm:$false

    Carries the old settings and rewrites the SDK URL to the new default SDK virtual directory.

    .INPUTS
    None

    .OUTPUTS
    MfaUpgrade.WebConfigMerge

    .LINK
    Compare-MfaAdfsAdapterConfig
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('MfaUpgrade.WebConfigMerge')]
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
        [switch] $CarryRemovedKeys,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ImagePath
    )

    process {
        $cliArgs = ConvertTo-MfaCliArgument -BoundParameters $PSBoundParameters -Map @{
            OldPath          = 'old'
            NewPath          = 'new'
            OutPath          = 'out'
            SdkVdir          = 'sdk-vdir'
            CarryRemovedKeys = 'carry-removed'
            ImagePath        = 'host'
        } -PathParameter @('OldPath', 'NewPath', 'OutPath', 'ImagePath') -Cmdlet $PSCmdlet
        $written = $NewPath
        if ($OutPath) {
            $written = $OutPath
        }
        $text = Get-MfaShouldProcessText -Command 'merge-config' -Arguments $cliArgs -Target $written -Action "Write the settings of '$OldPath' into" -Cmdlet $PSCmdlet
        if ($null -eq $text) {
            return
        }
        if ($PSCmdlet.ShouldProcess($text.Description, $text.Question, $text.Caption)) {
            Invoke-MfaCli -Command 'merge-config' -Arguments $cliArgs -ChangesMachine -Cmdlet $PSCmdlet
        }
    }
}
