<#
The README's PowerShell section shows a real session: this test runs it (on a copy of the
PhoneFactor Agent 5.2 sample, relative paths) and requires the README block between
"<!-- pwsh-session:begin -->" and "<!-- pwsh-session:end -->" to be exactly what it printed.
MFA_UPDATE_README_SESSION=1 writes the block instead (then review the diff and commit it).
#>

BeforeAll {
    . (Join-Path -Path $PSScriptRoot -ChildPath 'Common.ps1')
    $script:Readme = Join-Path -Path $script:Repo -ChildPath 'README.md'
    function script:Invoke-SessionLine {
        # One prompt line as a console shows it: the output formatted, warnings prefixed.
        param([string] $Line)
        $text = New-Object -TypeName 'System.Text.StringBuilder'
        [void]$text.AppendLine("PS> $Line")
        $items = @(Invoke-Expression -Command "$Line 3>&1 6>`$null")
        $plain = New-Object -TypeName 'System.Collections.Generic.List[object]'
        foreach ($i in $items) {
            if ($i -is [System.Management.Automation.WarningRecord]) {
                if ($plain.Count) {
                    [void]$text.Append(($plain | Out-String -Width 110))
                    $plain.Clear()
                }
                [void]$text.AppendLine("WARNING: $($i.Message)")
            }
            else {
                $plain.Add($i)
            }
        }
        if ($plain.Count) {
            [void]$text.Append(($plain | Out-String -Width 110))
        }
        ($text.ToString() -split "`r?`n" | ForEach-Object { $_.TrimEnd() }) -join "`n"
    }
}

Describe 'The README session' {
    It 'is what the module prints on the sample' {
        $dir = New-TestFolder -Name 'mfa-session'
        $null = Copy-Sample -Name 'phonefactor-5.2' -Into $dir
        Copy-Item -LiteralPath $script:Packages -Destination (Join-Path -Path $dir -ChildPath 'packages') -Recurse
        Push-Location -LiteralPath $dir
        try {
            $lines = @(
                'Get-MfaDeployment -ImagePath ./phonefactor-5.2 | Format-Table -AutoSize'
                'Get-MfaDeployment -ImagePath ./phonefactor-5.2 | Export-MfaBackup -Path ./backup -Confirm:$false | Test-MfaBackup | Format-List ok, encrypted, files, problems'
                'Invoke-MfaServerUpgrade -ImagePath ./phonefactor-5.2 -PackagePath ./packages -BackupPath ./upgrade -Role standalone -Unattended -Confirm:$false | Where-Object { $_.PSObject.TypeNames[0] -eq ''MfaUpgrade.UpgradeResult'' } | Format-List outcome, stepsRun'
                '$LASTEXITCODE'
                'Test-MfaUpgrade -ImagePath ./phonefactor-5.2 -BackupPath ./upgrade | Format-Table status, title'
                '(Get-MfaDeployment -ImagePath ./phonefactor-5.2).server.product | Format-List name, version'
            )
            $session = ($lines | ForEach-Object { Invoke-SessionLine -Line $_ }) -join "`n"
        }
        finally {
            Pop-Location
        }
        $session = ($session -replace "`n{3,}", "`n`n").Trim()
        $block = "<!-- pwsh-session:begin -->`n``````text`n$session`n```````n<!-- pwsh-session:end -->"
        $readme = [System.IO.File]::ReadAllText($script:Readme)
        $pattern = '(?s)<!-- pwsh-session:begin -->.*?<!-- pwsh-session:end -->'
        if ($env:MFA_UPDATE_README_SESSION -eq '1') {
            [System.IO.File]::WriteAllText($script:Readme, [regex]::Replace($readme, $pattern, { param($m) $block }))
            $readme = [System.IO.File]::ReadAllText($script:Readme)
        }
        $shown = [regex]::Match($readme, $pattern).Value -replace "`r`n", "`n"
        $shown | Should -Be $block -Because 'README.md shows the session this test ran (MFA_UPDATE_README_SESSION=1 rewrites it)'
    }
}
