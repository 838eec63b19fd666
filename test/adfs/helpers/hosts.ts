// Hosts for the AD FS tests: an image host (files, registry, services) whose PowerShell port is one
// of the transports under test, every AD FS cmdlet call and service restart recorded in order.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { openImageHost, type ImageHost } from '../../../lib/host/image/image-host.js';
import { ImagePowerShell, type RecordedCall } from '../../../lib/host/image/powershell.js';
import type { Host, PowerShell, Services } from '../../../lib/host/ports.js';
import { ChildProcessPowerShell } from '../../../lib/host/powershell/child-process.js';

export type TransportName = 'image' | 'child-process' | 'edge-js';

export const SAMPLE = 'examples/hosts/mfa-8.0-adfs';
export const NEW_ADAPTER = 'examples/packages/payload/adfs';
export const NEW_CONFIG = 'C:\\new\\MultiFactorAuthenticationAdfsAdapter.config';
export const NEW_SCRIPT = 'C:\\new\\Register-MultiFactorAuthenticationAdfsAdapter.ps1';
export const ADAPTER_PACKAGE = resolve('examples/packages/MultiFactorAuthenticationAdfsAdapterSetup64.msi.json');

/** A copy of the AD FS sample with the new adapter's config and register script in C:\new. */
export function makeImage(): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'mfa-adfs-'));
  const dir = join(root, 'host');
  cpSync(SAMPLE, dir, { recursive: true });
  mkdirSync(join(dir, 'drive/C/new'), { recursive: true });
  for (const f of ['MultiFactorAuthenticationAdfsAdapter.config', 'Register-MultiFactorAuthenticationAdfsAdapter.ps1']) cpSync(join(NEW_ADAPTER, f), join(dir, 'drive/C/new', f));
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function readAdfs(dir: string): { providers: Array<{ name: string; typeName: string; configurationData?: string }>; globalPolicy: { additionalAuthenticationProvider: string[] }; faults?: unknown[] } {
  return JSON.parse(readFileSync(join(dir, 'adfs.json'), 'utf8'));
}

export function editAdfs(dir: string, edit: (s: ReturnType<typeof readAdfs>) => void): void {
  const s = readAdfs(dir);
  edit(s);
  writeFileSync(join(dir, 'adfs.json'), JSON.stringify(s, null, 2));
}

