function Invoke-MfaRemote {
    <#
    .SYNOPSIS
    Runs a public cmdlet of this module on other servers through PowerShell remoting.
    .DESCRIPTION
    For each server (-ComputerName, or the open -Session), one after another in the order given:
      1. a session: WinRM (New-PSSession -ComputerName, with -Credential and -Authentication, e.g.
         CredSSP), or SSH (New-PSSession -HostName) when $MfaUpgradeSshOptions is set (PowerShell 7);
      2. the module there, checked file by file against this one (SHA-256): a missing, altered or
         half-copied module is copied again (Install-MfaRemoteModule), never trusted by version;
      3. the paths of -PathParameter that are UNC paths (\\server\share\...) are checked from the
         server first: a default Kerberos session cannot pass your credentials on to the share
         (the double hop), and a run that would fail there half-way is refused before it starts
         (DOUBLE_HOP). -PullParameter is the exception: that path is written on the server in a
         temporary folder and pulled here with Copy-Item -FromSession (-Destination likewise);
      4. the same cmdlet runs there with the same parameters; its objects come back as they are
         written, its errors are written here with their own ErrorId, category and recommended
         action (prefixed with the server), a terminating error included.
    Returns, with -StatusRows (cmdlets that change a server), one MfaUpgrade.ServerStatus row per
    server (ShouldProcess is asked here, once per server; the remote run gets -Confirm:$false or
    -WhatIf), otherwise the remote objects with a ComputerName. $LASTEXITCODE is the worst exit
    code of all the servers (Get-MfaWorstExitCode), not the last one's.
    Errors of the remoting itself have their own codes: REMOTE_UNREACHABLE (no session),
    REMOTE_MODULE_COPY, REMOTE_DISCONNECTED (the connection broke during the run), DOUBLE_HOP,
    PATH_UNREACHABLE, PULL_FAILED.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet,

        [Parameter(Mandatory = $true)]
        [string] $CommandName,

        [Parameter(Mandatory = $true)]
        [System.Collections.IDictionary] $BoundParameters,

        [switch] $StatusRows,

        [string] $Action = 'Run',

        [string[]] $ComputerName,

        [System.Management.Automation.Runspaces.PSSession[]] $Session,

        [System.Management.Automation.PSCredential] $Credential,

        [AllowEmptyString()]
        [string] $Authentication,

        [string[]] $PathParameter = @(),

        [string] $PullParameter,

        [string] $Destination
    )

    $params = @{}
    foreach ($key in $BoundParameters.Keys) {
        # Remoting parameters are this side's; common parameters are set for the remote run below
        # (splatting one of them beside an explicit one would bind it twice).
        if ($key -in $script:RemotingParameterNames -or $key -in $script:CommonParameterNames) {
            continue
        }
        $value = $BoundParameters[$key]
        # A SwitchParameter does not survive serialization as one: send its truth value.
        if ($value -is [System.Management.Automation.SwitchParameter]) {
            $value = $value.IsPresent
        }
        $params[$key] = $value
    }
    if ($VerbosePreference -eq 'Continue') {
        $params['Verbose'] = $true
    }
    if (-not $Authentication -and $BoundParameters.ContainsKey('Authentication')) {
        $Authentication = [string]$BoundParameters['Authentication']
    }
    if (-not $Destination -and $BoundParameters.ContainsKey('Destination')) {
        $Destination = [string]$BoundParameters['Destination']
    }
    $credSsp = ($Authentication -eq 'Credssp')

    $targets = New-Object -TypeName 'System.Collections.Generic.List[object]'
    foreach ($s in @($Session)) {
        if ($null -ne $s) {
            $targets.Add([pscustomobject]@{ Name = $s.ComputerName; Session = $s; Owned = $false })
        }
    }
    foreach ($c in @($ComputerName)) {
        if (-not [string]::IsNullOrWhiteSpace($c)) {
            $targets.Add([pscustomobject]@{ Name = $c; Session = $null; Owned = $true })
        }
    }

    $codes = New-Object -TypeName 'System.Collections.Generic.List[int]'
    foreach ($t in $targets) {
        $server = $t.Name
        $runParams = @{} + $params
        if ($StatusRows) {
            if ($WhatIfPreference) {
                $runParams['WhatIf'] = $true
            }
            elseif (-not $Cmdlet.ShouldProcess($server, $Action)) {
                continue
            }
            else {
                $runParams['Confirm'] = $false
            }
        }
        # Where a pulled bundle ends up here: -Destination\<server>, or the UNC -Path itself.
        $pullTo = $null
        $pullFrom = $null
        if ($PullParameter -and $runParams.ContainsKey($PullParameter)) {
            $wanted = [string]$runParams[$PullParameter]
            if ($Destination) {
                $pullTo = Join-Path -Path $Destination -ChildPath $server
            }
            elseif ((Test-MfaUncPath -Path $wanted) -and -not $credSsp -and $null -eq $t.Session -and (Test-MfaLocalComputer -ComputerName $server)) {
                $pullTo = $null
            }
            elseif ((Test-MfaUncPath -Path $wanted) -and -not $credSsp) {
                $pullTo = $wanted
                if ($targets.Count -gt 1) {
                    $pullTo = Join-Path -Path $wanted -ChildPath $server
                }
            }
        }
        $remote = $t.Session
        $reply = $null
        $objects = New-Object -TypeName 'System.Collections.Generic.List[object]'
        $messages = New-Object -TypeName 'System.Collections.Generic.List[string]'
        $failure = $null
        try {
            if ($null -eq $remote -and (Test-MfaLocalComputer -ComputerName $server)) {
                # This computer: no remoting, the cmdlet runs here (its errors are written as they come).
                $global:LASTEXITCODE = 0
                $script:LastExitCode = 0
                & $CommandName @runParams | ForEach-Object {
                    if ($StatusRows) {
                        $objects.Add($_)
                    }
                    else {
                        $_
                    }
                }
                $reply = [pscustomobject]@{ ExitCode = $script:LastExitCode }
            }
            else {
                if ($null -eq $remote) {
                    try {
                        $remote = New-MfaSession -ComputerName $server -Credential $Credential -Authentication $Authentication
                    }
                    catch {
                        $failure = [pscustomobject]@{ Code = 'REMOTE_UNREACHABLE'; Status = 'Unreachable'; ExitCode = 1603; Message = $_.Exception.Message; Remedy = 'Check the name, that PowerShell remoting is enabled there (Enable-PSRemoting; for SSH, the powershell subsystem of sshd), that you are an administrator there, and -Credential.' }
                    }
                }
                if ($null -eq $failure) {
                    try {
                        $modulePath = Install-MfaRemoteModule -Session $remote -Cmdlet $Cmdlet
                    }
                    catch {
                        $failure = [pscustomobject]@{ Code = 'REMOTE_MODULE_COPY'; Status = 'Failed'; ExitCode = 1603; Message = "the MfaUpgrade module could not be put in place there: $($_.Exception.Message)"; Remedy = 'Check that your account may write to the PowerShell module folder there (Program Files\WindowsPowerShell\Modules: an administrator) and that its disk has room; close other sessions that run the module there.' }
                    }
                }
                if ($null -eq $failure) {
                    $check = Test-MfaRemotePath -Session $remote -Parameters $runParams -PathParameter $PathParameter -Skip $(if ($pullTo) { $PullParameter } else { '' }) -CredSsp:$credSsp
                    if ($null -ne $check.Failure) {
                        $failure = $check.Failure
                    }
                    elseif ($pullTo) {
                        if (Test-Path -LiteralPath $pullTo) {
                            $failure = [pscustomobject]@{ Code = 'BUNDLE_EXISTS'; Status = 'Failed'; ExitCode = 2; Message = "$pullTo already exists here"; Remedy = 'Give a -Path or -Destination that does not exist yet.' }
                        }
                        elseif (-not (Test-Path -LiteralPath (Split-Path -Path $pullTo -Parent))) {
                            $failure = [pscustomobject]@{ Code = 'PATH_UNREACHABLE'; Status = 'Failed'; ExitCode = 2; Message = "$(Split-Path -Path $pullTo -Parent) cannot be reached from this computer either"; Remedy = 'Give a folder this computer can write to (the bundle is written on the server, then copied here).' }
                        }
                        elseif (-not $Destination) {
                            # Written on the server in a temporary folder, pulled, then removed there.
                            $pullFrom = $check.Staging
                            $runParams[$PullParameter] = $pullFrom
                        }
                        else {
                            $pullFrom = [string]$runParams[$PullParameter]
                        }
                    }
                }
                if ($null -eq $failure) {
                    try {
                        Invoke-Command -Session $remote -ErrorAction Stop -ArgumentList $CommandName, $runParams, $modulePath -ScriptBlock $script:RemoteRun | ForEach-Object {
                            $o = $_
                            if ($null -eq $o) {
                                return
                            }
                            if ($null -ne $o.PSObject.Properties['MfaUpgradeRemoteReply']) {
                                $reply = $o
                                return
                            }
                            if ($null -ne $o.PSObject.Properties['MfaUpgradeRemoteError']) {
                                $messages.Add([string]$o.Message)
                                $record = New-MfaErrorRecord -Code ([string]$o.Code) -Message ([string]$o.Message) -Target $server -Remedy ([string]$o.RecommendedAction) -Command $CommandName -Category ([string]$o.Category)
                                $Cmdlet.WriteError($record)
                                return
                            }
                            $first = [string]$o.PSObject.TypeNames[0]
                            if ($first -like 'Deserialized.*') {
                                $o.PSObject.TypeNames.Insert(0, $first.Substring('Deserialized.'.Length))
                            }
                            if ($null -eq $o.PSObject.Properties['ComputerName']) {
                                Add-Member -InputObject $o -MemberType NoteProperty -Name 'ComputerName' -Value $server -Force
                            }
                            if ($StatusRows) {
                                $objects.Add($o)
                            }
                            else {
                                $o
                            }
                        }
                    }
                    catch [System.Management.Automation.ActionPreferenceStopException] {
                        throw
                    }
                    catch [System.Management.Automation.PipelineStoppedException] {
                        throw
                    }
                    catch {
                        $failure = [pscustomobject]@{ Code = 'REMOTE_DISCONNECTED'; Status = 'Failed'; ExitCode = 1603; Message = "the run there broke off: $($_.Exception.Message)"; Remedy = "The run may have gone on there: see its state with the same command and -WhatIf (Invoke-MfaServerUpgrade: -Resume -WhatIf) on $server before running it again." }
                    }
                }
                if ($null -eq $failure -and $pullTo -and $null -ne $reply -and [int]$reply.ExitCode -eq 0 -and -not $WhatIfPreference) {
                    $pulled = Receive-MfaBundle -Session $remote -From $pullFrom -To $pullTo -RemoveSource:(-not $Destination) -Cmdlet $Cmdlet
                    if ($null -ne $pulled.Failure) {
                        $failure = $pulled.Failure
                    }
                    else {
                        foreach ($o in $objects) {
                            if ($o.PSObject.TypeNames[0] -eq 'MfaUpgrade.BackupBundle') {
                                Add-Member -InputObject $o -MemberType NoteProperty -Name 'ServerPath' -Value $pullFrom -Force
                                Add-Member -InputObject $o -MemberType NoteProperty -Name 'Path' -Value $pullTo -Force
                            }
                        }
                        $objects.Add($pulled.Verification)
                        $messages.Add("copied to $pullTo and verified there")
                    }
                }
            }
        }
        finally {
            if ($t.Owned -and $null -ne $remote) {
                Remove-PSSession -Session $remote -ErrorAction SilentlyContinue
            }
        }

        if ($null -ne $failure) {
            $record = New-MfaErrorRecord -Code $failure.Code -Message $failure.Message -Target $server -Remedy $failure.Remedy -ExitCode $failure.ExitCode -Command $CommandName
            $Cmdlet.WriteError($record)
            $codes.Add([int]$failure.ExitCode)
            if ($StatusRows) {
                New-MfaServerStatus -ComputerName $server -Command $CommandName -ExitCode $failure.ExitCode -Status $failure.Status -Message $failure.Message -Output $objects.ToArray()
            }
            continue
        }
        $exit = 0
        if ($null -ne $reply -and $null -ne $reply.ExitCode) {
            $exit = [int]$reply.ExitCode
        }
        $codes.Add($exit)
        if ($StatusRows) {
            $message = (Get-MfaExitCodeMeaning -ExitCode $exit)
            if ($messages.Count -gt 0) {
                $message = $messages[$messages.Count - 1]
            }
            New-MfaServerStatus -ComputerName $server -Command $CommandName -ExitCode $exit -Message $message -Output $objects.ToArray()
        }
    }
    if ($codes.Count -gt 0) {
        $worst = Get-MfaWorstExitCode -ExitCode $codes.ToArray()
        $global:LASTEXITCODE = $worst
        $script:LastExitCode = $worst
    }
}

