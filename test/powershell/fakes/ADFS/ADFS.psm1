# The AD FS cmdlets the adapter upgrade uses, as PowerShell functions over an image host's
# adfs.json: real parameter binding (names, types, Mandatory, -WhatIf/-Confirm), real error
# records (ErrorId,Command), output objects on the pipeline. The farm model is the one of
# lib/host/image/adfs-state.ts (the image host's own fake, the fake powershell executable and the
# Mono runspace follow it too): AD FS refuses to register a name twice, to unregister a provider
# the global policy still names or a built-in one, to name an unregistered provider in the policy,
# and a configuration file that is not there. Injected faults ("faults" in adfs.json) fail the
# next matching call, before or after its change.
#   $env:MFA_FAKE_ADFS_IMAGE  the image host folder standing for the AD FS server
#   $env:MFA_FAKE_ADFS_LOG    optional: each call appended as one JSON line

function Get-FakeAdfsFile {
    $image = $env:MFA_FAKE_ADFS_IMAGE
    if (-not $image) {
        throw 'MFA_FAKE_ADFS_IMAGE is not set: the fake AD FS module needs an image host folder.'
    }
    Join-Path -Path $image -ChildPath 'adfs.json'
}

function Read-FakeAdfsState {
    $text = [System.IO.File]::ReadAllText((Get-FakeAdfsFile))
    $state = ConvertFrom-Json -InputObject $text
    # Lists stay lists whatever ConvertFrom-Json made of one element.
    $state.providers = @($state.providers)
    $state.globalPolicy.additionalAuthenticationProvider = @($state.globalPolicy.additionalAuthenticationProvider)
    if ($null -ne $state.PSObject.Properties['faults']) {
        $state.faults = @($state.faults)
    }
    $state
}

function Save-FakeAdfsState {
    param($State)
    $file = Get-FakeAdfsFile
    $json = ConvertTo-Json -InputObject $State -Depth 8
    $temp = "$file.tmp-$PID"
    [System.IO.File]::WriteAllText($temp, $json + "`n", (New-Object -TypeName 'System.Text.UTF8Encoding' -ArgumentList $false))
    Move-Item -LiteralPath $temp -Destination $file -Force
}

function Write-FakeAdfsCall {
    param([string] $Command, [hashtable] $Parameters)
    if ($env:MFA_FAKE_ADFS_LOG) {
        $line = ConvertTo-Json -InputObject @{ via = 'pwsh-module'; command = $Command; parameters = $Parameters } -Depth 5 -Compress
        Add-Content -LiteralPath $env:MFA_FAKE_ADFS_LOG -Value $line -Encoding UTF8
    }
}

function Get-FakeAdfsLocalPath {
    # C:\new\x.config on the AD FS server: <image>\drive\C\new\x.config
    param([string] $Path)
    if ($Path -notmatch '^(?<drive>[A-Za-z]):\\(?<rest>.*)$') {
        return $null
    }
    $rest = $Matches['rest'] -replace '\\', [string][System.IO.Path]::DirectorySeparatorChar
    Join-Path -Path (Join-Path -Path (Join-Path -Path $env:MFA_FAKE_ADFS_IMAGE -ChildPath 'drive') -ChildPath $Matches['drive'].ToUpperInvariant()) -ChildPath $rest
}

function New-FakeAdfsError {
    param([string] $Id, [string] $Category, [string] $Message, [object] $Target)
    $exception = New-Object -TypeName 'System.InvalidOperationException' -ArgumentList $Message
    New-Object -TypeName 'System.Management.Automation.ErrorRecord' -ArgumentList $exception, $Id, ([System.Management.Automation.ErrorCategory]$Category), $Target
}

function Find-FakeAdfsProvider {
    param($State, [string] $Name)
    foreach ($p in @($State.providers)) {
        if ([string]::Equals([string]$p.name, $Name, [System.StringComparison]::OrdinalIgnoreCase)) {
            return $p
        }
    }
    $null
}

