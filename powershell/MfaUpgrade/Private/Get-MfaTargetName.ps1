function Get-MfaTargetName {
    <#
    .SYNOPSIS
    The ShouldProcess target: the image host folder, or this computer's name.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowEmptyString()]
        [AllowNull()]
        [string] $ImagePath
    )

    if (-not [string]::IsNullOrEmpty($ImagePath)) {
        return "image host $ImagePath"
    }
    [System.Environment]::MachineName
}
