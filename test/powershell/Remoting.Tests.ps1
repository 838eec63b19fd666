<#
Remoting for real: PowerShell sessions over SSH to this machine (scripts/pwsh/ssh-localhost.sh
starts Debian's sshd with the PowerShell subsystem and exports MFA_PESTER_SSH). The "server" is
this machine as seen through a session: the module is copied into the sessions' own module
folder, the CLI runs there, and image hosts stand for the servers' machines.
#>

Describe 'Remoting over SSH to localhost' -Tag 'Remoting' -Skip:(-not $env:MFA_PESTER_SSH) {
    BeforeAll {
        . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
        $ssh = $env:MFA_PESTER_SSH
        $script:SshOptions = @{ Port = 52222; KeyFilePath = (Join-Path -Path $ssh -ChildPath 'client_ed25519'); Options = @{ UserKnownHostsFile = (Join-Path -Path $ssh -ChildPath 'known_hosts'); BatchMode = 'yes' } }
        $script:RemoteCopy = Join-Path -Path $ssh -ChildPath 'modules/powershell/Modules/MfaUpgrade'
        $script:ModuleDir = Split-Path -Path $script:ModulePath -Parent
        Remove-Item -LiteralPath $script:RemoteCopy -Recurse -Force -ErrorAction SilentlyContinue
        function script:New-TestSession {
            param([string] $HostName = '127.0.0.1')
            New-PSSession -HostName $HostName @script:SshOptions -ErrorAction Stop
        }
        $script:Session = New-TestSession
    }
    AfterAll {
        Remove-PSSession -Session $script:Session -ErrorAction SilentlyContinue
        Remove-Variable -Name MfaUpgradeSshOptions -Scope Global -ErrorAction SilentlyContinue
    }
    AfterEach {
        Remove-Variable -Name MfaUpgradeSshOptions -Scope Global -ErrorAction SilentlyContinue
    }

    It 'Get-MfaDeployment -Session copies the module to the server (file for file) and inventories an image there' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $d = @(Get-MfaDeployment -Session $script:Session -ImagePath $work)
        $d.Count | Should -Be 1
        $d[0].PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.Deployment'
        $d[0].ComputerName | Should -Be '127.0.0.1'
        $d[0].server.product.version | Should -Be '5.2.1.12'
        $LASTEXITCODE | Should -Be 0
        Get-TreeHash -Path (Join-Path -Path $script:RemoteCopy -ChildPath '0.1.0') | Should -Be (Get-TreeHash -Path $script:ModuleDir)
    }

    It 'a half-done or altered copy on the server is replaced, never trusted by its version' {
        $work = Copy-Sample -Name 'mfa-7.0'
        $null = Get-MfaDeployment -Session $script:Session -ImagePath $work
        $remote = Join-Path -Path $script:RemoteCopy -ChildPath '0.1.0'
        $cli = Join-Path -Path $remote -ChildPath 'Private/Invoke-MfaCli.ps1'
        $text = [System.IO.File]::ReadAllText($cli)
        [System.IO.File]::WriteAllText($cli, $text.Substring(0, [int]($text.Length / 2)))
        Set-Content -LiteralPath (Join-Path -Path $remote -ChildPath 'Private/Extra.ps1') -Value 'function Get-Extra { 1 }'
        $d = Get-MfaDeployment -Session $script:Session -ImagePath $work -Verbose 4>&1
        @($d | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*copying it*' }).Count | Should -Be 1
        @($d | Where-Object { $_.PSObject.TypeNames[0] -eq 'MfaUpgrade.Deployment' })[0].server.product.version | Should -Be '7.0.2.1'
        Get-TreeHash -Path $remote | Should -Be (Get-TreeHash -Path $script:ModuleDir)
    }

    It '-ComputerName goes over SSH when $MfaUpgradeSshOptions is set' {
        $global:MfaUpgradeSshOptions = $script:SshOptions
        $work = Copy-Sample -Name 'mfa-7.0'
        $d = Get-MfaDeployment -ComputerName '127.0.0.2' -ImagePath $work
        $d.ComputerName | Should -Be '127.0.0.2'
        $d.server.product.version | Should -Be '7.0.2.1'
    }

    It '$LASTEXITCODE is the worst of several servers, not the last one''s' {
        $global:MfaUpgradeSshOptions = $script:SshOptions
        $work = Copy-Sample -Name 'mfa-7.0'
        $d = @(Get-MfaDeployment -ComputerName '127.0.0.9', '127.0.0.2' -ImagePath $work -ErrorVariable errs -ErrorAction SilentlyContinue)
        $d.Count | Should -Be 1 -Because 'the second server answered'
        $d[0].ComputerName | Should -Be '127.0.0.2'
        # (PowerShell also lists in -ErrorVariable the exception New-PSSession threw, caught inside.)
        $mine = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'MfaUpgrade.*' })
        $mine.Count | Should -Be 1
        $mine[0].FullyQualifiedErrorId | Should -BeLike 'MfaUpgrade.REMOTE_UNREACHABLE*'
        $mine[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $mine[0].TargetObject | Should -Be '127.0.0.9'
        $LASTEXITCODE | Should -Be 1603
    }

    It 'status rows of a changing cmdlet: one per server, the worst exit code over all' {
        $global:MfaUpgradeSshOptions = $script:SshOptions
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $before = Get-TreeHash -Path $work
        $rows = @(Export-MfaBackup -ComputerName '127.0.0.2', '127.0.0.9' -ImagePath $work -Path (Join-Path -Path (New-TestFolder) -ChildPath 'b') -Confirm:$false -ErrorAction SilentlyContinue)
        $rows.Count | Should -Be 2
        $rows[0].Status | Should -Be 'Succeeded'
        $rows[1].Status | Should -Be 'Unreachable'
        $LASTEXITCODE | Should -Be 1603
        (Get-TreeHash -Path $work) | Should -Be $before -Because 'a backup leaves its host as it was'
    }

    It 'a terminating error on the server keeps its own code, category and remedy (not REMOTE_UNREACHABLE)' {
        # The path check is the server's (paths are as the server sees them): it throws there.
        $rows = @(Invoke-MfaServerUpgrade -Session $script:Session -ImagePath 'Env:\PATH' -PackagePath $script:Packages -BackupPath (New-TestFolder) -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        $rows.Count | Should -Be 1
        $rows[0].ExitCode | Should -Be 2
        $rows[0].Status | Should -Be 'BadCommandLine'
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'MfaUpgrade.PATH_PROVIDER*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errs[0].TargetObject | Should -Be '127.0.0.1'
        $errs[0].ErrorDetails.RecommendedAction | Should -BeLike '*file or folder path*'
        $LASTEXITCODE | Should -Be 2
    }

    It 'Invoke-MfaServerUpgrade -Session upgrades an image on the server end to end' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $rows = @(Invoke-MfaServerUpgrade -Session $script:Session -ImagePath $work -PackagePath $script:Packages -BackupPath "$work-upgrade" -Role standalone -Unattended -Confirm:$false -WarningAction SilentlyContinue)
        $rows.Count | Should -Be 1
        $rows[0].PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.ServerStatus'
        $rows[0].ExitCode | Should -BeIn @(0, 3010, 5)
        @($rows[0].Output | ForEach-Object { $_.PSObject.TypeNames[0] }) | Should -Contain 'MfaUpgrade.UpgradeResult'
        (Get-MfaDeployment -ImagePath $work).server.product.version | Should -Be '8.1.1.2'
    }

    It 'Test-MfaUpgrade -Session / -ComputerName checks the upgraded image on the server (paths as the server sees them)' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $rows = @(Invoke-MfaServerUpgrade -Session $script:Session -ImagePath $work -PackagePath $script:Packages -BackupPath "$work-upgrade" -Role standalone -Unattended -Confirm:$false -WarningAction SilentlyContinue)
        $rows[0].ExitCode | Should -BeIn @(0, 5)
        $checks = @(Test-MfaUpgrade -Session $script:Session -ImagePath $work -BackupPath "$work-upgrade")
        $checks.Count | Should -BeGreaterThan 5
        @($checks | ForEach-Object { $_.PSObject.TypeNames[0] } | Sort-Object -Unique) | Should -Be @('MfaUpgrade.HealthCheck')
        @($checks | ForEach-Object { $_.ComputerName } | Sort-Object -Unique) | Should -Be @('127.0.0.1')
        @($checks | Where-Object { $_.status -ne 'pass' }).Count | Should -Be 0
        $LASTEXITCODE | Should -Be 0
        # A stopped service on the "server": exit code 4 comes back, the failing check with it.
        $services = Join-Path -Path $work -ChildPath 'services.json'
        [System.IO.File]::WriteAllText($services, ([System.IO.File]::ReadAllText($services) -replace '("name":\s*"MultiFactorAuth",(?:[^{}])*?"state":\s*)"running"', '$1"stopped"'))
        $global:MfaUpgradeSshOptions = $script:SshOptions
        $summary = @(Test-MfaUpgrade -ComputerName '127.0.0.2' -ImagePath $work -BackupPath "$work-upgrade" -Summary -WarningAction SilentlyContinue)
        $summary.Count | Should -Be 1
        $summary[0].PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.UpgradeHealth'
        $summary[0].computerName | Should -Be 'PF01' -Because 'the image host''s own name, as the CLI reports it'
        $summary[0].healthy | Should -BeFalse
        @($summary[0].checks | Where-Object { $_.status -eq 'fail' } | ForEach-Object { $_.id }) | Should -Be @('services')
        $LASTEXITCODE | Should -Be 4
    }

    It 'Export-MfaBackup -Destination: written on the server, pulled here with Copy-Item -FromSession, verified here' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $onServer = Join-Path -Path (New-TestFolder) -ChildPath 'bundle'
        $here = New-TestFolder
        $rows = @(Export-MfaBackup -Session $script:Session -ImagePath $work -Path $onServer -Destination $here -Confirm:$false)
        $rows[0].Status | Should -Be 'Succeeded'
        $rows[0].Message | Should -BeLike '*verified*'
        $pulled = Join-Path -Path $here -ChildPath '127.0.0.1'
        $bundle = @($rows[0].Output | Where-Object { $_.PSObject.TypeNames[0] -eq 'MfaUpgrade.BackupBundle' })[0]
        $bundle.Path | Should -Be $pulled
        $bundle.ServerPath | Should -Be $onServer
        (Get-TreeHash -Path $pulled) | Should -Be (Get-TreeHash -Path $onServer) -Because 'the copy is byte for byte the bundle the server wrote'
        (Test-MfaBackup -Path $pulled).ok | Should -BeTrue
    }

    It 'a share the server cannot reach is refused before anything runs (the double hop)' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $before = Get-TreeHash -Path $work
        $rows = @(Invoke-MfaServerUpgrade -Session $script:Session -ImagePath $work -PackagePath $script:Packages -BackupPath '\\backup01\mfa\upgrade' -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        $rows[0].Status | Should -Be 'DoubleHop'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'MfaUpgrade.DOUBLE_HOP*'
        $errs[0].Exception.Message | Should -BeLike '*double hop*'
        $errs[0].ErrorDetails.RecommendedAction | Should -BeLike '*CredSSP*'
        (Get-TreeHash -Path $work) | Should -Be $before
    }

    It 'Export-MfaBackup -Path \\share without CredSSP is pulled through this computer, and checked here first' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $before = Get-TreeHash -Path $work
        $rows = @(Export-MfaBackup -Session $script:Session -ImagePath $work -Path '\\backup01\mfa\MFA01' -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue)
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'MfaUpgrade.PATH_UNREACHABLE*' -Because 'the bundle would be pulled to the share from here, and this computer cannot reach it either'
        $errs[0].Exception.Message | Should -BeLike '*from this computer*'
        $rows[0].Status | Should -Be 'Failed'
        (Get-TreeHash -Path $work) | Should -Be $before
    }

    It '-Authentication CredSSP (with -Credential) is what New-PSSession is given for -ComputerName' {
        Mock -ModuleName MfaUpgrade -CommandName New-PSSession -MockWith { throw 'no WinRM here' }
        $cred = New-Object -TypeName 'System.Management.Automation.PSCredential' -ArgumentList 'CONTOSO\admin', (ConvertTo-SecureString -String 'x' -AsPlainText -Force)
        $null = Get-MfaDeployment -ComputerName 'MFA01' -Credential $cred -Authentication Credssp -ErrorAction SilentlyContinue
        Should -Invoke -ModuleName MfaUpgrade -CommandName New-PSSession -Times 1 -Exactly -ParameterFilter { $ComputerName -eq 'MFA01' -and [string]$Authentication -eq 'Credssp' -and $Credential.UserName -eq 'CONTOSO\admin' }
    }
}
