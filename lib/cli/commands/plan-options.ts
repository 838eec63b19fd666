// Options shared by plan, upgrade and rehearse.
import { ExitCode, MfaError } from '../../errors.js';
import type { MakePlanOptions } from '../../upgrade/make-plan.js';
import { flag, list, num, str } from '../args.js';
import { parseVdirMappings } from '../../config/webconfig/sdk-vdir.js';
import { reportOption, type OptionSpec, type ParsedArgs } from '../spec.js';
import type { ComponentKind } from '../../inventory/types.js';

const COMPONENT_KINDS: ComponentKind[] = ['userPortal', 'mobileAppWebService', 'webServiceSdk'];

export const planOptionSpecs: OptionSpec[] = [
  { name: 'packages', type: 'string', valueName: 'dir', description: 'The folder with the new installers (MFA Server, its components, VC++ redistributables).' },
  { name: 'vdir-names', type: 'string', valueName: 'keep|new', description: 'Keep the old virtual directory names (default) or use the new default names.' },
  { name: 'vdir-property', type: 'string', valueName: 'NAME', description: 'The installer property that sets the virtual directory, if the packages do not show it.' },
  { name: 'remove-mobile-app', type: 'boolean', description: 'From 8.0 on, remove the Mobile App Web Service instead of upgrading it.' },
  { name: 'users', type: 'number', valueName: 'N', integer: true, min: 1, max: 100000000, description: 'Regularly authenticating users, for the memory check.' },
  { name: 'skip-component', type: 'list', valueName: 'KIND', description: 'Leave a component to be upgraded by hand (userPortal, mobileAppWebService, webServiceSdk): it is left alone and reported as left to do.' },
  { name: 'ignore-product', type: 'list', valueName: 'PRODUCTCODE', description: 'A product whose name only looks like part of MFA Server: the plan does not account for it.' },
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
  const sdkVdir = list(args, 'sdk-vdir');
  if (sdkVdir.length) options.sdkVdir = parseVdirMappings(sdkVdir);
  return options;
}
