// The PowerShell port in-process: edge-js hosts the CLR in Node and runs EDGE_HOST_SOURCE, which
// keeps one PowerShell runspace for every call (the ADFS module loads once). edge-js is an
// optional dependency: it is looked up only when this transport is asked for, and its absence
// (or a CLR that cannot start) is a reason, never a crash: openPowerShell() then uses the child
// process. Nothing else in mfa-upgrade needs edge-js.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MfaError } from '../../errors.js';
import type { PowerShell } from '../ports.js';
import { EDGE_HOST_SOURCE } from './edge-host-source.js';
import { errorFromRecord, toErrorRecord } from './errors.js';
import { outputArray, type PowerShellRequest, type PowerShellResponse } from './protocol.js';

/** Path of the edge-js package folder to load instead of resolving 'edge-js'; 'off' disables the transport. */
export const EDGE_JS_ENV = 'MFA_UPGRADE_EDGE_JS';
/** System.Management.Automation.dll to compile against (default: Windows PowerShell 5.1's in the GAC). */
export const EDGE_SMA_ENV = 'MFA_UPGRADE_SMA_PATH';

type EdgeCallback = (error: unknown, result: unknown) => void;
export type EdgeFunc = (input: unknown, callback: EdgeCallback) => void;
export interface EdgeModule {
  func(options: string | { source?: string; references?: string[]; assemblyFile?: string; typeName?: string; methodName?: string }): EdgeFunc;
}

export type EdgeLoad = { ok: true; edge: EdgeModule; from: string } | { ok: false; reason: string };

/** Loads edge-js if it is installed; says why not otherwise. */
export function loadEdge(env: NodeJS.ProcessEnv = process.env): EdgeLoad {
  const configured = env[EDGE_JS_ENV];
  if (configured === 'off') return { ok: false, reason: `${EDGE_JS_ENV}=off` };
  const from = typeof import.meta.url === 'string' && import.meta.url ? import.meta.url : pathToFileURL(join(process.argv[1] ?? process.cwd(), 'x')).href;
  const require = createRequire(from);
  const id = configured || 'edge-js';
  try {
    const edge = require(id) as EdgeModule;
    if (typeof edge?.func !== 'function') return { ok: false, reason: `${id} does not look like edge-js (no func())` };
    return { ok: true, edge, from: id };
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { ok: false, reason: (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && !configured ? 'edge-js is not installed (it is an optional dependency)' : `edge-js could not be loaded: ${message}` };
  }
}

export function defaultSmaReference(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[EDGE_SMA_ENV];
  if (configured) return configured;
  const root = env['SystemRoot'] ?? env['windir'] ?? 'C:\\Windows';
  return `${root}\\Microsoft.NET\\assembly\\GAC_MSIL\\System.Management.Automation\\v4.0_3.0.0.0__31bf3856ad364e35\\System.Management.Automation.dll`;
}

export interface EdgeOptions {
  /** Assemblies the host source is compiled against (System.Management.Automation.dll). */
  references?: string[];
}

export class EdgePowerShell implements PowerShell {
  readonly transport = 'edge-js' as const;
  private readonly func: EdgeFunc;

  /** Compiles the runspace host; throws PS_EDGE_FAILED when the CLR or the compiler refuses. */
  constructor(edge: EdgeModule, options: EdgeOptions = {}) {
    const references = options.references ?? [defaultSmaReference()];
    try {
      this.func = edge.func({ source: EDGE_HOST_SOURCE, references });
    } catch (e) {
      throw new MfaError(`the in-process PowerShell host (edge-js) could not start: ${clrMessage(e)}`, {
        code: 'PS_EDGE_FAILED',
        target: references.join(', '),
        remedy:
          process.platform === 'win32'
            ? 'Check that Windows PowerShell 5.1 and .NET Framework 4.5+ are installed, or let mfa-upgrade use powershell.exe (set MFA_UPGRADE_EDGE_JS=off).'
            : 'On Mono, start Node with LD_PRELOAD=/usr/lib/libmono-2.0.so.1 (see docs/adfs.md), or set MFA_UPGRADE_EDGE_JS=off.',
        cause: e,
      });
    }
  }

  async hasCommand(name: string): Promise<boolean> {
    const r = await this.call({ op: 'hasCommand', command: name });
    if (!r.ok) throw errorFromRecord(name, toErrorRecord(r.error, 'Get-Command failed'));
    return r.exists === true;
  }

  async invoke(command: string, parameters: Record<string, unknown> = {}): Promise<unknown[]> {
    const r = await this.call({ op: 'invoke', command, parameters });
    if (!r.ok) throw errorFromRecord(command, toErrorRecord(r.error, `${command} failed`));
    return outputArray(r.output);
  }

  private call(request: PowerShellRequest): Promise<PowerShellResponse> {
    return new Promise((resolve, reject) => {
      this.func(request, (error, result) => {
        if (error) {
          reject(new MfaError(`the in-process PowerShell host failed on ${request.command}: ${clrMessage(error)}`, { code: 'PS_HOST_FAILED', target: request.command, cause: error }));
          return;
        }
        if (typeof result !== 'object' || result === null || typeof (result as { ok?: unknown }).ok !== 'boolean') {
          reject(new MfaError(`the in-process PowerShell host returned no result for ${request.command}`, { code: 'PS_HOST_FAILED', target: request.command }));
          return;
        }
        resolve(result as PowerShellResponse);
      });
    });
  }
}

function clrMessage(e: unknown): string {
  if (e && typeof e === 'object') {
    const inner = (e as { InnerException?: { Message?: unknown } }).InnerException;
    const message = (e as { Message?: unknown; message?: unknown }).Message ?? (e as { message?: unknown }).message;
    return [message, inner?.Message].filter((m) => typeof m === 'string' && m !== '').join(' / ') || String(e);
  }
  return String(e);
}
