# Unregisters the Multi-Factor Authentication Server AD FS adapter.
Unregister-AdfsAuthenticationProvider -Name "AzureMfaServerAuthentication"
Write-Host "Restart the AD FS service on every server of the farm."
