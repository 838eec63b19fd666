function Invoke-MfaCli {
    <#
    .SYNOPSIS
    Runs one mfa-upgrade command with --json and turns its events into PowerShell output.
    .DESCRIPTION
    The protocol (README "Protocol"): stdout carries one JSON object per line.
      progress -> Write-Progress (Id, Activity, Status, PercentComplete, Completed)
      log      -> verbose: Write-Verbose; info: Write-Information; warning: Write-Warning;
                  error: a non-terminating error record
      object   -> a PSCustomObject with the event's typeName first in PSTypeNames, written to the
                  pipeline as it comes (never collected first: a later error that stops the
                  pipeline loses nothing already read)
      error    -> an ErrorRecord (category from the code, TargetObject, RecommendedAction) through
                  the calling cmdlet's WriteError, so its -ErrorAction decides
      result   -> the exit code: $global:LASTEXITCODE and the module's last exit code
    A line that is not JSON is an error record (CLI_PROTOCOL): the protocol is broken.
    Everything goes through the public cmdlet's $PSCmdlet (-Cmdlet), so its -Verbose,
    -ErrorAction, -InformationAction and -WarningAction apply.

    Stopping (README "Control"): stdin stays open. Lines are read with ReadLineAsync and short
    waits, so Ctrl+C is noticed between two waits, not after the CLI's next line. When the
    pipeline stops (Ctrl+C, Select-Object -First, an error turned terminating by -ErrorAction
    Stop), the finally block writes {"type":"stop"} to stdin, closes it, reads stdout to its end
    (a CLI blocked on a full pipe would never reach its safe point) and waits for the process:
    the CLI finishes or cancels its step at a safe point and ends with exit code 1602. A read-only
    command that has not ended 30 seconds after the request is killed; a changing one is waited for.
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
        $code = 'CLI_NOT_FOUND'
        if ($null -ne $_.Exception.Data -and $_.Exception.Data.Contains('Code')) {
            $code = [string]$_.Exception.Data['Code']
        }
        $record = New-MfaErrorRecord -Code $code -Message $_.Exception.Message -Remedy 'Reinstall the MfaUpgrade module (Install-PSResource MfaUpgrade -Reinstall, or copy it again), or set $env:MFA_UPGRADE_CLI.' -ExitCode 1603 -Command $Command
        $script:LastExitCode = 1603
        $global:LASTEXITCODE = 1603
        $Cmdlet.ThrowTerminatingError($record)
    }

    $control = [bool]$script:ControlStdin
    $argv = @($cli.PrefixArguments) + @(ConvertTo-MfaArgumentList -Command $Command -Arguments $Arguments -Positional $Positional -WhatIfRun:$WhatIfRun -ControlStdin:$control)
    $utf8 = New-Object -TypeName 'System.Text.UTF8Encoding' -ArgumentList $false
    $psi = New-Object -TypeName 'System.Diagnostics.ProcessStartInfo'
    $psi.FileName = $cli.FilePath
    $psi.Arguments = ConvertTo-MfaCommandLine -ArgumentList $argv
    $psi.UseShellExecute = $false
    $psi.CreateNoWindow = $true
    # stdin is the control channel: kept open, never the console (nothing waits for a person).
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

    $run = [pscustomobject]@{
        Process     = $null
        Pending     = $null
        ExitCode    = $null
        SawError    = $false
        ProgressIds = @{}
        Stopped     = $false
    }
    $completed = $false
    $stderrTask = $null
    try {
        try {
            $run.Process = [System.Diagnostics.Process]::Start($psi)
        }
        catch {
            $record = New-MfaErrorRecord -Code 'CLI_START_FAILED' -Message "cannot start $($psi.FileName): $($_.Exception.Message)" -Target $psi.FileName -Remedy 'Check that the file exists and may run here (an antivirus or AppLocker rule may block it).' -ExitCode 1603 -Command $Command
            $script:LastExitCode = 1603
            $global:LASTEXITCODE = 1603
            $Cmdlet.ThrowTerminatingError($record)
        }
        $stderrTask = $run.Process.StandardError.ReadToEndAsync()
        while ($true) {
            $line = Read-MfaCliLine -Run $run
            if ($null -eq $line) {
                break
            }
            Write-MfaCliEvent -Line $line -Run $run -Command $Command -Cmdlet $Cmdlet
        }
        $completed = $true
    }
    finally {
        if ($null -ne $run.Process) {
            if ($completed) {
                Close-MfaCliInput -Run $run
                $run.Process.WaitForExit()
            }
            else {
                Stop-MfaCliRun -Run $run -ChangesMachine:$ChangesMachine
            }
            Complete-MfaProgress -Run $run -Cmdlet $Cmdlet
            $stderr = ''
            if ($null -ne $stderrTask) {
                try {
                    if ($stderrTask.Wait(5000)) {
                        $stderr = [string]$stderrTask.Result
                    }
                }
                catch {
                    $stderr = ''
                }
            }
            $processExit = $null
            if ($run.Process.HasExited) {
                $processExit = $run.Process.ExitCode
            }
            $run.Process.Dispose()
            if ($null -eq $run.ExitCode -and -not $completed) {
                # Stopped and no result line came (a CLI that died): the pipeline is stopping anyway.
                $run.ExitCode = 1602
            }
            if ($null -ne $run.ExitCode) {
                $script:LastExitCode = $run.ExitCode
                $global:LASTEXITCODE = $run.ExitCode
            }
        }
    }

    if (-not [string]::IsNullOrWhiteSpace($stderr)) {
        foreach ($text in ($stderr.TrimEnd() -split "`r?`n")) {
            $Cmdlet.WriteVerbose("mfa-upgrade (stderr): $text")
        }
    }
    $exitCode = $run.ExitCode
    if ($null -eq $exitCode) {
        # No result line: the process died (or is not mfa-upgrade). Its own exit code stands.
        $exitCode = $processExit
        if ($null -eq $exitCode -or $exitCode -eq 0) {
            $exitCode = 1603
        }
        $detail = $stderr.Trim()
        if ($detail.Length -gt 2000) {
            $detail = $detail.Substring(0, 2000)
        }
        $script:LastExitCode = $exitCode
        $global:LASTEXITCODE = $exitCode
        $record = New-MfaErrorRecord -Code 'CLI_NO_RESULT' -Message "mfa-upgrade $Command ended without a result (exit code $processExit). $detail" -Target $psi.FileName -Remedy 'Run the command again with -Verbose; if it keeps failing, run the executable by hand with the same options to see its output.' -ExitCode $exitCode -Command $Command
        $run.SawError = $true
        $Cmdlet.WriteError($record)
    }
    if ($exitCode -ne 0 -and -not $run.SawError) {
        Write-MfaExitCodeMessage -ExitCode $exitCode -Command $Command -Cmdlet $Cmdlet -WhatIfRun:$WhatIfRun
    }
}

