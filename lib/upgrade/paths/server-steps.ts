// The MFA Server install and what follows it on a server, shared by the PhoneFactor and in-place paths.
import type { ServerInventory } from '../../inventory/types.js';
import type { KnownPackage } from '../packages.js';
import type { PlanBuilder } from '../plan-builder.js';

export function serverInstallStep(b: PlanBuilder, server: ServerInventory, pkg: KnownPackage, description: string): void {
  const install = b.install(
    pkg,
    `Install ${pkg.identity.name} ${pkg.identity.version}`,
    description,
    { properties: {} },
    ['Visual C++ 2015 Update 1 or later, x86 and x64', 'the data file is in the verified backup'],
    [server.dataFile.path],
    `uninstall it, reinstall ${server.product.name} ${server.product.version} from the backup, restore the data file`,
  );
  b.waitConversion(install, server.installPath);
}

export function activationStep(b: PlanBuilder): void {
  b.manual(
    'manual-activate',
    'Activate MFA Server if prompted, and check its replication group',
    'The MFA Server console may ask for activation credentials after the install; on servers in a replication group, check the group is intact.',
    'Open the Multi-Factor Authentication Server console on this server. If it asks for activation, activate it; then check Status and the replication group (Servers) list every server.',
  );
}
