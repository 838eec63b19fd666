// The Services port over the service control manager (through the addon). Stop takes the
// active dependents down first and returns every service it stopped (dependents first, the named
// one last); both wait for the state, pending states included, until a deadline (default 60 s)
// on a worker thread, so the event loop keeps running.
import type { ServiceInfo, ServiceWaitOptions, Services } from '../ports.js';
import type { NativeAddon } from './addon.js';
import { MfaError } from '../../errors.js';
import { awaitNative, callNative, fromNative } from './native-error.js';

export const DEFAULT_SERVICE_TIMEOUT_MS = 60_000;

function timeoutOf(options: ServiceWaitOptions | undefined): number {
  const t = options?.timeoutMs ?? DEFAULT_SERVICE_TIMEOUT_MS;
  if (!Number.isFinite(t) || t < 0) throw new TypeError(`timeoutMs must be a non-negative number, not ${t}`);
  return Math.min(Math.round(t), 0x7fffffff);
}

function checkName(name: string): string {
  if (typeof name !== 'string' || name === '') throw new TypeError('a service name must be a non-empty string');
  return name;
}

export class WindowsServices implements Services {
  constructor(private readonly addon: NativeAddon) {}

  async list(): Promise<ServiceInfo[]> {
    return callNative(() => this.addon.svcList()).sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<ServiceInfo | undefined> {
    return callNative(() => this.addon.svcGet(checkName(name)));
  }

  async stop(name: string, options?: ServiceWaitOptions): Promise<string[]> {
    // The addon stops the active dependents first (pending states waited for) and says which
    // services it stopped, in order: callers start them again in reverse.
    try {
      return await this.addon.svcStop(checkName(name), timeoutOf(options));
    } catch (e) {
      const stopped = (e as { stopped?: unknown }).stopped;
      const mapped = fromNative(e);
      if (mapped instanceof MfaError && Array.isArray(stopped) && stopped.length > 0) {
        throw new MfaError(`${mapped.message} (stopped before the failure: ${stopped.join(', ')}; start them again)`, {
          code: mapped.code,
          ...(mapped.target ? { target: mapped.target } : {}),
          ...(mapped.remedy ? { remedy: mapped.remedy } : {}),
          cause: e,
        });
      }
      throw mapped;
    }
  }

  start(name: string, options?: ServiceWaitOptions): Promise<void> {
    return awaitNative(() => this.addon.svcStart(checkName(name), timeoutOf(options)));
  }
}
