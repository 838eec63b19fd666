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
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { RecordedCall } from '../../lib/host/image/powershell.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import type { Host, PowerShell, Services } from '../../lib/host/ports.js';
import { ChildProcessPowerShell } from '../../lib/host/powershell/child-process.js';
import { makeImage, testHost, type TestHost } from '../adfs/helpers/hosts.js';
import { runScenario, SCENARIOS, type ScenarioOutcome } from '../adfs/helpers/scenarios.js';
// @ts-expect-error a plain .mjs script without types
import { findPwsh } from '../../scripts/pwsh/install.mjs';

const pwsh = (findPwsh as () => string | null)();
const fakes = resolve('test/powershell/fakes');

/** An image host whose PowerShell port is the child process running real pwsh with the fake ADFS module. */
async function pwshHost(dir: string): Promise<TestHost> {
  const image = await openImageHost(dir);
  const log = join(dir, '..', 'calls.jsonl');
  writeFileSync(log, '');
  const calls: RecordedCall[] = [];
  let seen = 0;
  // The ADFS module is there only on an AD FS server (an image with adfs.json), as on Windows.
  const modules = existsSync(join(dir, 'adfs.json')) ? `${fakes}${delimiter}${process.env['PSModulePath'] ?? ''}` : (process.env['PSModulePath'] ?? '');
  const child = new ChildProcessPowerShell({
    executable: pwsh as string,
    env: { ...process.env, PSModulePath: modules, MFA_FAKE_ADFS_IMAGE: dir, MFA_FAKE_ADFS_LOG: log, POWERSHELL_TELEMETRY_OPTOUT: '1' },
  });
  const sync = () => {
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    for (const l of lines.slice(seen)) {
      const { command, parameters } = JSON.parse(l) as RecordedCall;
      calls.push({ command, parameters });
    }
    seen = lines.length;
  };
  const powershell: PowerShell = {
    hasCommand: (n) => child.hasCommand(n),
    invoke: async (c, p) => {
      try {
        return await child.invoke(c, p);
      } finally {
        sync();
      }
    },
  };
  const services: Services = image.services;
  const host: Host = {
    kind: 'image',
    stateDir: image.stateDir,
    localPath: (p) => image.localPath(p),
    info: () => image.info(),
    registry: image.registry,
    installer: image.installer,
    services: {
      list: () => services.list(),
      get: (n) => services.get(n),
      stop: async (n, o) => {
        calls.push({ command: 'Stop-Service', parameters: { Name: n } });
        return services.stop(n, o);
      },
      start: async (n, o) => {
        calls.push({ command: 'Start-Service', parameters: { Name: n } });
        await services.start(n, o);
      },
    },
    files: image.files,
    iis: image.iis,
    powershell,
  };
  return { host, calls: () => calls };
}

/** A call with its parameters in name order (a splatted hashtable binds in no fixed order), the Admin log's time filter normalised (each run registers at its own time). */
function canonical(call: string): string {
  call = call.replace(/@SystemTime>='[^']*'/, "@SystemTime>='T'");
  const at = call.indexOf(' ');
  const params = JSON.parse(call.slice(at + 1)) as Record<string, unknown>;
  return `${call.slice(0, at)} ${JSON.stringify(Object.fromEntries(Object.entries(params).sort(([a], [b]) => a.localeCompare(b))))}`;
}

function comparable(o: ScenarioOutcome): ScenarioOutcome {
  return { ...o, calls: o.calls.map(canonical) };
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
