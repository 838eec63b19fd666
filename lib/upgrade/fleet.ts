// The order across servers (procedure.md §3): subordinates first (they can read the old replicated
// data file), then one of them promoted to master, then the old master; web servers after the
// SDK they call; each AD FS farm in two halves. Roles are the administrator's word: the
// master/subordinate marker is not public, so nothing here guesses it.
import { badInput } from '../errors.js';
import { parseJson } from '../util/json-file.js';

export const FLEET_ROLES = ['master', 'subordinate', 'webServiceSdk', 'userPortal', 'mobileAppWebService', 'adfs'] as const;
export type FleetRole = (typeof FLEET_ROLES)[number];

export interface FleetServer {
  name: string;
  roles: FleetRole[];
  /** AD FS farm name, for servers with the adfs role. */
  farm?: string;
  /** Behind a load balancer: drained before and put back after its upgrade. */
  loadBalanced?: boolean;
  /** The MFA Server version it runs, as the administrator records it (a master's plan checks its subordinates'). */
  version?: string;
}

export interface FleetFile {
  servers: FleetServer[];
  /** The subordinate to promote to master; the first subordinate when absent. */
  promote?: string;
}

export type FleetActionKind = 'backup-master' | 'drain' | 'upgrade' | 'restore-traffic' | 'promote' | 'adfs-farm';

export interface FleetAction {
  order: number;
  server: string;
  kind: FleetActionKind;
  manual: boolean;
  title: string;
  /** For upgrade: the command the PowerShell module runs there (through remoting). */
  command?: string;
  /** For backup-master and upgrade: the replication role that server's command is given (--role). */
  role?: 'master' | 'subordinate' | 'standalone';
  /** For adfs-farm: the farm's servers, in the order adfs-upgrade splits them into halves. */
  farmServers?: string[];
}

export interface FleetPlan {
  format: 'mfa-upgrade/fleet-plan@1';
  master: string;
  promote: string | null;
  actions: FleetAction[];
  warnings: string[];
}

export function parseFleet(text: string, file: string): FleetFile {
  const data = parseJson(text, file) as Partial<FleetFile>;
  if (typeof data !== 'object' || data === null || !Array.isArray(data.servers)) throw badInput("a fleet file needs a 'servers' array", file, { code: 'FLEET' });
  const seen = new Set<string>();
  data.servers.forEach((s, i) => {
    if (typeof s?.name !== 'string' || s.name.trim() === '') throw badInput(`servers[${i}] needs a name`, file, { code: 'FLEET' });
    const key = s.name.toLowerCase();
    if (seen.has(key)) throw badInput(`server '${s.name}' is listed twice`, file, { code: 'FLEET' });
    seen.add(key);
    if (!Array.isArray(s.roles) || s.roles.length === 0) throw badInput(`server '${s.name}' needs roles (${FLEET_ROLES.join(', ')})`, file, { code: 'FLEET' });
    for (const r of s.roles) if (!(FLEET_ROLES as readonly string[]).includes(r)) throw badInput(`server '${s.name}': unknown role '${String(r)}' (known: ${FLEET_ROLES.join(', ')})`, file, { code: 'FLEET' });
    if (s.roles.includes('master') && s.roles.includes('subordinate')) throw badInput(`server '${s.name}' cannot be both master and subordinate`, file, { code: 'FLEET' });
    if (s.version !== undefined && (typeof s.version !== 'string' || !/^\d+(\.\d+){0,3}$/.test(s.version))) throw badInput(`server '${s.name}': "version" must be a version such as 8.1.1.2`, file, { code: 'FLEET' });
    if (s.roles.includes('adfs') && typeof s.farm !== 'string') throw badInput(`AD FS server '${s.name}' needs its farm name ("farm")`, file, { code: 'FLEET' });
  });
  return data as FleetFile;
}

