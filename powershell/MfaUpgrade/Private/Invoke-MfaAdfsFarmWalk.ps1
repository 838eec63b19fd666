function Invoke-MfaAdfsFarmWalk {
    <#
    .SYNOPSIS
    Invoke-MfaAdfsAdapterUpgrade over the servers of one farm: follows the report's next step.
    .DESCRIPTION
    Starts on the first server. A run that pauses names the next step: on another server, the
    walk continues there with -FromStep <that step>; by hand, it asks (ShouldContinue; with
    -Unattended it stops) and then continues on the same server from the report's resumeFrom.
    Ends when a run completes, fails, or after more runs than the farm can need.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [hashtable] $BoundParameters,

        [Parameter(Mandatory = $true)]
        [string[]] $ComputerName,

        [System.Management.Automation.PSCredential] $Credential,

        [string] $Authentication,

        [switch] $Unattended,

        [string] $Action = 'Upgrade the AD FS adapter'
    )

    $params = @{}
    foreach ($k in $BoundParameters.Keys) {
        if ($k -notin @('ComputerName', 'Session', 'Credential', 'Authentication', 'Unattended', 'WhatIf', 'Confirm')) {
            $params[$k] = $BoundParameters[$k]
        }
    }
    $node = $ComputerName[0]
    $limit = 4 * $ComputerName.Count + 4
    for ($run = 1; $run -le $limit; $run++) {
        # The rows go out as they come; the walk's own record is these rows, here on the console.
        $row = $null
        Invoke-MfaRemote -Cmdlet $Cmdlet -CommandName 'Invoke-MfaAdfsAdapterUpgrade' -BoundParameters $params -ComputerName $node -Credential $Credential -Authentication $Authentication -StatusRows -Action $Action | ForEach-Object {
            if ($_.PSObject.TypeNames[0] -eq 'MfaUpgrade.ServerStatus') {
                $row = $_
            }
            $_
        }
        if ($null -eq $row -or $WhatIfPreference) {
            return
        }
        $report = $null
        foreach ($o in @($row.Output)) {
            if ($null -ne $o -and $null -ne $o.PSObject.Properties['status']) {
                $report = $o
            }
        }
        if ([int]$row.ExitCode -ne 5 -or $null -eq $report -or $null -eq $report.next) {
            return
        }
        $next = $report.next
        if ($next.manual -eq $true) {
            if ($Unattended) {
                $Cmdlet.WriteWarning("The AD FS adapter upgrade waits for a step by hand: $($next.title). Do it, then run Invoke-MfaAdfsAdapterUpgrade -ComputerName $node -FromStep $($report.resumeFrom) with the same options.")
                return
            }
            $done = $false
            try {
                $done = $Cmdlet.ShouldContinue("$($next.title)`n`nIs it done?", "AD FS adapter upgrade: step $($next.id) by hand")
            }
            catch {
                $Cmdlet.WriteWarning("Cannot ask here: $($_.Exception.Message)")
            }
            if (-not $done -or -not $report.resumeFrom) {
                return
            }
            $params['FromStep'] = [string]$report.resumeFrom
            continue
        }
        $node = [string]$next.node
        $params['FromStep'] = [string]$next.id
    }
    $record = New-MfaErrorRecord -Code 'ADFS_WALK_LIMIT' -Message "the AD FS adapter upgrade did not complete after $limit runs across $($ComputerName -join ', ')" -Remedy 'Run Invoke-MfaAdfsAdapterUpgrade -WhatIf on one of the servers to see where the sequence stands.' -ExitCode 1603
    $Cmdlet.WriteError($record)
}
