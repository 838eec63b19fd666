<#
The module against the CLI of the issue "Upgrade fidelity on real servers": Test-MfaUpgrade
(verify-upgrade) on upgraded and broken copies of the samples, the server's role (-Role,
-SubordinatesUpgraded, -FleetFile) reaching the CLI and deciding whether an unattended upgrade
runs, the other new options as the CLI receives them, and the fleet walk: the master's backup
first (never an upgrade), each server's role from the plan, an unknown action kind refused
before anything runs.
#>

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    $script:Contoso = Join-Path -Path $script:Fleets -ChildPath 'contoso.json'

    function script:Set-JsonFile {
        # Reads a JSON file of an image, lets -Edit change the object, writes it back.
        param([string] $Path, [scriptblock] $Edit)
        $data = Get-Content -LiteralPath $Path -Raw | ConvertFrom-Json
        & $Edit $data
        [System.IO.File]::WriteAllText($Path, ($data | ConvertTo-Json -Depth 30))
    }

    function script:Get-HealthCheck {
        # Test-MfaUpgrade's checks with its warnings, and $LASTEXITCODE as it left it.
        param([hashtable] $Parameters)
        $warnings = @()
        $checks = @(Test-MfaUpgrade @Parameters -WarningVariable warnings -WarningAction SilentlyContinue)
        [pscustomobject]@{ Checks = $checks; Warnings = @($warnings); ExitCode = $LASTEXITCODE }
    }

    # One upgraded copy of the PhoneFactor Agent 5.2 sample for the health checks (copied again
    # for each broken case).
    $script:Upgraded = Copy-Sample -Name 'phonefactor-5.2'
    $script:UpgradeDir = "$($script:Upgraded)-upgrade"
    $null = Invoke-MfaServerUpgrade -ImagePath $script:Upgraded -PackagePath $script:Packages -BackupPath $script:UpgradeDir -Role standalone -Unattended -Confirm:$false -WarningAction SilentlyContinue
    $script:UpgradeExit = $LASTEXITCODE
}

