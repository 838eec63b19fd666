// The Node side of the C# fake runspace (sma/FakeSma.cs): builds the fake
// System.Management.Automation.dll with mcs, and attaches the handler its PowerShell.Invoke()
// calls, which runs AD FS cmdlets on an image host's adfs.json through the shared state model.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MfaError } from '../../../lib/errors.js';
import { ImagePowerShell, type RecordedCall } from '../../../lib/host/image/powershell.js';
import type { EdgeModule } from '../../../lib/host/powershell/edge.js';
import { PowerShellError } from '../../../lib/host/powershell/errors.js';

export const FAKE_SMA_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'sma', 'FakeSma.cs');

/** Compiles FakeSma.cs (once per source version) and returns the dll's path. Needs mcs (mono-devel). */
export function buildFakeSma(outRoot = join(tmpdir(), 'mfa-upgrade-fake-sma')): string {
  const source = readFileSync(FAKE_SMA_SOURCE);
  const dir = join(outRoot, createHash('sha256').update(source).digest('hex').slice(0, 16));
  const dll = join(dir, 'System.Management.Automation.dll');
  if (existsSync(dll)) return dll;
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `build-${process.pid}.dll`);
  execFileSync('mcs', ['-nologo', '-target:library', `-out:${tmp}`, '-r:System.Core.dll', '-r:Microsoft.CSharp.dll', FAKE_SMA_SOURCE], { stdio: 'pipe' });
  renameSync(tmp, dll);
  return dll;
}

export interface FakeAdfsBackend {
  /** The image host folder whose adfs.json the next calls act on. */
  setImage(folder: string): void;
  onCall?: (call: RecordedCall) => void;
}

type Callback = (error: unknown, result?: unknown) => void;

/** Attaches the handler to the fake runspace; returns the backend to point at an image. */
export async function attachFakeAdfs(edge: EdgeModule, smaDll: string): Promise<FakeAdfsBackend> {
  let image: string | undefined;
  const backend: FakeAdfsBackend = { setImage: (folder) => void (image = folder) };
  const handler = (request: { command: string; parameters?: Record<string, unknown> }, callback: Callback) => {
    const run = async () => {
      if (!image) throw new Error('no image set for the fake AD FS backend');
      const ps = new ImagePowerShell(join(image, 'adfs.json'), { onCall: (call) => backend.onCall?.(call) });
      if (request.command === 'Get-Command') {
        const name = String(request.parameters?.['Name'] ?? '');
        return { ok: true, output: (await ps.hasCommand(name)) ? [{ Name: name, CommandType: 'Cmdlet', Source: 'ADFS' }] : [] };
      }
      try {
        return { ok: true, output: await ps.invoke(request.command, request.parameters ?? {}) };
      } catch (e) {
        if (e instanceof PowerShellError) return { ok: false, error: { ...e.record } };
        if (e instanceof MfaError && e.code === 'PS_COMMAND_NOT_FOUND') {
          return { ok: false, error: { message: e.message, fullyQualifiedErrorId: 'CommandNotFoundException', category: 'ObjectNotFound', targetObject: request.command } };
        }
        throw e;
      }
    };
    run().then((r) => callback(null, r), (e) => callback(e));
  };
  const attach = edge.func({ assemblyFile: smaDll, typeName: 'MfaUpgrade.Fakes.FakeAdfsBackend', methodName: 'Attach' });
  await new Promise<void>((resolve, reject) => attach({ handler }, (e) => (e ? reject(e) : resolve())));
  return backend;
}
