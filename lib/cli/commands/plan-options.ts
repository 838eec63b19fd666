// Options shared by plan, upgrade and rehearse.
import { ExitCode, MfaError } from '../../errors.js';
import type { MakePlanOptions } from '../../upgrade/make-plan.js';
import { flag, list, num, str } from '../args.js';
import { parseVdirMappings } from '../../config/webconfig/sdk-vdir.js';
import type { OptionSpec, ParsedArgs } from '../spec.js';

export const planOptionSpecs: OptionSpec[] = [
  { name: 'packages', type: 'string', valueName: 'dir', description: 'The folder with the new installers (MFA Server, its components, VC++ redistributables).' },
  { name: 'vdir-names', type: 'string', valueName: 'keep|new', description: 'Keep the old virtual directory names (default) or use the new default names.' },
  { name: 'vdir-property', type: 'string', valueName: 'NAME', description: 'The installer property that sets the virtual directory, if the packages do not show it.' },
  { name: 'remove-mobile-app', type: 'boolean', description: 'From 8.0 on, remove the Mobile App Web Service instead of upgrading it.' },
  { name: 'users', type: 'number', valueName: 'N', integer: true, min: 1, max: 100000000, description: 'Regularly authenticating users, for the memory check.' },
  { name: 'sdk-vdir', type: 'list', valueName: 'OLD=NEW', description: 'The Web Service SDK moved to another vdir (on a server of its own): rewrite carried SDK URLs. "default" is PhoneFactorWebServiceSdk=MultiFactorAuthWebServiceSdk.' },
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
  const sdkVdir = list(args, 'sdk-vdir');
  if (sdkVdir.length) options.sdkVdir = parseVdirMappings(sdkVdir);
  return options;
}
