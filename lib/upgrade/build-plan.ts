// Builds the upgrade plan for one server from its inventory, readiness and the packages given:
// the PhoneFactor Agent 5.x path (uninstall everything, install MFA Server into the old folder,
// reinstall the components) and the MFA Server 6+ in-place path (procedure.md §2 and §3).
import type { ComponentKind, Inventory, WebComponentInventory } from '../inventory/types.js';
import type { CheckResult } from '../readiness/types.js';
import { compareVersions, majorOf } from '../util/version.js';
import { joinWindowsPath } from '../util/winpath.js';
import { packageBlockers, type PackageFolderReport } from './package-check.js';
import { NEW_DEFAULT_VDIR, sitePropertyOf, vdirPropertyOf, type KnownPackage, type PackageRole } from './packages.js';
import { PLAN_FORMAT, type Blocker, type InstallStep, type PlanStep, type UpgradePlan, type VdirChoice } from './plan-types.js';

export interface PlanOptions {
  vdirNames: VdirChoice;
  /** From 8.0 on, the Mobile App Web Service is no longer needed (procedure.md §2.10). */
  removeMobileApp?: boolean;
  /** The package property that sets the IIS virtual directory, when the package does not show it. */
  vdirProperty?: string;
  /** SDK vdir renames to follow in carried URLs, when the SDK lives on another server (--sdk-vdir). */
  sdkVdir?: Array<{ from: string; to: string }>;
  /** The packages folder as inspected (package-check.ts): its problems block the plan. */
  packageFolder?: PackageFolderReport;
}

const COMPONENT_LABEL: Record<ComponentKind, string> = {
  userPortal: 'User Portal',
  mobileAppWebService: 'Mobile App Web Service',
  webServiceSdk: 'Web Service SDK',
};

/** PhoneFactor 5.x order (procedure.md §2 steps 2-4): portal, mobile app, SDK, then the agent. */
const UNINSTALL_ORDER: ComponentKind[] = ['userPortal', 'mobileAppWebService', 'webServiceSdk'];
/** Reinstall order: the SDK first, since the others call it. */
const INSTALL_ORDER: ComponentKind[] = ['webServiceSdk', 'userPortal', 'mobileAppWebService'];

class PlanBuilder {
  readonly steps: PlanStep[] = [];
  readonly blockers: Blocker[] = [];
  readonly warnings: string[] = [];
  private n = 0;

  constructor(
    readonly inventory: Inventory,
    readonly readiness: CheckResult[],
    readonly packages: KnownPackage[],
    readonly options: PlanOptions,
  ) {}

  id(slug: string): string {
    this.n++;
    return `${String(this.n).padStart(2, '0')}-${slug}`;
  }

  pkg(role: PackageRole, platform?: 'x86' | 'x64'): KnownPackage | undefined {
    const all = this.packages.filter((p) => p.role === role && (!platform || p.identity.platform === platform));
    return [...all].sort((a, b) => compareVersions(b.identity.version, a.identity.version))[0];
  }

  block(message: string, remedy: string): void {
    this.blockers.push({ message, remedy });
  }

  install(pkg: KnownPackage, title: string, description: string, extra: Partial<InstallStep> & { properties?: Record<string, string> }, preconditions: string[], protects: string[], undo: string): InstallStep {
    const step: InstallStep = {
      id: this.id(`install-${extra.component ?? pkg.role}${pkg.role === 'vcredist' ? `-${pkg.identity.platform}` : ''}`),
      kind: 'install',
      title,
      description,
      preconditions,
      protects,
      undo,
      role: pkg.role,
      package: pkg.identity.path,
      name: pkg.identity.name,
      version: pkg.identity.version,
      productCode: pkg.identity.productCode,
      upgradeCode: pkg.identity.upgradeCode,
      properties: extra.properties ?? {},
      ...(extra.component ? { component: extra.component } : {}),
      ...(extra.previous ? { previous: extra.previous } : {}),
    };
    this.steps.push(step);
    return step;
  }

