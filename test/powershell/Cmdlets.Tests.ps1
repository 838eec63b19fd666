<#
Every cmdlet end to end on copies of the sample image hosts, through the real CLI (the bundle,
or bin\mfa-upgrade.exe on Windows): pipelines, -WhatIf and -Confirm:$false, error records under
each -ErrorAction, progress, $LASTEXITCODE, binding by property name, awkward paths, a stopped
pipeline and a run resumed after a stop.
#>

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    function script:Copy-AdfsSample {
        # The AD FS sample with the new adapter's config and register script in C:\new.
        $work = Copy-Sample -Name 'mfa-8.0-adfs'
        $new = Join-Path -Path $work -ChildPath 'drive/C/new'
        New-Item -ItemType Directory -Path $new -Force | Out-Null
        foreach ($f in @('MultiFactorAuthenticationAdfsAdapter.config', 'Register-MultiFactorAuthenticationAdfsAdapter.ps1')) {
            Copy-Item -LiteralPath (Join-Path -Path $script:Packages -ChildPath "payload/adfs/$f") -Destination $new
        }
        $work
    }
    $script:NewConfig = 'C:\new\MultiFactorAuthenticationAdfsAdapter.config'
    $script:InstallDir = 'C:\Program Files\Multi-Factor Authentication Server'
    # A farm of one is refused without the new adapter's installer (it installs it before the policy changes).
    $script:AdapterPackage = Join-Path -Path $script:Packages -ChildPath 'MultiFactorAuthenticationAdfsAdapterSetup64.msi.json'
}

Describe 'The pipeline' {
    It 'Get-MfaDeployment -ImagePath | Export-MfaBackup -Path | Test-MfaBackup, in one pipeline' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $bundle = Join-Path -Path (New-TestFolder) -ChildPath 'bundle'
        $v = Get-MfaDeployment -ImagePath $work | Export-MfaBackup -Path $bundle -Confirm:$false | Test-MfaBackup
        $v.PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.BackupVerification'
        $v.ok | Should -BeTrue
        $v.Path | Should -Be $bundle
        $LASTEXITCODE | Should -Be 0
    }

    It 'binds -ImagePath by property name from any object' {
        $work = Copy-Sample -Name 'mfa-7.0'
        $d = [pscustomobject]@{ ImagePath = $work } | Get-MfaDeployment
        $d.server.product.version | Should -Be '7.0.2.1'
    }

    It 'Get-ChildItem -Directory | Test-MfaBackup binds each folder (FullName)' {
        $parent = New-TestFolder
        $work = Copy-Sample -Name 'phonefactor-5.2'
        foreach ($n in @('one', 'two')) {
            $null = Export-MfaBackup -ImagePath $work -Path (Join-Path -Path $parent -ChildPath $n) -Confirm:$false
        }
        $checked = @(Get-ChildItem -LiteralPath $parent -Directory | Test-MfaBackup)
        $checked.Count | Should -Be 2
        @($checked | Where-Object { $_.ok -eq $true }).Count | Should -Be 2
    }

    It 'pipeline input of several images: -ErrorAction Continue writes the error and goes on' {
        $good = Copy-Sample -Name 'mfa-7.0'
        $missing = Join-Path -Path (New-TestFolder) -ChildPath 'not-there'
        $out = @([pscustomobject]@{ ImagePath = $missing }, [pscustomobject]@{ ImagePath = $good } | Get-MfaDeployment -ErrorAction Continue -ErrorVariable errs 2>$null)
        $out.Count | Should -Be 1
        $out[0].server.product.version | Should -Be '7.0.2.1'
        @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'MfaUpgrade.*' }).Count | Should -Be 1
    }

    It 'a stopped pipeline (Select-Object -First 1) ends the CLI and leaves $LASTEXITCODE set' {
        $checks = @(Test-MfaUpgradeReadiness -ImagePath (Copy-Sample -Name 'phonefactor-5.2') -PackagePath $script:Packages -WarningAction SilentlyContinue | Select-Object -First 1)
        $checks.Count | Should -Be 1
        $LASTEXITCODE | Should -Not -BeNullOrEmpty
    }
}