AfterAll {
    Remove-Item -LiteralPath $script:Upgraded, $script:UpgradeDir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Test-MfaUpgrade (verify-upgrade)' {
    AfterEach {
        Use-RealCli
    }

    It 'after an upgrade: one MfaUpgrade.HealthCheck per check, all passing, exit code 0, no warning' {
        $script:UpgradeExit | Should -BeIn @(0, 5) -Because 'the unattended upgrade ran (5: the activation check is left to a person)'
        (Get-MfaDeployment -ImagePath $script:Upgraded).server.product.version | Should -Be '8.1.1.2'
        $r = Get-HealthCheck -Parameters @{ ImagePath = $script:Upgraded; BackupPath = $script:UpgradeDir }
        $r.ExitCode | Should -Be 0
        $r.Warnings.Count | Should -Be 0
        @($r.Checks | ForEach-Object { $_.PSObject.TypeNames[0] } | Sort-Object -Unique) | Should -Be @('MfaUpgrade.HealthCheck')
        @($r.Checks | Where-Object { $_.status -ne 'pass' }).Count | Should -Be 0
        # The sample has MFA Server and its three web components: each checked, over HTTP too.
        @($r.Checks | ForEach-Object { $_.id }) | Should -Contain 'services'
        @($r.Checks | ForEach-Object { $_.id }) | Should -Contain 'conversion'
        @($r.Checks | Where-Object { $_.id -like 'iis-*' }).Count | Should -Be 3
        @($r.Checks | Where-Object { $_.id -like 'http-*' }).Count | Should -Be 3
        ($r.Checks | Where-Object { $_.id -eq 'products' }).evidence | Should -Match '8\.1\.1\.2'
    }

    It 'the checks format as a table with their evidence (the format file''s view)' {
        $text = Test-MfaUpgrade -ImagePath $script:Upgraded -BackupPath $script:UpgradeDir | Format-Table | Out-String -Width 200
        $text | Should -Match 'Status\s+Check\s+Evidence'
        $text | Should -Match 'pass\s+Products at the target versions'
    }

    It '-Summary: the one MfaUpgrade.UpgradeHealth holding the same checks' {
        $checks = @(Test-MfaUpgrade -ImagePath $script:Upgraded -BackupPath $script:UpgradeDir)
        $s = @(Test-MfaUpgrade -ImagePath $script:Upgraded -BackupPath $script:UpgradeDir -Summary)
        $s.Count | Should -Be 1
        $s[0].PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.UpgradeHealth'
        $s[0].healthy | Should -BeTrue
        $s[0].computerName | Should -Be 'PF01'
        $s[0].against | Should -Match 'journal'
        @($s[0].checks | ForEach-Object { $_.id }) | Should -Be @($checks | ForEach-Object { $_.id })
        ($s[0] | Format-List | Out-String) | Should -Match 'Healthy\s*:\s*True'
    }

    It 'binds -BackupPath and -ImagePath by property name' {
        $checks = @([pscustomobject]@{ ImagePath = $script:Upgraded; BackupPath = $script:UpgradeDir } | Test-MfaUpgrade)
        $checks.Count | Should -BeGreaterThan 5
        ($checks | Where-Object { $_.id -eq 'placement' }).status | Should -Be 'pass' -Because 'the journal (from -BackupPath) is what placement is compared with'
    }

    It 'a stopped MFA Server service: the services check fails with a remedy, exit code 4 and a warning, nothing changed' {
        $work = Join-Path -Path (New-TestFolder) -ChildPath 'broken'
        Copy-Item -LiteralPath $script:Upgraded -Destination $work -Recurse
        Set-JsonFile -Path (Join-Path -Path $work -ChildPath 'services.json') -Edit {
            param($services)
            foreach ($s in $services) {
                if ($s.name -eq 'MultiFactorAuth') {
                    $s.state = 'stopped'
                }
            }
        }
        $before = Get-TreeHash -Path $work
        $r = Get-HealthCheck -Parameters @{ ImagePath = $work; BackupPath = $script:UpgradeDir }
        $r.ExitCode | Should -Be 4
        $failed = @($r.Checks | Where-Object { $_.status -eq 'fail' })
        @($failed | ForEach-Object { $_.id }) | Should -Contain 'services'
        ($failed | Where-Object { $_.id -eq 'services' }).evidence | Should -Match 'MultiFactorAuth is stopped'
        ($failed | Where-Object { $_.id -eq 'services' }).remedy | Should -Match 'Start-Service MultiFactorAuth'
        @($r.Warnings | Where-Object { $_.Message -match 'not healthy' -and $_.Message -match 'exit code 4' }).Count | Should -Be 1
        (Get-TreeHash -Path $work) | Should -Be $before -Because 'Test-MfaUpgrade reads only'
        (Test-MfaUpgrade -ImagePath $work -BackupPath $script:UpgradeDir -Summary -WarningAction SilentlyContinue).healthy | Should -BeFalse
        @(Test-MfaUpgrade -ImagePath $work -BackupPath $script:UpgradeDir -WarningAction SilentlyContinue | Where-Object Status -ne 'pass' | ForEach-Object { $_.id }) | Should -Be @('services')
    }

    It 'a portal that answers 503: its HTTP check fails; -NoHttp asks nothing and passes' {
        $work = Join-Path -Path (New-TestFolder) -ChildPath 'http'
        Copy-Item -LiteralPath $script:Upgraded -Destination $work -Recurse
        $portal = @(Test-MfaUpgrade -ImagePath $work -BackupPath $script:UpgradeDir | Where-Object { $_.id -eq 'http-userPortal' })[0]
        $url = [regex]::Match([string]$portal.evidence, '^(?<u>\S+): HTTP').Groups['u'].Value
        $url | Should -Match '^https?://'
        # host.json "http" gives an image's answer for a URL (an application failing at run time).
        Set-JsonFile -Path (Join-Path -Path $work -ChildPath 'host.json') -Edit {
            param($h)
            Add-Member -InputObject $h -MemberType NoteProperty -Name 'http' -Value ([pscustomobject]@{ $url = 503 }) -Force
        }
        $r = Get-HealthCheck -Parameters @{ ImagePath = $work; BackupPath = $script:UpgradeDir }
        $r.ExitCode | Should -Be 4
        @($r.Checks | Where-Object { $_.status -eq 'fail' } | ForEach-Object { $_.id }) | Should -Be @('http-userPortal')
        ($r.Checks | Where-Object { $_.id -eq 'http-userPortal' }).evidence | Should -Match '503'
        $quiet = Get-HealthCheck -Parameters @{ ImagePath = $work; BackupPath = $script:UpgradeDir; NoHttp = $true }
        $quiet.ExitCode | Should -Be 0
        @($quiet.Checks | Where-Object { $_.id -like 'http-*' }).Count | Should -Be 0
        @($quiet.Checks | Where-Object { $_.status -eq 'fail' }).Count | Should -Be 0
    }

    It 'before the upgrade, held to the packages: the products check fails (the old versions are there)' {
        $old = Copy-Sample -Name 'phonefactor-5.2'
        $r = Get-HealthCheck -Parameters @{ ImagePath = $old; PackagePath = $script:Packages; NoHttp = $true }
        $r.ExitCode | Should -Be 4
        ($r.Checks | Where-Object { $_.id -eq 'products' }).status | Should -Be 'fail'
        ($r.Checks | Where-Object { $_.id -eq 'products' }).evidence | Should -Match '8\.1\.1\.2'
    }

    It 'every parameter reaches verify-upgrade as its option' {
        $report = Use-FakeCli -Mode 'argv'
        $null = Test-MfaUpgrade -BackupPath 'D:\Backups\MFA01-upgrade' -PackagePath 'D:\MFA\8.1.1.2' -ImagePath 'C:\img' -NoHttp -HttpTimeoutSeconds 15
        $argv = @((Read-FakeReport -Path $report).argv)
        $argv[0] | Should -Be 'verify-upgrade'
        ($argv -join ' ') | Should -Match '--backup D:\\Backups\\MFA01-upgrade'
        ($argv -join ' ') | Should -Match '--packages D:\\MFA\\8\.1\.1\.2'
        ($argv -join ' ') | Should -Match '--host C:\\img'
        $argv | Should -Contain '--no-http'
        ($argv -join ' ') | Should -Match '--http-timeout 15'
    }
}

