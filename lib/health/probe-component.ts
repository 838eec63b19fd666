// The HTTP(S) answer of one web component, for postconditions: the application IIS serves at
// site/vdir must answer 2xx, 3xx or 401. 404, 5xx and a refused connection are failures; no answer
// in time or a name that does not resolve here is only reported (a first request can compile the
// application for long; a host-header binding may point at a load balancer).
import type { Host } from '../host/ports.js';
import type { ComponentKind } from '../inventory/types.js';
import { componentUrl, describeAnswer, healthyAnswer } from './component-url.js';

export interface ComponentAnswer {
  url?: string;
  healthy: boolean;
  /** No answer (in time, or from that name here): not judged. */
  unknown: boolean;
  evidence: string;
}

export async function probeComponent(host: Host, site: string, vdir: string, kind: ComponentKind, timeoutMs: number): Promise<ComponentAnswer | undefined> {
  if (!host.network) return undefined;
  const s = (await host.iis.sites()).find((x) => x.name.toLowerCase() === site.toLowerCase());
  const url = s ? componentUrl(s, vdir, kind) : undefined;
  if (!url) return undefined;
  const r = await host.network.httpProbe(url, timeoutMs);
  const unknown = r.status === undefined && r.error !== 'connection refused';
  return { url, healthy: healthyAnswer(r), unknown, evidence: `${url}: ${describeAnswer(r)}` };
}
