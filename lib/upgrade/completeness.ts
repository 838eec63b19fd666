// Never silently partial: every installed product of the PhoneFactor / MFA Server family is
// handled by a step of the plan (uninstalled, upgraded by a package of its UpgradeCode, already
// current, or explicitly left to the administrator), or the plan is blocked naming it.
import type { FamilyRole } from '../inventory/types.js';
import { compareVersions } from '../util/version.js';
import { COMPONENT_LABEL, type PlanBuilder } from './plan-builder.js';
import type { UpgradePlan } from './plan-types.js';

const sameCode = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && a.toUpperCase() === b.toUpperCase();

function label(role: FamilyRole): string {
  if (role === 'server') return 'MFA Server / PhoneFactor Agent';
  if (role === 'adfsAdapter') return 'AD FS adapter';
  if (role === 'unknown') return 'unrecognised MFA product';
  return COMPONENT_LABEL[role];
}

export function checkCompleteness(b: PlanBuilder, plan: UpgradePlan): void {
  const steps = plan.steps;
  for (const p of b.inventory.familyProducts) {
    if (b.options.ignoreProducts?.some((c) => sameCode(c, p.productCode))) continue;
    const name = `${p.name} ${p.version} (${p.productCode})`;
    if (steps.some((s) => s.kind === 'uninstall' && sameCode(s.productCode, p.productCode))) continue;
    if (p.role === 'unknown') {
      b.block(`${name} looks like part of the MFA deployment but its role cannot be told from its name, so no step handles it`, `Upgrade or remove it by hand first, or pass --ignore-product ${p.productCode} if it is not part of MFA Server.`);
      continue;
    }
    if (p.role === 'adfsAdapter') {
      if (!steps.some((s) => s.kind === 'manual' && s.id.endsWith('manual-adfs'))) b.block(`${name} is installed and no step follows it up`, "Run 'mfa-upgrade adfs-upgrade' for it.");
      continue;
    }
    if (p.role !== 'server' && b.skipped(p.role)) continue;
    const pkg = b.pkg(p.role);
    if (pkg && compareVersions(p.version, pkg.identity.version) === 0 && sameCode(pkg.identity.productCode, p.productCode)) continue;
    const upgrader = steps.find((s) => s.kind === 'install' && s.role === p.role && sameCode(s.upgradeCode, p.upgradeCode));
    if (upgrader) continue;
    const placed = p.role === 'server' ? b.inventory.server?.product.productCode : b.inventory.webComponents.find((w) => sameCode(w.product?.productCode, p.productCode))?.vdir;
    const why =
      p.role !== 'server' && placed === undefined
        ? 'no IIS application serves it, so the plan cannot tell where it lives'
        : steps.some((s) => s.kind === 'install' && s.role === p.role)
          ? "the new package has another UpgradeCode, so installing it would not replace this one"
          : 'no step of the plan upgrades or removes it';
    b.block(`${label(p.role)} ${name} would be left as it is: ${why}`, p.role === 'server' ? 'Remove the extra server product by hand, then plan again.' : `Upgrade it by hand and pass --skip-component ${p.role}, or remove it, then plan again.`);
  }
}