  /** The vdir and site properties for a component's new package, or a blocker saying what is missing. */
  componentProperties(kind: ComponentKind, pkg: KnownPackage, vdir: string, site: string): Record<string, string> {
    const props: Record<string, string> = {};
    const vdirProp = this.options.vdirProperty ?? vdirPropertyOf(pkg.identity, kind);
    if (vdirProp) props[vdirProp] = vdir;
    else if (vdir.toLowerCase() !== NEW_DEFAULT_VDIR[kind].toLowerCase()) {
      this.block(
        `${pkg.identity.name} does not show which property sets its virtual directory, so '${vdir}' cannot be kept unattended`,
        `Pass --vdir-property <NAME> with the property from the package's Property table (Orca shows it), or --vdir-names new.`,
      );
    }
    const siteProp = sitePropertyOf(pkg.identity);
    if (siteProp) props[siteProp] = site;
    else if (site !== 'Default Web Site') this.warnings.push(`${pkg.identity.name}: no site property found; it will install into its default site, not '${site}'.`);
    return props;
  }
}

function componentVdir(w: WebComponentInventory, choice: VdirChoice): string {
  return choice === 'keep' ? w.vdir : NEW_DEFAULT_VDIR[w.component];
}

function physicalFor(w: WebComponentInventory, vdir: string): string {
  // The installers lay the site under the web root by vdir name; a renamed vdir keeps its folder.
  return vdir.toLowerCase() === w.vdir.toLowerCase() ? w.physicalPath : joinWindowsPath(w.physicalPath.replace(/\\[^\\]+$/, ''), vdir);
}

/** PhoneFactor-era components cannot be upgraded in place (procedure.md §2): uninstall first. */
function isPhoneFactorEra(w: WebComponentInventory): boolean {
  return w.product !== null && /phone\s*factor/i.test(w.product.name) && !/multi-?factor/i.test(w.product.name);
}

function newestComponentVersion(components: WebComponentInventory[]): { name: string; version: string } | null {
  const p = components.map((w) => w.product).filter((x): x is NonNullable<typeof x> => x !== null).sort((a, b) => compareVersions(b.version, a.version))[0];
  return p ? { name: p.name, version: p.version } : null;
}