Describe 'Error records and exit codes' {
    It '-ErrorAction SilentlyContinue: no output, the record in -ErrorVariable with category, target and remedy' {
        $missing = Join-Path -Path (New-TestFolder) -ChildPath 'not-there'
        $out = Get-MfaDeployment -ImagePath $missing -ErrorAction SilentlyContinue -ErrorVariable errs
        $out | Should -BeNullOrEmpty
        $e = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'MfaUpgrade.*' })[0]
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.TargetObject | Should -Be $missing
        $e.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        $e.Exception | Should -BeOfType [System.IO.FileNotFoundException]
        $LASTEXITCODE | Should -Not -Be 0
    }

    It '-ErrorAction Stop throws the same record' {
        $missing = Join-Path -Path (New-TestFolder) -ChildPath 'not-there'
        { Get-MfaDeployment -ImagePath $missing -ErrorAction Stop } | Should -Throw -ErrorId 'MfaUpgrade.*'
    }

    It 'a tampered bundle: Test-MfaBackup says what differs, ok is false, $LASTEXITCODE 4' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $bundle = Join-Path -Path (New-TestFolder) -ChildPath 'b'
        $null = Export-MfaBackup -ImagePath $work -Path $bundle -Confirm:$false
        $data = @(Get-ChildItem -LiteralPath (Join-Path -Path $bundle -ChildPath 'snapshot') -Recurse -File -Filter '*.pfdata')[0]
        [System.IO.File]::WriteAllText($data.FullName, 'changed')
        $v = Test-MfaBackup -Path $bundle -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        $v.ok | Should -BeFalse
        @($v.problems).Count | Should -BeGreaterThan 0
        $LASTEXITCODE | Should -Be 4
    }

    It 'a blocked plan: warnings name the blockers, exit code 7, nothing changed' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $before = Get-TreeHash -Path $work
        $empty = New-TestFolder
        $out = @(Invoke-MfaServerUpgrade -ImagePath $work -PackagePath $empty -BackupPath (New-TestFolder) -Confirm:$false -WarningVariable warns -WarningAction SilentlyContinue -ErrorAction SilentlyContinue)
        $LASTEXITCODE | Should -BeIn @(3, 7)
        (Get-TreeHash -Path $work) | Should -Be $before
    }

    It 'USAGE: -Resume with -Rollback is refused before anything runs, exit code meaning bad command line' {
        { Invoke-MfaServerUpgrade -BackupPath (New-TestFolder) -Resume -Rollback -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'MfaUpgrade.USAGE*'
    }
}

