// A web server with the portal or the mobile app service but no MFA Server (procedure.md §2.9):
// the component installers from the MFA Server folder, run here, with the settings carried.
import type { PlanBuilder } from '../plan-builder.js';
import { adfsFollowUp, installComponents, isPhoneFactorEra, removeMobileApp, skippedComponents, uninstallComponents, vcRedistFirst, type PathInputs } from './shared.js';

export function planComponents(b: PlanBuilder, p: PathInputs): void {
  b.backup();
  vcRedistFirst(b, p.targetMajor);
  uninstallComponents(b, p, isPhoneFactorEra, false);
  installComponents(b, p, (w) => !isPhoneFactorEra(w));
  removeMobileApp(b, p);
  skippedComponents(b, p);
  adfsFollowUp(b, p);
}
