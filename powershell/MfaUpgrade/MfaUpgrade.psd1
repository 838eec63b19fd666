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
        'Test-MfaUpgrade'
        'Test-MfaUpgradeReadiness'
        'Update-MfaAdfsRegisterScript'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            # ProjectUri and HelpInfoUri are stamped into the packed copy by npm run pack:module
            # from package.json (homepage or repository): the source names no address of its own.
            Tags         = @('MFA', 'AzureMFA', 'MFAServer', 'PhoneFactor', 'ADFS', 'Upgrade', 'SCCM', 'Windows', 'PSEdition_Desktop', 'PSEdition_Core')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = '0.1.0: first release. Cmdlets for inventory, readiness, verified backup and restore, the upgrade with resume and rollback (also across a fleet), web.config and AD FS adapter carry-over; remoting over WinRM or SSH; Deploy-MfaUpgrade.ps1 for ConfigMgr and Group Policy; Node 12.16.1 for Windows Server 2008 to 2012, Node 20 for 2012 R2 and later.'
        }
    }
}