Describe 'Changing cmdlets: -WhatIf and -Confirm:$false' {
    It 'Invoke-MfaServerUpgrade -WhatIf shows the plan and changes nothing' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $before = Get-TreeHash -Path $work
        $backup = Join-Path -Path (New-TestFolder) -ChildPath 'up'
        Invoke-MfaServerUpgrade -ImagePath $work -PackagePath $script:Packages -BackupPath $backup -WhatIf -InformationAction SilentlyContinue 6>$null | Out-Null
        (Get-TreeHash -Path $work) | Should -Be $before
        Test-Path -LiteralPath (Join-Path -Path $backup -ChildPath 'upgrade-journal.jsonl') | Should -BeFalse
    }

    It 'upgrade unattended, then -Rollback: the product and the data file are back as they were' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $data = Join-Path -Path $work -ChildPath 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata'
        $hash = (Get-FileHash -LiteralPath $data).Hash
        $backup = Join-Path -Path (New-TestFolder) -ChildPath 'up'
        $null = Invoke-MfaServerUpgrade -ImagePath $work -PackagePath $script:Packages -BackupPath $backup -Role standalone -Unattended -Confirm:$false -WarningAction SilentlyContinue
        (Get-MfaDeployment -ImagePath $work).server.product.version | Should -Be '8.1.1.2'
        $null = Invoke-MfaServerUpgrade -ImagePath $work -BackupPath $backup -Rollback -Confirm:$false -WarningAction SilentlyContinue
        $LASTEXITCODE | Should -BeIn @(0, 3010)
        $after = Get-MfaDeployment -ImagePath $work
        $after.server.product.version | Should -Be '5.2.1.12'
        (Get-FileHash -LiteralPath (Join-Path -Path $work -ChildPath 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata')).Hash | Should -Be $hash
    }

    It 'Restore-MfaBackup: -WhatIf lists the actions and changes nothing; -Confirm:$false puts the data file back' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $data = Join-Path -Path $work -ChildPath 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata'
        $hash = (Get-FileHash -LiteralPath $data).Hash
        $bundle = Join-Path -Path (New-TestFolder) -ChildPath 'b'
        $null = Export-MfaBackup -ImagePath $work -Path $bundle -Confirm:$false
        [System.IO.File]::WriteAllText($data, 'damaged')
        $damaged = Get-TreeHash -Path $work
        Restore-MfaBackup -Path $bundle -ImagePath $work -WhatIf | Out-Null
        (Get-TreeHash -Path $work) | Should -Be $damaged
        $r = Restore-MfaBackup -Path $bundle -ImagePath $work -Confirm:$false
        $r.PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.RestoreResult'
        (Get-FileHash -LiteralPath $data).Hash | Should -Be $hash
    }

    It 'Invoke-MfaUpgradeRehearsal rehearses on a copy of the bundle: the image is not touched' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $bundle = Join-Path -Path (New-TestFolder) -ChildPath 'b'
        $null = Export-MfaBackup -ImagePath $work -Path $bundle -Confirm:$false
        $before = Get-TreeHash -Path $work
        $bundleBefore = Get-TreeHash -Path $bundle
        $r = @(Invoke-MfaUpgradeRehearsal -BackupPath $bundle -PackagePath $script:Packages -Role standalone -WarningAction SilentlyContinue | Where-Object { $_.PSObject.TypeNames[0] -eq 'MfaUpgrade.Rehearsal' })
        $r.Count | Should -Be 1
        $r[0].outcome | Should -Be 'completed'
        (Get-TreeHash -Path $work) | Should -Be $before
        (Get-TreeHash -Path $bundle) | Should -Be $bundleBefore
    }

    It 'Merge-MfaWebConfig carries the old values into the new file' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $config = Join-Path -Path $work -ChildPath 'drive/C/inetpub/wwwroot/PhoneFactor/web.config'
        $old = Join-Path -Path $work -ChildPath 'old-web.config'
        Copy-Item -LiteralPath $config -Destination $old
        $text = [System.IO.File]::ReadAllText($config)
        $m = [regex]::Match($text, '<add key="(?<k>[^"]+)" value="(?<v>[^"]*)"')
        $m.Success | Should -BeTrue
        [System.IO.File]::WriteAllText($config, $text.Replace($m.Value, "<add key=`"$($m.Groups['k'].Value)`" value=`"changed-by-new-version`""))
        $r = Merge-MfaWebConfig -OldPath $old -NewPath $config -Confirm:$false
        $r.PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.WebConfigMerge'
        [System.IO.File]::ReadAllText($config) | Should -BeExactly $text
    }

    It 'Compare-MfaAdfsAdapterConfig compares, and with -OutPath writes the carried config' {
        $work = Copy-AdfsSample
        $out = 'C:\new\carried.config'
        $c = Compare-MfaAdfsAdapterConfig -ImagePath $work -OldPath "$($script:InstallDir)\MultiFactorAuthenticationAdfsAdapter.config" -NewPath $script:NewConfig -OutPath $out -Confirm:$false
        $c | Should -Not -BeNullOrEmpty
        Test-Path -LiteralPath (Join-Path -Path $work -ChildPath 'drive/C/new/carried.config') | Should -BeTrue
    }

    It 'Update-MfaAdfsRegisterScript adds -ConfigurationFilePath to the register script' {
        $work = Copy-AdfsSample
        $script = 'C:\new\Register-MultiFactorAuthenticationAdfsAdapter.ps1'
        $null = Update-MfaAdfsRegisterScript -ImagePath $work -Path $script -ConfigurationFilePath $script:NewConfig -Confirm:$false
        $text = [System.IO.File]::ReadAllText((Join-Path -Path $work -ChildPath 'drive/C/new/Register-MultiFactorAuthenticationAdfsAdapter.ps1'))
        $text | Should -Match ([regex]::Escape("-ConfigurationFilePath"))
    }

    It 'Invoke-MfaAdfsAdapterUpgrade -WhatIf changes nothing; -Confirm:$false re-registers the adapter' {
        $work = Copy-AdfsSample
        $adfs = Join-Path -Path $work -ChildPath 'adfs.json'
        $before = Get-FileHash -LiteralPath $adfs
        Invoke-MfaAdfsAdapterUpgrade -ImagePath $work -ConfigPath $script:NewConfig -PackageFile $script:AdapterPackage -WhatIf | Out-Null
        (Get-FileHash -LiteralPath $adfs).Hash | Should -Be $before.Hash
        $r = Invoke-MfaAdfsAdapterUpgrade -ImagePath $work -ConfigPath $script:NewConfig -PackageFile $script:AdapterPackage -Confirm:$false -WarningAction SilentlyContinue
        $r.PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.AdfsAdapterUpgrade'
        $r.status | Should -Be 'completed'
        (Get-Content -LiteralPath $adfs -Raw) | Should -Match 'Version=8\.1\.1\.2'
    }
}