export function planFleet(fleet: FleetFile, file: string, upgradeArgs: string): FleetPlan {
  const masters = fleet.servers.filter((s) => s.roles.includes('master'));
  if (masters.length !== 1) throw badInput(`a fleet has exactly one master; this one has ${masters.length}${masters.length ? ` (${masters.map((m) => m.name).join(', ')})` : ''}`, file, { code: 'FLEET', remedy: 'Mark the server holding the writable data file as "master" (the MFA Server console shows it), and the others as "subordinate".' });
  const master = masters[0] as FleetServer;
  const subordinates = fleet.servers.filter((s) => s.roles.includes('subordinate'));
  let promote: FleetServer | undefined;
  if (fleet.promote !== undefined) {
    promote = subordinates.find((s) => s.name.toLowerCase() === fleet.promote?.toLowerCase());
    if (!promote) throw badInput(`'promote' names ${fleet.promote}, which is not a subordinate`, file, { code: 'FLEET' });
  } else promote = subordinates[0];
  const warnings: string[] = [];
  if (!promote) warnings.push(`${master.name} is the only MFA Server: users get no MFA while it is upgraded.`);

  const actions: FleetAction[] = [];
  const add = (a: Omit<FleetAction, 'order'>) => actions.push({ order: actions.length + 1, ...a });
  // The drain and return are the fleet's own actions, so each server's command leaves out --load-balanced.
  const upgradeServer = (s: FleetServer, what: string, role?: 'subordinate' | 'standalone') => {
    if (s.loadBalanced) add({ server: s.name, kind: 'drain', manual: true, title: `Take ${s.name} out of the load balancer / client configuration (the backup stops its service: an outage for this node)` });
    add({ server: s.name, kind: 'upgrade', manual: false, title: `Upgrade ${what} on ${s.name}`, command: `mfa-upgrade upgrade ${upgradeArgs}${role ? ` --role ${role}` : ''}`, ...(role ? { role } : {}) });
    if (s.loadBalanced) add({ server: s.name, kind: 'restore-traffic', manual: true, title: `Put ${s.name} back into the load balancer / client configuration` });
  };

  // procedure.md §3.1: the master's data file (the writable copy) is backed up before any server is touched.
  add({ server: master.name, kind: 'backup-master', manual: false, title: `Back up the data file on the master ${master.name} before any server is touched`, command: 'mfa-upgrade backup --role master --out "<backup folder>"', role: 'master' });
  for (const s of subordinates) upgradeServer(s, 'MFA Server (subordinate)', 'subordinate');
  if (promote) add({ server: promote.name, kind: 'promote', manual: true, title: `Promote ${promote.name} to master (MFA Server console, Servers), so the old master can be upgraded` });
  // Once another server is promoted, the old master is a subordinate; alone, it has no replication.
  upgradeServer(master, `MFA Server (old master${promote ? `, now a subordinate of ${promote.name}` : ''})`, promote ? 'subordinate' : 'standalone');

  // Web-only servers call the SDK, which is upgraded with the MFA Servers above.
  const mfa = new Set([master, ...subordinates].map((s) => s.name));
  for (const s of fleet.servers) {
    if (mfa.has(s.name) || s.roles.includes('adfs')) continue;
    const parts = s.roles.filter((r) => r === 'userPortal' || r === 'mobileAppWebService' || r === 'webServiceSdk');
    if (parts.length) upgradeServer(s, parts.map((r) => ({ userPortal: 'User Portal', mobileAppWebService: 'Mobile App Web Service', webServiceSdk: 'Web Service SDK' })[r as 'userPortal']).join(' and '));
  }

  const farms = new Map<string, FleetServer[]>();
  for (const s of fleet.servers.filter((x) => x.roles.includes('adfs'))) farms.set(s.farm as string, [...(farms.get(s.farm as string) ?? []), s]);
  for (const [farm, servers] of farms) {
    if (servers.length === 1) warnings.push(`AD FS farm ${farm} has one server: users get no second factor while its adapter is re-registered.`);
    add({ server: farm, kind: 'adfs-farm', manual: false, title: `Upgrade the AD FS adapter on farm ${farm} in two halves (${servers.map((s) => s.name).join(', ')})`, farmServers: servers.map((s) => s.name) });
  }
  return { format: 'mfa-upgrade/fleet-plan@1', master: master.name, promote: promote?.name ?? null, actions, warnings };
}