function Get-FakeAdfsFault {
    # The first injected fault matching this call, taken off the list (times counts down).
    param($State, [string] $Command, [hashtable] $Parameters)
    if ($null -eq $State.PSObject.Properties['faults']) {
        return $null
    }
    $faults = New-Object -TypeName 'System.Collections.Generic.List[object]'
    foreach ($f in @($State.faults)) {
        $faults.Add($f)
    }
    for ($i = 0; $i -lt $faults.Count; $i++) {
        $f = $faults[$i]
        if (-not [string]::Equals([string]$f.command, $Command, [System.StringComparison]::OrdinalIgnoreCase)) {
            continue
        }
        if ($null -ne $f.PSObject.Properties['name'] -and -not [string]::Equals([string]$f.name, [string]$Parameters['Name'], [System.StringComparison]::OrdinalIgnoreCase)) {
            continue
        }
        if ($null -ne $f.PSObject.Properties['typeNameContains'] -and -not ([string]$Parameters['TypeName']).Contains([string]$f.typeNameContains)) {
            continue
        }
        $times = 1
        if ($null -ne $f.PSObject.Properties['times']) {
            $times = [int]$f.times
        }
        if ($times -gt 1) {
            $f.times = $times - 1
        }
        else {
            $faults.RemoveAt($i)
        }
        if ($faults.Count -eq 0) {
            $State.PSObject.Properties.Remove('faults')
        }
        else {
            $State.faults = $faults.ToArray()
        }
        return $f
    }
    $null
}

function Invoke-FakeAdfsCmdlet {
    <#
    One call: log it, take a fault, apply the change to the state (saved when it changed, also
    when the call then fails: AD FS keeps a half-done change), throw the call's error record.
    #>
    # The -Apply block runs in a scope below this one: it sees the public function's parameters
    # ($Name, $FilePath ...), so no local here may carry one of their names; it gets the bound
    # parameters as its second argument and reaches ShouldProcess through $Cmdlet.
    param(
        [System.Management.Automation.PSCmdlet] $Cmdlet,
        [hashtable] $Parameters,
        [scriptblock] $Apply
    )
    $commandName = $Cmdlet.MyInvocation.MyCommand.Name
    $shown = @{}
    foreach ($k in $Parameters.Keys) {
        $v = $Parameters[$k]
        if ($v -is [System.Management.Automation.SwitchParameter]) {
            $v = $v.IsPresent
        }
        $shown[$k] = $v
    }
    Write-FakeAdfsCall -Command $commandName -Parameters $shown
    $state = Read-FakeAdfsState
    $before = ConvertTo-Json -InputObject $state -Depth 8 -Compress
    $fault = Get-FakeAdfsFault -State $state -Command $commandName -Parameters $shown
    $record = $null
    $output = @()
    if ($null -ne $fault -and [string]$fault.when -ne 'after') {
        $record = New-FakeAdfsError -Id ([string]$(if ($fault.fullyQualifiedErrorId) { ([string]$fault.fullyQualifiedErrorId -split ',')[0] } else { 'InjectedFault' })) -Category ([string]$(if ($fault.category) { $fault.category } else { 'InvalidOperation' })) -Message ([string]$fault.message) -Target $null
    }
    else {
        try {
            $output = @(& $Apply $state $Parameters)
        }
        catch {
            $record = $_.TargetObject
            if ($record -isnot [System.Management.Automation.ErrorRecord]) {
                $record = New-FakeAdfsError -Id 'UnexpectedFailure' -Category 'NotSpecified' -Message $_.Exception.Message -Target $null
            }
        }
        if ($null -eq $record -and $null -ne $fault) {
            $record = New-FakeAdfsError -Id ([string]$(if ($fault.fullyQualifiedErrorId) { ([string]$fault.fullyQualifiedErrorId -split ',')[0] } else { 'InjectedFault' })) -Category ([string]$(if ($fault.category) { $fault.category } else { 'InvalidOperation' })) -Message ([string]$fault.message) -Target $null
        }
    }
    if ((ConvertTo-Json -InputObject $state -Depth 8 -Compress) -ne $before) {
        Save-FakeAdfsState -State $state
    }
    if ($null -ne $record) {
        $Cmdlet.ThrowTerminatingError($record)
    }
    $output
}