Describe 'The server''s role reaches the CLI' {
    AfterEach {
        Use-RealCli
    }

    It 'an unattended upgrade without -Role is refused (exit code 7, the reason and the remedy) and changes nothing' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $before = Get-TreeHash -Path $work
        $backup = Join-Path -Path (New-TestFolder) -ChildPath 'up'
        $out = @(Invoke-MfaServerUpgrade -ImagePath $work -PackagePath $script:Packages -BackupPath $backup -Unattended -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $LASTEXITCODE | Should -Be 7
        $e = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'MfaUpgrade.PLAN_BLOCKED*' })
        $e.Count | Should -Be 1
        $e[0].Exception.Message | Should -Match 'replication role'
        $e[0].ErrorDetails.RecommendedAction | Should -Match '--role'
        @($out | Where-Object { $_.PSObject.TypeNames[0] -eq 'MfaUpgrade.UpgradeResult' }).Count | Should -Be 0
        (Get-TreeHash -Path $work) | Should -Be $before
        Test-Path -LiteralPath (Join-Path -Path $backup -ChildPath 'upgrade-journal.jsonl') | Should -BeFalse
    }

    It 'with -Role (any case) the same upgrade runs to MFA Server 8.1.1.2' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $backup = Join-Path -Path (New-TestFolder) -ChildPath 'up'
        $out = @(Invoke-MfaServerUpgrade -ImagePath $work -PackagePath $script:Packages -BackupPath $backup -Role Subordinate -Unattended -Confirm:$false -WarningAction SilentlyContinue)
        $LASTEXITCODE | Should -BeIn @(0, 5)
        $plan = @($out | Where-Object { $_.PSObject.TypeNames[0] -eq 'MfaUpgrade.UpgradePlan' })[0]
        @($plan.steps | Where-Object { $_.id -like '*confirm-role*' }).Count | Should -Be 0
        @($plan.warnings) -join ' ' | Should -Match 'subordinate'
        (Get-MfaDeployment -ImagePath $work).server.product.version | Should -Be '8.1.1.2'
    }

    It '-Role master alone is blocked (subordinates first); with -SubordinatesUpgraded it runs' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $before = Get-TreeHash -Path $work
        $null = Invoke-MfaServerUpgrade -ImagePath $work -PackagePath $script:Packages -BackupPath (Join-Path -Path (New-TestFolder) -ChildPath 'up') -Role master -Unattended -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $LASTEXITCODE | Should -Be 7
        @($errs | Where-Object { $_.Exception.Message -match 'master' }).Count | Should -BeGreaterThan 0
        (Get-TreeHash -Path $work) | Should -Be $before
        $null = Invoke-MfaServerUpgrade -ImagePath $work -PackagePath $script:Packages -BackupPath (Join-Path -Path (New-TestFolder) -ChildPath 'up') -Role master -SubordinatesUpgraded -Unattended -Confirm:$false -WarningAction SilentlyContinue
        $LASTEXITCODE | Should -BeIn @(0, 5)
        (Get-MfaDeployment -ImagePath $work).server.product.version | Should -Be '8.1.1.2'
    }

    It '-FleetFile gives the role from the fleet file; a -Role that contradicts it is blocked' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $computer = (Get-MfaDeployment -ImagePath $work).host.computerName
        $fleet = Join-Path -Path (New-TestFolder) -ChildPath 'fleet.json'
        $json = [pscustomobject]@{ servers = @([pscustomobject]@{ name = 'MFA-MASTER'; roles = @('master') }, [pscustomobject]@{ name = $computer; roles = @('subordinate') }) } | ConvertTo-Json -Depth 5
        [System.IO.File]::WriteAllText($fleet, $json)
        $before = Get-TreeHash -Path $work
        $null = Invoke-MfaServerUpgrade -ImagePath $work -PackagePath $script:Packages -BackupPath (Join-Path -Path (New-TestFolder) -ChildPath 'up') -FleetFile $fleet -Role master -Unattended -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $LASTEXITCODE | Should -Be 7
        @($errs | Where-Object { $_.Exception.Message -match 'contradicts the fleet file' }).Count | Should -Be 1
        (Get-TreeHash -Path $work) | Should -Be $before
        $null = Invoke-MfaServerUpgrade -ImagePath $work -PackagePath $script:Packages -BackupPath (Join-Path -Path (New-TestFolder) -ChildPath 'up') -FleetFile $fleet -Unattended -Confirm:$false -WarningAction SilentlyContinue
        $LASTEXITCODE | Should -BeIn @(0, 5)
        (Get-MfaDeployment -ImagePath $work).server.product.version | Should -Be '8.1.1.2'
    }

    It 'Get-MfaUpgradePlan: no -Role means a step to confirm it; -LoadBalanced adds the drain and the return' {
        $img = Join-Path -Path $script:Samples -ChildPath 'phonefactor-5.2'
        $plain = Get-MfaUpgradePlan -ImagePath $img -PackagePath $script:Packages -WarningAction SilentlyContinue
        @($plain.steps | Where-Object { $_.id -like '*confirm-role' }).Count | Should -Be 1
        @($plain.steps | Where-Object { $_.id -like '*manual-drain' }).Count | Should -Be 0
        $lb = Get-MfaUpgradePlan -ImagePath $img -PackagePath $script:Packages -Role STANDALONE -LoadBalanced -WarningAction SilentlyContinue
        @($lb.steps | Where-Object { $_.id -like '*confirm-role' }).Count | Should -Be 0
        $ids = @($lb.steps | ForEach-Object { $_.id })
        $drain = @($ids | Where-Object { $_ -like '*manual-drain' })
        $return = @($ids | Where-Object { $_ -like '*manual-return' })
        $drain.Count | Should -Be 1
        $return.Count | Should -Be 1
        [array]::IndexOf($ids, $drain[0]) | Should -BeLessThan ([array]::IndexOf($ids, @($ids | Where-Object { $_ -like '*backup*' })[0])) -Because 'the node is drained before the backup stops its service'
        [array]::IndexOf($ids, $return[0]) | Should -Be ($ids.Count - 1)
    }

    It 'Export-MfaBackup -Role standalone is recorded in the bundle' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $b = Export-MfaBackup -ImagePath $work -Path (Join-Path -Path (New-TestFolder) -ChildPath 'b') -Role Standalone -Confirm:$false
        $b.role | Should -Be 'standalone'
    }

    It 'the new options reach upgrade, plan and rehearse as the CLI spells them (roles lower-cased)' {
        $report = Use-FakeCli -Mode 'argv'
        $null = Invoke-MfaServerUpgrade -PackagePath 'D:\MFA' -BackupPath 'D:\B' -Role MASTER -SubordinatesUpgraded -LoadBalanced -CarryRemoved -FleetFile 'D:\MFA\contoso.json' -ConversionTimeoutMinutes 180 -Unattended -Confirm:$false
        $line = @((Read-FakeReport -Path $report).argv) -join ' '
        $line | Should -Match '^upgrade '
        $line | Should -Match '--role master( |$)'
        $line | Should -Match '--subordinates-upgraded'
        $line | Should -Match '--load-balanced'
        $line | Should -Match '--carry-removed'
        $line | Should -Match '--fleet D:\\MFA\\contoso\.json'
        $line | Should -Match '--conversion-timeout 180'
        $null = Get-MfaUpgradePlan -PackagePath 'D:\MFA' -Role Subordinate -LoadBalanced -CarryRemoved
        $line = @((Read-FakeReport -Path $report).argv) -join ' '
        $line | Should -Match '^plan .*--role subordinate'
        $line | Should -Match '--load-balanced'
        $line | Should -Match '--carry-removed'
        $null = Invoke-MfaUpgradeRehearsal -BackupPath 'D:\B\bundle' -PackagePath 'D:\MFA' -Role Master -SubordinatesUpgraded -LoadBalanced -CarryRemoved
        $line = @((Read-FakeReport -Path $report).argv) -join ' '
        $line | Should -Match '^rehearse .*--role master'
        $line | Should -Match '--subordinates-upgraded'
        $line | Should -Match '--load-balanced'
        $line | Should -Match '--carry-removed'
    }

    It 'per-server options cannot be given to the fleet walk (-Fleet): PowerShell refuses them before anything runs' {
        $report = Use-FakeCli -Mode 'argv'
        foreach ($extra in @(@{ Role = 'master' }, @{ FleetFile = 'D:\f.json' }, @{ LoadBalanced = $true }, @{ SubordinatesUpgraded = $true })) {
            { Invoke-MfaServerUpgrade -Fleet $script:Contoso -PackagePath 'D:\MFA' -BackupPath 'D:\B' @extra -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
            { Get-MfaUpgradePlan -Fleet $script:Contoso @extra -ErrorAction Stop } | Should -Throw
        }
        Test-Path -LiteralPath $report | Should -BeFalse -Because 'the CLI was never started'
    }
}

