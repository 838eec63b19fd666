// The AD FS adapter upgrade through the child-process transport (lib/host/powershell/child-process.ts)
// running real PowerShell: pwsh 7.6.9 starts the transport's runner script, which calls the AD FS
// cmdlets of test/powershell/fakes/ADFS (PowerShell functions with the real names and parameters
// over the image host's adfs.json): real parameter binding, splatting, pipeline output, error
// records and ConvertTo-Json. Every scenario of test/adfs/helpers/scenarios.ts must end as it does
// through the image host's own cmdlets (the reference): same outcome, same calls, same farm state,
// same files. Skips with the reason when pwsh is not installed (node scripts/pwsh/install.mjs).
// The reference's calls come from lib/host/image/adfs-state.ts; the fake module's from what
// PowerShell bound: the two models agreeing call for call is the check.
import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { ChildProcessPowerShell } from '../../lib/host/powershell/child-process.js';
import { makeImage, testHost, type TestHost } from '../adfs/helpers/hosts.js';
import { runScenario, SCENARIOS } from '../adfs/helpers/scenarios.js';
import { comparable, fakeAdfsHost } from './helpers/fake-adfs-host.js';
// @ts-expect-error a plain .mjs script without types
import { findPwsh } from '../../scripts/pwsh/install.mjs';

const pwsh = (findPwsh as () => string | null)();
const fakes = resolve('test/powershell/fakes');

/** An image host whose PowerShell port is the child process running real pwsh with the fake ADFS module. */
async function pwshHost(dir: string): Promise<TestHost> {
  const image = await openImageHost(dir);
  const log = join(dir, '..', 'calls.jsonl');
  writeFileSync(log, '');
  // The ADFS module is there only on an AD FS server (an image with adfs.json), as on Windows.
  const modules = existsSync(join(dir, 'adfs.json')) ? `${fakes}${delimiter}${process.env['PSModulePath'] ?? ''}` : (process.env['PSModulePath'] ?? '');
  const child = new ChildProcessPowerShell({
    executable: pwsh as string,
    env: { ...process.env, PSModulePath: modules, MFA_FAKE_ADFS_IMAGE: dir, MFA_FAKE_ADFS_LOG: log, POWERSHELL_TELEMETRY_OPTOUT: '1' },
  });
  return fakeAdfsHost(image, child, log);
}

// Each cmdlet call starts a pwsh (about a second on an idle machine): npm test runs two scenarios,
// a completed upgrade and an error record that makes the sequence undo itself;
// the PowerShell tier (MFA_PWSH_ALL_SCENARIOS=1) runs every one.
const QUICK = new Set(['upgrade', 'register-fails']);
const chosen = process.env['MFA_PWSH_ALL_SCENARIOS'] === '1' ? SCENARIOS : SCENARIOS.filter((s) => QUICK.has(s.name));

for (const s of chosen) {
  // One at a time: each cmdlet call starts a pwsh (2 cores are shared with the rest of the suite).
  test.serial(`through real pwsh: ${s.name}`, async (t) => {
    if (!pwsh) {
      t.log('skipped: pwsh 7.6.9 is not installed (node scripts/pwsh/install.mjs)');
      t.pass();
      return;
    }
    const a = makeImage();
    const b = makeImage();
    try {
      const reference = await runScenario(s, a.dir, (dir) => testHost(dir, 'image'));
      const real = await runScenario(s, b.dir, pwshHost);
      t.deepEqual(comparable(real), comparable(reference));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
}
