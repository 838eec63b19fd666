<#
One test per defect the issue "Run the PowerShell module for real" lists (each failed before its
fix). The remoting defects (double hop, worst exit code, relabelled errors, half-done module copy)
are in Remoting.Tests.ps1, which needs the SSH server of scripts/pwsh/ssh-localhost.sh.
#>

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
}

Describe 'The defects of the issue' {
    AfterEach {
        Use-RealCli
    }
    Describe 'Stopping a cmdlet drains the CLI and asks it to stop (protocol "Control")' {
        It 'Select-Object -First 1 on a read-only cmdlet: stop request sent, every byte drained, result 1602, exit waited for' {
            $report = Use-FakeCli -Mode 'flood'
            $r = Invoke-InRunspace -Script "Get-MfaDeployment -ImagePath '$($script:Samples)' | Select-Object -First 1"
            @($r.Output).Count | Should -Be 1
            $seen = Read-FakeReport -Path $report
            $seen | Should -Not -BeNullOrEmpty -Because 'the fake writes its report only when it ends by itself (a killed CLI writes none)'
            $seen.stopRequests | Should -BeGreaterThan 0
            $seen.flushed | Should -BeTrue -Because 'every line the CLI wrote after the stop was read'
            $seen.writeError | Should -BeNullOrEmpty
            $seen.exitCode | Should -Be 1602
            $seen.bytesWritten | Should -BeGreaterThan (4 * 65536) -Because 'far more than a pipe buffer went through'
        }

        It 'Select-Object -First 1 on a changing cmdlet: the same, the process is not left writing into a full pipe' {
            $report = Use-FakeCli -Mode 'flood'
            $bundle = Join-Path -Path (New-TestFolder) -ChildPath 'b'
            $r = Invoke-InRunspace -Script "Export-MfaBackup -ImagePath '$($script:Samples)' -Path '$bundle' -Confirm:`$false | Select-Object -First 1"
            @($r.Output).Count | Should -Be 1
            $seen = Read-FakeReport -Path $report
            $seen | Should -Not -BeNullOrEmpty
            $seen.stopRequests | Should -BeGreaterThan 0
            $seen.flushed | Should -BeTrue
            $seen.exitCode | Should -Be 1602
        }

        It 'Ctrl+C (PowerShell.Stop) while the CLI is silent: the stop request reaches it at once, not after its next line' {
            $report = Use-FakeCli -Mode 'silent' -Environment @{ FAKE_CLI_TAIL = '300000' }
            $bundle = Join-Path -Path (New-TestFolder) -ChildPath 'b'
            $r = Invoke-InRunspace -Script "Export-MfaBackup -ImagePath '$($script:Samples)' -Path '$bundle' -Confirm:`$false" -StopWhen { param($ps, $out) $out.Count -ge 1 }
            $r.Stopped | Should -BeTrue
            $seen = Read-FakeReport -Path $report
            $seen | Should -Not -BeNullOrEmpty
            $seen.stopRequests | Should -Be 1 -Because 'the cmdlet kept stdin open and wrote {"type":"stop"}'
            $seen.flushed | Should -BeTrue
            $seen.exitCode | Should -Be 1602
        }

        It '-ErrorAction Stop tripped by an error line: the CLI is asked to stop and drained before the error propagates' {
            $report = Use-FakeCli -Mode 'flood' -Environment @{ FAKE_CLI_ERROR_FIRST = '1' }
            $bundle = Join-Path -Path (New-TestFolder) -ChildPath 'b'
            { Export-MfaBackup -ImagePath $script:Samples -Path $bundle -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'MfaUpgrade.FAKE_STEP*'
            $seen = Read-FakeReport -Path $report
            $seen | Should -Not -BeNullOrEmpty
            $seen.stopRequests | Should -BeGreaterThan 0
            $seen.flushed | Should -BeTrue
            $LASTEXITCODE | Should -Be 1602 -Because 'the result line read while draining is the exit code'
        }
    }

    Describe 'Results reach the pipeline as they come' {
        It 'objects written before an error that stops the pipeline (-ErrorAction Stop) are not lost' {
            $null = Use-FakeCli -Mode 'objects-then-error'
            $got = New-Object -TypeName 'System.Collections.Generic.List[object]'
            try {
                Invoke-MfaServerUpgrade -ImagePath $script:Samples -PackagePath $script:Packages -BackupPath (New-TestFolder) -Confirm:$false -ErrorAction Stop | ForEach-Object { $got.Add($_) }
            }
            catch {
                $_.FullyQualifiedErrorId | Should -BeLike 'MfaUpgrade.STEP_FAILED*'
            }
            $got.Count | Should -Be 2
            $got[0].PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.UpgradePlan'
        }

        It 'the module never renames its objects'' type (Select-Object -First/-Last would make them Selected.*)' {
            $work = Copy-Sample -Name 'phonefactor-5.2'
            $results = @(Invoke-MfaServerUpgrade -ImagePath $work -PackagePath $script:Packages -BackupPath "$work-upgrade" -Role standalone -Unattended -Confirm:$false -WarningAction SilentlyContinue)
            $types = @($results | ForEach-Object { $_.PSObject.TypeNames[0] })
            $types | Should -Contain 'MfaUpgrade.UpgradeResult'
            @($types | Where-Object { $_ -like 'Selected.*' }).Count | Should -Be 0
        }
    }

    Describe 'The protocol read faithfully' {
        It 'a stdout line that is not JSON is an error record, not a verbose line' {
            $null = Use-FakeCli -Mode 'garbage'
            $out = @(Get-MfaDeployment -ImagePath $script:Samples -ErrorVariable errs -ErrorAction SilentlyContinue)
            $out.Count | Should -Be 2
            @($errs).Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'MfaUpgrade.CLI_PROTOCOL*'
            $errs[0].Exception.Message | Should -BeLike '*this is not JSON*'
        }

        It 'dates stay the strings the CLI wrote (Windows PowerShell 5.1 and 7 alike)' {
            $null = Use-FakeCli -Mode 'dates'
            $o = Get-MfaDeployment -ImagePath $script:Samples
            $o.createdAt | Should -BeOfType [string]
            $o.createdAt | Should -BeExactly '2024-03-05T07:08:09.123Z'
            $o.nested.at | Should -BeExactly '2023-12-31T23:59:59.000Z'
            $o.note | Should -BeExactly '2024-03-05'
        }

        It 'progress bars the CLI left open are completed when it ends early' {
            $null = Use-FakeCli -Mode 'progress-then-exit'
            $r = Invoke-InRunspace -Script "Get-MfaDeployment -ImagePath '$($script:Samples)' -ErrorAction SilentlyContinue"
            $ids = @($r.Progress | ForEach-Object { $_.ActivityId } | Sort-Object -Unique)
            $ids | Should -Be @(1, 2)
            foreach ($id in $ids) {
                $last = @($r.Progress | Where-Object { $_.ActivityId -eq $id })[-1]
                $last.RecordType | Should -Be 'Completed' -Because "progress $id must not stay open"
            }
        }

        It 'progress of a fleet walk is completed when it stops early (-Unattended before a manual action)' {
            # From action 2 (the master's backup, action 1, would need a real MFA01): the drain of MFA02.
            $r = Invoke-InRunspace -Script "Invoke-MfaServerUpgrade -Fleet '$(Join-Path -Path $script:Fleets -ChildPath 'contoso.json')' -PackagePath '$($script:Packages)' -BackupPath C:\B -StartAt 2 -Unattended -Confirm:`$false -WarningAction SilentlyContinue"
            @($r.Output | Where-Object { $_.Status -eq 'ManualStepRequired' }).Count | Should -Be 1
            @($r.Output | Where-Object { $_.Status -eq 'ManualStepRequired' })[0].Order | Should -Be 2
            $fleet = @($r.Progress | Where-Object { $_.Activity -eq 'MFA Server fleet upgrade' })
            $fleet.Count | Should -BeGreaterThan 0
            $fleet[-1].RecordType | Should -Be 'Completed'
        }
    }

    Describe 'Arguments and paths' {
        It 'ConvertTo-MfaCommandLine takes an empty argument (quoted as "")' {
            InModuleScope MfaUpgrade {
                ConvertTo-MfaCommandLine -ArgumentList @('a', '', 'b') | Should -Be 'a "" b'
            }
        }

        It 'a PowerShell drive path (New-PSDrive) reaches the CLI as the file system path' {
            $parent = New-TestFolder
            $null = Copy-Sample -Name 'phonefactor-5.2' -Into $parent
            New-PSDrive -Name MfaPesterDrive -PSProvider FileSystem -Root $parent -Scope Global | Out-Null
            try {
                $d = Get-MfaDeployment -ImagePath 'MfaPesterDrive:\phonefactor-5.2'
                $d.server.product.version | Should -Be '5.2.1.12'
                $d.ImagePath | Should -Be (Join-Path -Path $parent -ChildPath 'phonefactor-5.2')
            }
            finally {
                Remove-PSDrive -Name MfaPesterDrive -Scope Global -ErrorAction SilentlyContinue
            }
        }

        It 'a ~ path reaches the CLI as the home folder path' {
            $name = 'mfa-pester-home-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            $home2 = (Resolve-Path -LiteralPath '~').ProviderPath
            $null = New-Item -ItemType Directory -Path (Join-Path -Path $home2 -ChildPath $name)
            try {
                $null = Copy-Sample -Name 'mfa-7.0' -Into (Join-Path -Path $home2 -ChildPath $name)
                $d = Get-MfaDeployment -ImagePath "~/$name/mfa-7.0"
                $d.server.product.version | Should -Be '7.0.2.1'
            }
            finally {
                Remove-Item -LiteralPath (Join-Path -Path $home2 -ChildPath $name) -Recurse -Force
            }
        }

        It 'a path on a provider that is not the file system is refused before the CLI runs' {
            $report = Use-FakeCli -Mode 'argv'
            { Get-MfaDeployment -ImagePath 'Env:\PATH' -ErrorAction Stop } | Should -Throw -ErrorId 'MfaUpgrade.PATH_PROVIDER*'
            Test-Path -LiteralPath $report | Should -BeFalse
        }
    }

    Describe 'Invoke-MfaServerUpgrade -Fleet with AD FS farms' {
        It '-AdfsConfigPath: the farms of 2+ servers are walked (no terminating error asking for a share), -WhatIf included' {
            $rows = @(Invoke-MfaServerUpgrade -Fleet (Join-Path -Path $script:Fleets -ChildPath 'contoso.json') -PackagePath 'D:\MFA' -BackupPath 'D:\Backups\upgrade' -AdfsConfigPath 'C:\Program Files\Multi-Factor Authentication Server\MultiFactorAuthenticationAdfsAdapter.config' -WhatIf -ErrorVariable errs -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
            @($errs | Where-Object { $_.FullyQualifiedErrorId -like '*Share*' -or $_.FullyQualifiedErrorId -like 'MfaUpgrade.FLEET_STOPPED*' }).Count | Should -Be 0
            $farms = @($rows | Where-Object { $_.Action -eq 'adfs-farm' })
            $planned = @((Get-MfaUpgradePlan -Fleet (Join-Path -Path $script:Fleets -ChildPath 'contoso.json')).actions | Where-Object { $_.kind -eq 'adfs-farm' } | ForEach-Object { [int]$_.order })
            $planned.Count | Should -Be 2
            @($farms | ForEach-Object { $_.Order } | Sort-Object -Unique) | Should -Be $planned
            @($farms | ForEach-Object { $_.ComputerName }) | Should -Contain 'ADFS01'
        }
    }

    Describe 'Deploy-MfaUpgrade.ps1 decides "already done" from the plan, not the server version' {
        It 'MFA Server at the packages'' version with an old User Portal is upgraded, not reported done' {
            $work = Copy-Sample -Name 'mfa-7.0'
            $products = Join-Path -Path $work -ChildPath 'products.json'
            $text = [System.IO.File]::ReadAllText($products)
            $first = $text.IndexOf('"version": "7.0.2.1"')
            $text = $text.Substring(0, $first) + '"version": "8.1.1.2"' + $text.Substring($first + '"version": "7.0.2.1"'.Length)
            [System.IO.File]::WriteAllText($products, $text)
            $before = Get-MfaDeployment -ImagePath $work
            $before.server.product.version | Should -Be '8.1.1.2'
            $logs = New-TestFolder
            $deploy = Join-Path -Path $script:Repo -ChildPath 'powershell\MfaUpgrade\Deploy-MfaUpgrade.ps1'
            & $script:Pwsh -NoProfile -NonInteractive -File $deploy -ImagePath $work -PackagePath $script:Packages -BackupPath (Join-Path -Path $logs -ChildPath 'backup') -LogFolder $logs -Role standalone | Out-Null
            $code = $LASTEXITCODE
            $log = Get-Content -LiteralPath (Join-Path -Path $logs -ChildPath 'MfaUpgrade.log') -Raw
            $log | Should -Not -Match 'Nothing to do'
            $log | Should -Not -Match 'role is not known' -Because 'the role was given: whatever stops it is the plan''s own reason'
            # Either the old components are upgraded, or the plan refuses (7) and says why: never
            # a success with the old User Portal left in place.
            $code | Should -BeIn @(0, 3010, 5, 7)
            $after = Get-MfaDeployment -ImagePath $work
            $old = @($after.webComponents | Where-Object { $null -ne $_.product -and $_.product.version -ne '8.1.1.2' }).Count
            if ($code -eq 7) {
                $log | Should -Match 'Blocked'
                $old | Should -BeGreaterThan 0
            }
            else {
                $old | Should -Be 0
            }
        }
    }
}
