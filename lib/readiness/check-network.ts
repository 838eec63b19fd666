// Outbound 443 to the PhoneFactor cloud service. The service stopped answering MFA requests on
// 30 September 2024, so this is informational: a warning at most.
import type { Check } from './types.js';

export const PHONEFACTOR_HOSTS = ['pfd.phonefactor.net', 'pfd2.phonefactor.net', 'css.phonefactor.net'];

export const checkNetwork: Check = async ({ host }) => {
  const base = { id: 'outbound-443', title: 'Outbound TCP 443 to the PhoneFactor service' };
  if (!host.network) return { ...base, status: 'warn', evidence: 'this host cannot probe the network', remedy: 'Check outbound 443 to pfd.phonefactor.net, pfd2.phonefactor.net and css.phonefactor.net by hand if activation is needed.' };
  const results = await Promise.all(PHONEFACTOR_HOSTS.map(async (h) => [h, await host.network!.canConnect(h, 443, 3000)] as const));
  const closed = results.filter(([, ok]) => !ok).map(([h]) => h);
  const evidence = results.map(([h, ok]) => `${h}: ${ok ? 'open' : 'no connection'}`).join(', ');
  if (closed.length) {
    return { ...base, status: 'warn', evidence, remedy: 'The cloud service was retired on 30 September 2024; activation and cloud features will not work. Plan the migration to Entra ID MFA.' };
  }
  return { ...base, status: 'pass', evidence };
};
