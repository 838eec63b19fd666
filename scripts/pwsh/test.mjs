// npm run test:powershell: the Pester suite under pwsh 7.6.9 (installed by scripts/pwsh/install.mjs).
//   --if-present   do nothing (exit 0, saying so) when pwsh or Pester is not installed, or when
//                  MFA_TEST_POWERSHELL=separate (.ci/run runs it as a tier of its own): npm test
//   any other argument is passed to scripts/pwsh/run-pester.ps1 (-Path, -Tag, -ExcludeTag, -Output)
// The remoting tests run when MFA_PESTER_SSH is set (scripts/pwsh/ssh-localhost.sh), else skip.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPester, findPwsh, PESTER_VERSION, PWSH_VERSION } from './install.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const ifPresent = args.includes('--if-present');
const pwsh = findPwsh();
const pester = findPester();
if (!pwsh || !pester) {
  const what = `pwsh ${PWSH_VERSION} ${pwsh ? 'found' : 'missing'}, Pester ${PESTER_VERSION} ${pester ? 'found' : 'missing'}`;
  if (ifPresent) {
    process.stdout.write(`test:powershell skipped (${what}): node scripts/pwsh/install.mjs installs them\n`);
    process.exit(0);
  }
  process.stderr.write(`test:powershell needs ${what}: run node scripts/pwsh/install.mjs\n`);
  process.exit(1);
}
if (ifPresent && process.env['MFA_TEST_POWERSHELL'] === 'separate') {
  process.stdout.write('test:powershell: runs in a tier of its own (MFA_TEST_POWERSHELL=separate)\n');
  process.exit(0);
}
const passOn = args.filter((a) => a !== '--if-present');
const r = spawnSync(pwsh, ['-NoProfile', '-NonInteractive', '-File', join(root, 'scripts', 'pwsh', 'run-pester.ps1'), '-PesterPath', pester, ...passOn], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, MFA_PWSH: pwsh, POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off' },
});
process.exit(r.status ?? 1);
