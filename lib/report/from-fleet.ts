// A fleet plan (lib/upgrade/fleet.ts) as lanes and actions: an upgrade is shown as its verified
// backup then the upgrade itself (the upgrade command takes the backup first), an AD FS farm as
// its two halves (split as adfs-upgrade splits them). Unknown action kinds pass through as they are.
import { planFarm } from '../adfs/plan.js';
import type { FleetFile, FleetPlan } from '../upgrade/fleet.js';
import type { FleetActionView, FleetLane, FleetSection } from './model.js';

const ROLE_LABEL: Record<string, string> = { master: 'master', subordinate: 'subordinate', webServiceSdk: 'SDK', userPortal: 'portal', mobileAppWebService: 'mobile app', adfs: 'AD FS' };

function lanesOf(file: FleetFile, plan: FleetPlan): FleetLane[] {
  const lanes: FleetLane[] = file.servers.map((s) => ({ server: s.name, role: s.roles.map((r) => (r === 'adfs' && s.farm ? `AD FS ${s.farm}` : ROLE_LABEL[r] ?? r)).join(', ') }));
  // A server named only in the plan (an action kind this file does not know) still gets a lane.
  for (const a of plan.actions) {
    if (a.kind === 'adfs-farm') continue;
    if (!lanes.some((l) => l.server.toLowerCase() === a.server.toLowerCase())) lanes.push({ server: a.server, role: '' });
  }
  return lanes;
}

export function fleetSection(plan: FleetPlan, file: FleetFile): FleetSection {
  const actions: FleetActionView[] = [];
  for (const a of plan.actions) {
    const base = { order: a.order, manual: a.manual };
    switch (a.kind) {
      case 'drain':
        actions.push({ ...base, servers: [a.server], kind: 'drain', label: 'drain', title: a.title });
        break;
      case 'restore-traffic':
        actions.push({ ...base, servers: [a.server], kind: 'return', label: 'return', title: a.title });
        break;
      case 'promote':
        actions.push({ ...base, servers: [a.server], kind: 'promote', label: 'promote', title: a.title });
        break;
      case 'upgrade':
        actions.push({ ...base, servers: [a.server], kind: 'backup', label: 'backup', title: `Verified backup of ${a.server} (the upgrade command's first step)` });
        actions.push({ ...base, servers: [a.server], kind: 'upgrade', label: 'upgrade', title: a.title, ...(a.command ? { command: a.command } : {}) });
        break;
      case 'adfs-farm': {
        const nodes = a.farmServers ?? [];
        if (nodes.length === 0) {
          actions.push({ ...base, servers: [a.server], kind: 'adfs-first-half', label: 'AD FS adapter', title: a.title });
          break;
        }
        const split = planFarm({ name: a.server, nodes }, nodes[0] as string, undefined, false);
        if (split.secondHalf.length === 0) {
          actions.push({ ...base, servers: split.firstHalf, kind: 'adfs-first-half', label: 'AD FS (all)', title: `${a.title}: the farm has one server, users get no second factor meanwhile` });
        } else {
          actions.push({ ...base, servers: split.firstHalf, kind: 'adfs-first-half', label: 'AD FS half 1', title: `${a.title}: first half ${split.firstHalf.join(', ')} (adapter re-registered once for the farm)` });
          actions.push({ ...base, servers: split.secondHalf, kind: 'adfs-second-half', label: 'AD FS half 2', title: `${a.title}: second half ${split.secondHalf.join(', ')}` });
        }
        break;
      }
      default:
        actions.push({ ...base, servers: a.farmServers && a.farmServers.length ? a.farmServers : [a.server], kind: String(a.kind), label: String(a.kind).replace(/[-_]+/g, ' '), title: a.title, ...(a.command ? { command: a.command } : {}) });
    }
  }
  return { master: plan.master, promote: plan.promote, lanes: lanesOf(file, plan), actions, warnings: [...plan.warnings] };
}
