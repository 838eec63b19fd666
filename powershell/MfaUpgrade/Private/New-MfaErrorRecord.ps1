function Get-MfaErrorCategory {
    <#
    .SYNOPSIS
    The ErrorCategory for an mfa-upgrade error code (README "Protocol"; codes are MfaError codes).
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorCategory])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $Code
    )

    switch -Regex ($Code) {
        '^USAGE$' { return [System.Management.Automation.ErrorCategory]::InvalidArgument }
        '^(REMOTE_UNREACHABLE|REMOTE_DISCONNECTED)$' { return [System.Management.Automation.ErrorCategory]::ConnectionError }
        '^(DOUBLE_HOP|PATH_UNREACHABLE)$' { return [System.Management.Automation.ErrorCategory]::PermissionDenied }
        '^(REMOTE_MODULE_COPY|PULL_FAILED)$' { return [System.Management.Automation.ErrorCategory]::WriteError }
        '^(PATH_PROVIDER|CLI_PROTOCOL)$' { return [System.Management.Automation.ErrorCategory]::InvalidArgument }
        '^FLEET_ACTION_UNKNOWN$' { return [System.Management.Automation.ErrorCategory]::InvalidData }
        '^CLI_INTEGRITY$' { return [System.Management.Automation.ErrorCategory]::SecurityError }
        '^INTERRUPTED$' { return [System.Management.Automation.ErrorCategory]::OperationStopped }
        '^(RUN_IN_PROGRESS|RUN_OPEN)$' { return [System.Management.Automation.ErrorCategory]::ResourceBusy }
        '^POSTCONDITION_FAILED$' { return [System.Management.Automation.ErrorCategory]::InvalidResult }
        '^NOT_WINDOWS$' { return [System.Management.Automation.ErrorCategory]::NotImplemented }
        'VERIFY_FAILED$' { return [System.Management.Automation.ErrorCategory]::InvalidResult }
        '^(MSI_1618|BACKUP_RUNNING|ADFS_RUN_IN_PROGRESS|FILE_BUSY|RUN_IN_PROGRESS)$' { return [System.Management.Automation.ErrorCategory]::ResourceBusy }
        '^(PATH_ESCAPE|BUNDLE_PATH|BUNDLE_LINK|XML_DOCTYPE)$' { return [System.Management.Automation.ErrorCategory]::SecurityError }
        '^(BUNDLE_PASSPHRASE|BUNDLE_PASSPHRASE_REQUIRED|PASSPHRASE_WEAK)$' { return [System.Management.Automation.ErrorCategory]::AuthenticationError }
        '(NOT_FOUND|MISSING|^ENOENT$|^NO_JOURNAL$|^FILE_EMPTY$|^NOTHING_TO_BACK_UP$)' { return [System.Management.Automation.ErrorCategory]::ObjectNotFound }
        '(_EXISTS$|^EEXIST$)' { return [System.Management.Automation.ErrorCategory]::ResourceExists }
        '^(BAD_INPUT|PACKAGE_FORMAT|PACKAGE_CHANGED|TEXT_ENCODING|JOURNAL_DAMAGED|FLEET|PATH_INVALID|HOST_INVALID|FILE_TOO_LARGE|FILE_IS_FOLDER|PASSPHRASE_FILE|PACKAGES_DIR)$|^(XML|JSON|BUNDLE|WEBCONFIG|REG|IIS)_' { return [System.Management.Automation.ErrorCategory]::InvalidData }
        '^(EXTRACT_TARGET)$' { return [System.Management.Automation.ErrorCategory]::InvalidArgument }
        '^(FILE_ACCESS|FILE_UNREADABLE|DATA_FILE_UNREADABLE|EACCES|EPERM)$' { return [System.Management.Automation.ErrorCategory]::PermissionDenied }
        '^(DISK_FULL|ENOSPC|BACKUP_WRITE|BUNDLE_WRITE)$' { return [System.Management.Automation.ErrorCategory]::WriteError }
        '^INTERRUPTED$' { return [System.Management.Automation.ErrorCategory]::OperationStopped }
        '^POSTCONDITION_FAILED$' { return [System.Management.Automation.ErrorCategory]::InvalidResult }
        '^FREE_SPACE_UNKNOWN$' { return [System.Management.Automation.ErrorCategory]::NotImplemented }
        '^(PS_TIMEOUT|ETIMEDOUT)$' { return [System.Management.Automation.ErrorCategory]::OperationTimeout }
        '^(PLAN_BLOCKED|NOT_READY|UPGRADE_INTERRUPTED|JOURNAL_ENDED|RUN_OPEN|RUN_PAUSED|RUN_INTERRUPTED|ROLLBACK_STARTED|NO_BACKUP)$' { return [System.Management.Automation.ErrorCategory]::InvalidOperation }
        '^(SERVICE_|WIN32_)' { return [System.Management.Automation.ErrorCategory]::ResourceUnavailable }
        '^(MSI_|STEP_FAILED|ADFS_|PS_|ROLLBACK_|RESTORE_)' { return [System.Management.Automation.ErrorCategory]::InvalidResult }
        default { return [System.Management.Automation.ErrorCategory]::NotSpecified }
    }
}

