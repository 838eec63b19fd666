// The AD FS adapter upgrade through the in-process transport (lib/host/powershell/edge.ts) hosting
// the REAL System.Management.Automation 7.6.9 on .NET 10: edge-js's CoreCLR flavour starts the
// application folder of scripts/pwsh/edge-sma.mjs (Microsoft.PowerShell.SDK and EdgeJs), the
// transport compiles its C# host source against SMA at run time and keeps one runspace, which
// loads the fake ADFS module of test/powershell/fakes (PowerShell functions with the real cmdlets'
// names and parameters). Each scenario must end as it does through the image host's own cmdlets.
// Skips with the reason when the application folder is not built (node scripts/pwsh/edge-sma.mjs)
// or edge-js's CoreCLR flavour does not load.
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import type { PowerShell } from '../../lib/host/ports.js';
import { makeImage, testHost, type TestHost } from '../adfs/helpers/hosts.js';
import { runScenario, SCENARIOS } from '../adfs/helpers/scenarios.js';
import { comparable, fakeAdfsHost } from './helpers/fake-adfs-host.js';
// @ts-expect-error a plain .mjs script without types
import { edgeSma } from '../../scripts/pwsh/edge-sma.mjs';

const built = (edgeSma as () => { appRoot: string; references: string[] } | null)();
let why: string | undefined = built ? undefined : 'the SMA host folder is not built (node scripts/pwsh/edge-sma.mjs)';
let powershell: PowerShell | undefined;

test.before(async () => {
  if (!built) return;
  // Before edge-js loads: its CoreCLR flavour, this application folder, the fake ADFS module.
  process.env['EDGE_USE_CORECLR'] = '1';
  process.env['EDGE_APP_ROOT'] = built.appRoot;
  process.env['PSModulePath'] = `${resolve('test/powershell/fakes')}${delimiter}${process.env['PSModulePath'] ?? ''}`;
  const { loadEdge, EdgePowerShell } = await import('../../lib/host/powershell/edge.js');
  const loaded = loadEdge();
  if (!loaded.ok) {
    why = loaded.reason;
    return;
  }
  try {
    powershell = new EdgePowerShell(loaded.edge, { references: built.references });
  } catch (e) {
    why = e instanceof Error ? e.message : String(e);
  }
});

/** An image host whose PowerShell port is the in-process runspace (one for every scenario). */
async function edgeHost(dir: string): Promise<TestHost> {
  const image = await openImageHost(dir);
  const log = join(dir, '..', 'calls.jsonl');
  writeFileSync(log, '');
  // This scenario's farm and call log, set inside the runspace (.NET reads the process environment
  // once, when the CLR starts): through the port itself, with a real cmdlet.
  const ps0 = powershell as PowerShell;
  await ps0.invoke('Set-Item', { Path: 'Env:MFA_FAKE_ADFS_IMAGE', Value: dir });
  await ps0.invoke('Set-Item', { Path: 'Env:MFA_FAKE_ADFS_LOG', Value: log });
  return fakeAdfsHost(image, ps0, log);
}

// In-process calls are fast: every scenario but 'not-adfs' (a runspace that has the ADFS module
// stands for an AD FS server; that one is the child-process test's).
for (const s of SCENARIOS.filter((x) => x.name !== 'not-adfs')) {
  test.serial(`in-process, real System.Management.Automation: ${s.name}`, async (t) => {
    if (why || !powershell) {
      t.log(`skipped: ${why}`);
      t.pass();
      return;
    }
    const a = makeImage();
    const b = makeImage();
    try {
      const reference = await runScenario(s, a.dir, (dir) => testHost(dir, 'image'));
      const real = await runScenario(s, b.dir, edgeHost);
      t.deepEqual(comparable(real), comparable(reference));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
}
