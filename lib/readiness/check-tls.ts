// TLS 1.2 for the .NET clients MFA Server runs (DOMAIN.md §6): the SCHANNEL TLS 1.2 client
// protocol enabled (off by default for clients before Windows Server 2012 / Windows 8), and the .NET
// 4.x strong-crypto settings SchUseStrongCrypto=1 and SystemDefaultTlsVersions=1 in both registry
// views (64-bit processes read the native key, 32-bit ones the WOW6432Node twin). A warning that
// lists the exact keys and values to set; nothing is changed.
import type { RegistryView } from '../host/ports.js';
import type { Check } from './types.js';
import { atLeast, readOs } from './os-info.js';

export const SCHANNEL_TLS12_CLIENT = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client';
export const NETFX4 = 'HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319';
const NETFX4_WOW = 'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\.NETFramework\\v4.0.30319';

interface ToSet {
  key: string;
  name: string;
  value: number;
}

const regAdd = (s: ToSet) => `reg add "${s.key}" /v ${s.name} /t REG_DWORD /d ${s.value} /f`;

export const checkTls: Check = async ({ host, inventory }) => {
  const base = { id: 'tls12', title: 'TLS 1.2 for .NET clients (SCHANNEL and .NET strong crypto)' };
  if (!inventory.server && inventory.webComponents.length === 0 && !inventory.adfsAdapter) {
    return { ...base, status: 'pass', evidence: 'no MFA Server, web component or AD FS adapter here' };
  }
  const reg = host.registry;
  const dword = async (key: string, name: string, view: RegistryView = '64') => {
    const v = await reg.getValue(key, name, view);
    return v?.type === 'REG_DWORD' ? v.data : undefined;
  };
  const found: string[] = [];
  const toSet: ToSet[] = [];
  // SCHANNEL: an explicit value wins; absent, TLS 1.2 for clients is on from 6.2 and off before.
  const os = await readOs(host);
  const enabled = await dword(SCHANNEL_TLS12_CLIENT, 'Enabled');
  const disabledByDefault = await dword(SCHANNEL_TLS12_CLIENT, 'DisabledByDefault');
  const osDefaultOn = os ? atLeast(os, 6, 2) : undefined;
  const on = (enabled === undefined ? osDefaultOn === true : enabled !== 0) && (disabledByDefault === undefined ? osDefaultOn === true : disabledByDefault === 0);
  found.push(`${SCHANNEL_TLS12_CLIENT}: Enabled=${enabled ?? '(absent)'}, DisabledByDefault=${disabledByDefault ?? '(absent)'}${enabled === undefined || disabledByDefault === undefined ? ` (absent means ${osDefaultOn === undefined ? 'the Windows default' : osDefaultOn ? 'on' : 'off'} on ${os ? `Windows ${os.major}.${os.minor}` : 'this Windows'})` : ''}`);
  if (!on) {
    if (enabled === undefined || enabled === 0) toSet.push({ key: SCHANNEL_TLS12_CLIENT, name: 'Enabled', value: 1 });
    if (disabledByDefault === undefined || disabledByDefault !== 0) toSet.push({ key: SCHANNEL_TLS12_CLIENT, name: 'DisabledByDefault', value: 0 });
  }
  for (const [key, view] of [[NETFX4, '64'], [NETFX4_WOW, '32']] as const) {
    const shown: string[] = [];
    for (const name of ['SchUseStrongCrypto', 'SystemDefaultTlsVersions']) {
      // The 32-bit view of HKLM\SOFTWARE\Microsoft\... is the WOW6432Node key.
      const v = await dword(NETFX4, name, view);
      shown.push(`${name}=${v ?? '(absent)'}`);
      if (v !== 1) toSet.push({ key, name, value: 1 });
    }
    found.push(`${key}: ${shown.join(', ')}`);
  }
  const evidence = found.join('; ');
  if (toSet.length === 0) return { ...base, status: 'pass', evidence };
  return {
    ...base,
    status: 'warn',
    evidence,
    remedy: `The MFA services and web components reach the cloud service and the Web Service SDK over TLS; set ${toSet.map((s) => `${s.key}\\${s.name} = ${s.value} (DWORD)`).join('; ')}. For example: ${toSet.map(regAdd).join(' & ')}. Then restart the server (SCHANNEL reads its settings at boot).`,
  };
};
