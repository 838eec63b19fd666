// Builds the upgrade plan for one server from its inventory, readiness and the packages given:
// decides the path (PhoneFactor agent, MFA Server in place, components only), applies what every
// path shares (blockers, "already current"), lets the path's module lay out its steps, and checks
// that no installed product of the family is left out silently.
import type { ComponentKind, Inventory, WebComponentInventory } from '../inventory/types.js';
import type { CheckResult } from '../readiness/types.js';
import { compareVersions, majorOf } from '../util/version.js';
import { checkCompleteness } from './completeness.js';
import { packageBlockers } from './package-check.js';
import type { KnownPackage } from './packages.js';
import { COMPONENT_LABEL, COMPONENT_MSI, PlanBuilder, type PlanOptions } from './plan-builder.js';
import { PLAN_FORMAT, type UpgradePath, type UpgradePlan } from './plan-types.js';
import { planComponents } from './paths/components.js';
import { planMfaServer } from './paths/mfa-server.js';
import { planPhoneFactorAgent } from './paths/phonefactor-agent.js';
import { sdkMappingOf, type PathInputs } from './paths/shared.js';
import { replicationPostamble, replicationPreamble } from './replication.js';

export type { PlanOptions } from './plan-builder.js';

function choosePath(inventory: Inventory): UpgradePath {
  if (inventory.server) return inventory.server.generation === 'phonefactor-agent' ? 'phonefactor-agent' : 'mfa-server';
  return inventory.webComponents.length > 0 ? 'components' : 'none';
}

function newestComponentVersion(components: WebComponentInventory[]): { name: string; version: string } | null {
  const p = components.map((w) => w.product).filter((x): x is NonNullable<typeof x> => x !== null).sort((a, b) => compareVersions(b.version, a.version))[0];
  return p ? { name: p.name, version: p.version } : null;
}

/** Readiness failures the plan itself resolves (the VC++ runtimes, when their packages are here) are not blockers. */
function readinessBlockers(b: PlanBuilder, readiness: CheckResult[]): void {
  for (const r of readiness) {
    if (r.status === 'warn') b.warnings.push(`${r.title}: ${r.evidence}`);
    if (r.status !== 'fail') continue;
    const arch = /^vcredist-(x86|x64)$/.exec(r.id)?.[1] as 'x86' | 'x64' | undefined;
    if (arch && b.pkg('vcredist', arch)) continue;
    b.block(`${r.title}: ${r.evidence}`, r.remedy ?? 'See the readiness check.');
  }
}