# What runs on the server: the verified module imported by path, the cmdlet with its parameters;
# its errors (2>&1, in order with the objects) and a terminating error come back as plain marker
# objects, the exit code in a last reply object.
$script:RemoteRun = {
    param($name, $parameters, $modulePath)
    function ConvertTo-RemoteError {
        param($e, [bool] $terminating)
        $action = $null
        if ($null -ne $e.ErrorDetails) {
            $action = $e.ErrorDetails.RecommendedAction
        }
        $code = ([string]$e.FullyQualifiedErrorId -split ',')[0]
        if ($code -like 'MfaUpgrade.*') {
            $code = $code.Substring('MfaUpgrade.'.Length)
        }
        $exit = $null
        if ($null -ne $e.Exception -and $null -ne $e.Exception.Data -and $e.Exception.Data.Contains('ExitCode')) {
            $exit = $e.Exception.Data['ExitCode']
        }
        [pscustomobject]@{
            MfaUpgradeRemoteError = $true
            Terminating           = $terminating
            Message               = $e.ToString()
            Code                  = $code
            Category              = [string]$e.CategoryInfo.Category
            RecommendedAction     = $action
            ExitCode              = $exit
        }
    }
    $global:LASTEXITCODE = 0
    $terminatingExit = $null
    try {
        Import-Module -Name $modulePath -Force -ErrorAction Stop
        & $name @parameters -ErrorAction Continue 2>&1 | ForEach-Object {
            if ($_ -is [System.Management.Automation.ErrorRecord]) {
                ConvertTo-RemoteError -e $_ -terminating $false
            }
            else {
                $_
            }
        }
    }
    catch {
        $marker = ConvertTo-RemoteError -e $_ -terminating $true
        $marker
        $terminatingExit = $marker.ExitCode
        if ($null -eq $terminatingExit -or [int]$terminatingExit -eq 0) {
            $terminatingExit = 1603
        }
    }
    $exitCode = $global:LASTEXITCODE
    if ($null -ne $terminatingExit -and ($null -eq $exitCode -or [int]$exitCode -eq 0)) {
        $exitCode = $terminatingExit
    }
    [pscustomobject]@{ MfaUpgradeRemoteReply = $true; ExitCode = $exitCode }
}

