#Requires -Version 5.1
# MfaUpgrade: thin cmdlets over the mfa-upgrade executable (bin\mfa-upgrade.exe, a Node single
# executable application). Each public cmdlet maps its parameters to one CLI command's options,
# runs `mfa-upgrade <command> --json`, and turns the line-delimited JSON events into objects,
# progress, verbose/information/warning messages and error records (README "Protocol").

$script:ModuleRoot = $PSScriptRoot
# The manifest's version (what Get-Module -ListAvailable reports on a server the module is copied to).
$script:ModuleVersion = [version](Import-PowerShellDataFile -Path (Join-Path -Path $PSScriptRoot -ChildPath 'MfaUpgrade.psd1')).ModuleVersion
# The common parameters (PowerShell 7.4 adds ProgressAction), never passed on to a remote run.
$script:CommonParameterNames = @('Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ProgressAction', 'ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable', 'WhatIf', 'Confirm', 'UseTransaction')
# Parameters of the console side of remoting, never passed on to the server's run.
$script:RemotingParameterNames = @('ComputerName', 'Session', 'Credential', 'Authentication', 'Destination', 'WhatIf', 'Confirm')
# SHA-256 of every file of this module (Install-MfaRemoteModule), computed once.
$script:ModuleFileHashes = $null
# The exit code of the last mfa-upgrade run in this session (also copied to $global:LASTEXITCODE).
$script:LastExitCode = 0
# Every run gets --control-stdin (README "Control", a global option of the CLI): it is asked to
# stop through stdin. test/powershell/module.test.ts holds this against lib/cli/spec.ts.
$script:ControlStdin = $true
# PowerShell 7.5+ can leave ISO 8601 strings alone (ConvertFrom-Json -DateKind String).
$script:JsonDateKind = (Get-Command -Name ConvertFrom-Json).Parameters.ContainsKey('DateKind')

foreach ($folder in @('Private', 'Public')) {
    $path = Join-Path -Path $PSScriptRoot -ChildPath $folder
    foreach ($file in @(Get-ChildItem -Path $path -Filter '*.ps1' -File -ErrorAction SilentlyContinue)) {
        . $file.FullName
    }
}

$publicFunctions = @(Get-ChildItem -Path (Join-Path -Path $PSScriptRoot -ChildPath 'Public') -Filter '*.ps1' -File | ForEach-Object { $_.BaseName })
Export-ModuleMember -Function $publicFunctions