function Read-MfaCliLine {
    <#
    .SYNOPSIS
    The next stdout line of a run ($null at its end), waited for in short slices so that a stop
    of the pipeline is noticed between two of them.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [pscustomobject] $Run
    )

    if ($null -eq $Run.Pending) {
        $Run.Pending = $Run.Process.StandardOutput.ReadLineAsync()
    }
    while (-not $Run.Pending.Wait(200)) {
        # a stop (Ctrl+C) interrupts here; the pending read is taken over by Stop-MfaCliRun
    }
    $task = $Run.Pending
    $Run.Pending = $null
    $task.Result
}

function Close-MfaCliInput {
    <#
    .SYNOPSIS
    Closes the run's stdin (the end of the control channel); a process already gone is fine.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [pscustomobject] $Run
    )

    try {
        $Run.Process.StandardInput.Close()
    }
    catch {
        Write-Debug -Message "stdin already closed: $($_.Exception.Message)"
    }
}

function Stop-MfaCliRun {
    <#
    .SYNOPSIS
    Asks a run to stop at its safe point ({"type":"stop"}, then the end of stdin), reads its
    stdout to the end without writing anything (the pipeline is stopping), and waits for it.
    .DESCRIPTION
    Reading on matters as much as asking: a CLI whose stdout pipe is full blocks in its write and
    never reaches the safe point. The result line gives the exit code (1602 when it stopped).
    A changing run is waited for as long as its step takes; a read-only one is killed 30 seconds
    after the request.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [pscustomobject] $Run,

        [switch] $ChangesMachine
    )

    $process = $Run.Process
    $Run.Stopped = $true
    if (-not $process.HasExited) {
        try {
            # Raw bytes: no encoder preamble (a BOM would make the line unreadable to the CLI).
            $request = [System.Text.Encoding]::ASCII.GetBytes("{`"type`":`"stop`"}`n")
            $process.StandardInput.BaseStream.Write($request, 0, $request.Length)
            $process.StandardInput.BaseStream.Flush()
        }
        catch {
            Write-Debug -Message "the stop request could not be written: $($_.Exception.Message)"
        }
    }
    Close-MfaCliInput -Run $Run
    $deadline = [DateTime]::MaxValue
    if (-not $ChangesMachine) {
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
    }
    while ($true) {
        if ($null -eq $Run.Pending) {
            try {
                $Run.Pending = $process.StandardOutput.ReadLineAsync()
            }
            catch {
                break
            }
        }
        $ready = $false
        try {
            $ready = $Run.Pending.Wait(200)
        }
        catch {
            break
        }
        if ($ready) {
            $line = $Run.Pending.Result
            $Run.Pending = $null
            if ($null -eq $line) {
                break
            }
            if ($line.IndexOf('"result"') -ge 0) {
                try {
                    $evt = ConvertFrom-Json -InputObject $line -ErrorAction Stop
                    if ([string]$evt.type -eq 'result') {
                        $Run.ExitCode = [int]$evt.exitCode
                    }
                }
                catch {
                    Write-Debug -Message "not a result line: $line"
                }
            }
        }
        elseif ([DateTime]::UtcNow -gt $deadline) {
            try {
                $process.Kill()
            }
            catch {
                Write-Debug -Message 'mfa-upgrade had already ended'
            }
            break
        }
    }
    if ($ChangesMachine) {
        $process.WaitForExit()
    }
    else {
        [void]$process.WaitForExit(10000)
    }
}

function Complete-MfaProgress {
    <#
    .SYNOPSIS
    Completes the progress bars a run left open (a CLI that ended early, a stopped pipeline).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [pscustomobject] $Run,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    foreach ($id in @($Run.ProgressIds.Keys)) {
        $done = New-Object -TypeName 'System.Management.Automation.ProgressRecord' -ArgumentList $id, $Run.ProgressIds[$id], 'Done'
        $done.RecordType = [System.Management.Automation.ProgressRecordType]::Completed
        try {
            $Cmdlet.WriteProgress($done)
        }
        catch {
            Write-Debug -Message 'progress could not be completed (pipeline stopped)'
        }
        $Run.ProgressIds.Remove($id)
    }
}

function ConvertFrom-MfaJsonLine {
    <#
    .SYNOPSIS
    One protocol line as an object, with every string as the CLI wrote it.
    .DESCRIPTION
    ConvertFrom-Json in PowerShell 7 turns ISO 8601 strings into [datetime] (Windows PowerShell
    5.1 does not): 7.5 and later are asked not to (-DateKind String); on 7.0-7.4 the dates are
    written back as the CLI writes them (JavaScript's toISOString: UTC, milliseconds, Z).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Line
    )

    $parameters = @{ InputObject = $Line; ErrorAction = 'Stop' }
    if ($script:JsonDateKind) {
        $parameters['DateKind'] = 'String'
        return (ConvertFrom-Json @parameters)
    }
    $value = ConvertFrom-Json @parameters
    if ($PSVersionTable.PSVersion.Major -ge 6) {
        $value = ConvertTo-MfaDateText -InputObject $value
    }
    $value
}

function ConvertTo-MfaDateText {
    <#
    .SYNOPSIS
    [datetime] values inside a parsed JSON value, written back as ISO 8601 UTC text.
    #>
    [CmdletBinding()]
    param(
        [AllowNull()]
        [object] $InputObject
    )

    if ($null -eq $InputObject) {
        return $null
    }
    if ($InputObject -is [datetime]) {
        $utc = $InputObject
        if ($utc.Kind -eq [System.DateTimeKind]::Local) {
            $utc = $utc.ToUniversalTime()
        }
        return $utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
    }
    if ($InputObject -is [System.Array]) {
        $items = New-Object -TypeName 'System.Collections.Generic.List[object]'
        foreach ($item in $InputObject) {
            $items.Add((ConvertTo-MfaDateText -InputObject $item))
        }
        return , $items.ToArray()
    }
    if ($InputObject -is [System.Management.Automation.PSCustomObject]) {
        foreach ($p in @($InputObject.PSObject.Properties)) {
            $p.Value = ConvertTo-MfaDateText -InputObject $p.Value
        }
    }
    $InputObject
}

function Write-MfaCliEvent {
    <#
    .SYNOPSIS
    One protocol line turned into PowerShell: progress, a message, an object, an error record, or the exit code.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $Line,

        [Parameter(Mandatory = $true)]
        [pscustomobject] $Run,

        [Parameter(Mandatory = $true)]
        [string] $Command,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    if ([string]::IsNullOrWhiteSpace($Line)) {
        return
    }
    # Every event is a JSON object starting with its type (JSON.stringify of the protocol's
    # events): anything else is refused without trying a parse, since an exception caught here
    # would still land in the caller's -ErrorVariable.
    $evt = $null
    if ($Line.StartsWith('{"type":"') -and $Line.TrimEnd().EndsWith('}')) {
        try {
            $evt = ConvertFrom-MfaJsonLine -Line $Line
        }
        catch {
            $evt = $null
        }
    }
    if ($null -eq $evt) {
        $text = $Line
        if ($text.Length -gt 500) {
            $text = $text.Substring(0, 500) + '...'
        }
        $Run.SawError = $true
        $record = New-MfaErrorRecord -Code 'CLI_PROTOCOL' -Message "mfa-upgrade $Command wrote a line that is not a protocol event: $text" -Remedy 'The executable and the module do not match, or something else writes to its output: reinstall the module (or check $env:MFA_UPGRADE_CLI).' -Command $Command
        $Cmdlet.WriteError($record)
        return
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
                $Run.ProgressIds.Remove($id)
            }
            else {
                $Run.ProgressIds[$id] = $activity
            }
            $Cmdlet.WriteProgress($record)
        }
        'log' {
            $message = [string]$evt.message
            switch ([string]$evt.level) {
                'verbose' { $Cmdlet.WriteVerbose($message) }
                'warning' { $Cmdlet.WriteWarning($message) }
                'error' {
                    $Run.SawError = $true
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
            $Run.SawError = $true
            $errorLine = 0
            if ($null -ne $evt.line) {
                $errorLine = [int]$evt.line
            }
            $record = New-MfaErrorRecord -Code ([string]$evt.code) -Message ([string]$evt.message) -Target ([string]$evt.target) -Line $errorLine -Remedy ([string]$evt.remedy) -Command $Command
            $Cmdlet.WriteError($record)
        }
        'result' {
            $Run.ExitCode = [int]$evt.exitCode
            # The run is over: end the control channel now (a CLI may wait for it before exiting).
            Close-MfaCliInput -Run $Run
        }
        default {
            $Cmdlet.WriteVerbose("mfa-upgrade: $Line")
        }
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
        4 {
            if ($Command -eq 'verify-upgrade') {
                $Cmdlet.WriteWarning("mfa-upgrade $($Command): the upgrade is not healthy (exit code 4): the checks whose Status is fail say what was found and, in Remedy, what to do.")
            }
            else {
                $Cmdlet.WriteWarning("mfa-upgrade $($Command): $meaning (exit code 4).")
            }
        }
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

function Get-MfaWorstExitCode {
    <#
    .SYNOPSIS
    The worst of several exit codes (several servers, several fleet actions): what $LASTEXITCODE
    must say of the whole, so that one failed server is never hidden by a later good one.
    .DESCRIPTION
    From better to worse: 0, 3010 (done, reboot), 5 (manual steps remain), 4 (differences),
    7 (not ready: nothing changed), 6, 3, 2, 1602 (stopped at a safe point), 1618 (installer
    busy), then 1603 and any other code.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyCollection()]
        [int[]] $ExitCode
    )

    $rank = @{ 0 = 0; 3010 = 1; 5 = 2; 4 = 3; 7 = 4; 6 = 5; 3 = 6; 2 = 7; 1602 = 8; 1618 = 9 }
    $worst = 0
    $worstRank = 0
    foreach ($c in $ExitCode) {
        $r = 10
        if ($rank.ContainsKey($c)) {
            $r = $rank[$c]
        }
        if ($r -gt $worstRank -or ($r -eq $worstRank -and $r -eq 10 -and $c -eq 1603)) {
            $worst = $c
            $worstRank = $r
        }
    }
    $worst
}