function New-MfaSession {
    <#
    .SYNOPSIS
    A session to a server: WinRM, or SSH when $MfaUpgradeSshOptions is set (PowerShell 7).
    .DESCRIPTION
    $MfaUpgradeSshOptions (a hashtable, like $PSSessionOption for WinRM) may hold UserName,
    KeyFilePath, Port, Subsystem and Options (ssh -o settings), as New-PSSession -HostName takes them.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $ComputerName,

        [System.Management.Automation.PSCredential] $Credential,

        [AllowEmptyString()]
        [string] $Authentication
    )

    $ssh = $global:MfaUpgradeSshOptions
    if ($null -ne $ssh) {
        if ($Authentication -or $null -ne $Credential) {
            throw 'Over SSH ($MfaUpgradeSshOptions is set) the account is $MfaUpgradeSshOptions.UserName with its key (KeyFilePath): -Credential and -Authentication are for WinRM.'
        }
        $p = @{ HostName = $ComputerName; ErrorAction = 'Stop' }
        foreach ($k in @('UserName', 'KeyFilePath', 'Port', 'Subsystem', 'Options')) {
            if ($ssh.ContainsKey($k)) {
                $p[$k] = $ssh[$k]
            }
        }
        return (New-PSSession @p)
    }
    $p = @{ ComputerName = $ComputerName; ErrorAction = 'Stop' }
    if ($null -ne $Credential) {
        $p['Credential'] = $Credential
    }
    if ($Authentication) {
        $p['Authentication'] = $Authentication
    }
    New-PSSession @p
}

