@{
    # A fake of the AD FS module (the ADFS module of the AD FS role) for tests on machines without
    # AD FS: the cmdlets the adapter upgrade uses, with the real names and parameters, over an
    # image host's adfs.json ($env:MFA_FAKE_ADFS_IMAGE). Put this folder's parent on PSModulePath.
    RootModule        = 'ADFS.psm1'
    ModuleVersion     = '1.0.0'
    GUID              = '0f5d2c1e-7a43-4b8e-9c61-3e2d4f5a6b70'
    Author            = 'mfa-upgrade contributors (a test fake, not Microsoft''s module)'
    Description       = 'Test fake of the AD FS cmdlets over an image host adfs.json.'
    PowerShellVersion = '5.1'
    FunctionsToExport = @(
        'Get-AdfsAuthenticationProvider'
        'Get-AdfsGlobalAuthenticationPolicy'
        'Set-AdfsGlobalAuthenticationPolicy'
        'Export-AdfsAuthenticationProviderConfigurationData'
        'Import-AdfsAuthenticationProviderConfigurationData'
        'Register-AdfsAuthenticationProvider'
        'Unregister-AdfsAuthenticationProvider'
        'Get-AdfsSyncProperties'
        'Get-WinEvent'
    )
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
