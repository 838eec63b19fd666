// PhoneFactor Agent 5.x → MFA Server (procedure.md §2): no in-place upgrade. Everything is
// uninstalled, portal first and the agent last; MFA Server is installed into the old folder
// (InstallPath) where it converts the old data file; the components come back with their settings.
import type { ServerInventory } from '../../inventory/types.js';
import type { KnownPackage } from '../packages.js';
import type { PlanBuilder } from '../plan-builder.js';
import { activationStep, serverInstallStep } from './server-steps.js';
import { adfsFollowUp, installComponents, removeMobileApp, skippedComponents, uninstallComponents, vcRedistFirst, type PathInputs } from './shared.js';

export function planPhoneFactorAgent(b: PlanBuilder, p: PathInputs, server: ServerInventory, serverPkg: KnownPackage): void {
  b.backup();
  vcRedistFirst(b, p.targetMajor);
  uninstallComponents(b, p, () => true, true);
  b.uninstall(
    {
      role: 'server',
      productCode: server.product.productCode,
      name: server.product.name,
      version: server.product.version,
      previous: {},
      title: `Uninstall ${server.product.name} ${server.product.version}`,
      description: 'Remove the agent; its InstallPath stays in the registry so MFA Server installs into the same folder and upgrades the data file.',
      preconditions: [`${server.dataFile.path} is in the verified backup`],
      protects: [],
      undo: `reinstall ${server.product.name} ${server.product.version} from its cached package in the backup, then restore the data file`,
    },
    'uninstall-server',
  );
  serverInstallStep(b, server, serverPkg, `Installs into ${server.installPath ?? 'the path in the registry'} (read from InstallPath) and upgrades ${server.dataFile.path} on first start, keeping users and settings.`);
  activationStep(b);
  installComponents(b, p, () => false);
  removeMobileApp(b, p);
  skippedComponents(b, p);
  adfsFollowUp(b, p);
}