function Test-MfaUncPath {
    <#
    .SYNOPSIS
    True for \\server\share\... (and //server/share/...): a path on a third computer.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [AllowEmptyString()]
        [string] $Path
    )

    $Path -match '^(\\\\|//)[^\\/?.][^\\/]*[\\/][^\\/]+'
}

function Test-MfaRemotePath {
    <#
    .SYNOPSIS
    Before a remote run: can the server reach the UNC paths it is given? Also a temporary folder
    there for a bundle to pull.
    .DESCRIPTION
    Returns Failure (DOUBLE_HOP without CredSSP, PATH_UNREACHABLE with it) or $null, and Staging.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.Runspaces.PSSession] $Session,

        [Parameter(Mandatory = $true)]
        [hashtable] $Parameters,

        [string[]] $PathParameter = @(),

        [AllowEmptyString()]
        [string] $Skip,

        [switch] $CredSsp
    )

    $unc = @()
    foreach ($name in $PathParameter) {
        if ($name -eq $Skip -or -not $Parameters.ContainsKey($name)) {
            continue
        }
        foreach ($v in @($Parameters[$name])) {
            if (Test-MfaUncPath -Path ([string]$v)) {
                $unc += [pscustomobject]@{ Name = $name; Path = [string]$v }
            }
        }
    }
    $paths = @($unc | ForEach-Object { $_.Path })
    $seen = Invoke-Command -Session $Session -ErrorAction Stop -ArgumentList (, $paths) -ScriptBlock {
        param($paths)
        $reach = @()
        foreach ($p in $paths) {
            # The share itself (\\server\share): the folder below may be made by the run.
            $parts = $p.TrimStart('\', '/') -split '[\\/]'
            $share = '\\' + $parts[0] + '\' + $parts[1]
            $reach += [bool](Test-Path -LiteralPath $share -ErrorAction SilentlyContinue)
        }
        $staging = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('mfa-upgrade-pull-' + [guid]::NewGuid().ToString('N'))
        [pscustomobject]@{ Reach = $reach; Staging = $staging; Computer = [System.Environment]::MachineName }
    }
    $failure = $null
    for ($i = 0; $i -lt $unc.Count; $i++) {
        if (-not [bool]@($seen.Reach)[$i]) {
            $p = $unc[$i]
            if ($CredSsp) {
                $failure = [pscustomobject]@{ Code = 'PATH_UNREACHABLE'; Status = 'Failed'; ExitCode = 2; Message = "-$($p.Name) $($p.Path) cannot be reached from there, even with CredSSP: nothing was run"; Remedy = 'Check the share name and its permissions for your account.' }
            }
            else {
                $failure = [pscustomobject]@{ Code = 'DOUBLE_HOP'; Status = 'DoubleHop'; ExitCode = 2; Message = "-$($p.Name) $($p.Path) cannot be reached from there: a remote session cannot pass your credentials on to a third computer (the double hop). Nothing was run"; Remedy = "Give -$($p.Name) a local path on the server, or use -Authentication CredSSP with -Credential (Enable-WSManCredSSP -Role Client -DelegateComputer <server> here, Enable-WSManCredSSP -Role Server there). Export-MfaBackup -Path \\server\share\... needs neither: the bundle is written on the server and pulled here." }
            }
            break
        }
    }
    [pscustomobject]@{ Failure = $failure; Staging = [string]$seen.Staging }
}

