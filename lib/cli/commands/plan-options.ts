// Options shared by plan, upgrade and rehearse.
import { ExitCode, MfaError } from '../../errors.js';
import type { MakePlanOptions } from '../../upgrade/make-plan.js';
import { flag, num, str } from '../args.js';
import type { OptionSpec, ParsedArgs } from '../spec.js';

export const planOptionSpecs: OptionSpec[] = [
  { name: 'packages', type: 'string', valueName: 'dir', description: 'The folder with the new installers (MFA Server, its components, VC++ redistributables).', required: true },
  { name: 'vdir-names', type: 'string', valueName: 'keep|new', description: 'Keep the old virtual directory names (default) or use the new default names.' },
  { name: 'vdir-property', type: 'string', valueName: 'NAME', description: 'The installer property that sets the virtual directory, if the packages do not show it.' },
  { name: 'remove-mobile-app', type: 'boolean', description: 'From 8.0 on, remove the Mobile App Web Service instead of upgrading it.' },
  { name: 'users', type: 'number', valueName: 'N', description: 'Regularly authenticating users, for the memory check.' },
];

export function planOptionsFrom(args: ParsedArgs): MakePlanOptions {
  const vdir = str(args, 'vdir-names') ?? 'keep';
  if (vdir !== 'keep' && vdir !== 'new') {
    throw new MfaError(`--vdir-names must be keep or new, not '${vdir}'`, { code: 'USAGE', exitCode: ExitCode.usage, remedy: 'Write --vdir-names keep (the default) or --vdir-names new.' });
  }
  const options: MakePlanOptions = { packagesDir: str(args, 'packages') as string, vdirNames: vdir, removeMobileApp: flag(args, 'remove-mobile-app') };
  const prop = str(args, 'vdir-property');
  if (prop) options.vdirProperty = prop;
  const users = num(args, 'users');
  if (users !== undefined) options.users = users;
  return options;
}