Describe 'Deploy-MfaUpgrade.ps1 and the role' {
    It 'without -Role or -FleetFile: exit 7, the log says why, nothing changed; with -Role it upgrades' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $before = Get-TreeHash -Path $work
        $logs = New-TestFolder
        $deploy = Join-Path -Path $script:Repo -ChildPath 'powershell/MfaUpgrade/Deploy-MfaUpgrade.ps1'
        & $script:Pwsh -NoProfile -NonInteractive -File $deploy -ImagePath $work -PackagePath $script:Packages -BackupPath (Join-Path -Path $logs -ChildPath 'backup') -LogFolder $logs | Out-Null
        $LASTEXITCODE | Should -Be 7
        (Get-Content -LiteralPath (Join-Path -Path $logs -ChildPath 'MfaUpgrade.log') -Raw) | Should -Match 'replication role is not known'
        (Get-TreeHash -Path $work) | Should -Be $before
        & $script:Pwsh -NoProfile -NonInteractive -File $deploy -ImagePath $work -PackagePath $script:Packages -BackupPath (Join-Path -Path $logs -ChildPath 'backup') -LogFolder $logs -Role subordinate | Out-Null
        $LASTEXITCODE | Should -BeIn @(0, 5)
        (Get-MfaDeployment -ImagePath $work).server.product.version | Should -Be '8.1.1.2'
    }
}

