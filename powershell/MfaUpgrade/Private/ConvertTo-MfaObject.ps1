function ConvertTo-MfaObject {
    <#
    .SYNOPSIS
    Gives an object event's data its type name (first in PSTypeNames, for the format file) and
    the properties the pipeline binds by name.
    .DESCRIPTION
    MfaUpgrade.Deployment: ComputerName (a live machine) or ImagePath (an image host folder), so
      Get-MfaDeployment | Export-MfaBackup ... acts on the machine (or image) it describes.
    MfaUpgrade.BackupBundle, MfaUpgrade.BackupVerification: Path (the bundle folder), so
      Export-MfaBackup ... | Test-MfaBackup verifies the bundle just written.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $TypeName,

        [AllowNull()]
        [object] $Data
    )

    if ($Data -isnot [System.Management.Automation.PSObject] -or $Data -is [string] -or $Data -is [System.ValueType]) {
        $Data = [pscustomobject]@{ Value = $Data }
    }
    if ($TypeName) {
        $Data.PSObject.TypeNames.Insert(0, $TypeName)
    }
    switch ($TypeName) {
        'MfaUpgrade.Deployment' {
            $hostInfo = $Data.PSObject.Properties['host']
            if ($null -ne $hostInfo -and $null -ne $hostInfo.Value) {
                if ([string]$hostInfo.Value.kind -eq 'image') {
                    Add-Member -InputObject $Data -MemberType NoteProperty -Name 'ImagePath' -Value ([string]$hostInfo.Value.location) -Force
                }
                else {
                    Add-Member -InputObject $Data -MemberType NoteProperty -Name 'ComputerName' -Value ([string]$hostInfo.Value.computerName) -Force
                }
            }
        }
        { $_ -in @('MfaUpgrade.BackupBundle', 'MfaUpgrade.BackupVerification') } {
            if ($null -ne $Data.PSObject.Properties['bundle']) {
                Add-Member -InputObject $Data -MemberType NoteProperty -Name 'Path' -Value ([string]$Data.bundle) -Force
            }
        }
    }
    $Data
}
