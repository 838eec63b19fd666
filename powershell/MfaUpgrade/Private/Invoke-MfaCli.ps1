function Invoke-MfaCli {
    <#
    .SYNOPSIS
    Runs one mfa-upgrade command with --json and turns its events into PowerShell output.
    .DESCRIPTION
    The protocol (README "Protocol"): stdout carries one JSON object per line.
      progress -> Write-Progress (Id, Activity, Status, PercentComplete, Completed)
      log      -> verbose: Write-Verbose; info: Write-Information; warning: Write-Warning;
                  error: a non-terminating error record
      object   -> a PSCustomObject with the event's typeName first in PSTypeNames, written to the pipeline
      error    -> an ErrorRecord (category from the code, TargetObject, RecommendedAction) through
                  the calling cmdlet's WriteError, so its -ErrorAction decides
      result   -> the exit code: $global:LASTEXITCODE and the module's last exit code
    Everything goes through the public cmdlet's $PSCmdlet (-Cmdlet), so its -Verbose,
    -ErrorAction, -InformationAction and -WarningAction apply.
    A run that changes the machine (-ChangesMachine) is left to finish when the pipeline is
    stopped (Ctrl+C): its steps are journaled and an interrupted step is resumed or undone, never
    half-left; a read-only run is stopped.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Command,

        [System.Collections.IDictionary] $Arguments,

        [string[]] $Positional,

        [switch] $WhatIfRun,

        [switch] $ChangesMachine,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    $script:LastExitCode = $null
    try {
        $cli = Get-MfaCliPath
    }
    catch {
        $record = New-MfaErrorRecord -Code 'CLI_NOT_FOUND' -Message $_.Exception.Message -Remedy 'Reinstall the MfaUpgrade module, or set $env:MFA_UPGRADE_CLI.' -ExitCode 1603 -Command $Command
        $script:LastExitCode = 1603
        $global:LASTEXITCODE = 1603
        $Cmdlet.ThrowTerminatingError($record)
    }

    $argv = @($cli.PrefixArguments) + @(ConvertTo-MfaArgumentList -Command $Command -Arguments $Arguments -Positional $Positional -WhatIfRun:$WhatIfRun)
    $utf8 = New-Object -TypeName 'System.Text.UTF8Encoding' -ArgumentList $false
    $psi = New-Object -TypeName 'System.Diagnostics.ProcessStartInfo'
    $psi.FileName = $cli.FilePath
    $psi.Arguments = ConvertTo-MfaCommandLine -ArgumentList $argv
    $psi.UseShellExecute = $false
    $psi.CreateNoWindow = $true
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.StandardOutputEncoding = $utf8
    $psi.StandardErrorEncoding = $utf8
    # Relative paths mean what they mean at the PowerShell prompt ($PWD), not the process folder.
    $location = $Cmdlet.SessionState.Path.CurrentFileSystemLocation
    if ($null -ne $location) {
        $psi.WorkingDirectory = $location.ProviderPath
    }
    $Cmdlet.WriteDebug("mfa-upgrade: $($psi.FileName) $($psi.Arguments)")

    $process = $null
    $finished = $false
    $exitCode = $null
    $sawError = $false
    $progressIds = @{}
    try {
        try {
            $process = [System.Diagnostics.Process]::Start($psi)
        }
        catch {
            $record = New-MfaErrorRecord -Code 'CLI_START_FAILED' -Message "cannot start $($psi.FileName): $($_.Exception.Message)" -Target $psi.FileName -Remedy 'Check that the file exists and may run here (an antivirus or AppLocker rule may block it).' -ExitCode 1603 -Command $Command
            $script:LastExitCode = 1603
            $global:LASTEXITCODE = 1603
            $Cmdlet.ThrowTerminatingError($record)
        }
        # Nothing is ever read from the console: an unattended run must not wait for a person.
        $process.StandardInput.Close()
        $stderrTask = $process.StandardError.ReadToEndAsync()

        while ($true) {
            $line = $process.StandardOutput.ReadLine()
            if ($null -eq $line) {
                break
            }
            if ([string]::IsNullOrWhiteSpace($line)) {
                continue
            }
            try {
                $evt = ConvertFrom-Json -InputObject $line -ErrorAction Stop
            }
            catch {
                $Cmdlet.WriteVerbose("mfa-upgrade: $line")
                continue
            }
            switch ([string]$evt.type) {
                'progress' {
                    $id = 1
                    if ($null -ne $evt.id) {
                        $id = [int]$evt.id
                    }
                    $activity = [string]$evt.activity
                    if ([string]::IsNullOrEmpty($activity)) {
                        $activity = "mfa-upgrade $Command"
                    }
                    $status = [string]$evt.status
                    if ([string]::IsNullOrEmpty($status)) {
                        $status = 'Working'
                    }
                    $record = New-Object -TypeName 'System.Management.Automation.ProgressRecord' -ArgumentList $id, $activity, $status
                    $percent = -1
                    if ($null -ne $evt.percent) {
                        $percent = [int][math]::Floor([double]$evt.percent)
                    }
                    if ($percent -gt 100) {
                        $percent = 100
                    }
                    $record.PercentComplete = $percent
                    if ($evt.completed -eq $true) {
                        $record.RecordType = [System.Management.Automation.ProgressRecordType]::Completed
                        $progressIds.Remove($id)
                    }
                    else {
                        $progressIds[$id] = $activity
                    }
                    $Cmdlet.WriteProgress($record)
                }
                'log' {
                    $message = [string]$evt.message
                    switch ([string]$evt.level) {
                        'verbose' { $Cmdlet.WriteVerbose($message) }
                        'warning' { $Cmdlet.WriteWarning($message) }
                        'error' {
                            $record = New-MfaErrorRecord -Code 'LOG' -Message $message -Command $Command
                            $Cmdlet.WriteError($record)
                        }
                        default { $Cmdlet.WriteInformation($message, [string[]]@('MfaUpgrade', $Command)) }
                    }
                }
                'object' {
                    ConvertTo-MfaObject -TypeName ([string]$evt.typeName) -Data $evt.data
                }
                'error' {
                    $sawError = $true
                    $errorLine = 0
                    if ($null -ne $evt.line) {
                        $errorLine = [int]$evt.line
                    }
                    $record = New-MfaErrorRecord -Code ([string]$evt.code) -Message ([string]$evt.message) -Target ([string]$evt.target) -Line $errorLine -Remedy ([string]$evt.remedy) -Command $Command
                    $Cmdlet.WriteError($record)
                }
                'result' {
                    $exitCode = [int]$evt.exitCode
                }
                default {
                    $Cmdlet.WriteVerbose("mfa-upgrade: $line")
                }
            }
        }
        $process.WaitForExit()
        $finished = $true
        $stderr = ''
        try {
            $stderr = [string]$stderrTask.Result
        }
        catch {
            $stderr = ''
        }
        if (-not [string]::IsNullOrWhiteSpace($stderr)) {
            foreach ($text in ($stderr.TrimEnd() -split "`r?`n")) {
                $Cmdlet.WriteVerbose("mfa-upgrade (stderr): $text")
            }
        }
        if ($null -eq $exitCode) {
            # No result line: the process died (or is not mfa-upgrade). Its own exit code stands.
            $exitCode = $process.ExitCode
            if ($exitCode -eq 0) {
                $exitCode = 1603
            }
            $detail = $stderr.Trim()
            if ($detail.Length -gt 2000) {
                $detail = $detail.Substring(0, 2000)
            }
            $record = New-MfaErrorRecord -Code 'CLI_NO_RESULT' -Message "mfa-upgrade $Command ended without a result (exit code $($process.ExitCode)). $detail" -Target $psi.FileName -Remedy 'Run the command again with -Verbose; if it keeps failing, run the executable by hand with the same options to see its output.' -ExitCode $exitCode -Command $Command
            $Cmdlet.WriteError($record)
            $sawError = $true
        }
    }
    finally {
        foreach ($id in @($progressIds.Keys)) {
            $done = New-Object -TypeName 'System.Management.Automation.ProgressRecord' -ArgumentList $id, $progressIds[$id], 'Done'
            $done.RecordType = [System.Management.Automation.ProgressRecordType]::Completed
            try {
                $Cmdlet.WriteProgress($done)
            }
            catch {
                Write-Debug -Message 'progress could not be completed (pipeline stopped)'
            }
        }
        if ($null -ne $process) {
            if (-not $finished -and -not $process.HasExited -and -not $ChangesMachine) {
                try {
                    $process.Kill()
                }
                catch {
                    Write-Debug -Message 'mfa-upgrade had already ended'
                }
            }
            $process.Dispose()
        }
    }

    $script:LastExitCode = $exitCode
    $global:LASTEXITCODE = $exitCode
    if ($exitCode -ne 0 -and -not $sawError) {
        Write-MfaExitCodeMessage -ExitCode $exitCode -Command $Command -Cmdlet $Cmdlet -WhatIfRun:$WhatIfRun
    }
}