Describe 'Reports' {
    It 'Get-MfaUpgradePlan -ReportPath writes the change report (a ~ path resolved here)' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $name = 'mfa-pester-report-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.html'
        $file = Join-Path -Path (Resolve-Path -LiteralPath '~').ProviderPath -ChildPath $name
        try {
            $plan = Get-MfaUpgradePlan -ImagePath $work -PackagePath $script:Packages -ReportPath "~/$name" -WarningAction SilentlyContinue
            $plan.PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.UpgradePlan'
            Test-Path -LiteralPath $file | Should -BeTrue
            (Get-Content -LiteralPath $file -Raw) | Should -Match '<html'
        }
        finally {
            Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Streams' {
    It 'progress records from a real run, every bar completed' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $bundle = Join-Path -Path (New-TestFolder) -ChildPath 'b'
        $r = Invoke-InRunspace -Script "Export-MfaBackup -ImagePath '$work' -Path '$bundle' -Confirm:`$false"
        $r.Progress.Count | Should -BeGreaterThan 0
        foreach ($id in @($r.Progress | ForEach-Object { $_.ActivityId } | Sort-Object -Unique)) {
            @($r.Progress | Where-Object { $_.ActivityId -eq $id })[-1].RecordType | Should -Be 'Completed'
        }
        @($r.Output | Where-Object { $_.PSObject.TypeNames[0] -eq 'MfaUpgrade.BackupBundle' }).Count | Should -Be 1
    }

    It 'information lines carry the MfaUpgrade tag and the command' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $bundle = Join-Path -Path (New-TestFolder) -ChildPath 'b'
        $null = Export-MfaBackup -ImagePath $work -Path $bundle -Confirm:$false -InformationVariable info -InformationAction SilentlyContinue
        @($info).Count | Should -BeGreaterThan 0
        @($info)[0].Tags | Should -Contain 'MfaUpgrade'
        @($info)[0].Tags | Should -Contain 'backup'
    }

    It 'the format file shows a deployment as a table with its product' {
        $d = Get-MfaDeployment -ImagePath (Copy-Sample -Name 'phonefactor-5.2')
        ($d | Format-Table | Out-String) | Should -Match 'PhoneFactor Agent'
    }
}

