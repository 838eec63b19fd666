// The one place that reads AD FS through the PowerShell port: the registered providers and the
// global policy's additional providers. PowerShell hands back one object or an array, a string
// or a list, depending on how many there are; every reader of these facts goes through here.
import type { PowerShell } from '../host/ports.js';

export interface RegisteredProvider {
  name: string;
  adminName?: string;
  /** Assembly-qualified type name, when the cmdlet reports it. */
  typeName?: string;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A value PowerShell may give as one item or as a list, as a list. */
export function listOf(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

export async function readProviders(ps: PowerShell, name?: string): Promise<RegisteredProvider[]> {
  const out: RegisteredProvider[] = [];
  for (const o of (await ps.invoke('Get-AdfsAuthenticationProvider', name === undefined ? {} : { Name: name })).flatMap(listOf)) {
    const r = (o ?? {}) as Record<string, unknown>;
    const n = str(r['Name']);
    if (!n) continue;
    const p: RegisteredProvider = { name: n };
    const admin = str(r['AdminName']);
    const type = str(r['TypeName']);
    if (admin) p.adminName = admin;
    if (type) p.typeName = type;
    out.push(p);
  }
  return out;
}

/** The global policy's AdditionalAuthenticationProvider, in order. */
export async function readPolicy(ps: PowerShell): Promise<string[]> {
  const policy = (await ps.invoke('Get-AdfsGlobalAuthenticationPolicy')).flatMap(listOf)[0] as Record<string, unknown> | undefined;
  return listOf(policy?.['AdditionalAuthenticationProvider']).filter((x): x is string => typeof x === 'string');
}

export async function setPolicy(ps: PowerShell, list: string[]): Promise<void> {
  await ps.invoke('Set-AdfsGlobalAuthenticationPolicy', { AdditionalAuthenticationProvider: list, Confirm: false });
}

export async function isRegistered(ps: PowerShell, name: string): Promise<boolean> {
  return (await readProviders(ps, name)).some((p) => p.name.toLowerCase() === name.toLowerCase());
}