function Stop-FakeAdfsCall {
    # Raised inside an -Apply block: carried to Invoke-FakeAdfsCmdlet as the exception's target.
    param([string] $Id, [string] $Category, [string] $Message, [object] $Target)
    $record = New-FakeAdfsError -Id $Id -Category $Category -Message $Message -Target $Target
    $exception = New-Object -TypeName 'System.Management.Automation.RuntimeException' -ArgumentList $Message
    throw (New-Object -TypeName 'System.Management.Automation.ErrorRecord' -ArgumentList $exception, 'FakeAdfs', 'NotSpecified', $record)
}

function Read-FakeAdfsConfigFile {
    param([string] $Path)
    $local = Get-FakeAdfsLocalPath -Path $Path
    if ($null -eq $local -or -not (Test-Path -LiteralPath $local -PathType Leaf)) {
        Stop-FakeAdfsCall -Id 'FileNotFound' -Category 'ObjectNotFound' -Message "Could not find file '$Path'." -Target $Path
    }
    [System.Convert]::ToBase64String([System.IO.File]::ReadAllBytes($local))
}

function Get-AdfsAuthenticationProvider {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0)]
        [string] $Name
    )
    Invoke-FakeAdfsCmdlet -Cmdlet $PSCmdlet -Parameters $PSBoundParameters -Apply {
        param($state, $bound)
        foreach ($p in @($state.providers)) {
            if (-not $Name -or [string]::Equals([string]$p.name, $Name, [System.StringComparison]::OrdinalIgnoreCase)) {
                $admin = [string]$p.name
                if ($null -ne $p.PSObject.Properties['adminName']) {
                    $admin = [string]$p.adminName
                }
                [pscustomobject]@{ Name = [string]$p.name; AdminName = $admin; TypeName = [string]$p.typeName }
            }
        }
    }
}

function Get-AdfsSyncProperties {
    # A WID farm node's role; a farm of one (no "sync" in adfs.json) is its own primary.
    [CmdletBinding()]
    param()
    Invoke-FakeAdfsCmdlet -Cmdlet $PSCmdlet -Parameters $PSBoundParameters -Apply {
        param($state, $bound)
        $role = 'PrimaryComputer'
        $primary = ''
        if ($null -ne $state.PSObject.Properties['sync']) {
            $role = [string]$state.sync.role
            if ($null -ne $state.sync.PSObject.Properties['primaryComputerName']) { $primary = [string]$state.sync.primaryComputerName }
        }
        [pscustomobject]@{ Role = $role; PrimaryComputerName = $primary }
    }
}

function Get-WinEvent {
    # The AD FS Admin log of adfs.json "events"; only the Level= and @SystemTime>= parts of the
    # XPath filter are understood. No match is an error, as Get-WinEvent's is.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $LogName,
        [string] $FilterXPath,
        [int] $MaxEvents
    )
    Invoke-FakeAdfsCmdlet -Cmdlet $PSCmdlet -Parameters $PSBoundParameters -Apply {
        param($state, $bound)
        $level = $null
        $since = $null
        if ($FilterXPath -match 'Level=(\d+)') { $level = [int]$Matches[1] }
        if ($FilterXPath -match "@SystemTime>='([^']+)'") { $since = $Matches[1] }
        $events = @()
        if ($null -ne $state.PSObject.Properties['events']) { $events = @($state.events) }
        $found = @($events | Where-Object {
            [string]::Equals([string]$_.logName, $LogName, [System.StringComparison]::OrdinalIgnoreCase) -and
            ($null -eq $level -or [int]$_.level -eq $level) -and
            ($null -eq $since -or [string]::CompareOrdinal([string]$_.timeCreated, $since) -ge 0)
        })
        if ($found.Count -eq 0) {
            Stop-FakeAdfsCall -Id 'NoMatchingEventsFound' -Category 'ObjectNotFound' -Message 'No events were found that match the specified selection criteria.' -Target $null
        }
        foreach ($e in $found) {
            [pscustomobject]@{ Id = [int]$e.id; Level = [int]$e.level; TimeCreated = [string]$e.timeCreated; ProviderName = [string]$e.providerName; LogName = [string]$e.logName; Message = [string]$e.message }
        }
    }
}

