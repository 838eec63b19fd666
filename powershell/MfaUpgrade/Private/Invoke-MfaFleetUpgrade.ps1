function Invoke-MfaFleetUpgrade {
    <#
    .SYNOPSIS
    Invoke-MfaServerUpgrade -Fleet: follows the fleet plan's actions in order.
    .DESCRIPTION
    The plan comes from Get-MfaUpgradePlan -Fleet (plan --fleet), run here. Every action's kind
    is checked before the first one runs: a kind this module does not know stops the walk with a
    terminating error (FLEET_ACTION_UNKNOWN), never runs as an upgrade. Then, by order:
      backup-master  Export-MfaBackup -ComputerName <server> -Role master -Path
                     <BackupPath>\fleet-master-backup-<yyyyMMdd-HHmmss> (one name per walk, as
                     the server sees -BackupPath);
      upgrade        Invoke-MfaServerUpgrade -ComputerName <server> (remoting) with the same
                     options and -Role from the action's role (data, never parsed from its
                     command); a web-only server's action has none;
      drain, promote, restore-traffic, and any action the plan marks manual: asks whether it is
                     done (ShouldContinue); with -Unattended the run stops before it, saying what
                     to do;
      adfs-farm      Invoke-MfaAdfsAdapterUpgrade -ComputerName <the farm's servers> when
                     -AdfsConfigPath is given, else a manual action.
    The per-server options -Role, -FleetFile, -SubordinatesUpgraded and -LoadBalanced never reach
    the servers (the cmdlet's Fleet parameter set does not take them; they are dropped here too):
    the plan gives each server its role, and its drain and restore-traffic actions stand for
    -LoadBalanced.
    Each action gives one MfaUpgrade.ServerStatus row (Order, Action, ComputerName, Status,
    ExitCode, Message). A failure stops the run with the action to start at again (-StartAt);
    under -WhatIf nothing changes, so every action is shown whatever the earlier ones gave.
    $LASTEXITCODE ends as 0, 3010 (some server needs a reboot), 5 (stopped at a manual action) or
    the failing action's code (under -WhatIf, the worst of them). The progress bar is completed on
    every way out.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $BoundParameters,

        [Parameter(Mandatory = $true)]
        [string] $Fleet,

        [int] $StartAt = 1,

        [string] $AdfsConfigPath,

        [switch] $Unattended,

        [System.Management.Automation.PSCredential] $Credential
    )

    $planKeys = @('PackagePath', 'VdirNames', 'VdirProperty', 'RemoveMobileAppWebService', 'UserCount', 'SdkVdir', 'SkipComponent', 'IgnoreProduct', 'ReportPath', 'CarryRemoved')
    $planParams = @{ Fleet = $Fleet }
    foreach ($k in $planKeys) {
        if ($BoundParameters.ContainsKey($k)) {
            $planParams[$k] = $BoundParameters[$k]
        }
    }
    $fleetPlan = $null
    foreach ($o in @(Get-MfaUpgradePlan @planParams)) {
        if ($null -eq $fleetPlan -and $o.PSObject.TypeNames[0] -eq 'MfaUpgrade.FleetPlan') {
            $fleetPlan = $o
        }
    }
    if ($null -eq $fleetPlan -or $script:LastExitCode -ne 0) {
        $Cmdlet.WriteWarning("No fleet plan from '$Fleet': nothing was done.")
        return
    }
    # Every kind is known before anything runs: a plan from a newer executable must not have its
    # first actions done and then stop half-way, nor run an action it does not know as an upgrade.
    $manualKinds = @('drain', 'promote', 'restore-traffic')
    $knownKinds = @('backup-master', 'upgrade', 'adfs-farm') + $manualKinds
    foreach ($a in @($fleetPlan.actions)) {
        $kind = [string]$a.kind
        $problem = $null
        if ($kind -notin $knownKinds) {
            $problem = "fleet action $($a.order) on $($a.server) is of kind '$kind', which this module does not know how to carry out"
        }
        elseif ($null -ne $a.role -and [string]$a.role -notin @('master', 'subordinate', 'standalone')) {
            $problem = "fleet action $($a.order) on $($a.server) gives the role '$($a.role)', which is not master, subordinate or standalone"
        }
        if ($problem) {
            $record = New-MfaErrorRecord -Code 'FLEET_ACTION_UNKNOWN' -Message "$($problem): nothing was done" -Target ([string]$a.server) -Remedy 'Use the MfaUpgrade module of the same version as the mfa-upgrade executable (Get-MfaUpgradePlan -Fleet shows the plan), or carry out the fleet plan by hand.' -ExitCode 3
            $global:LASTEXITCODE = 3
            $script:LastExitCode = 3
            $Cmdlet.ThrowTerminatingError($record)
        }
    }
    foreach ($w in @($fleetPlan.warnings)) {
        if ($w) {
            $Cmdlet.WriteWarning([string]$w)
        }
    }

    $serverParams = @{}
    foreach ($k in $BoundParameters.Keys) {
        if ($k -in @('Fleet', 'AdfsConfigPath', 'StartAt', 'Credential', 'WhatIf', 'Confirm', 'ComputerName', 'Session', 'Role', 'FleetFile', 'SubordinatesUpgraded', 'LoadBalanced')) {
            continue
        }
        $serverParams[$k] = $BoundParameters[$k]
    }
    if ($null -ne $Credential) {
        $serverParams['Credential'] = $Credential
    }
    # The master's bundle: one new folder per walk, under -BackupPath as the master sees it (a
    # Windows path, joined as Windows joins it whatever this computer is).
    $backupPath = [string]$BoundParameters['BackupPath']
    $separator = '\'
    if ($backupPath.IndexOf('\') -lt 0 -and $backupPath.IndexOf('/') -ge 0) {
        $separator = '/'
    }
    $masterBundle = $backupPath.TrimEnd('\', '/') + $separator + 'fleet-master-backup-' + (Get-Date).ToString('yyyyMMdd-HHmmss', [System.Globalization.CultureInfo]::InvariantCulture)

    $finalCode = 0
    try {
        $actions = @($fleetPlan.actions | Sort-Object -Property { [int]$_.order })
        $total = $actions.Count
        foreach ($a in $actions) {
            $order = [int]$a.order
            if ($order -lt $StartAt) {
                continue
            }
            $title = [string]$a.title
            $Cmdlet.WriteProgress((New-Object -TypeName 'System.Management.Automation.ProgressRecord' -ArgumentList 0, 'MFA Server fleet upgrade', "$order of $($total): $title"))
            $kind = [string]$a.kind
            if ($kind -eq 'adfs-farm' -and -not $AdfsConfigPath) {
                $title = "$($title): run Invoke-MfaAdfsAdapterUpgrade -ComputerName $(@($a.farmServers) -join ', ') -FarmName $($a.server) -ConfigPath <the new adapter config>, or give -AdfsConfigPath"
            }
            $manual = ($a.manual -eq $true) -or ($kind -in $manualKinds) -or ($kind -eq 'adfs-farm' -and -not $AdfsConfigPath)

            if ($manual) {
                if ($WhatIfPreference) {
                    $Cmdlet.ShouldProcess([string]$a.server, "Manual action $order of $($total): $title") | Out-Null
                    continue
                }
                if ($Unattended) {
                    New-MfaServerStatus -ComputerName ([string]$a.server) -Command 'manual' -ExitCode 5 -Status 'ManualStepRequired' -Message $title -Order $order -Action $kind
                    $Cmdlet.WriteWarning("Stopped before manual action $order of $($total) ($($a.server)): $title. Do it, then run Invoke-MfaServerUpgrade -Fleet '$Fleet' -StartAt $($order + 1) with the same options.")
                    $global:LASTEXITCODE = 5
                    $script:LastExitCode = 5
                    return
                }
                $done = $false
                try {
                    $done = $Cmdlet.ShouldContinue("$title`n`nIs it done?", "Fleet action $order of $($total) on $($a.server): by hand")
                }
                catch {
                    $Cmdlet.WriteWarning("Cannot ask here: $($_.Exception.Message)")
                }
                if (-not $done) {
                    New-MfaServerStatus -ComputerName ([string]$a.server) -Command 'manual' -ExitCode 5 -Status 'Stopped' -Message "Not confirmed: $title. Run again with -StartAt $order." -Order $order -Action $kind
                    $global:LASTEXITCODE = 5
                    $script:LastExitCode = 5
                    return
                }
                New-MfaServerStatus -ComputerName ([string]$a.server) -Command 'manual' -ExitCode 0 -Status 'Done' -Message $title -Order $order -Action $kind
                continue
            }

            # What runs, as the question (and -WhatIf) shows it.
            $how = ''
            switch ($kind) {
                'backup-master' { $how = "Export-MfaBackup -ComputerName $($a.server) -Role master -Path '$masterBundle'" }
                'upgrade' {
                    $how = "Invoke-MfaServerUpgrade -ComputerName $($a.server)"
                    if ($null -ne $a.role -and [string]$a.role) {
                        $how += " -Role $($a.role)"
                    }
                }
                'adfs-farm' { $how = "Invoke-MfaAdfsAdapterUpgrade -ComputerName $(@($a.farmServers) -join ', ') -FarmName $($a.server)" }
            }
            $text = "Fleet action $order of $($total): $title ($how)"
            if ($WhatIfPreference) {
                $Cmdlet.ShouldProcess([string]$a.server, $text) | Out-Null
            }
            elseif (-not $Cmdlet.ShouldProcess([string]$a.server, $text)) {
                New-MfaServerStatus -ComputerName ([string]$a.server) -Command $kind -ExitCode 5 -Status 'Stopped' -Message "Not confirmed. Run again with -StartAt $order." -Order $order -Action $kind
                $global:LASTEXITCODE = 5
                $script:LastExitCode = 5
                return
            }
            $common = @{}
            if ($WhatIfPreference) {
                $common['WhatIf'] = $true
            }
            else {
                $common['Confirm'] = $false
            }
            $worst = 0
            $rowsOf = {
                if ($kind -eq 'adfs-farm') {
                    $farmParams = @{ ComputerName = @($a.farmServers); FarmName = [string]$a.server; ConfigPath = $AdfsConfigPath; Unattended = [bool]$Unattended }
                    if ($null -ne $Credential) {
                        $farmParams['Credential'] = $Credential
                    }
                    if ($BoundParameters.ContainsKey('Authentication')) {
                        $farmParams['Authentication'] = $BoundParameters['Authentication']
                    }
                    Invoke-MfaAdfsAdapterUpgrade @farmParams @common
                }
                elseif ($kind -eq 'backup-master') {
                    $backupParams = @{ ComputerName = [string]$a.server; Role = 'master'; Path = $masterBundle }
                    if ($null -ne $Credential) {
                        $backupParams['Credential'] = $Credential
                    }
                    if ($BoundParameters.ContainsKey('Authentication')) {
                        $backupParams['Authentication'] = $BoundParameters['Authentication']
                    }
                    Export-MfaBackup @backupParams @common
                }
                elseif ($kind -eq 'upgrade') {
                    $roleParams = @{}
                    if ($null -ne $a.role -and [string]$a.role) {
                        $roleParams['Role'] = [string]$a.role
                    }
                    Invoke-MfaServerUpgrade -ComputerName ([string]$a.server) @serverParams @roleParams @common
                }
                else {
                    # Unreachable: every kind was checked before the walk began.
                    throw "fleet action kind '$kind' has no handler"
                }
            }
            # Each row goes out as it comes (a later stop of the pipeline loses none).
            & $rowsOf | ForEach-Object {
                if ($_.PSObject.TypeNames[0] -eq 'MfaUpgrade.ServerStatus') {
                    $_.Order = $order
                    $_.Action = $kind
                    $code = 0
                    if ($null -ne $_.ExitCode) {
                        $code = [int]$_.ExitCode
                    }
                    if ($code -eq 3010) {
                        $finalCode = Get-MfaWorstExitCode -ExitCode @($finalCode, 3010)
                    }
                    elseif ($code -ne 0) {
                        $worst = Get-MfaWorstExitCode -ExitCode @($worst, $code)
                    }
                }
                $_
            }
            if ($worst -ne 0 -and $WhatIfPreference) {
                # Nothing was changed: show the rest of the walk too.
                $finalCode = Get-MfaWorstExitCode -ExitCode @($finalCode, $worst)
                continue
            }
            if ($worst -ne 0) {
                $record = New-MfaErrorRecord -Code 'FLEET_STOPPED' -Message "fleet action $order ($title) ended with exit code $($worst): $(Get-MfaExitCodeMeaning -ExitCode $worst); the later actions were not started" -Target ([string]$a.server) -Remedy "Fix the cause on $($a.server) (Invoke-MfaServerUpgrade -Resume or -Rollback there), then run Invoke-MfaServerUpgrade -Fleet '$Fleet' -StartAt $order with the same options." -ExitCode $worst
                $Cmdlet.WriteError($record)
                $global:LASTEXITCODE = $worst
                $script:LastExitCode = $worst
                return
            }
            if ($finalCode -eq 3010) {
                $Cmdlet.WriteWarning("$($a.server) needs a reboot to complete its upgrade: restart it before putting it back into service.")
            }
        }
    }
    finally {
        $done = New-Object -TypeName 'System.Management.Automation.ProgressRecord' -ArgumentList 0, 'MFA Server fleet upgrade', 'Done'
        $done.RecordType = [System.Management.Automation.ProgressRecordType]::Completed
        try {
            $Cmdlet.WriteProgress($done)
        }
        catch {
            Write-Debug -Message 'progress could not be completed (pipeline stopped)'
        }
    }
    $global:LASTEXITCODE = $finalCode
    $script:LastExitCode = $finalCode
}
