<#
.SYNOPSIS
Pester 5 tests of the MfaUpgrade module, run against the bundled sample image hosts.

.DESCRIPTION
PowerShell does not run on the machines where this project is built, so these tests are not run
there (test/powershell/module.test.ts checks the module statically instead). On Windows (Windows
PowerShell 5.1 or PowerShell 7, Pester 5), from the repository root:

    npm ci; npm run build            # dist\mfa-upgrade.cjs (or npm run build:module for bin\mfa-upgrade.exe)
    Invoke-Pester -Path test/powershell -Output Detailed

Without bin\mfa-upgrade.exe the tests point $env:MFA_UPGRADE_CLI at node and dist\mfa-upgrade.cjs
(node on PATH). PowerShell 7 on Linux or macOS runs them too (everything here uses image hosts).
Set $env:MFA_UPGRADE_TEST_REMOTING = '1' to include the remoting test against localhost (WinRM
enabled, an elevated session).
#>

BeforeAll {
    $script:Repo = (Resolve-Path -Path (Join-Path -Path $PSScriptRoot -ChildPath '..\..')).ProviderPath
    $script:ModulePath = Join-Path -Path $script:Repo -ChildPath 'powershell\MfaUpgrade\MfaUpgrade.psd1'
    $script:Samples = Join-Path -Path $script:Repo -ChildPath 'examples\hosts'
    $script:Packages = Join-Path -Path $script:Repo -ChildPath 'examples\packages'
    $script:SavedCli = $env:MFA_UPGRADE_CLI
    $exe = Join-Path -Path $script:Repo -ChildPath 'powershell\MfaUpgrade\bin\mfa-upgrade.exe'
    $onWindows = ($PSVersionTable.PSVersion.Major -le 5) -or $IsWindows
    if (-not $env:MFA_UPGRADE_CLI -and -not ($onWindows -and (Test-Path -LiteralPath $exe))) {
        $bundle = Join-Path -Path $script:Repo -ChildPath 'dist\mfa-upgrade.cjs'
        if (-not (Test-Path -LiteralPath $bundle)) {
            throw "Neither $exe nor $bundle exists: run 'npm run build' (or 'npm run build:module') first."
        }
        $env:MFA_UPGRADE_CLI = "node `"$bundle`""
    }
    Import-Module -Name $script:ModulePath -Force -ErrorAction Stop

    function script:Copy-Sample {
        param([string] $Name)
        $to = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ("mfa-pester-" + [guid]::NewGuid().ToString('N'))
        Copy-Item -LiteralPath (Join-Path -Path $script:Samples -ChildPath $Name) -Destination $to -Recurse
        $to
    }
}

AfterAll {
    Remove-Module -Name MfaUpgrade -Force -ErrorAction SilentlyContinue
    $env:MFA_UPGRADE_CLI = $script:SavedCli
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
        $results = @(Invoke-MfaServerUpgrade -ImagePath $script:Work -PackagePath $script:Packages -BackupPath "$($script:Work)-upgrade" -Unattended -Confirm:$false -WarningAction SilentlyContinue)
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

Describe 'Remoting' -Skip:(-not $env:MFA_UPGRADE_TEST_REMOTING) {
    It 'returns the deployment of localhost through a session' {
        $s = New-PSSession -ComputerName localhost
        try {
            $d = Get-MfaDeployment -Session $s -ErrorAction SilentlyContinue
            $LASTEXITCODE | Should -BeIn @(0, 6)
        }
        finally {
            Remove-PSSession -Session $s
        }
    }
}