Describe 'Paths' {
    It 'spaces, quotes and non-ASCII characters reach the CLI intact' {
        $name = "Dossier d'été ñ 名"
        if (-not (($PSVersionTable.PSVersion.Major -le 5) -or $IsWindows)) {
            $name = "$name `"q`""
        }
        $parent = Join-Path -Path (New-TestFolder) -ChildPath $name
        New-Item -ItemType Directory -Path $parent | Out-Null
        $work = Copy-Sample -Name 'phonefactor-5.2' -Into $parent
        $d = Get-MfaDeployment -ImagePath $work
        $d.ImagePath | Should -Be $work
        $bundle = Join-Path -Path $parent -ChildPath 'bündle x'
        $b = Export-MfaBackup -ImagePath $work -Path $bundle -Confirm:$false
        $b.Path | Should -Be $bundle
        (Test-MfaBackup -Path $bundle).ok | Should -BeTrue
    }

    It 'relative paths mean what they mean at the prompt ($PWD)' {
        $parent = New-TestFolder
        $null = Copy-Sample -Name 'mfa-7.0' -Into $parent
        Push-Location -LiteralPath $parent
        try {
            (Get-MfaDeployment -ImagePath 'mfa-7.0').server.product.version | Should -Be '7.0.2.1'
        }
        finally {
            Pop-Location
        }
    }
}

Describe 'A stopped upgrade is drained and resumable' {
    It 'Ctrl+C during Invoke-MfaServerUpgrade: the CLI ends before Stop returns, the journal resumes to 8.1.1.2' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $backup = Join-Path -Path (New-TestFolder) -ChildPath 'up'
        $r = Invoke-InRunspace -Script "Invoke-MfaServerUpgrade -ImagePath '$work' -PackagePath '$($script:Packages)' -BackupPath '$backup' -Role standalone -Unattended -Confirm:`$false -WarningAction SilentlyContinue" -StopWhen { param($ps, $out) $out.Count -ge 1 }
        $r.Stopped | Should -BeTrue
        # Stop() returned only once the CLI had ended: no process of that run is left.
        if ($PSVersionTable.PSVersion.Major -ge 7 -and -not $IsWindows) {
            @(Get-Process -Name node -ErrorAction SilentlyContinue | Where-Object { $_.CommandLine -like "*$work*" }).Count | Should -Be 0
        }
        $journal = Join-Path -Path $backup -ChildPath 'upgrade-journal.jsonl'
        Test-Path -LiteralPath $journal | Should -BeTrue
        $lines = @(Get-Content -LiteralPath $journal | Where-Object { $_.Trim() })
        $ended = ((ConvertFrom-Json -InputObject $lines[$lines.Count - 1]).type -eq 'end')
        if (-not $ended) {
            # Stopped at a safe point (1602): the journal takes the run on.
            $null = Invoke-MfaServerUpgrade -ImagePath $work -PackagePath $script:Packages -BackupPath $backup -Resume -Unattended -Confirm:$false -WarningAction SilentlyContinue
            $LASTEXITCODE | Should -BeIn @(0, 3010, 5)
        }
        (Get-MfaDeployment -ImagePath $work).server.product.version | Should -Be '8.1.1.2'
    }
}

Describe 'Deploy-MfaUpgrade.ps1 (ConfigMgr / Group Policy)' {
    It 'upgrades, then a second run exits 0 with "nothing to do", -Rollback undoes it' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        $logs = New-TestFolder
        $backup = Join-Path -Path $logs -ChildPath 'backup'
        $deploy = Join-Path -Path $script:Repo -ChildPath 'powershell/MfaUpgrade/Deploy-MfaUpgrade.ps1'
        & $script:Pwsh -NoProfile -NonInteractive -File $deploy -ImagePath $work -PackagePath $script:Packages -BackupPath $backup -LogFolder $logs -Role standalone | Out-Null
        $LASTEXITCODE | Should -BeIn @(0, 3010, 5)
        (Get-MfaDeployment -ImagePath $work).server.product.version | Should -Be '8.1.1.2'
        & $script:Pwsh -NoProfile -NonInteractive -File $deploy -ImagePath $work -PackagePath $script:Packages -BackupPath (Join-Path -Path $logs -ChildPath 'backup2') -LogFolder $logs | Out-Null
        $LASTEXITCODE | Should -Be 0
        (Get-Content -LiteralPath (Join-Path -Path $logs -ChildPath 'MfaUpgrade.log') -Raw) | Should -Match 'Nothing to do'
        & $script:Pwsh -NoProfile -NonInteractive -File $deploy -ImagePath $work -BackupPath $backup -LogFolder $logs -Rollback | Out-Null
        $LASTEXITCODE | Should -BeIn @(0, 3010)
        (Get-MfaDeployment -ImagePath $work).server.product.version | Should -Be '5.2.1.12'
    }
}