function New-MfaErrorRecord {
    <#
    .SYNOPSIS
    An ErrorRecord from an mfa-upgrade error event: ErrorId MfaUpgrade.<code>, the category from
    the code, the target (file, key, product) as TargetObject and the remedy as RecommendedAction.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string] $Code,

        [Parameter(Mandatory = $true)]
        [string] $Message,

        [string] $Target,

        [int] $Line,

        [string] $Remedy,

        [int] $ExitCode,

        [string] $Command,

        # A category name to use instead of the code's own (a remote error keeps its category).
        [string] $Category
    )

    $where = ''
    if ($Target) {
        $where = $Target
        if ($Line -gt 0) {
            $where = "$($Target):$Line"
        }
        $where = "$($where): "
    }
    $text = "$where$Message"
    $category = Get-MfaErrorCategory -Code $Code
    $named = [System.Management.Automation.ErrorCategory]::NotSpecified
    if ($Category -and [System.Enum]::TryParse([System.Management.Automation.ErrorCategory], $Category, [ref]$named) -and $category -eq [System.Management.Automation.ErrorCategory]::NotSpecified) {
        $category = $named
    }
    switch ($category) {
        'ObjectNotFound' { $exception = New-Object -TypeName 'System.IO.FileNotFoundException' -ArgumentList $text }
        'InvalidData' { $exception = New-Object -TypeName 'System.IO.InvalidDataException' -ArgumentList $text }
        'InvalidArgument' { $exception = New-Object -TypeName 'System.ArgumentException' -ArgumentList $text }
        'PermissionDenied' { $exception = New-Object -TypeName 'System.UnauthorizedAccessException' -ArgumentList $text }
        'NotImplemented' { $exception = New-Object -TypeName 'System.PlatformNotSupportedException' -ArgumentList $text }
        'OperationTimeout' { $exception = New-Object -TypeName 'System.TimeoutException' -ArgumentList $text }
        default { $exception = New-Object -TypeName 'System.InvalidOperationException' -ArgumentList $text }
    }
    $exception.Data['MfaUpgradeCode'] = $Code
    $exception.Data['ExitCode'] = $ExitCode
    if ($Command) {
        $exception.Data['Command'] = $Command
    }
    $targetObject = $null
    if ($Target) {
        $targetObject = $Target
    }
    $errorId = 'MfaUpgrade.Unknown'
    if ($Code) {
        $errorId = "MfaUpgrade.$Code"
    }
    $record = New-Object -TypeName 'System.Management.Automation.ErrorRecord' -ArgumentList $exception, $errorId, $category, $targetObject
    $details = New-Object -TypeName 'System.Management.Automation.ErrorDetails' -ArgumentList $text
    if ($Remedy) {
        $details.RecommendedAction = $Remedy
    }
    $record.ErrorDetails = $details
    $record
}
