// patch-register-script's command definition (kept free of heavy imports: only loaded when run).
import { hostOption, whatIfOption, type CommandSpec } from '../spec.js';

export const patchRegisterScriptSpec: CommandSpec = {
  name: 'patch-register-script',
  summary: 'Add -ConfigurationFilePath <path> to the Register-AdfsAuthenticationProvider command of the AD FS adapter register script (an existing value is replaced).',
  changesMachine: true,
  options: [
    { name: 'script', type: 'string', valueName: 'file', required: true, description: 'Register-MultiFactorAuthenticationAdfsAdapter.ps1 (or a copy of it).' },
    { name: 'config-path', type: 'string', valueName: 'path', required: true, description: 'The adapter config path the registration should read, as the AD FS server sees it.' },
    { name: 'out', type: 'string', valueName: 'file', description: 'Write the patched script here instead of over --script.' },
    hostOption,
    whatIfOption,
  ],
  load: () => import('./patch-register-script.js'),
};