export function buildPlan(inventory: Inventory, readiness: CheckResult[], packages: KnownPackage[], options: PlanOptions): UpgradePlan {
  const b = new PlanBuilder(inventory, readiness, packages, options);
  const server = inventory.server;
  const serverPkg = b.pkg('server');
  const components = new Map<ComponentKind, WebComponentInventory>();
  for (const w of inventory.webComponents) {
    if (components.has(w.component)) b.warnings.push(`more than one ${COMPONENT_LABEL[w.component]} is installed; only ${components.get(w.component)?.vdir} is planned, upgrade ${w.vdir} by hand`);
    else components.set(w.component, w);
  }
  const anyComponentPkg = INSTALL_ORDER.map((k) => b.pkg(k)).find((p) => p !== undefined);
  const targetPkg = server ? serverPkg : anyComponentPkg;
  const plan: UpgradePlan = {
    format: PLAN_FORMAT,
    computerName: inventory.host.computerName,
    path: 'none',
    from: server ? { name: server.product.name, version: server.product.version } : newestComponentVersion([...components.values()]),
    to: targetPkg ? { name: targetPkg.identity.name, version: targetPkg.identity.version } : null,
    vdirNames: options.vdirNames,
    steps: b.steps,
    upToDate: false,
    blockers: b.blockers,
    warnings: b.warnings,
    readiness,
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
    plan.path = server.generation === 'phonefactor-agent' ? 'phonefactor-agent' : 'mfa-server';
  } else if (components.size > 0) {
    plan.path = 'components';
  } else {
    b.block('neither MFA Server, the PhoneFactor Agent nor any MFA web component is installed here', 'Run the plan on a server that has them (mfa-upgrade inventory shows what is installed).');
    return plan;
  }
  const targetMajor = majorOf(targetPkg?.identity.version ?? '8') ?? 8;

  // Readiness: failures the plan itself resolves (the VC++ runtimes, when their packages are here) are not blockers.
  const vcSteps: Array<[string, 'x86' | 'x64']> = [['vcredist-x86', 'x86'], ['vcredist-x64', 'x64']];
  for (const r of readiness) {
    if (r.status !== 'fail') continue;
    const vc = vcSteps.find(([id]) => id === r.id);
    if (vc && b.pkg('vcredist', vc[1])) continue;
    b.block(`${r.title}: ${r.evidence}`, r.remedy ?? 'See the readiness check.');
  }
  for (const r of readiness) if (r.status === 'warn') b.warnings.push(`${r.title}: ${r.evidence}`);

  const removeMobile = options.removeMobileApp === true && targetMajor >= 8 && components.has('mobileAppWebService');
  // A second run finds the work done: what is at its package's version is left alone.
  const current = (version: string | undefined, pkg: KnownPackage | undefined) => version !== undefined && pkg !== undefined && compareVersions(version, pkg.identity.version) === 0;
  const serverCurrent = server !== null && current(server.product.version, serverPkg);
  const keep = [...components.keys()].filter((k) => !(removeMobile && k === 'mobileAppWebService') && !current(components.get(k)?.product?.version, b.pkg(k)));
  if ((server === null || serverCurrent) && keep.length === 0 && !(removeMobile && components.get('mobileAppWebService')?.product)) {
    plan.upToDate = true;
    b.warnings.push(`Everything here is already at the packages' versions (${targetPkg?.identity.version ?? ''}): nothing to do.`);
    return plan;
  }
  for (const k of keep) {
    if (!b.pkg(k)) b.block(`${COMPONENT_LABEL[k]} is installed but the packages folder has no ${COMPONENT_LABEL[k]} installer`, `Copy MultiFactorAuthentication${k === 'userPortal' ? 'UserPortal' : k === 'webServiceSdk' ? 'WebServiceSdk' : 'MobileAppWebService'}Setup64.msi from the MFA Server install folder into the packages folder.`);
  }

  b.steps.push({
    id: b.id('backup'),
    kind: 'backup',
    title: 'Back up and verify',
    description: 'Take a backup bundle of the data folder, every web.config, custom themes, the AD FS adapter config, the PhoneFactor registry key and the cached installer packages, then re-read and verify it.',
    preconditions: ['enough free space where the backup is written'],
    protects: ['everything the later steps could lose'],
    undo: 'nothing to undo: the backup is kept',
  });

  for (const [id, arch] of vcSteps) {
    if (readiness.find((r) => r.id === id)?.status === 'pass') continue;
    const pkg = b.pkg('vcredist', arch);
    if (!pkg) continue;
    b.install(pkg, `Install ${pkg.identity.name}`, `MFA ${targetMajor} components need the Visual C++ 2015 Update 1 or later runtime (${arch}); installed first so a missing runtime cannot fail a later step half-way.`, {}, ['no other installation running'], [], 'uninstall it (reinstalling the runtime it replaced, if any, from the backup)');
  }

  const sdk = components.get('webServiceSdk');
  const sdkNewVdir = sdk ? componentVdir(sdk, options.vdirNames) : undefined;
  const sdkMapping = options.sdkVdir ?? (sdk && sdkNewVdir && sdkNewVdir.toLowerCase() !== sdk.vdir.toLowerCase() ? [{ from: sdk.vdir, to: sdkNewVdir }] : []);

  // PhoneFactor 5.x (the agent, or its components on a web server) cannot be upgraded in place.
  for (const k of UNINSTALL_ORDER) {
    const w = components.get(k);
    if (!w?.product || !(plan.path === 'phonefactor-agent' || isPhoneFactorEra(w))) continue;
    b.steps.push({
      id: b.id(`uninstall-${k}`),
      kind: 'uninstall',
      role: k,
      productCode: w.product.productCode,
      name: w.product.name,
      version: w.product.version,
      component: k,
      previous: { site: w.site, vdir: w.vdir },
      title: `Uninstall ${w.product.name} ${w.product.version}`,
      description: `PhoneFactor 5.x components cannot be upgraded in place: remove ${COMPONENT_LABEL[k]} (${w.site}/${w.vdir})${plan.path === 'phonefactor-agent' ? ' before the agent' : ''}.`,
      preconditions: [`${w.webConfigPath} is in the verified backup`, ...(w.themes.length ? [`themes ${w.themes.join(', ')} are in the verified backup`] : [])],
      protects: [],
      undo: `reinstall ${w.product.name} ${w.product.version} from its cached package in the backup, then restore its web.config${w.themes.length ? ' and themes' : ''}`,
    });
  }

  if (server && serverPkg && !serverCurrent) {
    if (plan.path === 'phonefactor-agent') {
      b.steps.push({
        id: b.id('uninstall-server'),
        kind: 'uninstall',
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
      });
    }
    b.install(
      serverPkg,
      `Install ${serverPkg.identity.name} ${serverPkg.identity.version}`,
      plan.path === 'phonefactor-agent'
        ? `Installs into ${server.installPath ?? 'the path in the registry'} (read from InstallPath) and upgrades ${server.dataFile.path} on first start, keeping users and settings.`
        : `Upgrades ${server.product.name} ${server.product.version} in place (a major upgrade: no uninstall) in ${server.installPath ?? 'its folder'}; the service converts the data file on first start and must not be restarted meanwhile.`,
      {},
      ['Visual C++ 2015 Update 1 or later, x86 and x64', 'the data file is in the verified backup'],
      [server.dataFile.path],
      `uninstall it, reinstall ${server.product.name} ${server.product.version} from the backup, restore the data file`,
    );
    b.steps.push({
      id: b.id('manual-activate'),
      kind: 'manual',
      title: 'Activate MFA Server if prompted, and check its replication group',
      description: 'The MFA Server console may ask for activation credentials after the install; on servers in a replication group, check the group is intact.',
      instructions: 'Open the Multi-Factor Authentication Server console on this server. If it asks for activation, activate it; then check Status and the replication group (Servers) list every server. Watch the service log for "Completed performing tasks to upgrade" before restarting anything.',
      preconditions: [],
      protects: [],
      undo: 'nothing to undo',
    });
  }

  for (const k of INSTALL_ORDER) {
    const w = components.get(k);
    if (!w || !keep.includes(k)) continue;
    const pkg = b.pkg(k);
    if (!pkg) continue;
    const vdir = componentVdir(w, options.vdirNames);
    const properties = b.componentProperties(k, pkg, vdir, w.site);
    const target = physicalFor(w, vdir);
    const inPlace = !(plan.path === 'phonefactor-agent' || isPhoneFactorEra(w));
    b.install(
      pkg,
      `Install ${pkg.identity.name} ${pkg.identity.version} as ${w.site}/${vdir}`,
      `${inPlace ? 'Upgrade' : 'Reinstall'} ${COMPONENT_LABEL[k]} ${vdir === w.vdir ? `keeping the vdir name '${vdir}'` : `under the new default vdir '${vdir}' (was '${w.vdir}')`}.`,
      { component: k, properties, ...(inPlace ? { previous: { site: w.site, vdir: w.vdir } } : {}) },
      [k === 'webServiceSdk' ? 'MFA Server is installed' : 'the old web.config is in the verified backup', 'Visual C++ 2015 Update 1 or later, x86 and x64'],
      [],
      `uninstall it${inPlace ? `, reinstall ${w.product?.name ?? COMPONENT_LABEL[k]} ${w.product?.version ?? ''} from the backup and restore its web.config` : ''}`,
    );
    if (k !== 'webServiceSdk' && w.webConfigExists) {
      b.steps.push({
        id: b.id(`merge-config-${k}`),
        kind: 'merge-config',
        component: k,
        original: w.webConfigPath,
        target: joinWindowsPath(target, 'web.config'),
        site: w.site,
        vdir,
        sdkVdir: sdkMapping,
        title: `Carry the ${COMPONENT_LABEL[k]} settings into the new web.config`,
        description: `Every appSettings and applicationSettings value of the backed-up ${w.webConfigPath} goes into the new file; nothing else in it changes${sdkMapping.length ? `; the SDK URL follows the SDK from /${sdkMapping[0]?.from} to /${sdkMapping[0]?.to}` : ''}.`,
        preconditions: [`${w.webConfigPath} is in the verified backup`, `${COMPONENT_LABEL[k]} ${pkg.identity.version} is installed`],
        protects: ['appSettings values', 'the SDK URL', 'the SDK account and its password'],
        undo: 'put the installed web.config back as it was before the merge',
      });
    }
    const custom = w.themes.filter((t) => t.toLowerCase() !== 'default');
    if (k === 'userPortal' && custom.length) {
      b.steps.push({
        id: b.id('restore-themes'),
        kind: 'restore-themes',
        themes: custom,
        originalAppThemes: joinWindowsPath(w.physicalPath, 'App_Themes'),
        targetAppThemes: joinWindowsPath(target, 'App_Themes'),
        site: w.site,
        vdir,
        title: 'Restore the custom portal themes',
        description: `Copy ${custom.join(', ')} back under App_Themes; the new Default theme is kept (the old one stays in the backup, to compare by hand).`,
        preconditions: ['the themes are in the verified backup'],
        protects: ['custom branding'],
        undo: 'remove the theme files this step created, and put back the ones it replaced',
      });
    }
    if (k === 'userPortal' && vdir.toLowerCase() !== w.vdir.toLowerCase()) {
      b.steps.push({
        id: b.id('manual-portal-url'),
        kind: 'manual',
        title: 'Tell users the new User Portal URL',
        description: `The portal moved from /${w.vdir} to /${vdir}.`,
        instructions: `In the MFA Server console, User Portal settings, set the User Portal URL to the new address (…/${vdir}), and tell users the new URL; bookmarks to /${w.vdir} stop working.`,
        preconditions: [],
        protects: [],
        undo: 'nothing to undo',
      });
    }
  }

  const mobile = components.get('mobileAppWebService');
  if (removeMobile && mobile?.product && !b.steps.some((s) => s.kind === 'uninstall' && s.productCode === mobile.product?.productCode)) {
    b.steps.push({
      id: b.id('uninstall-mobileAppWebService'),
      kind: 'uninstall',
      role: 'mobileAppWebService',
      productCode: mobile.product.productCode,
      name: mobile.product.name,
      version: mobile.product.version,
      component: 'mobileAppWebService',
      previous: { site: mobile.site, vdir: mobile.vdir },
      title: `Remove ${mobile.product.name} (not needed from MFA Server 8.0 on)`,
      description: 'From 8.0 the mobile app talks to the service directly; the Mobile App Web Service may be removed (procedure.md §2.10).',
      preconditions: [`${mobile.webConfigPath} is in the verified backup`],
      protects: [],
      undo: `reinstall ${mobile.product.name} ${mobile.product.version} from the backup and restore its web.config`,
    });
  }

  if (inventory.adfsAdapter) {
    b.steps.push({
      id: b.id('manual-adfs'),
      kind: 'manual',
      title: 'Upgrade the AD FS adapter',
      description: 'The adapter is re-registered in AD FS farm-wide, with users getting no second factor in between: it is its own procedure.',
      instructions: `Run 'mfa-upgrade adfs-upgrade' (Invoke-MfaAdfsAdapterUpgrade) with the new adapter package's config${sdkMapping.length ? `, and point WebServiceSdkUrl at /${sdkMapping[0]?.to}` : ''}.`,
      preconditions: [],
      protects: [],
      undo: 'nothing to undo',
    });
  } else if (sdkMapping.length && sdk) {
    b.warnings.push(`The SDK moves from /${sdkMapping[0]?.from} to /${sdkMapping[0]?.to}: update WebServiceSdkUrl in the AD FS adapter config on the AD FS servers, and the SDK URL of portals on other servers (plan them with --sdk-vdir ${sdkMapping[0]?.from}=${sdkMapping[0]?.to}).`);
  }
  return plan;
}
