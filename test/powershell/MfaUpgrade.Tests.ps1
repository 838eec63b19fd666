<#
.SYNOPSIS
Pester 5 tests of the MfaUpgrade module itself (manifest, exports, help, quoting), with the other
*.Tests.ps1 of this folder: npm run test:powershell runs them all under pwsh 7.6.9 (README
"Tests"); on Windows, Invoke-Pester -Path test/powershell after npm run build.
#>

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
}

Describe 'The module' {
    It 'exports exactly the public cmdlets of its manifest' {
        $manifest = Import-PowerShellDataFile -Path $script:ModulePath
        $exported = @((Get-Module -Name MfaUpgrade).ExportedFunctions.Keys | Sort-Object)
        $exported | Should -Be @($manifest.FunctionsToExport | Sort-Object)
        $files = @(Get-ChildItem -Path (Join-Path -Path $script:Repo -ChildPath 'powershell\MfaUpgrade\Public') -Filter '*.ps1' | ForEach-Object { $_.BaseName } | Sort-Object)
        $exported | Should -Be $files
    }

    It 'uses approved verbs only' {
        $approved = @(Get-Verb | ForEach-Object { $_.Verb })
        foreach ($c in Get-Command -Module MfaUpgrade) {
            $approved | Should -Contain $c.Verb
            $c.Noun | Should -Match '^Mfa'
        }
    }

    It 'has help with a synopsis and an example for every cmdlet' {
        foreach ($c in Get-Command -Module MfaUpgrade) {
            $help = Get-Help -Name $c.Name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty
            @($help.Examples.Example).Count | Should -BeGreaterThan 0
        }
    }

    It 'offers -WhatIf and -Confirm exactly on the cmdlets that change a machine' {
        $changing = @('Export-MfaBackup', 'Restore-MfaBackup', 'Invoke-MfaServerUpgrade', 'Merge-MfaWebConfig', 'Compare-MfaAdfsAdapterConfig', 'Update-MfaAdfsRegisterScript', 'Invoke-MfaAdfsAdapterUpgrade')
        foreach ($c in Get-Command -Module MfaUpgrade) {
            $c.Parameters.ContainsKey('WhatIf') | Should -Be ($c.Name -in $changing) -Because $c.Name
        }
    }

    It 'quotes arguments as the C runtime splits them' {
        InModuleScope MfaUpgrade {
            ConvertTo-MfaCommandLine -ArgumentList @('plain', 'a b', 'x"y', 'C:\Program Files\X\', '') | Should -Be 'plain "a b" "x\"y" "C:\Program Files\X\\" ""'
        }
    }

    It 'passes Test-ModuleManifest and carries what the PowerShell Gallery shows' {
        $m = Test-ModuleManifest -Path $script:ModulePath -ErrorAction Stop
        $m.Name | Should -Be 'MfaUpgrade'
        $m.Version | Should -Be ([version](Get-Content -LiteralPath (Join-Path -Path $script:Repo -ChildPath 'package.json') -Raw | ConvertFrom-Json).version)
        $m.LicenseUri | Should -Not -BeNullOrEmpty
        $m.ReleaseNotes | Should -Not -BeNullOrEmpty
        @($m.Tags) | Should -Contain 'PSEdition_Desktop'
        @($m.Tags) | Should -Contain 'PSEdition_Core'
        $m.PowerShellVersion | Should -Be ([version]'5.1')
    }

    It 'ranks exit codes so that one failed server is never hidden by a later good one' {
        InModuleScope MfaUpgrade {
            Get-MfaWorstExitCode -ExitCode @(1603, 0) | Should -Be 1603
            Get-MfaWorstExitCode -ExitCode @(0, 3010, 0) | Should -Be 3010
            Get-MfaWorstExitCode -ExitCode @(5, 3010) | Should -Be 5
            Get-MfaWorstExitCode -ExitCode @(7, 1618, 4) | Should -Be 1618
            Get-MfaWorstExitCode -ExitCode @(1602, 2) | Should -Be 1602
            Get-MfaWorstExitCode -ExitCode @(0) | Should -Be 0
        }
    }

    It 'has the about_MfaUpgrade topic' {
        (Get-Help -Name about_MfaUpgrade | Out-String) | Should -Match 'Invoke-MfaServerUpgrade'
    }
}

Describe 'Get-MfaDeployment' {
    It 'inventories the PhoneFactor Agent 5.2 sample into a MfaUpgrade.Deployment' {
        $d = Get-MfaDeployment -ImagePath (Join-Path -Path $script:Samples -ChildPath 'phonefactor-5.2')
        @($d).Count | Should -Be 1
        $d.PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.Deployment'
        $d.server.product.version | Should -Be '5.2.1.12'
        $d.ImagePath | Should -Not -BeNullOrEmpty
        @($d.webComponents).Count | Should -Be 3
        $LASTEXITCODE | Should -Be 0
        ($d | Format-Table | Out-String) | Should -Match 'PhoneFactor Agent'
    }

    It 'writes a missing image host as an ErrorRecord with a category, a target and a recommended action' {
        $missing = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath 'no-such-mfa-host'
        $out = Get-MfaDeployment -ImagePath $missing -ErrorAction SilentlyContinue -ErrorVariable errs
        $out | Should -BeNullOrEmpty
        $errs.Count | Should -BeGreaterThan 0
        $errs[0].FullyQualifiedErrorId | Should -Match '^MfaUpgrade\.'
        $errs[0].CategoryInfo.Category | Should -Not -Be 'NotSpecified'
        $errs[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        $LASTEXITCODE | Should -Not -Be 0
    }

    It 'throws with -ErrorAction Stop' {
        { Get-MfaDeployment -ImagePath (Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath 'no-such-mfa-host') -ErrorAction Stop } | Should -Throw
    }

    It 'writes the bundle''s verbose log lines with -Verbose' {
        $verbose = Get-MfaDeployment -ImagePath (Join-Path -Path $script:Samples -ChildPath 'mfa-7.0') -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        @($verbose).Count | Should -BeGreaterThan 0
    }
}

Describe 'Readiness and plans' {
    It 'returns MfaUpgrade.ReadinessCheck objects' {
        $checks = @(Test-MfaUpgradeReadiness -ImagePath (Join-Path -Path $script:Samples -ChildPath 'phonefactor-5.2') -PackagePath $script:Packages -WarningAction SilentlyContinue)
        $checks.Count | Should -BeGreaterThan 3
        $checks[0].PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.ReadinessCheck'
        @($checks | Where-Object { $_.status -notin @('pass', 'warn', 'fail') }).Count | Should -Be 0
    }

    It 'plans a single server and a fleet' {
        $plan = Get-MfaUpgradePlan -ImagePath (Join-Path -Path $script:Samples -ChildPath 'phonefactor-5.2') -PackagePath $script:Packages
        $plan.PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.UpgradePlan'
        $plan.to.version | Should -Be '8.1.1.2'
        $fleet = Get-MfaUpgradePlan -Fleet (Join-Path -Path $script:Repo -ChildPath 'examples\fleets\contoso.json')
        $fleet.PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.FleetPlan'
        @($fleet.actions)[0].order | Should -Be 1
    }
}

Describe 'Backup, verification and the upgrade on a copy of a sample' {
    BeforeAll {
        $script:Work = Copy-Sample -Name 'phonefactor-5.2'
        $script:Bundle = "$($script:Work)-backup"
    }
    AfterAll {
        Remove-Item -LiteralPath $script:Work, $script:Bundle, "$($script:Work)-upgrade" -Recurse -Force -ErrorAction SilentlyContinue
    }

    It '-WhatIf writes nothing' {
        Export-MfaBackup -ImagePath $script:Work -Path $script:Bundle -WhatIf
        Test-Path -LiteralPath $script:Bundle | Should -BeFalse
    }

    It 'backs up with -Confirm:$false and the bundle verifies through the pipeline' {
        $b = Export-MfaBackup -ImagePath $script:Work -Path $script:Bundle -Confirm:$false
        $b.PSObject.TypeNames[0] | Should -Be 'MfaUpgrade.BackupBundle'
        $b.Path | Should -Be $script:Bundle
        $v = $b | Test-MfaBackup
        $v.ok | Should -BeTrue
        $LASTEXITCODE | Should -Be 0
    }

    It 'pipes a deployment of an image into Export-MfaBackup' {
        $second = "$($script:Work)-backup2"
        try {
            $b = Get-MfaDeployment -ImagePath $script:Work | Export-MfaBackup -Path $second -Confirm:$false
            $b.verified | Should -BeTrue
        }
        finally {
            Remove-Item -LiteralPath $second -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    It 'upgrades the copy unattended, and the copy then shows MFA Server 8.1.1.2' {
        $results = @(Invoke-MfaServerUpgrade -ImagePath $script:Work -PackagePath $script:Packages -BackupPath "$($script:Work)-upgrade" -Role standalone -Unattended -Confirm:$false -WarningAction SilentlyContinue)
        $result = $results | Where-Object { $_.PSObject.TypeNames[0] -eq 'MfaUpgrade.UpgradeResult' }
        $result | Should -Not -BeNullOrEmpty
        $LASTEXITCODE | Should -BeIn @(0, 3010, 5)
        (Get-MfaDeployment -ImagePath $script:Work).server.product.version | Should -Be '8.1.1.2'
    }
}

Describe 'Config cmdlets' {
    It 'Merge-MfaWebConfig -WhatIf leaves the file as it was' {
        $work = Copy-Sample -Name 'phonefactor-5.2'
        try {
            $config = Join-Path -Path $work -ChildPath 'drive\C\inetpub\wwwroot\PhoneFactor\web.config'
            $before = Get-FileHash -LiteralPath $config
            $copy = Join-Path -Path $work -ChildPath 'old-web.config'
            Copy-Item -LiteralPath $config -Destination $copy
            Merge-MfaWebConfig -OldPath $copy -NewPath $config -WhatIf
            (Get-FileHash -LiteralPath $config).Hash | Should -Be $before.Hash
        }
        finally {
            Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}
