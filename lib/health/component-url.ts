// The URL a web component answers on, from its IIS site's bindings (https preferred), and what an
// answer means: 2xx, 3xx and 401 (it asks for credentials) are an application that runs; 404,
// 5xx and no answer are not. The SDK and the mobile app service are asked for their endpoints
// (/<vdir>/PfWsSdk.asmx, /<vdir>/PfPaWs.asmx; DOMAIN.md §1), the portal for its folder.
import type { HttpProbeResult, IisSite } from '../host/ports.js';
import type { ComponentKind } from '../inventory/types.js';

const ENDPOINT: Record<ComponentKind, string> = { webServiceSdk: 'PfWsSdk.asmx', mobileAppWebService: 'PfPaWs.asmx', userPortal: '' };

export function componentUrl(site: IisSite, vdir: string, component: ComponentKind): string | undefined {
  const b = site.bindings.find((x) => x.protocol.toLowerCase() === 'https') ?? site.bindings.find((x) => x.protocol.toLowerCase() === 'http');
  if (!b) return undefined;
  const [, port, hostName] = b.bindingInformation.split(':');
  const protocol = b.protocol.toLowerCase();
  const standard = protocol === 'https' ? '443' : '80';
  return `${protocol}://${hostName || 'localhost'}${port && port !== standard ? `:${port}` : ''}/${vdir}/${ENDPOINT[component]}`;
}

export function healthyAnswer(r: HttpProbeResult): boolean {
  const s = r.status;
  return s !== undefined && ((s >= 200 && s < 400) || s === 401);
}

export function describeAnswer(r: HttpProbeResult): string {
  return r.status !== undefined ? `HTTP ${r.status}` : (r.error ?? 'no answer');
}
