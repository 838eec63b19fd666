// MFA Server 6.0+ → the latest, in place (procedure.md §3): a major upgrade of the server (no
// uninstall; it stays in its folder and converts the data file), then each component upgraded
// keeping its vdir, its settings carried. PhoneFactor-era components still on the host are
// removed and reinstalled instead.
import type { ServerInventory } from '../../inventory/types.js';
import type { KnownPackage } from '../packages.js';
import type { PlanBuilder } from '../plan-builder.js';
import { activationStep, serverInstallStep } from './server-steps.js';
import { adfsFollowUp, installComponents, isPhoneFactorEra, removeMobileApp, skippedComponents, uninstallComponents, vcRedistFirst, type PathInputs } from './shared.js';

export function planMfaServer(b: PlanBuilder, p: PathInputs, server: ServerInventory, serverPkg: KnownPackage, serverCurrent: boolean): void {
  b.backup();
  vcRedistFirst(b, p.targetMajor);
  uninstallComponents(b, p, isPhoneFactorEra, false);
  if (!serverCurrent) {
    serverInstallStep(b, server, serverPkg, `Upgrades ${server.product.name} ${server.product.version} in place (a major upgrade: no uninstall) in ${server.installPath ?? 'its folder'}; the service converts the data file on first start and must not be restarted meanwhile.`);
    activationStep(b);
  }
  installComponents(b, p, (w) => !isPhoneFactorEra(w));
  removeMobileApp(b, p);
  skippedComponents(b, p);
  adfsFollowUp(b, p);
}
