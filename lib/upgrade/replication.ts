// Replication and load balancing in a single server's plan (procedure.md §3.1-3.4). Where a server
// records whether it is the master is not public (DOMAIN.md §1), so the role is the
// administrator's word (--role, or the fleet file); without it a person confirms it before
// anything changes, and an unattended run is blocked. A master is upgraded last, after its
// subordinates and a promotion: the plan blocks a master unless the fleet file shows its
// subordinates at the target version or the administrator says so (--subordinates-upgraded).
// A node behind a load balancer is drained before the backup stops its service and put back at
// the end.
import { compareVersions } from '../util/version.js';
import type { FleetServer } from './fleet.js';
import type { PlanBuilder, ReplicationRole } from './plan-builder.js';

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase() || a.split('.')[0]?.toLowerCase() === b.split('.')[0]?.toLowerCase();

/** This server's entry in the fleet file given to its plan. */
function fleetSelf(b: PlanBuilder): FleetServer | undefined {
  return b.options.fleet?.fleet.servers.find((s) => sameName(s.name, b.inventory.host.computerName));
}

function fleetRole(b: PlanBuilder): 'master' | 'subordinate' | undefined {
  const self = fleetSelf(b);
  return self?.roles.includes('master') ? 'master' : self?.roles.includes('subordinate') ? 'subordinate' : undefined;
}

function fleetSubordinates(b: PlanBuilder): FleetServer[] | undefined {
  return b.options.fleet?.fleet.servers.filter((s) => s.roles.includes('subordinate'));
}

const ROLE_REMEDY = 'Pass --role master, --role subordinate or --role standalone (the MFA Server console shows it under Servers / the replication group; a server without others is standalone).';

export function roleOf(b: PlanBuilder): ReplicationRole | undefined {
  const given = b.options.role;
  const fleet = fleetRole(b);
  if (given && fleet && given !== fleet && !(given === 'standalone' && fleet === 'master' && (fleetSubordinates(b)?.length ?? 0) === 0)) {
    b.block(`--role ${given} contradicts the fleet file ${b.options.fleet?.file ?? ''}, which lists ${b.inventory.host.computerName} as ${fleet}`, 'Correct the fleet file or the --role option so they agree, then plan again.');
  }
  return given ?? fleet;
}

function isLoadBalanced(b: PlanBuilder): boolean {
  return b.options.loadBalanced === true || fleetSelf(b)?.loadBalanced === true;
}

/** Before the backup: the role confirmed (or the plan blocked), the master rule, the drain. */
export function replicationPreamble(b: PlanBuilder, target: string | undefined, hasServer: boolean): { role: ReplicationRole | null; loadBalanced: boolean } {
  const name = b.inventory.host.computerName;
  const role = hasServer ? roleOf(b) : undefined;
  if (hasServer) {
    if (role === undefined) {
      if (b.options.unattended) {
        b.block(`the replication role of ${name} is not known: Windows does not record whether a server is the master in a documented place, and an unattended run cannot ask`, ROLE_REMEDY);
      } else {
        b.manual(
          'manual-confirm-role',
          `Confirm the replication role of ${name}`,
          'Whether this server is the master, a subordinate or alone is not recorded in a documented place, so a person confirms it before anything changes (procedure.md §3.3-3.4: subordinates first, then the master after a promotion).',
          `Open the Multi-Factor Authentication Server console on ${name}, Servers: if ${name} is the master and other servers replicate from it, stop here (run this command again with --rollback, which changes nothing yet): upgrade the subordinates first, promote one of them, then upgrade ${name} with --role subordinate. If it is a subordinate or the only server, confirm. Next time pass --role to skip this step.`,
          true,
        );
      }
    } else if (role === 'master') masterRule(b, target);
    else if (role === 'subordinate') {
      b.warnings.push(`${name} is a subordinate: its data file is a read-only replica. The master's data file is what holds users' settings: back it up first (mfa-upgrade backup --role master on the master).`);
    }
  }
  if (isLoadBalanced(b)) {
    b.manual(
      'manual-drain',
      `Take ${name} out of the load balancer`,
      `The backup stops ${hasServer ? 'MultiFactorAuth while it copies the data file' : 'no service, but the installs recycle the web applications'}, and the installs restart services: an outage for this node. Drained first, clients use the other servers meanwhile (procedure.md §3.2).`,
      `Take ${name} out of the load balancer pool (or the client configuration) and wait for its connections to drain, then confirm.`,
      true,
    );
  }
  return { role: role ?? null, loadBalanced: isLoadBalanced(b) };
}

function masterRule(b: PlanBuilder, target: string | undefined): void {
  const name = b.inventory.host.computerName;
  if (b.options.subordinatesUpgraded) {
    b.warnings.push(`${name} is the master: upgraded now because --subordinates-upgraded says every subordinate is already at ${target ?? 'the target version'}.`);
    return;
  }
  const subs = fleetSubordinates(b);
  if (subs !== undefined && target !== undefined) {
    const behind = subs.filter((s) => s.version === undefined || compareVersions(s.version, target) < 0);
    if (behind.length === 0) {
      if (subs.length) b.warnings.push(`${name} is the master; the fleet file shows every subordinate (${subs.map((s) => s.name).join(', ')}) at ${target} or later.`);
      return;
    }
    b.block(
      `${name} is the replication master and the fleet file ${b.options.fleet?.file ?? ''} shows ${behind.map((s) => `${s.name} at ${s.version ?? 'an unrecorded version'}`).join(', ')}: subordinates are upgraded first (they can read the old replicated data file), then one is promoted, then the old master (procedure.md §3.3-3.4)`,
      `Upgrade ${behind.map((s) => s.name).join(', ')} first (mfa-upgrade plan --fleet gives the order), promote one to master and upgrade ${name} as --role subordinate; or record their versions in the fleet file ("version"), or pass --subordinates-upgraded if they are at ${target} already.`,
    );
    return;
  }
  b.block(
    `${name} is the replication master and nothing shows its subordinates are at ${target ?? 'the target version'}: subordinates are upgraded first, then one is promoted, then the old master (procedure.md §3.3-3.4)`,
    `Upgrade the subordinates first, promote one and upgrade ${name} as --role subordinate; or pass --subordinates-upgraded if every subordinate is at ${target ?? 'the target version'} already, or --fleet <file> with their versions; a master with no subordinates is --role standalone.`,
  );
}

/** After everything: the node goes back into the load balancer. */
export function replicationPostamble(b: PlanBuilder): void {
  if (!isLoadBalanced(b)) return;
  const name = b.inventory.host.computerName;
  b.manual('manual-return', `Put ${name} back into the load balancer`, 'The node is upgraded; it serves again once it is back in the pool.', `Check that the node answers (mfa-upgrade verify-upgrade), then put ${name} back into the load balancer pool (or the client configuration).`);
}
