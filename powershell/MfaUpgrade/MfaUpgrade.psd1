@{
    RootModule           = 'MfaUpgrade.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6b0f3f5e-2a47-4c7e-9d3b-58a1c2e94f10'
    Author               = 'mfa-upgrade contributors'
    CompanyName          = 'mfa-upgrade'
    Copyright            = '(c) mfa-upgrade contributors. MIT License.'
    Description          = 'Upgrade on-premises Azure MFA Server / PhoneFactor Agent deployments safely: discovery, readiness, verified backup, web.config carry-over, AD FS adapter re-registration, resume and rollback. Thin cmdlets over the self-contained mfa-upgrade executable in bin\.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('MfaUpgrade.Format.ps1xml')
    FunctionsToExport    = @(
        'Compare-MfaAdfsAdapterConfig'
        'Export-MfaBackup'
        'Get-MfaDeployment'
        'Get-MfaUpgradePlan'
        'Invoke-MfaAdfsAdapterUpgrade'
        'Invoke-MfaServerUpgrade'
        'Invoke-MfaUpgradeRehearsal'
        'Merge-MfaWebConfig'
        'Restore-MfaBackup'
        'Test-MfaBackup'
        'Test-MfaUpgradeReadiness'
        'Update-MfaAdfsRegisterScript'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('MFA', 'AzureMFA', 'MFAServer', 'PhoneFactor', 'ADFS', 'Upgrade', 'SCCM', 'Windows')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'See docs/powershell.md.'
        }
    }
}
