// The Services port over the service control manager (through the addon). Stop takes the
// running dependents down first; both wait for the state until a deadline (default 60 s) on a
// worker thread, so the event loop keeps running.
import type { ServiceInfo, ServiceWaitOptions, Services } from '../ports.js';
import type { NativeAddon } from './addon.js';
import { awaitNative, callNative } from './native-error.js';

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
    // What the SCM stopped with it is read from the states before and after the stop.
    const before = new Map((await this.list()).map((s) => [s.name.toLowerCase(), s.state]));
    await awaitNative(() => this.addon.svcStop(checkName(name), timeoutOf(options)));
    const after = await this.list();
    const stopped = after.filter((s) => s.state === 'stopped' && before.get(s.name.toLowerCase()) !== undefined && before.get(s.name.toLowerCase()) !== 'stopped').map((s) => s.name);
    // Dependents stop before the service they depend on.
    const named = stopped.filter((n) => n.toLowerCase() === name.toLowerCase());
    return [...stopped.filter((n) => n.toLowerCase() !== name.toLowerCase()), ...named];
  }

  start(name: string, options?: ServiceWaitOptions): Promise<void> {
    return awaitNative(() => this.addon.svcStart(checkName(name), timeoutOf(options)));
  }
}