function Receive-MfaBundle {
    <#
    .SYNOPSIS
    Pulls a bundle folder from a server (Copy-Item -FromSession) into -To here, verifies it here
    (Test-MfaBackup) and only then gives it its name; with -RemoveSource the server's copy goes.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.Runspaces.PSSession] $Session,

        [Parameter(Mandatory = $true)]
        [string] $From,

        [Parameter(Mandatory = $true)]
        [string] $To,

        [switch] $RemoveSource,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    $partial = "$To.partial-" + [guid]::NewGuid().ToString('N').Substring(0, 8)
    try {
        $Cmdlet.WriteVerbose("Copying the bundle $From from $($Session.ComputerName) to $To")
        Copy-Item -FromSession $Session -Path $From -Destination $partial -Recurse -Force -ErrorAction Stop
        $verification = $null
        $codeBefore = $script:LastExitCode
        foreach ($o in @(Test-MfaBackup -Path $partial -ErrorAction SilentlyContinue -ErrorVariable verifyErrors)) {
            if ($o.PSObject.TypeNames[0] -eq 'MfaUpgrade.BackupVerification') {
                $verification = $o
            }
        }
        if ($null -eq $verification -or $verification.ok -ne $true) {
            $why = @($verifyErrors | ForEach-Object { $_.ToString() }) -join '; '
            $script:LastExitCode = $codeBefore
            return [pscustomobject]@{ Failure = [pscustomobject]@{ Code = 'PULL_FAILED'; Status = 'VerificationFailed'; ExitCode = 4; Message = "the bundle copied from $From does not verify here ($why); it is left on the server"; Remedy = "Copy $From from the server by hand and run Test-MfaBackup on it." }; Verification = $null }
        }
        Rename-Item -LiteralPath $partial -NewName (Split-Path -Path $To -Leaf) -ErrorAction Stop
        $partial = $null
        Add-Member -InputObject $verification -MemberType NoteProperty -Name 'Path' -Value $To -Force
        Add-Member -InputObject $verification -MemberType NoteProperty -Name 'bundle' -Value $To -Force
        if ($RemoveSource) {
            Invoke-Command -Session $Session -ErrorAction SilentlyContinue -ArgumentList $From -ScriptBlock {
                param($f)
                Remove-Item -LiteralPath $f -Recurse -Force -ErrorAction SilentlyContinue
            }
        }
        [pscustomobject]@{ Failure = $null; Verification = $verification }
    }
    catch {
        [pscustomobject]@{ Failure = [pscustomobject]@{ Code = 'PULL_FAILED'; Status = 'Failed'; ExitCode = 1603; Message = "the bundle $From could not be copied here: $($_.Exception.Message); it is left on the server"; Remedy = "Check that $(Split-Path -Path $To -Parent) is writable from this computer and has room." }; Verification = $null }
    }
    finally {
        if ($partial -and (Test-Path -LiteralPath $partial)) {
            Remove-Item -LiteralPath $partial -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

function New-MfaServerStatus {
    <#
    .SYNOPSIS
    One MfaUpgrade.ServerStatus row: what a changing cmdlet did on one server.
    #>
    [CmdletBinding()]
    [OutputType('MfaUpgrade.ServerStatus')]
    param(
        [Parameter(Mandatory = $true)]
        [string] $ComputerName,

        [Parameter(Mandatory = $true)]
        [string] $Command,

        [AllowNull()]
        [object] $ExitCode,

        [string] $Status,

        [string] $Message,

        [object[]] $Output = @(),

        [AllowNull()]
        [object] $Order = $null,

        [string] $Action
    )

    if (-not $Status) {
        $Status = Get-MfaStatusName -ExitCode $ExitCode
    }
    [pscustomobject]@{
        PSTypeName   = 'MfaUpgrade.ServerStatus'
        ComputerName = $ComputerName
        Order        = $Order
        Action       = $Action
        Command      = $Command
        Status       = $Status
        ExitCode     = $ExitCode
        Message      = $Message
        Output       = $Output
    }
}

function Install-MfaRemoteModule {
    <#
    .SYNOPSIS
    Makes sure the server has exactly this module (every file, by SHA-256) and returns the path of
    its manifest there; a missing, altered or half-copied module is copied again.
    .DESCRIPTION
    Destination: $env:ProgramFiles\WindowsPowerShell\Modules\MfaUpgrade\<version> on Windows (on
    PSModulePath for Windows PowerShell 5.1 and PowerShell 7), the user's module folder (the first
    of PSModulePath) elsewhere.
    A copy goes to a hidden staging folder beside it first (Copy-Item -ToSession), is checked file
    by file there, and only then replaces the version folder: an interrupted copy is never used,
    and an extra .ps1 (which the module would dot-source) counts as a difference too.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.Runspaces.PSSession] $Session,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    $version = [string]$script:ModuleVersion
    $files = Get-MfaModuleFileHash
    $check = {
        param($version, $files, $folder)
        $modules = $null
        if ($env:ProgramFiles -and ([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT)) {
            $modules = Join-Path -Path $env:ProgramFiles -ChildPath 'WindowsPowerShell\Modules'
        }
        else {
            # PowerShell 7 elsewhere: the first PSModulePath entry is the user's module folder.
            $modules = @($env:PSModulePath -split [System.IO.Path]::PathSeparator)[0]
        }
        $destination = Join-Path -Path (Join-Path -Path $modules -ChildPath 'MfaUpgrade') -ChildPath $version
        if (-not $folder) {
            $folder = $destination
        }
        $problems = @()
        if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
            $problems += 'not there'
        }
        else {
            $expected = @{}
            foreach ($f in $files) {
                $expected[$f.Path] = $f.Hash
            }
            $root = (Resolve-Path -LiteralPath $folder).ProviderPath
            $found = @{}
            foreach ($item in @(Get-ChildItem -LiteralPath $root -Recurse -File -Force)) {
                $rel = $item.FullName.Substring($root.Length).TrimStart('\', '/').Replace('\', '/')
                $found[$rel] = $true
                if (-not $expected.ContainsKey($rel)) {
                    $problems += "extra $rel"
                }
                elseif ((Get-FileHash -LiteralPath $item.FullName -Algorithm SHA256).Hash -ne $expected[$rel]) {
                    $problems += "altered $rel"
                }
            }
            foreach ($k in $expected.Keys) {
                if (-not $found.ContainsKey($k)) {
                    $problems += "missing $k"
                }
            }
        }
        [pscustomobject]@{ Modules = $modules; Destination = $destination; Manifest = (Join-Path -Path $destination -ChildPath 'MfaUpgrade.psd1'); Problems = $problems }
    }
    $state = Invoke-Command -Session $Session -ErrorAction Stop -ScriptBlock $check -ArgumentList $version, $files, $null
    if (@($state.Problems).Count -eq 0) {
        return [string]$state.Manifest
    }
    $Cmdlet.WriteVerbose("MfaUpgrade $version on $($Session.ComputerName) at $($state.Destination): $(@(@($state.Problems)[0..4]) -join ', '); copying it")
    $staging = Invoke-Command -Session $Session -ErrorAction Stop -ArgumentList ([string]$state.Modules) -ScriptBlock {
        param($modules)
        $s = Join-Path -Path $modules -ChildPath ('.MfaUpgrade-staging-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $s -Force | Out-Null
        $s
    }
    try {
        Copy-Item -Path (Join-Path -Path $script:ModuleRoot -ChildPath '*') -Destination $staging -ToSession $Session -Recurse -Force -ErrorAction Stop
        $copied = Invoke-Command -Session $Session -ErrorAction Stop -ScriptBlock $check -ArgumentList $version, $files, $staging
        if (@($copied.Problems).Count -gt 0) {
            throw "the copy differs from this module: $(@(@($copied.Problems)[0..4]) -join ', ')"
        }
        $path = Invoke-Command -Session $Session -ErrorAction Stop -ArgumentList $staging, ([string]$state.Destination) -ScriptBlock {
            param($staging, $destination)
            $parent = Split-Path -Path $destination -Parent
            if (-not (Test-Path -LiteralPath $parent)) {
                New-Item -ItemType Directory -Path $parent -Force | Out-Null
            }
            if (Test-Path -LiteralPath $destination) {
                $old = Join-Path -Path (Split-Path -Path $staging -Parent) -ChildPath ('.MfaUpgrade-old-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
                Move-Item -LiteralPath $destination -Destination $old -ErrorAction Stop
                Remove-Item -LiteralPath $old -Recurse -Force -ErrorAction SilentlyContinue
            }
            Move-Item -LiteralPath $staging -Destination $destination -ErrorAction Stop
            Join-Path -Path $destination -ChildPath 'MfaUpgrade.psd1'
        }
        $staging = $null
        $path
    }
    finally {
        if ($staging) {
            Invoke-Command -Session $Session -ErrorAction SilentlyContinue -ArgumentList $staging -ScriptBlock {
                param($s)
                Remove-Item -LiteralPath $s -Recurse -Force -ErrorAction SilentlyContinue
            }
        }
    }
}

function Get-MfaModuleFileHash {
    <#
    .SYNOPSIS
    Every file of this module with its SHA-256 (relative paths with /), what a server's copy must match.
    #>
    [CmdletBinding()]
    param()

    if ($null -eq $script:ModuleFileHashes) {
        $root = (Resolve-Path -LiteralPath $script:ModuleRoot).ProviderPath
        $script:ModuleFileHashes = @(foreach ($item in @(Get-ChildItem -LiteralPath $root -Recurse -File -Force)) {
                [pscustomobject]@{
                    Path = $item.FullName.Substring($root.Length).TrimStart('\', '/').Replace('\', '/')
                    Hash = (Get-FileHash -LiteralPath $item.FullName -Algorithm SHA256).Hash
                }
            })
    }
    $script:ModuleFileHashes
}

function Test-MfaLocalComputer {
    <#
    .SYNOPSIS
    True when a -ComputerName names this computer ('.', localhost, its NetBIOS or DNS name, 127.0.0.1, ::1).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)]
        [string] $ComputerName
    )

    $name = $ComputerName.Trim()
    $local = @('.', 'localhost', '127.0.0.1', '::1', [System.Environment]::MachineName)
    try {
        $local += [System.Net.Dns]::GetHostEntry('localhost').HostName
        $local += [System.Net.Dns]::GetHostName()
    }
    catch {
        Write-Debug -Message 'DNS names of this computer are not known'
    }
    foreach ($l in $local) {
        if ([string]::Equals($name, [string]$l, [System.StringComparison]::OrdinalIgnoreCase)) {
            return $true
        }
    }
    return $false
}