function Write-MfaExitCodeMessage {
    <#
    .SYNOPSIS
    Says what a non-zero exit code means when the run reported no error event of its own.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [int] $ExitCode,

        [Parameter(Mandatory = $true)]
        [string] $Command,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [switch] $WhatIfRun
    )

    $meaning = Get-MfaExitCodeMeaning -ExitCode $ExitCode
    switch ($ExitCode) {
        3010 { $Cmdlet.WriteWarning("mfa-upgrade $($Command): $meaning (exit code 3010).") }
        5 { $Cmdlet.WriteWarning("mfa-upgrade $($Command): $meaning (exit code 5). The work done so far is journaled; finish the manual steps, then run again with -Resume.") }
        7 { $Cmdlet.WriteWarning("mfa-upgrade $($Command): $meaning (exit code 7): see the Status of the checks or the Blockers of the plan. Nothing was changed.") }
        4 { $Cmdlet.WriteWarning("mfa-upgrade $($Command): $meaning (exit code 4).") }
        default {
            $record = New-MfaErrorRecord -Code "EXIT_$ExitCode" -Message "mfa-upgrade $Command exited with $($ExitCode): $meaning." -ExitCode $ExitCode -Command $Command
            $Cmdlet.WriteError($record)
        }
    }
}

function Get-MfaExitCodeMeaning {
    <#
    .SYNOPSIS
    The README's exit code table.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [int] $ExitCode
    )

    switch ($ExitCode) {
        0 { 'success' }
        2 { 'bad command line' }
        3 { 'input refused (malformed file, hostile XML, tampered bundle): nothing was changed' }
        4 { 'a verification found differences' }
        5 { 'manual steps remain' }
        6 { 'this command needs a live Windows machine' }
        7 { 'a readiness check failed or the plan is blocked' }
        1603 { 'fatal error during the operation' }
        1618 { 'another installation is in progress; try again later' }
        1602 { 'stopped at a safe point by an interrupt; run again with -Resume or -Rollback' }
        3010 { 'success; a reboot is required' }
        default { 'unexpected exit code' }
    }
}

function Get-MfaStatusName {
    <#
    .SYNOPSIS
    The Status column of a MfaUpgrade.ServerStatus row for an exit code.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [AllowNull()]
        [object] $ExitCode
    )

    if ($null -eq $ExitCode) {
        return 'Failed'
    }
    switch ([int]$ExitCode) {
        0 { 'Succeeded' }
        3010 { 'SucceededRebootRequired' }
        2 { 'BadCommandLine' }
        3 { 'InputRefused' }
        4 { 'VerificationFailed' }
        5 { 'ManualStepsPending' }
        6 { 'NeedsWindows' }
        7 { 'NotReady' }
        1618 { 'InstallerBusy' }
        1602 { 'Interrupted' }
        default { 'Failed' }
    }
}