function Get-AdfsGlobalAuthenticationPolicy {
    [CmdletBinding()]
    param()
    Invoke-FakeAdfsCmdlet -Cmdlet $PSCmdlet -Parameters $PSBoundParameters -Apply {
        param($state, $bound)
        [pscustomobject]@{ AdditionalAuthenticationProvider = [string[]]@($state.globalPolicy.additionalAuthenticationProvider) }
    }
}

function Set-AdfsGlobalAuthenticationPolicy {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    param(
        [Parameter()]
        [AllowEmptyCollection()]
        [string[]] $AdditionalAuthenticationProvider
    )
    Invoke-FakeAdfsCmdlet -Cmdlet $PSCmdlet -Parameters $PSBoundParameters -Apply {
        param($state, $bound)
        if (-not $bound.ContainsKey('AdditionalAuthenticationProvider') -or -not $Cmdlet.ShouldProcess('global authentication policy')) {
            return
        }
        $canonical = @(foreach ($n in @($AdditionalAuthenticationProvider)) {
                $p = Find-FakeAdfsProvider -State $state -Name $n
                if ($null -eq $p) {
                    Stop-FakeAdfsCall -Id 'AuthenticationProviderNotFound' -Category 'ObjectNotFound' -Message "The authentication provider '$n' is not registered in AD FS." -Target $n
                }
                [string]$p.name
            })
        $state.globalPolicy.additionalAuthenticationProvider = $canonical
    }
}

function Export-AdfsAuthenticationProviderConfigurationData {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Name,

        [Parameter(Mandatory = $true)]
        [string] $FilePath
    )
    Invoke-FakeAdfsCmdlet -Cmdlet $PSCmdlet -Parameters $PSBoundParameters -Apply {
        param($state, $bound)
        $p = Find-FakeAdfsProvider -State $state -Name $Name
        if ($null -eq $p) {
            Stop-FakeAdfsCall -Id 'AuthenticationProviderNotFound' -Category 'ObjectNotFound' -Message "The authentication provider '$Name' is not registered in AD FS." -Target $Name
        }
        if (-not $Cmdlet.ShouldProcess($FilePath)) {
            return
        }
        $local = Get-FakeAdfsLocalPath -Path $FilePath
        $parent = Split-Path -Path $local -Parent
        if (-not (Test-Path -LiteralPath $parent)) {
            New-Item -ItemType Directory -Path $parent -Force | Out-Null
        }
        $data = [byte[]]@()
        if ($null -ne $p.PSObject.Properties['configurationData'] -and $p.configurationData) {
            $data = [System.Convert]::FromBase64String([string]$p.configurationData)
        }
        [System.IO.File]::WriteAllBytes($local, $data)
    }
}

function Import-AdfsAuthenticationProviderConfigurationData {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Name,

        [Parameter(Mandatory = $true)]
        [string] $FilePath
    )
    Invoke-FakeAdfsCmdlet -Cmdlet $PSCmdlet -Parameters $PSBoundParameters -Apply {
        param($state, $bound)
        $p = Find-FakeAdfsProvider -State $state -Name $Name
        if ($null -eq $p) {
            Stop-FakeAdfsCall -Id 'AuthenticationProviderNotFound' -Category 'ObjectNotFound' -Message "The authentication provider '$Name' is not registered in AD FS." -Target $Name
        }
        $data = Read-FakeAdfsConfigFile -Path $FilePath
        if ($Cmdlet.ShouldProcess($Name)) {
            Add-Member -InputObject $p -MemberType NoteProperty -Name 'configurationData' -Value $data -Force
        }
    }
}

