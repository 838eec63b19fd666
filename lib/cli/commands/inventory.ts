// mfa-upgrade inventory: what is installed where.
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { openHostForReading } from '../read-host.js';
import { takeInventory } from '../../inventory/take-inventory.js';
import { str } from '../args.js';
import { formatInventory } from '../format/inventory.js';
import type { CommandContext } from '../spec.js';

export async function run({ args, out }: CommandContext): Promise<ExitCodeValue> {
  const host = await openHostForReading(str(args, 'host'), out);
  out.log('verbose', `Inspecting ${host.kind === 'image' ? `image host ${(await host.info()).location}` : 'this machine'}`);
  const inventory = await takeInventory(host);
  for (const w of inventory.warnings) out.log('warning', w);
  out.object('MfaUpgrade.Deployment', inventory, () => formatInventory({ ...inventory, warnings: [] }));
  return ExitCode.success;
}
