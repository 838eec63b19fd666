// The command table. Each command's code is loaded only when it runs.
import { compareAdfsConfigSpec } from './commands/compare-adfs-config.spec.js';
import { mergeConfigSpec } from './commands/merge-config.spec.js';
import { patchRegisterScriptSpec } from './commands/patch-register-script.spec.js';
import { planOptionSpecs } from './commands/plan-options.js';
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
  {
    name: 'plan',
    summary: 'Show the upgrade plan: ordered steps with preconditions, what each protects and its undo; blockers if it cannot run.',
    changesMachine: false,
    options: [hostOption, ...planOptionSpecs, { name: 'fleet', type: 'string', valueName: 'file', description: 'A JSON file of servers and roles: gives the order across them instead of one server\'s steps.' }],
    load: () => import('./commands/plan.js'),
  },
  mergeConfigSpec,
  compareAdfsConfigSpec,
  patchRegisterScriptSpec,
];

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((c) => c.name === name);
}