export function buildPlan(inventory: Inventory, readiness: CheckResult[], packages: KnownPackage[], options: PlanOptions): UpgradePlan {
  const b = new PlanBuilder(inventory, readiness, packages, options);
  const server = inventory.server;
  const serverPkg = b.pkg('server');
  const components = new Map<ComponentKind, WebComponentInventory>();
  for (const w of inventory.webComponents) {
    const first = components.get(w.component);
    if (!first) components.set(w.component, w);
    else if (!b.skipped(w.component)) {
      b.block(`two ${COMPONENT_LABEL[w.component]} applications are here (${first.site}/${first.vdir} and ${w.site}/${w.vdir}); one plan cannot upgrade both`, `Upgrade one by hand and pass --skip-component ${w.component}, or remove the one that is not used.`);
    }
  }
  const path = choosePath(inventory);
  const targetPkg = server ? serverPkg : (['webServiceSdk', 'userPortal', 'mobileAppWebService'] as const).map((k) => b.pkg(k)).find((p) => p !== undefined);
  const plan: UpgradePlan = {
    format: PLAN_FORMAT,
    computerName: inventory.host.computerName,
    path,
    from: server ? { name: server.product.name, version: server.product.version } : newestComponentVersion([...components.values()]),
    to: targetPkg ? { name: targetPkg.identity.name, version: targetPkg.identity.version } : null,
    vdirNames: options.vdirNames,
    steps: b.steps,
    upToDate: false,
    blockers: b.blockers,
    warnings: b.warnings,
    readiness,
    skippedComponents: options.skipComponents ?? [],
    server: server ? { installPath: server.installPath, dataFile: server.dataFile.exists ? server.dataFile.path : null } : null,
    replication: { role: null, loadBalanced: false },
  };
  // A bad package blocks the plan before anything else is decided (exit 7, nothing changed).
  for (const blocker of packageBlockers(options.packageFolder)) b.block(blocker.message, blocker.remedy);

  if (server) {
    if (!server.versionKnown) b.block(`${server.product.name} ${server.product.version} is not a version this tool knows (${server.versionNote ?? ''})`, "Upgrade by hand following Microsoft's article, or report the version so it can be supported.");
    if (!serverPkg) {
      b.block('the packages folder has no MFA Server installer', 'Put the MFA Server installer (and the component installers from its install folder) into the --packages folder.');
      return plan;
    }
    if (compareVersions(serverPkg.identity.version, server.product.version) < 0) {
      b.block(`the MFA Server package is ${serverPkg.identity.version}, older than the installed ${server.product.version}`, 'Use the latest MFA Server installer.');
    }
  } else if (components.size === 0) {
    b.block(
      'neither MFA Server, the PhoneFactor Agent nor any MFA web component is installed here',
      inventory.adfsAdapter ? "This is an AD FS server with the MFA adapter: upgrade it with 'mfa-upgrade adfs-upgrade' (Invoke-MfaAdfsAdapterUpgrade)." : 'Run the plan on a server that has them (mfa-upgrade inventory shows what is installed).',
    );
    return plan;
  }
  const targetMajor = majorOf(targetPkg?.identity.version ?? '8') ?? 8;
  readinessBlockers(b, readiness);
  for (const w of components.values()) {
    if (w.webConfigError !== undefined && !b.skipped(w.component)) b.block(`the ${COMPONENT_LABEL[w.component]}'s web.config cannot be read, so its settings could not be carried: ${w.webConfigError}`, `Repair ${w.webConfigPath} (or restore it from a backup), or pass --skip-component ${w.component} to upgrade it by hand.`);
  }

  const removeMobile = options.removeMobileApp === true && targetMajor >= 8 && components.has('mobileAppWebService');
  if (options.removeMobileApp === true && targetMajor < 8) b.warnings.push(`--remove-mobile-app is for MFA Server 8.0 and later; the packages bring ${targetPkg?.identity.version ?? 'an older version'}, so the Mobile App Web Service is upgraded.`);
  // A second run finds the work done: what is at its package's version is left alone.
  const current = (version: string | undefined, pkg: KnownPackage | undefined) => version !== undefined && pkg !== undefined && compareVersions(version, pkg.identity.version) === 0;
  const serverCurrent = server !== null && current(server.product.version, serverPkg);
  const reinstall = [...components.keys()].filter((k) => !b.skipped(k) && !(removeMobile && k === 'mobileAppWebService') && !current(components.get(k)?.product?.version, b.pkg(k)));
  if ((server === null || serverCurrent) && reinstall.length === 0 && !(removeMobile && components.get('mobileAppWebService')?.product)) {
    plan.upToDate = true;
    b.warnings.push(`Everything here is already at the packages' versions (${targetPkg?.identity.version ?? ''}): nothing to do.`);
    return plan;
  }
  for (const k of reinstall) {
    if (!b.pkg(k)) b.block(`${COMPONENT_LABEL[k]} is installed but the packages folder has no ${COMPONENT_LABEL[k]} installer`, `Copy ${COMPONENT_MSI[k]} from the MFA Server install folder into the packages folder, or pass --skip-component ${k} to upgrade it by hand.`);
  }

  const inputs: PathInputs = { components, reinstall, removeMobile, sdkMapping: sdkMappingOf(b, components), targetMajor };
  plan.replication = replicationPreamble(b, targetPkg?.identity.version, server !== null);
  switch (path) {
    case 'phonefactor-agent':
      if (server && serverPkg) planPhoneFactorAgent(b, inputs, server, serverPkg);
      break;
    case 'mfa-server':
      if (server && serverPkg) planMfaServer(b, inputs, server, serverPkg, serverCurrent);
      break;
    case 'components':
      planComponents(b, inputs);
      break;
    case 'none':
      break;
    default: {
      const never: never = path;
      throw new Error(`unhandled upgrade path ${String(never)}`);
    }
  }
  replicationPostamble(b);
  checkCompleteness(b, plan);
  return plan;
}
