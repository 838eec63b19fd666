// What must hold around the AD FS adapter swap (DOMAIN.md §6, procedure.md §3.7), read through the
// ports: the node's role in a WID farm (Get-AdfsSyncProperties: configuration changes are made on
// the PrimaryComputer), whether the new adapter is installed on the node before the adapter leaves
// the global policy (Windows Installer's products), and whether AD FS logged errors naming the
// new provider after it was registered (Get-WinEvent on the AD FS Admin log; Error entries, no
// event id assumed).
import { roleOf } from '../inventory/products.js';
import type { Host, PowerShell } from '../host/ports.js';
import { compareVersions } from '../util/version.js';
import { typeNameVersion } from './discovery.js';

export const ADFS_ADMIN_LOG = 'AD FS/Admin';

export interface SyncRole {
  role?: string;
  primary?: string;
  /** Why the role could not be read (an AD FS without the cmdlet, an error). */
  unavailable?: string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export async function readSyncRole(ps: PowerShell): Promise<SyncRole> {
  try {
    if (!(await ps.hasCommand('Get-AdfsSyncProperties'))) return { unavailable: 'Get-AdfsSyncProperties is not available on this server' };
    const first = (await ps.invoke('Get-AdfsSyncProperties'))[0] as Record<string, unknown> | undefined;
    const role = text(first?.['Role']);
    const primary = text(first?.['PrimaryComputerName']);
    return { ...(role ? { role } : {}), ...(primary ? { primary } : {}) };
  } catch (e) {
    return { unavailable: e instanceof Error ? e.message : String(e) };
  }
}

/** Whether this node's configuration database is writable (the WID primary, or a role not reported). */
export function isPrimary(r: SyncRole): boolean {
  return r.role === undefined || r.role.toLowerCase() === 'primarycomputer';
}

export interface AdapterOnNode {
  installed: boolean;
  evidence: string;
}

/**
 * The new adapter on this node: the package's product when one was given, else an adapter product
 * at (or above) the version the new type name carries.
 */
export async function newAdapterOnNode(host: Host, next: { typeName: string }, packageProductCode?: { productCode: string; version: string }): Promise<AdapterOnNode> {
  const adapters = (await host.installer.listProducts()).filter((p) => roleOf(p.name) === 'adfsAdapter');
  const found = adapters.map((p) => `${p.name} ${p.version}`).join(', ') || 'no AD FS adapter product';
  if (packageProductCode) {
    const hit = adapters.find((p) => p.productCode.toUpperCase() === packageProductCode.productCode.toUpperCase() && p.version === packageProductCode.version);
    return { installed: hit !== undefined, evidence: `installed here: ${found}; the package is ${packageProductCode.version}` };
  }
  const wanted = typeNameVersion(next.typeName);
  if (!wanted) return { installed: false, evidence: `installed here: ${found}; the new type name carries no version to compare with` };
  const hit = adapters.find((p) => compareVersions(p.version, wanted) >= 0);
  return { installed: hit !== undefined, evidence: `installed here: ${found}; the new adapter is ${wanted}` };
}

export interface AdfsLogEntry {
  time?: string;
  id?: number;
  message: string;
}

/** A Windows event time as PowerShell's JSON gives it: ISO text (7) or "/Date(ms)/" (5.1). */
function eventTime(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const ms = /\/Date\((-?\d+)/.exec(v)?.[1];
    if (ms) return new Date(Number(ms)).toISOString();
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  if (v && typeof v === 'object' && 'DateTime' in v) return eventTime((v as { DateTime: unknown }).DateTime);
  return undefined;
}

/**
 * Error entries of the AD FS Admin log written at or after `since` (ISO) whose message names one
 * of `names`. `unavailable` says why the log could not be read (the entries are then unknown).
 */
export async function adfsErrorsSince(ps: PowerShell, since: string, names: string[]): Promise<{ entries: AdfsLogEntry[]; unavailable?: string }> {
  const xpath = `*[System[(Level=2) and TimeCreated[@SystemTime>='${since}']]]`;
  let records: unknown[];
  try {
    records = await ps.invoke('Get-WinEvent', { LogName: ADFS_ADMIN_LOG, FilterXPath: xpath, MaxEvents: 200 });
  } catch (e) {
    const err = e as { fullyQualifiedErrorId?: string; record?: { fullyQualifiedErrorId?: string }; message?: string };
    const id = err.fullyQualifiedErrorId ?? err.record?.fullyQualifiedErrorId ?? '';
    if (/NoMatchingEventsFound/i.test(id) || /No events were found/i.test(err.message ?? '')) return { entries: [] };
    return { entries: [], unavailable: err.message ?? String(e) };
  }
  const wanted = names.filter((n) => n !== '').map((n) => n.toLowerCase());
  const entries: AdfsLogEntry[] = [];
  for (const r of records) {
    const rec = r as Record<string, unknown>;
    const message = typeof rec['Message'] === 'string' ? rec['Message'] : '';
    if (!wanted.some((n) => message.toLowerCase().includes(n))) continue;
    const time = eventTime(rec['TimeCreated']);
    if (time !== undefined && time < since) continue;
    entries.push({ ...(time ? { time } : {}), ...(typeof rec['Id'] === 'number' ? { id: rec['Id'] } : {}), message });
  }
  return { entries };
}
