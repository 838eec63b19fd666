<#
The module as admins install it: the .nupkg of npm run pack:module (dist/module), registered as a
folder repository with PSResourceGet, installed with Install-PSResource, imported by name, a
cmdlet run. The install happens in a pwsh of its own whose user folders (XDG_DATA_HOME: the module
path and PSResourceGet's repository list) are a temporary folder, so nothing of the machine's
changes. Skipped with the reason when no .nupkg has been made.
#>

BeforeDiscovery {
    $script:Nupkg = @(Get-ChildItem -Path (Join-Path -Path $PSScriptRoot -ChildPath '../../dist/module') -Filter 'MfaUpgrade.*.nupkg' -ErrorAction SilentlyContinue)[0]
}

Describe 'The gallery package (npm run pack:module)' -Tag 'Gallery' -Skip:($null -eq $script:Nupkg) {
    BeforeAll {
        . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
        $script:Package = @(Get-ChildItem -Path (Join-Path -Path $script:Repo -ChildPath 'dist/module') -Filter 'MfaUpgrade.*.nupkg')[0].FullName
        Add-Type -AssemblyName System.IO.Compression.FileSystem
    }

    It 'holds the module, its runtimes and a nuspec with what the gallery shows' {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($script:Package)
        try {
            $names = @($zip.Entries | ForEach-Object { [System.Uri]::UnescapeDataString($_.FullName) })
            $nuspecEntry = @($zip.Entries | Where-Object { $_.FullName -like '*.nuspec' })[0]
            $reader = New-Object -TypeName 'System.IO.StreamReader' -ArgumentList $nuspecEntry.Open()
            $nuspec = [xml]$reader.ReadToEnd()
            $reader.Dispose()
        }
        finally {
            $zip.Dispose()
        }
        foreach ($must in @('MfaUpgrade.psd1', 'MfaUpgrade.psm1', 'Deploy-MfaUpgrade.ps1', 'bin/mfa-upgrade.exe', 'bin/node12/node.exe', 'bin/mfa-upgrade.cjs', 'bin/build-info.json')) {
            $names | Should -Contain $must
        }
        $meta = $nuspec.package.metadata
        $meta.id | Should -Be 'MfaUpgrade'
        $meta.version | Should -Be ((Get-Content -LiteralPath (Join-Path -Path $script:Repo -ChildPath 'package.json') -Raw | ConvertFrom-Json).version)
        $meta.tags | Should -Match 'PSModule'
        $meta.tags | Should -Match 'PSEdition_Desktop'
        $meta.licenseUrl | Should -Not -BeNullOrEmpty
        # ProjectUri comes from package.json (homepage or repository) or pack:module --project-uri.
        $pkg = Get-Content -LiteralPath (Join-Path -Path $script:Repo -ChildPath 'package.json') -Raw | ConvertFrom-Json
        $declared = $pkg.homepage
        if (-not $declared -and $null -ne $pkg.repository) {
            $declared = if ($pkg.repository -is [string]) { $pkg.repository } else { $pkg.repository.url }
        }
        if ($declared) {
            $meta.projectUrl | Should -Be (($declared -replace '^git\+', '') -replace '\.git$', '')
        }
        elseif ($env:MFA_PACK_PROJECT_URI) {
            $meta.projectUrl | Should -Be $env:MFA_PACK_PROJECT_URI
        }
        $meta.releaseNotes | Should -Not -BeNullOrEmpty
        $meta.description | Should -Not -BeNullOrEmpty
    }

    It 'installs with Install-PSResource from a folder repository, imports by name and runs a cmdlet' {
        $feed = New-TestFolder -Name 'mfa-feed'
        Copy-Item -LiteralPath $script:Package -Destination $feed
        $userData = New-TestFolder -Name 'mfa-userdata'
        $work = Copy-Sample -Name 'mfa-7.0'
        $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name MfaFeed -Uri '$feed' -Trusted
Install-PSResource -Name MfaUpgrade -Repository MfaFeed -Scope CurrentUser -TrustRepository
Import-Module -Name MfaUpgrade
`$m = Get-Module -Name MfaUpgrade
`$d = Get-MfaDeployment -ImagePath '$work'
[pscustomobject]@{
    Base = `$m.ModuleBase
    Version = [string]`$m.Version
    Product = [string]`$d.server.product.version
    Node12 = (Get-FileHash -LiteralPath (Join-Path -Path `$m.ModuleBase -ChildPath 'bin/node12/node.exe') -Algorithm SHA256).Hash
    Commands = @(`$m.ExportedFunctions.Keys).Count
} | ConvertTo-Json -Compress
"@
        # PSResourceGet keeps its repositories and installs under the user's folders: HOME (and
        # XDG_DATA_HOME) point at a temporary one for that pwsh (LOCALAPPDATA and USERPROFILE on Windows).
        $saved = @{}
        foreach ($k in @('HOME', 'XDG_DATA_HOME', 'LOCALAPPDATA', 'USERPROFILE')) {
            $saved[$k] = [System.Environment]::GetEnvironmentVariable($k)
        }
        # (.NET gives no LocalApplicationData for a folder that does not exist: make them first.)
        $env:HOME = $userData
        $env:XDG_DATA_HOME = Join-Path -Path $userData -ChildPath '.local/share'
        New-Item -ItemType Directory -Path $env:XDG_DATA_HOME -Force | Out-Null
        if (($PSVersionTable.PSVersion.Major -le 5) -or $IsWindows) {
            $env:USERPROFILE = $userData
            $env:LOCALAPPDATA = Join-Path -Path $userData -ChildPath 'AppData\Local'
            New-Item -ItemType Directory -Path $env:LOCALAPPDATA -Force | Out-Null
        }
        try {
            Push-Location -LiteralPath $userData
            try {
                $lines = @(& $script:Pwsh -NoProfile -NonInteractive -Command $script)
            }
            finally {
                Pop-Location
            }
        }
        finally {
            foreach ($k in $saved.Keys) {
                [System.Environment]::SetEnvironmentVariable($k, $saved[$k])
            }
        }
        $LASTEXITCODE | Should -Be 0
        $got = $lines[-1] | ConvertFrom-Json
        $got.Base | Should -BeLike "$userData*MfaUpgrade*"
        $got.Version | Should -Be '0.1.0'
        $got.Product | Should -Be '7.0.2.1'
        $got.Commands | Should -Be @((Import-PowerShellDataFile -Path $script:ModulePath).FunctionsToExport).Count
        $got.Node12.ToLowerInvariant() | Should -Be (InModuleScope MfaUpgrade { $script:Node12Sha256 })
    }
}
