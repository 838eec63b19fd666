function Invoke-MfaRemote {
    <#
    .SYNOPSIS
    Runs a public cmdlet of this module on other servers through PowerShell remoting.
    .DESCRIPTION
    For each server (-ComputerName, or the open -Session): makes sure MfaUpgrade of this version is
    there (copies the module with Copy-Item -ToSession into Program Files when it is missing),
    runs the same cmdlet there with the same parameters (without -ComputerName, -Session and
    -Credential), and returns
      - with -StatusRows (cmdlets that change a server): one MfaUpgrade.ServerStatus row per
        server (ComputerName, Status, ExitCode, Message, Output); ShouldProcess is asked here,
        once per server, and the remote run gets -Confirm:$false (or -WhatIf, whose messages
        come back through the remoting host);
      - otherwise: the remote objects themselves, with their type names and a ComputerName.
    Servers are done one after another, in the order given. Errors on the remote side are
    written here with the server as their target; a server that cannot be reached gets a row
    with Status Unreachable and exit code 1603.
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

        [System.Management.Automation.PSCredential] $Credential
    )

    $params = @{}
    foreach ($key in $BoundParameters.Keys) {
        # Remoting parameters are this side's; common parameters are set for the remote run below
        # (splatting one of them beside an explicit one would bind it twice).
        if ($key -in @('ComputerName', 'Session', 'Credential', 'WhatIf', 'Confirm') -or $key -in $script:CommonParameterNames) {
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

    foreach ($t in $targets) {
        $server = $t.Name
        if ($StatusRows) {
            if ($WhatIfPreference) {
                $params['WhatIf'] = $true
            }
            elseif (-not $Cmdlet.ShouldProcess($server, $Action)) {
                continue
            }
            else {
                $params['Confirm'] = $false
            }
        }
        $session = $t.Session
        try {
            if ($null -eq $session -and (Test-MfaLocalComputer -ComputerName $server)) {
                # This computer: no remoting, the cmdlet runs here (its errors are written as they come).
                $global:LASTEXITCODE = 0
                $script:LastExitCode = 0
                $localOutput = @(& $CommandName @params)
                $reply = [pscustomobject]@{ Output = $localOutput; ExitCode = $script:LastExitCode; Errors = @() }
            }
            else {
                if ($null -eq $session) {
                    $newSession = @{ ComputerName = $server; ErrorAction = 'Stop' }
                    if ($null -ne $Credential) {
                        $newSession['Credential'] = $Credential
                    }
                    $session = New-PSSession @newSession
                }
                Install-MfaRemoteModule -Session $session -Cmdlet $Cmdlet
                $reply = Invoke-Command -Session $session -ErrorAction Stop -ArgumentList $CommandName, $params, ([string]$script:ModuleVersion) -ScriptBlock {
                    param($name, $parameters, $version)
                    Import-Module -Name MfaUpgrade -RequiredVersion $version -ErrorAction Stop
                    $errs = $null
                    $global:LASTEXITCODE = 0
                    $out = @(& $name @parameters -ErrorVariable errs -ErrorAction SilentlyContinue)
                    $problems = @(foreach ($e in @($errs)) {
                            $action = $null
                            if ($null -ne $e.ErrorDetails) {
                                $action = $e.ErrorDetails.RecommendedAction
                            }
                            [pscustomobject]@{
                                Message           = $e.ToString()
                                ErrorId           = $e.FullyQualifiedErrorId
                                Category          = [string]$e.CategoryInfo.Category
                                Target            = [string]$e.TargetObject
                                RecommendedAction = $action
                            }
                        })
                    [pscustomobject]@{ Output = $out; ExitCode = $global:LASTEXITCODE; Errors = $problems }
                }
            }
        }
        catch {
            $record = New-MfaErrorRecord -Code 'REMOTE_UNREACHABLE' -Message "$($server): $($_.Exception.Message)" -Target $server -Remedy 'Check that WinRM is enabled there (Enable-PSRemoting), that you are an administrator there, and the name or the -Credential.' -ExitCode 1603 -Command $CommandName
            $Cmdlet.WriteError($record)
            if ($StatusRows) {
                New-MfaServerStatus -ComputerName $server -Command $CommandName -ExitCode 1603 -Status 'Unreachable' -Message $_.Exception.Message
            }
            $global:LASTEXITCODE = 1603
            $script:LastExitCode = 1603
            continue
        }
        finally {
            if ($t.Owned -and $null -ne $session) {
                Remove-PSSession -Session $session -ErrorAction SilentlyContinue
            }
        }

        $messages = New-Object -TypeName 'System.Collections.Generic.List[string]'
        foreach ($p in @($reply.Errors)) {
            if ($null -eq $p) {
                continue
            }
            $messages.Add([string]$p.Message)
            $code = ([string]$p.ErrorId -split ',')[0] -replace '^MfaUpgrade\.', ''
            $record = New-MfaErrorRecord -Code $code -Message "$($server): $($p.Message)" -Target $server -Remedy ([string]$p.RecommendedAction) -Command $CommandName
            $Cmdlet.WriteError($record)
        }
        $objects = foreach ($o in @($reply.Output)) {
            if ($null -eq $o) {
                continue
            }
            $first = [string]$o.PSObject.TypeNames[0]
            if ($first -like 'Deserialized.*') {
                $o.PSObject.TypeNames.Insert(0, $first.Substring('Deserialized.'.Length))
            }
            if ($null -eq $o.PSObject.Properties['ComputerName']) {
                Add-Member -InputObject $o -MemberType NoteProperty -Name 'ComputerName' -Value $server -Force
            }
            $o
        }
        $exit = 0
        if ($null -ne $reply.ExitCode) {
            $exit = [int]$reply.ExitCode
        }
        $global:LASTEXITCODE = $exit
        $script:LastExitCode = $exit
        if ($StatusRows) {
            $message = (Get-MfaExitCodeMeaning -ExitCode $exit)
            if ($messages.Count -gt 0) {
                $message = $messages[$messages.Count - 1]
            }
            New-MfaServerStatus -ComputerName $server -Command $CommandName -ExitCode $exit -Message $message -Output @($objects)
        }
        else {
            $objects
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
    Copies this module to a remote server when MfaUpgrade of this version is not there.
    .DESCRIPTION
    Destination: $env:ProgramFiles\WindowsPowerShell\Modules\MfaUpgrade\<version> on the server
    (on PSModulePath for Windows PowerShell 5.1 and PowerShell 7), copied with Copy-Item
    -ToSession (PowerShell 5.0 or later on both ends). The module carries its executable, so the
    server needs nothing else.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.Runspaces.PSSession] $Session,

        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCmdlet] $Cmdlet
    )

    $version = [string]$script:ModuleVersion
    $destination = Invoke-Command -Session $Session -ErrorAction Stop -ArgumentList $version -ScriptBlock {
        param($v)
        $found = @(Get-Module -ListAvailable -Name MfaUpgrade | Where-Object { [string]$_.Version -eq $v })
        if ($found.Count -gt 0) {
            return $null
        }
        Join-Path -Path $env:ProgramFiles -ChildPath "WindowsPowerShell\Modules\MfaUpgrade\$v"
    }
    if ($null -eq $destination) {
        return
    }
    $Cmdlet.WriteVerbose("Copying MfaUpgrade $version to $($Session.ComputerName):$destination")
    Invoke-Command -Session $Session -ErrorAction Stop -ArgumentList $destination -ScriptBlock {
        param($d)
        New-Item -ItemType Directory -Path $d -Force | Out-Null
    }
    Copy-Item -Path (Join-Path -Path $script:ModuleRoot -ChildPath '*') -Destination $destination -ToSession $Session -Recurse -Force -ErrorAction Stop
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
