// The command table. Each command's code is loaded only when it runs.
import { compareAdfsConfigSpec } from './commands/compare-adfs-config.spec.js';
import { mergeConfigSpec } from './commands/merge-config.spec.js';
import { patchRegisterScriptSpec } from './commands/patch-register-script.spec.js';
import { hostOption, type CommandSpec } from './spec.js';

export const commands: CommandSpec[] = [
  {
    name: 'inventory',
    summary: 'Discover what is installed: MFA Server or PhoneFactor Agent, services, data file, web components, AD FS adapter.',
    changesMachine: false,
    options: [hostOption],
    load: () => import('./commands/inventory.js'),
  },
  {
    name: 'check',
    summary: 'Check prerequisites: .NET, VC++ runtimes, IIS features, memory for N users, disk, pending reboot, installer busy, elevation, outbound 443.',
    changesMachine: false,
    options: [
      hostOption,
      { name: 'users', type: 'number', valueName: 'N', description: 'Regularly authenticating users, to check memory against the sizing table.' },
      { name: 'packages', type: 'string', valueName: 'dir', description: 'The installers to be used (their version decides what is required).' },
    ],
    load: () => import('./commands/check.js'),
  },
  mergeConfigSpec,
  compareAdfsConfigSpec,
  patchRegisterScriptSpec,
];

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((c) => c.name === name);
}
