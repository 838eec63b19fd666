// The command table. Each command's code is loaded only when it runs.
import { hostOption, type CommandSpec } from './spec.js';

export const commands: CommandSpec[] = [
  {
    name: 'inventory',
    summary: 'Discover what is installed: MFA Server or PhoneFactor Agent, services, data file, web components, AD FS adapter.',
    changesMachine: false,
    options: [hostOption],
    load: () => import('./commands/inventory.js'),
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((c) => c.name === name);
}