let fakeExe: string | undefined;
/** The fake powershell executable: fake-powershell.ts bundled once (fast start), behind a sh wrapper. */
export async function fakePowerShellExecutable(): Promise<string> {
  if (fakeExe) return fakeExe;
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'mfa-fake-ps-'));
  const bundle = join(dir, 'fake-powershell.mjs');
  await build({ entryPoints: ['test/fakes/adfs/fake-powershell.ts'], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
  const exe = join(dir, 'powershell');
  writeFileSync(exe, `#!/bin/sh\nexec "${process.execPath}" "${bundle}" "$@"\n`);
  chmodSync(exe, 0o755);
  fakeExe = exe;
  return exe;
}

/** Records service stops and starts into the same call list as the cmdlets. */
function recordingServices(inner: Services, calls: RecordedCall[]): Services {
  return {
    list: () => inner.list(),
    get: (n) => inner.get(n),
    stop: async (n, o) => {
      calls.push({ command: 'Stop-Service', parameters: { Name: n } });
      return inner.stop(n, o);
    },
    start: async (n, o) => {
      calls.push({ command: 'Start-Service', parameters: { Name: n } });
      await inner.start(n, o);
    },
  };
}

export interface TestHost {
  host: Host;
  /** Every AD FS cmdlet call as the fake received it, and every service stop/start, in order. */
  calls(): RecordedCall[];
}

/** An image host whose PowerShell port goes through `transport` (edge-js: pass its PowerShell). */
export interface EdgeHookup {
  powershell: PowerShell;
  /** Routes the fake runspace's received calls to the recorder. */
  record(onCall: (call: RecordedCall) => void): void;
}

/**
 * `ps` whose calls are read back from the JSONL log a fake PowerShell appends what it received to,
 * merged into `calls` after each call (so they keep their order with the service stops and starts).
 */
export function loggedPowerShell(ps: PowerShell, log: string, calls: RecordedCall[]): PowerShell {
  let seen = 0;
  const sync = () => {
    const lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    for (const l of lines.slice(seen)) {
      const { command, parameters } = JSON.parse(l) as RecordedCall;
      calls.push({ command, parameters });
    }
    seen = lines.length;
  };
  return {
    hasCommand: (n) => ps.hasCommand(n),
    invoke: async (c, p) => {
      try {
        return await ps.invoke(c, p);
      } finally {
        sync();
      }
    },
  };
}

/** The image host with `powershell` as its PowerShell port, its service stops and starts recorded in `calls`. */
export function recordingHost(image: ImageHost, powershell: PowerShell, calls: RecordedCall[]): Host {
  return {
    kind: 'image',
    stateDir: image.stateDir,
    localPath: (p) => image.localPath(p),
    info: () => image.info(),
    registry: image.registry,
    installer: image.installer,
    services: recordingServices(image.services, calls),
    files: image.files,
    iis: image.iis,
    powershell,
  };
}

export async function testHost(dir: string, transport: TransportName, edge?: EdgeHookup): Promise<TestHost> {
  const image = await openImageHost(dir);
  const calls: RecordedCall[] = [];
  let powershell: PowerShell;
  if (transport === 'image') {
    powershell = new ImagePowerShell(join(dir, 'adfs.json'), { onCall: (c) => calls.push(c) });
  } else if (transport === 'child-process') {
    const log = join(dir, '..', 'calls.jsonl');
    writeFileSync(log, '');
    const child = new ChildProcessPowerShell({ executable: await fakePowerShellExecutable(), env: { ...process.env, MFA_FAKE_ADFS_IMAGE: dir, MFA_FAKE_ADFS_LOG: log } });
    powershell = loggedPowerShell(child, log, calls);
  } else {
    if (!edge) throw new Error('pass the edge-js hookup');
    edge.record((c) => calls.push(c));
    powershell = edge.powershell;
  }
  return { host: recordingHost(image, powershell, calls), calls: () => calls };
}

/** Why the edge-js tests cannot run here, or undefined when they can. */
export function edgeUnavailable(): string | undefined {
  const libmono = '/usr/lib/libmono-2.0.so.1';
  if (process.platform === 'win32') return 'the edge-js tests run on Mono (Linux); on Windows they would need the fake SMA built with csc';
  try {
    execFileSync('mcs', ['--version'], { stdio: 'pipe' });
  } catch {
    return 'mcs (Debian mono-devel / mono-complete) is not installed';
  }
  if (!existsSync(libmono)) return `${libmono} is missing (install mono-complete)`;
  const edge = process.env['MFA_UPGRADE_EDGE_JS'];
  if (edge === 'off') return 'MFA_UPGRADE_EDGE_JS=off';
  if (edge) return existsSync(edge) ? undefined : `MFA_UPGRADE_EDGE_JS=${edge} does not exist`;
  let root: string;
  try {
    root = dirname(execFileSync(process.execPath, ['-p', "require.resolve('edge-js/package.json')"], { encoding: 'utf8' }).trim());
  } catch {
    return 'edge-js is not installed (optional dependency; or set MFA_UPGRADE_EDGE_JS to an edge-js folder)';
  }
  const release = join(root, 'build', 'Release');
  if (!existsSync(join(release, 'edge_nativeclr.node'))) return `edge-js was built without Mono (${release} has no edge_nativeclr.node): install mono-complete, then npm rebuild edge-js`;
  // Without it edge-js crashes on Mono (SIGSEGV in mono_assembly_get_image) instead of failing.
  if (!existsSync(join(release, 'MonoEmbedding.exe'))) return `edge-js's Mono build stopped before MonoEmbedding.exe: run node scripts/edge/mono-embedding.mjs`;
  return undefined;
}
