// The HTTP(S) answer of one web component, for postconditions: the application IIS serves at
// site/vdir must answer 2xx, 3xx or 401. No answer in time is only reported (a first request can
// compile the application for long); 404, 5xx and a refused connection are failures.
import type { Host } from '../host/ports.js';
import type { ComponentKind } from '../inventory/types.js';
import { componentUrl, describeAnswer, healthyAnswer } from './component-url.js';

export interface ComponentAnswer {
  url?: string;
  healthy: boolean;
  /** No answer in time: not judged. */
  unknown: boolean;
  evidence: string;
}

export async function probeComponent(host: Host, site: string, vdir: string, kind: ComponentKind, timeoutMs: number): Promise<ComponentAnswer | undefined> {
  if (!host.network) return undefined;
  const s = (await host.iis.sites()).find((x) => x.name.toLowerCase() === site.toLowerCase());
  const url = s ? componentUrl(s, vdir, kind) : undefined;
  if (!url) return undefined;
  const r = await host.network.httpProbe(url, timeoutMs);
  const unknown = r.status === undefined && /no answer within/.test(r.error ?? '');
  return { url, healthy: healthyAnswer(r), unknown, evidence: `${url}: ${describeAnswer(r)}` };
}