function Register-AdfsAuthenticationProvider {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [string] $TypeName,

        [Parameter(Mandatory = $true)]
        [string] $Name,

        [Parameter()]
        [string] $ConfigurationFilePath
    )
    Invoke-FakeAdfsCmdlet -Cmdlet $PSCmdlet -Parameters $PSBoundParameters -Apply {
        param($state, $bound)
        if ($null -ne (Find-FakeAdfsProvider -State $state -Name $Name)) {
            Stop-FakeAdfsCall -Id 'AuthenticationProviderAlreadyExists' -Category 'ResourceExists' -Message "An authentication provider named '$Name' is already registered." -Target $Name
        }
        if ($TypeName -notmatch '^[^,\s][^,]*,\s*[^,\s]') {
            Stop-FakeAdfsCall -Id 'InvalidTypeName' -Category 'InvalidArgument' -Message "'$TypeName' is not an assembly-qualified type name." -Target $TypeName
        }
        $provider = [pscustomobject]@{ name = $Name; typeName = $TypeName }
        if ($bound.ContainsKey('ConfigurationFilePath')) {
            Add-Member -InputObject $provider -MemberType NoteProperty -Name 'configurationData' -Value (Read-FakeAdfsConfigFile -Path $ConfigurationFilePath)
        }
        $state.providers = @($state.providers) + $provider
    }
}

function Unregister-AdfsAuthenticationProvider {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    param(
        [Parameter(Mandatory = $true)]
        [string] $Name
    )
    Invoke-FakeAdfsCmdlet -Cmdlet $PSCmdlet -Parameters $PSBoundParameters -Apply {
        param($state, $bound)
        $p = Find-FakeAdfsProvider -State $state -Name $Name
        if ($null -eq $p) {
            Stop-FakeAdfsCall -Id 'AuthenticationProviderNotFound' -Category 'ObjectNotFound' -Message "The authentication provider '$Name' is not registered in AD FS." -Target $Name
        }
        if ([string]$p.typeName -match '^Microsoft\.IdentityServer\.') {
            Stop-FakeAdfsCall -Id 'BuiltInAuthenticationProvider' -Category 'InvalidOperation' -Message "'$($p.name)' is built into AD FS and cannot be unregistered." -Target ([string]$p.name)
        }
        foreach ($n in @($state.globalPolicy.additionalAuthenticationProvider)) {
            if ([string]::Equals([string]$n, [string]$p.name, [System.StringComparison]::OrdinalIgnoreCase)) {
                Stop-FakeAdfsCall -Id 'AuthenticationProviderInUse' -Category 'InvalidOperation' -Message "The authentication provider '$($p.name)' is used by the global authentication policy; remove it from AdditionalAuthenticationProvider first." -Target ([string]$p.name)
            }
        }
        if ($Cmdlet.ShouldProcess([string]$p.name)) {
            $state.providers = @(@($state.providers) | Where-Object { $_ -ne $p })
        }
    }
}

Export-ModuleMember -Function @(
    'Get-AdfsAuthenticationProvider'
    'Get-AdfsGlobalAuthenticationPolicy'
    'Set-AdfsGlobalAuthenticationPolicy'
    'Export-AdfsAuthenticationProviderConfigurationData'
    'Import-AdfsAuthenticationProviderConfigurationData'
    'Register-AdfsAuthenticationProvider'
    'Unregister-AdfsAuthenticationProvider'
    'Get-AdfsSyncProperties'
    'Get-WinEvent'
)
