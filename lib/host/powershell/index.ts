// Chooses the PowerShell port's transport for the live Windows host (and for tests pointing at
// fakes): edge-js in-process when it is installed and its CLR starts, else the child process.
// MFA_UPGRADE_POWERSHELL_TRANSPORT=child|edge|auto (default auto) overrides the choice.
import { MfaError } from '../../errors.js';
import type { PowerShell } from '../ports.js';
import { ChildProcessPowerShell, type ChildProcessOptions } from './child-process.js';
import { EdgePowerShell, loadEdge, type EdgeOptions } from './edge.js';

export { ChildProcessPowerShell, POWERSHELL_ENV, defaultPowerShellExecutable } from './child-process.js';
export { EdgePowerShell, loadEdge, EDGE_JS_ENV, EDGE_SMA_ENV } from './edge.js';
export { PowerShellError, errorFromRecord } from './errors.js';

export const TRANSPORT_ENV = 'MFA_UPGRADE_POWERSHELL_TRANSPORT';
export type TransportChoice = 'auto' | 'edge' | 'child';

export interface OpenedPowerShell {
  powershell: PowerShell;
  transport: 'edge-js' | 'child-process';
  /** Why edge-js was not used, when it was not. */
  fallbackReason?: string;
}

export function openPowerShell(options: { transport?: TransportChoice; env?: NodeJS.ProcessEnv; child?: ChildProcessOptions; edge?: EdgeOptions } = {}): OpenedPowerShell {
  const env = options.env ?? process.env;
  const choice = (options.transport ?? (env[TRANSPORT_ENV] as TransportChoice | undefined) ?? 'auto') as TransportChoice;
  if (!['auto', 'edge', 'child'].includes(choice)) {
    throw new MfaError(`${TRANSPORT_ENV} must be auto, edge or child, not '${choice}'`, { code: 'USAGE', exitCode: 2 });
  }
  const child = () => new ChildProcessPowerShell({ env, ...options.child });
  if (choice === 'child') return { powershell: child(), transport: 'child-process' };
  const loaded = loadEdge(env);
  if (!loaded.ok) {
    if (choice === 'edge') throw new MfaError(`the edge-js transport was asked for: ${loaded.reason}`, { code: 'PS_EDGE_UNAVAILABLE', remedy: 'Install edge-js (npm install edge-js) or use the child-process transport.' });
    return { powershell: child(), transport: 'child-process', fallbackReason: loaded.reason };
  }
  try {
    return { powershell: new EdgePowerShell(loaded.edge, options.edge), transport: 'edge-js' };
  } catch (e) {
    if (choice === 'edge') throw e;
    return { powershell: child(), transport: 'child-process', fallbackReason: e instanceof Error ? e.message : String(e) };
  }
}
