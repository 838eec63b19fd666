# Registers the Multi-Factor Authentication Server AD FS adapter with AD FS.
# Run on one AD FS server of the farm, as a member of the AD FS administrators.
$typeName = "pfadfs.AuthenticationAdapter, MultiFactorAuthAdfsAdapter, Version=8.1.1.2, Culture=neutral, PublicKeyToken=31bf3856ad364e35"
Register-AdfsAuthenticationProvider -TypeName $typeName -Name "AzureMfaServerAuthentication"
Write-Host "Restart the AD FS service on every server of the farm to complete the registration."
