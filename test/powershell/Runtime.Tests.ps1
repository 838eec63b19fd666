<#
Which runtime the module starts, by Windows version, and the integrity checks before it does
(Get-MfaCliPath): Node 12.16.1 below Windows 6.3, the Node 20 single executable from 6.3 on. The
Windows versions are given through Get-MfaWindowsVersion (a mock): the choice is the module's,
the versions are Windows'. Under Wine, npm run verify:module runs both runtimes for real.
#>

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    function script:New-FakeModuleRoot {
        # A module folder with a bin\ whose files have known contents and a build-info.json for them.
        $root = New-TestFolder -Name 'mfa-runtime'
        $bin = Join-Path -Path $root -ChildPath 'bin'
        New-Item -ItemType Directory -Path (Join-Path -Path $bin -ChildPath 'node12') -Force | Out-Null
        [System.IO.File]::WriteAllText((Join-Path -Path $bin -ChildPath 'mfa-upgrade.exe'), 'sea')
        [System.IO.File]::WriteAllText((Join-Path -Path $bin -ChildPath 'node12/node.exe'), 'node 12')
        [System.IO.File]::WriteAllText((Join-Path -Path $bin -ChildPath 'mfa-upgrade.cjs'), 'bundle')
        $hash = @{}
        foreach ($f in @('mfa-upgrade.exe', 'node12/node.exe', 'mfa-upgrade.cjs')) {
            $hash[$f] = (Get-FileHash -LiteralPath (Join-Path -Path $bin -ChildPath $f) -Algorithm SHA256).Hash.ToLowerInvariant()
        }
        $info = @{ sha256 = $hash }
        [System.IO.File]::WriteAllText((Join-Path -Path $bin -ChildPath 'build-info.json'), (ConvertTo-Json -InputObject $info))
        [pscustomobject]@{ Root = $root; Bin = $bin; Node12 = $hash['node12/node.exe'] }
    }
}

Describe 'The runtime for this Windows' {
    BeforeEach {
        $script:SavedCli = $env:MFA_UPGRADE_CLI
        Remove-Item -Path Env:MFA_UPGRADE_CLI -ErrorAction SilentlyContinue
        Remove-Item -Path Env:MFA_UPGRADE_RUNTIME -ErrorAction SilentlyContinue
        $script:Fake = New-FakeModuleRoot
        InModuleScope MfaUpgrade -Parameters @{ Fake = $script:Fake } {
            param($Fake)
            $script:SavedRoot = $script:ModuleRoot
            $script:SavedPin = $script:Node12Sha256
            $script:ModuleRoot = $Fake.Root
            $script:Node12Sha256 = $Fake.Node12
            $script:VerifiedFiles = @{}
        }
    }
    AfterEach {
        InModuleScope MfaUpgrade {
            $script:ModuleRoot = $script:SavedRoot
            $script:Node12Sha256 = $script:SavedPin
            $script:VerifiedFiles = @{}
        }
        $env:MFA_UPGRADE_CLI = $script:SavedCli
    }

    It 'Windows Server <Name> (<Version>) gets <Runtime>' -TestCases @(
        @{ Name = '2008 SP2'; Version = '6.0'; Runtime = 'node12' }
        @{ Name = '2008 R2 SP1'; Version = '6.1'; Runtime = 'node12' }
        @{ Name = '2012'; Version = '6.2'; Runtime = 'node12' }
        @{ Name = '2012 R2'; Version = '6.3'; Runtime = 'sea' }
        @{ Name = '2016 / 2019 / 2022'; Version = '10.0'; Runtime = 'sea' }
    ) {
        param($Name, $Version, $Runtime)
        Mock -ModuleName MfaUpgrade -CommandName Get-MfaWindowsVersion -MockWith { [version]$Version }.GetNewClosure()
        $cli = InModuleScope MfaUpgrade { Get-MfaCliPath }
        if ($Runtime -eq 'node12') {
            $cli.FilePath | Should -Be (Join-Path -Path $script:Fake.Bin -ChildPath 'node12/node.exe')
            $cli.PrefixArguments | Should -Be @((Join-Path -Path $script:Fake.Bin -ChildPath 'mfa-upgrade.cjs'))
        }
        else {
            $cli.FilePath | Should -Be (Join-Path -Path $script:Fake.Bin -ChildPath 'mfa-upgrade.exe')
            @($cli.PrefixArguments).Count | Should -Be 0
        }
    }

    It 'a node.exe that is not the pinned Node 12.16.1 is refused (CLI_INTEGRITY), before anything starts' {
        Mock -ModuleName MfaUpgrade -CommandName Get-MfaWindowsVersion -MockWith { [version]'6.1' }
        [System.IO.File]::WriteAllText((Join-Path -Path $script:Fake.Bin -ChildPath 'node12/node.exe'), 'node 12 (altered)')
        { Get-MfaDeployment -ImagePath $script:Samples -ErrorAction Stop } | Should -Throw -ErrorId 'MfaUpgrade.CLI_INTEGRITY*'
    }

    It 'a half-copied bundle (not what build-info.json records) is refused' {
        Mock -ModuleName MfaUpgrade -CommandName Get-MfaWindowsVersion -MockWith { [version]'6.1' }
        [System.IO.File]::WriteAllText((Join-Path -Path $script:Fake.Bin -ChildPath 'mfa-upgrade.cjs'), 'bund')
        $e = { InModuleScope MfaUpgrade { Get-MfaCliPath } } | Should -Throw -PassThru
        $e.Exception.Data['Code'] | Should -Be 'CLI_INTEGRITY'
        $e.Exception.Message | Should -BeLike '*half-done copy*'
    }

    It 'the Node 12 runtime missing on an old Windows says which Windows needs it' {
        Mock -ModuleName MfaUpgrade -CommandName Get-MfaWindowsVersion -MockWith { [version]'6.0' }
        Remove-Item -LiteralPath (Join-Path -Path $script:Fake.Bin -ChildPath 'node12') -Recurse -Force
        $e = { InModuleScope MfaUpgrade { Get-MfaCliPath } } | Should -Throw -PassThru
        $e.Exception.Data['Code'] | Should -Be 'CLI_NOT_FOUND'
        $e.Exception.Message | Should -BeLike '*Windows 6.0*Node 12*'
    }

    It 'MFA_UPGRADE_RUNTIME=node12 picks Node 12 on any Windows' {
        $env:MFA_UPGRADE_RUNTIME = 'node12'
        try {
            Mock -ModuleName MfaUpgrade -CommandName Get-MfaWindowsVersion -MockWith { [version]'10.0' }
            (InModuleScope MfaUpgrade { Get-MfaCliPath }).FilePath | Should -BeLike '*node12*node.exe'
        }
        finally {
            Remove-Item -Path Env:MFA_UPGRADE_RUNTIME -ErrorAction SilentlyContinue
        }
    }

    It 'the pinned SHA-256 is the one of scripts/module/runtimes.mjs' {
        $mjs = Get-Content -LiteralPath (Join-Path -Path $script:Repo -ChildPath 'scripts/module/runtimes.mjs') -Raw
        $pinned = InModuleScope MfaUpgrade { $script:SavedPin }
        $mjs | Should -Match "NODE12_WIN_SHA256 = '$pinned'"
    }
}
