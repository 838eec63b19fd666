function Get-MfaShouldProcessText {
    <#
    .SYNOPSIS
    The ShouldProcess texts of a changing cmdlet, from the plan the command's --what-if run returns.
    .DESCRIPTION
    DESIGN.md: the cmdlet decides ShouldProcess from the plan that --what-if returns, then runs the
    command. The --what-if run happens only when something will show it (-WhatIf, or a
    confirmation prompt: $ConfirmPreference is not None, which with ConfirmImpact High is the
    default); with -Confirm:$false (SCCM, GPO) the command runs once.
    Returns $null when the --what-if run failed: its errors are written and nothing must run.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Command,

        [System.Collections.IDictionary] $Arguments,

        [string[]] $Positional,

        [Parameter(Mandatory = $true)]
        [string] $Target,

        [Parameter(Mandatory = $true)]
        [string] $Action,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    $text = [pscustomobject]@{
        Description = "$Action on '$Target'."
        Question    = "$Action on '$Target'?"
        Caption     = "mfa-upgrade $Command"
        Plan        = @()
    }
    $whatIf = [bool]$WhatIfPreference
    $confirm = ([string]$ConfirmPreference -ne 'None')
    if (-not $whatIf -and -not $confirm) {
        return $text
    }
    $plan = @(Invoke-MfaCli -Command $Command -Arguments $Arguments -Positional $Positional -WhatIfRun -Cmdlet $Cmdlet)
    if ($script:LastExitCode -ne 0) {
        # A blocked plan says why: each blocker as a warning (the plan object is not run).
        foreach ($o in $plan) {
            $blockers = $o.PSObject.Properties['blockers']
            if ($null -eq $blockers) {
                continue
            }
            foreach ($b in @($blockers.Value)) {
                if ($null -ne $b) {
                    $Cmdlet.WriteWarning("Blocked: $($b.message) What to do: $($b.remedy)")
                }
            }
        }
        return $null
    }
    $details = Format-MfaWhatIf -InputObject $plan
    $text.Plan = $plan
    if ($details) {
        $text.Description = "$Action on '$Target':`n$details"
        $text.Question = "$details`n`n$Action on '$Target'?"
    }
    $text
}

function Format-MfaWhatIf {
    <#
    .SYNOPSIS
    Text for the objects a --what-if run returned: the steps of a plan, the files of a backup,
    the diff of a config change; any other object as a list.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowNull()]
        [AllowEmptyCollection()]
        [object[]] $InputObject
    )

    $lines = New-Object -TypeName 'System.Collections.Generic.List[string]'
    foreach ($o in @($InputObject)) {
        if ($null -eq $o) {
            continue
        }
        $type = [string]$o.PSObject.TypeNames[0]
        switch ($type) {
            'MfaUpgrade.UpgradePlan' {
                $lines.Add("Upgrade $($o.from.name) $($o.from.version) to $($o.to.name) $($o.to.version) on $($o.computerName) ($($o.path)):")
                foreach ($s in @($o.steps)) {
                    $lines.Add("  $($s.id)  $($s.title)")
                }
                foreach ($b in @($o.blockers)) {
                    if ($null -ne $b) {
                        $lines.Add("  BLOCKED: $($b.message)")
                    }
                }
            }
            'MfaUpgrade.PendingSteps' {
                foreach ($l in @($o.lines)) {
                    $lines.Add([string]$l)
                }
            }
            'MfaUpgrade.BackupPlan' {
                $size = 0
                foreach ($f in @($o.files)) {
                    $size += [double]$f.size
                }
                $lines.Add("Back up $(@($o.files).Count) file(s), $([math]::Round($size / 1048576, 1)) MB:")
                foreach ($f in @($o.files)) {
                    $lines.Add("  $($f.original)")
                }
                foreach ($s in @($o.toStop)) {
                    if ($null -ne $s) {
                        $lines.Add("  stops and restarts $s around the data file copy")
                    }
                }
            }
            'MfaUpgrade.RestorePlan' {
                foreach ($a in @($o.actions)) {
                    $lines.Add("  $($a.kind) $($a.target)")
                }
            }
            'MfaUpgrade.AdfsAdapterUpgrade' {
                $lines.Add("AD FS adapter $($o.adapter.old.name) -> $($o.adapter.new.name) on $($o.localNode):")
                foreach ($s in @($o.steps)) {
                    $where = 'here'
                    if ($s.manual -eq $true) {
                        $where = 'by hand'
                    }
                    elseif ($s.runsHere -ne $true) {
                        $where = "on $($s.node)"
                    }
                    $lines.Add("  $($s.index). [$where] $($s.id): $($s.action)")
                }
            }
            default {
                $diff = $o.PSObject.Properties['diff']
                if ($null -ne $diff -and -not [string]::IsNullOrEmpty([string]$diff.Value)) {
                    $lines.Add(([string]$diff.Value).TrimEnd())
                }
                else {
                    $lines.Add((($o | Format-List -Property * | Out-String).Trim()))
                }
            }
        }
    }
    $lines -join "`n"
}