Describe 'The fleet walk (Invoke-MfaServerUpgrade -Fleet)' {
    BeforeEach {
        $global:MfaFleetCalls = New-Object -TypeName 'System.Collections.Generic.List[object]'
    }
    AfterEach {
        Remove-Variable -Name MfaFleetCalls -Scope Global -ErrorAction SilentlyContinue
    }

    It '-WhatIf, nothing mocked: action 1 is an Export-MfaBackup of the master MFA01, never an upgrade' {
        $rows = @(Invoke-MfaServerUpgrade -Fleet $script:Contoso -PackagePath 'D:\MFA' -BackupPath 'D:\Backups\upgrade' -WhatIf -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $first = @($rows | Where-Object { $_.Order -eq 1 })
        $first.Count | Should -Be 1
        $first[0].Action | Should -Be 'backup-master'
        $first[0].Command | Should -Be 'Export-MfaBackup'
        $first[0].ComputerName | Should -Be 'MFA01'
        @($rows | Where-Object { $_.Order -eq 1 -and $_.Command -eq 'Invoke-MfaServerUpgrade' }).Count | Should -Be 0
        # Every upgrade action ran as one, on its own server.
        $upgrades = @($rows | Where-Object { $_.Action -eq 'upgrade' })
        @($upgrades | ForEach-Object { $_.Command } | Sort-Object -Unique) | Should -Be @('Invoke-MfaServerUpgrade')
        @($upgrades | ForEach-Object { $_.ComputerName }) | Should -Be @('MFA02', 'MFA03', 'MFA01', 'WEB01')
    }

    It '-WhatIf: the master is backed up with -Role master into a new folder under -BackupPath, each upgrade gets its server''s role' {
        Mock -ModuleName MfaUpgrade -CommandName Export-MfaBackup -MockWith {
            $global:MfaFleetCalls.Add([pscustomobject]@{ Command = 'Export-MfaBackup'; Parameters = $PesterBoundParameters })
            [pscustomobject]@{ PSTypeName = 'MfaUpgrade.ServerStatus'; ComputerName = $ComputerName[0]; Order = $null; Action = $null; Command = 'Export-MfaBackup'; Status = 'Succeeded'; ExitCode = 0; Message = 'what if'; Output = @() }
        }
        Mock -ModuleName MfaUpgrade -CommandName Invoke-MfaServerUpgrade -ParameterFilter { $null -ne $ComputerName } -MockWith {
            $global:MfaFleetCalls.Add([pscustomobject]@{ Command = 'Invoke-MfaServerUpgrade'; Parameters = $PesterBoundParameters })
            [pscustomobject]@{ PSTypeName = 'MfaUpgrade.ServerStatus'; ComputerName = $ComputerName[0]; Order = $null; Action = $null; Command = 'Invoke-MfaServerUpgrade'; Status = 'Succeeded'; ExitCode = 0; Message = 'what if'; Output = @() }
        }
        $rows = @(Invoke-MfaServerUpgrade -Fleet $script:Contoso -PackagePath 'D:\MFA' -BackupPath 'D:\Backups\upgrade' -CarryRemoved -ConversionTimeoutMinutes 120 -Unattended -WhatIf -WarningAction SilentlyContinue)
        $calls = $global:MfaFleetCalls
        $calls[0].Command | Should -Be 'Export-MfaBackup' -Because 'the master is backed up before any server is touched'
        @($calls | Where-Object { $_.Command -eq 'Export-MfaBackup' }).Count | Should -Be 1
        $backup = $calls[0].Parameters
        $backup['ComputerName'] | Should -Be 'MFA01'
        $backup['Role'] | Should -Be 'master'
        $backup['Path'] | Should -Match '^D:\\Backups\\upgrade\\fleet-master-backup-\d{8}-\d{6}$'
        $backup['WhatIf'] | Should -BeTrue
        $upgrades = @($calls | Where-Object { $_.Command -eq 'Invoke-MfaServerUpgrade' })
        @($upgrades | ForEach-Object { "$($_.Parameters['ComputerName'])=$($_.Parameters['Role'])" }) | Should -Be @('MFA02=subordinate', 'MFA03=subordinate', 'MFA01=subordinate', 'WEB01=')
        foreach ($u in $upgrades) {
            $u.Parameters['BackupPath'] | Should -Be 'D:\Backups\upgrade'
            $u.Parameters['CarryRemoved'] | Should -BeTrue
            $u.Parameters['ConversionTimeoutMinutes'] | Should -Be 120
            $u.Parameters['WhatIf'] | Should -BeTrue
            $u.Parameters.ContainsKey('LoadBalanced') | Should -BeFalse -Because 'the fleet''s own drain actions stand for it'
            $u.Parameters.ContainsKey('FleetFile') | Should -BeFalse
            $u.Parameters.ContainsKey('Fleet') | Should -BeFalse
        }
        @($rows | Where-Object { $_.Order -eq 1 })[0].Action | Should -Be 'backup-master'
    }

    It 'unattended: the master is backed up for real first, then the walk stops at the first manual action' {
        Mock -ModuleName MfaUpgrade -CommandName Export-MfaBackup -MockWith {
            $global:MfaFleetCalls.Add([pscustomobject]@{ Command = 'Export-MfaBackup'; Parameters = $PesterBoundParameters })
            [pscustomobject]@{ PSTypeName = 'MfaUpgrade.ServerStatus'; ComputerName = $ComputerName[0]; Order = $null; Action = $null; Command = 'Export-MfaBackup'; Status = 'Succeeded'; ExitCode = 0; Message = 'backed up'; Output = @() }
        }
        Mock -ModuleName MfaUpgrade -CommandName Invoke-MfaServerUpgrade -ParameterFilter { $null -ne $ComputerName } -MockWith {
            $global:MfaFleetCalls.Add([pscustomobject]@{ Command = 'Invoke-MfaServerUpgrade'; Parameters = $PesterBoundParameters })
        }
        $rows = @(Invoke-MfaServerUpgrade -Fleet $script:Contoso -PackagePath 'D:\MFA' -BackupPath 'D:\Backups\upgrade' -Unattended -Confirm:$false -WarningAction SilentlyContinue)
        @($rows | ForEach-Object { "$($_.Order) $($_.Action) $($_.Status)" }) | Should -Be @('1 backup-master Succeeded', '2 drain ManualStepRequired')
        $LASTEXITCODE | Should -Be 5
        $global:MfaFleetCalls.Count | Should -Be 1
        $global:MfaFleetCalls[0].Parameters['Confirm'] | Should -BeFalse
        $global:MfaFleetCalls[0].Parameters.ContainsKey('WhatIf') | Should -BeFalse
    }

    It 'a failed master backup stops the walk before any upgrade' {
        Mock -ModuleName MfaUpgrade -CommandName Export-MfaBackup -MockWith {
            [pscustomobject]@{ PSTypeName = 'MfaUpgrade.ServerStatus'; ComputerName = $ComputerName[0]; Order = $null; Action = $null; Command = 'Export-MfaBackup'; Status = 'Failed'; ExitCode = 1603; Message = 'disk full'; Output = @() }
        }
        Mock -ModuleName MfaUpgrade -CommandName Invoke-MfaServerUpgrade -ParameterFilter { $null -ne $ComputerName } -MockWith {
            $global:MfaFleetCalls.Add('upgrade')
        }
        $rows = @(Invoke-MfaServerUpgrade -Fleet $script:Contoso -PackagePath 'D:\MFA' -BackupPath 'D:\Backups\upgrade' -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        @($rows | ForEach-Object { $_.Order }) | Should -Be @(1)
        @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'MfaUpgrade.FLEET_STOPPED*' }).Count | Should -Be 1
        $LASTEXITCODE | Should -Be 1603
        $global:MfaFleetCalls.Count | Should -Be 0
    }

    It 'an action kind the module does not know stops the walk before any action runs' {
        Mock -ModuleName MfaUpgrade -CommandName Get-MfaUpgradePlan -MockWith {
            # The walk reads the module's last exit code (the mock runs in the test's scope).
            & (Get-Module -Name MfaUpgrade) { $script:LastExitCode = 0 }
            [pscustomobject]@{
                PSTypeName = 'MfaUpgrade.FleetPlan'
                master     = 'MFA01'
                warnings   = @()
                actions    = @(
                    [pscustomobject]@{ order = 1; server = 'MFA01'; kind = 'backup-master'; manual = $false; title = 'Back up the master'; role = 'master' }
                    [pscustomobject]@{ order = 2; server = 'MFA02'; kind = 'upgrade'; manual = $false; title = 'Upgrade MFA02'; role = 'subordinate' }
                    [pscustomobject]@{ order = 3; server = 'MFA01'; kind = 'reinstall-everything'; manual = $false; title = 'Something new' }
                )
            }
        }
        Mock -ModuleName MfaUpgrade -CommandName Export-MfaBackup -MockWith { $global:MfaFleetCalls.Add('backup') }
        Mock -ModuleName MfaUpgrade -CommandName Invoke-MfaServerUpgrade -ParameterFilter { $null -ne $ComputerName } -MockWith { $global:MfaFleetCalls.Add('upgrade') }
        $thrown = $null
        try {
            Invoke-MfaServerUpgrade -Fleet $script:Contoso -PackagePath 'D:\MFA' -BackupPath 'D:\B' -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue
        }
        catch {
            $thrown = $_
        }
        $thrown | Should -Not -BeNullOrEmpty
        $thrown.FullyQualifiedErrorId | Should -BeLike 'MfaUpgrade.FLEET_ACTION_UNKNOWN*'
        $thrown.Exception.Message | Should -Match "'reinstall-everything'"
        $thrown.CategoryInfo.Category | Should -Be 'InvalidData'
        $thrown.TargetObject | Should -Be 'MFA01'
        $LASTEXITCODE | Should -Be 3
        $global:MfaFleetCalls.Count | Should -Be 0 -Because 'no action runs, not even the ones before it'
        Should -Invoke -ModuleName MfaUpgrade -CommandName Get-MfaUpgradePlan -Times 1 -Exactly
    }

    It 'an upgrade action with a role the module does not know is refused the same way' {
        Mock -ModuleName MfaUpgrade -CommandName Get-MfaUpgradePlan -MockWith {
            # The walk reads the module's last exit code (the mock runs in the test's scope).
            & (Get-Module -Name MfaUpgrade) { $script:LastExitCode = 0 }
            [pscustomobject]@{
                PSTypeName = 'MfaUpgrade.FleetPlan'
                master     = 'MFA01'
                warnings   = @()
                actions    = @([pscustomobject]@{ order = 1; server = 'MFA02'; kind = 'upgrade'; manual = $false; title = 'Upgrade MFA02'; role = 'primary' })
            }
        }
        Mock -ModuleName MfaUpgrade -CommandName Invoke-MfaServerUpgrade -ParameterFilter { $null -ne $ComputerName } -MockWith { $global:MfaFleetCalls.Add('upgrade') }
        { Invoke-MfaServerUpgrade -Fleet $script:Contoso -PackagePath 'D:\MFA' -BackupPath 'D:\B' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'MfaUpgrade.FLEET_ACTION_UNKNOWN*'
        $global:MfaFleetCalls.Count | Should -Be 0
    }
}
