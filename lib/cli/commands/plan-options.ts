// Options shared by plan, upgrade and rehearse.
import { ExitCode, MfaError } from '../../errors.js';
import type { MakePlanOptions } from '../../upgrade/make-plan.js';
import { flag, list, num, str } from '../args.js';
import { parseVdirMappings } from '../../config/webconfig/sdk-vdir.js';
import { reportOption, type OptionSpec, type ParsedArgs } from '../spec.js';
import type { ComponentKind } from '../../inventory/types.js';
import { REPLICATION_ROLES, type ReplicationRole } from '../../upgrade/replication-role.js';

const COMPONENT_KINDS: ComponentKind[] = ['userPortal', 'mobileAppWebService', 'webServiceSdk'];

export const planOptionSpecs: OptionSpec[] = [
  { name: 'packages', type: 'string', valueName: 'dir', description: 'The folder with the new installers (MFA Server, its components, VC++ redistributables).' },
  { name: 'vdir-names', type: 'string', valueName: 'keep|new', description: 'Keep the old virtual directory names (default) or use the new default names.' },
  { name: 'vdir-property', type: 'string', valueName: 'NAME', description: 'The installer property that sets the virtual directory, if the packages do not show it.' },
  { name: 'remove-mobile-app', type: 'boolean', description: 'From 8.0 on, remove the Mobile App Web Service instead of upgrading it.' },
  { name: 'users', type: 'number', valueName: 'N', integer: true, min: 1, max: 100000000, description: 'Regularly authenticating users, for the memory check.' },
  { name: 'skip-component', type: 'list', valueName: 'KIND', description: 'Leave a component to be upgraded by hand (userPortal, mobileAppWebService, webServiceSdk): it is left alone and reported as left to do.' },
  { name: 'ignore-product', type: 'list', valueName: 'PRODUCTCODE', description: 'A product whose name only looks like part of MFA Server: the plan does not account for it.' },
  { name: 'role', type: 'string', valueName: 'master|subordinate|standalone', description: "This server's replication role (not recorded in a documented place): without it a person confirms it before anything changes, and --unattended is refused. A master is upgraded after its subordinates." },
  { name: 'subordinates-upgraded', type: 'boolean', description: 'With --role master: every subordinate is already at the target version (subordinates first, then the master).' },
  { name: 'load-balanced', type: 'boolean', description: 'This node is behind a load balancer: the plan drains it before the backup stops its service and puts it back at the end.' },
  { name: 'carry-removed', type: 'boolean', description: 'Also carry web.config keys the new version no longer has (as merge-config --carry-removed).' },
  { name: 'sdk-vdir', type: 'list', valueName: 'OLD=NEW', description: 'The Web Service SDK moved to another vdir (on a server of its own): rewrite carried SDK URLs. "default" is PhoneFactorWebServiceSdk=MultiFactorAuthWebServiceSdk.' },
  reportOption,
];

export function planOptionsFrom(args: ParsedArgs): MakePlanOptions {
  if (!str(args, 'packages')) throw new MfaError('--packages is required', { code: 'USAGE', exitCode: ExitCode.usage, remedy: 'Pass the folder with the new installers: --packages <dir>.' });
  const vdir = str(args, 'vdir-names') ?? 'keep';
  if (vdir !== 'keep' && vdir !== 'new') {
    throw new MfaError(`--vdir-names must be keep or new, not '${vdir}'`, { code: 'USAGE', exitCode: ExitCode.usage, remedy: 'Write --vdir-names keep (the default) or --vdir-names new.' });
  }
  const options: MakePlanOptions = { packagesDir: str(args, 'packages') as string, vdirNames: vdir, removeMobileApp: flag(args, 'remove-mobile-app') };
  const prop = str(args, 'vdir-property');
  if (prop) options.vdirProperty = prop;
  const users = num(args, 'users');
  if (users !== undefined) options.users = users;
  const skip = list(args, 'skip-component');
  for (const k of skip) {
    if (!COMPONENT_KINDS.includes(k as ComponentKind)) throw new MfaError(`--skip-component takes ${COMPONENT_KINDS.join(', ')}, not '${k}'`, { code: 'USAGE', exitCode: ExitCode.usage, remedy: `Write for example --skip-component userPortal.` });
  }
  if (skip.length) options.skipComponents = skip as ComponentKind[];
  const ignore = list(args, 'ignore-product');
  for (const c of ignore) {
    if (!/^\{[0-9A-Fa-f-]{36}\}$/.test(c)) throw new MfaError(`--ignore-product takes a ProductCode such as {12345678-1234-1234-1234-123456789012}, not '${c}'`, { code: 'USAGE', exitCode: ExitCode.usage, remedy: 'Copy the ProductCode from the plan\'s blocker.' });
  }
  if (ignore.length) options.ignoreProducts = ignore;
  const role = str(args, 'role');
  if (role !== undefined) {
    const r = role.toLowerCase();
    if (!(REPLICATION_ROLES as string[]).includes(r)) throw new MfaError(`--role takes ${REPLICATION_ROLES.join(', ')}, not '${role}'`, { code: 'USAGE', exitCode: ExitCode.usage, remedy: 'Write for example --role subordinate (the MFA Server console shows the role under Servers).' });
    options.role = r as ReplicationRole;
  }
  if (flag(args, 'subordinates-upgraded')) {
    if (options.role !== 'master') throw new MfaError('--subordinates-upgraded is for --role master', { code: 'USAGE', exitCode: ExitCode.usage, remedy: 'Pass --role master with it, or leave it out.' });
    options.subordinatesUpgraded = true;
  }
  if (flag(args, 'load-balanced')) options.loadBalanced = true;
  if (flag(args, 'carry-removed')) options.carryRemoved = true;
  if (flag(args, 'unattended')) options.unattended = true;
  const sdkVdir = list(args, 'sdk-vdir');
  if (sdkVdir.length) options.sdkVdir = parseVdirMappings(sdkVdir);
  return options;
}
