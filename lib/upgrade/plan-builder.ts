// The pieces every upgrade path builds its plan from: step ids, the newest package of a role,
// blockers, and one constructor per step kind (what each step needs, protects and how it is
// undone, in words an administrator reads before anything runs).
import type { ComponentKind, Inventory, WebComponentInventory } from '../inventory/types.js';
import type { CheckResult } from '../readiness/types.js';
import { compareVersions } from '../util/version.js';
import type { FleetFile } from './fleet.js';
import type { ReplicationRole } from './replication-role.js';
export type { ReplicationRole } from './replication-role.js';
import { joinWindowsPath } from '../util/winpath.js';
import type { PackageFolderReport } from './package-check.js';
import { NEW_DEFAULT_VDIR, sitePropertyOf, vdirPropertyOf, type KnownPackage, type PackageRole } from './packages.js';
import type { Blocker, InstallStep, KeepThemeStep, ManualStep, MergeConfigStep, PlanStep, RestoreThemesStep, UninstallStep, VdirChoice, WaitConversionStep } from './plan-types.js';

export interface PlanOptions {
  vdirNames: VdirChoice;
  /** From 8.0 on, the Mobile App Web Service is no longer needed (procedure.md §2.10). */
  removeMobileApp?: boolean;
  /** The package property that sets the IIS virtual directory, when the package does not show it. */
  vdirProperty?: string;
  /** SDK vdir renames to follow in carried URLs, when the SDK lives on another server (--sdk-vdir). */
  sdkVdir?: Array<{ from: string; to: string }>;
  /** Components the administrator upgrades by hand: left alone, and reported as left to do. */
  skipComponents?: ComponentKind[];
  /** ProductCodes the administrator says are not part of the MFA deployment (a name that only looks like it). */
  ignoreProducts?: string[];
  /** This server's replication role (--role): not recorded anywhere public, so the administrator's word. */
  role?: ReplicationRole;
  /** The administrator states that every subordinate is already at the target version (--subordinates-upgraded). */
  subordinatesUpgraded?: boolean;
  /** The node is behind a load balancer (--load-balanced, or the fleet file): drained before, returned after. */
  loadBalanced?: boolean;
  /** The fleet file, when given to a single server's plan (--fleet): its role, its load balancer, its subordinates' versions. */
  fleet?: FleetContext;
  /** The run will not wait for a person (--unattended): what a person would confirm blocks the plan instead. */
  unattended?: boolean;
  /** Carry keys that only the old web.config has (--carry-removed), as merge-config does. */
  carryRemoved?: boolean;
  /** The packages folder as inspected (package-check.ts): its problems block the plan. */
  packageFolder?: PackageFolderReport;
}


/** A fleet file given to a single server's plan: what it says about this server and its subordinates. */
export interface FleetContext {
  file: string;
  fleet: FleetFile;
}

export const COMPONENT_LABEL: Record<ComponentKind, string> = {
  userPortal: 'User Portal',
  mobileAppWebService: 'Mobile App Web Service',
  webServiceSdk: 'Web Service SDK',
};

/** The installer file a component comes from (in the MFA Server install folder), for messages. */
export const COMPONENT_MSI: Record<ComponentKind, string> = {
  userPortal: 'MultiFactorAuthenticationUserPortalSetup64.msi',
  mobileAppWebService: 'MultiFactorAuthenticationMobileAppWebServiceSetup64.msi',
  webServiceSdk: 'MultiFactorAuthenticationWebServiceSdkSetup64.msi',
};

export class PlanBuilder {
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

  /** The newest package of a role (and platform). */
  pkg(role: PackageRole, platform?: 'x86' | 'x64'): KnownPackage | undefined {
    const all = this.packages.filter((p) => p.role === role && (!platform || p.identity.platform === platform));
    return [...all].sort((a, b) => compareVersions(b.identity.version, a.identity.version))[0];
  }

  block(message: string, remedy: string): void {
    this.blockers.push({ message, remedy });
  }

  skipped(kind: ComponentKind): boolean {
    return this.options.skipComponents?.includes(kind) === true;
  }

  backup(): void {
    this.steps.push({
      id: this.id('backup'),
      kind: 'backup',
      title: 'Back up and verify',
      description: 'Take a backup bundle of the data folder, every web.config, custom themes, the AD FS adapter config, the PhoneFactor registry key and the cached installer packages, then re-read and verify it.',
      preconditions: ['enough free space where the backup is written'],
      protects: ['everything the later steps could lose'],
      undo: 'nothing to undo: the backup is kept',
    });
  }

  install(pkg: KnownPackage, title: string, description: string, extra: Pick<InstallStep, 'properties'> & Partial<Pick<InstallStep, 'component' | 'previous' | 'placement'>>, preconditions: string[], protects: string[], undo: string): InstallStep {
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
      properties: extra.properties,
      ...(extra.component ? { component: extra.component } : {}),
      ...(extra.previous ? { previous: extra.previous } : {}),
      ...(extra.placement ? { placement: extra.placement } : {}),
    };
    this.steps.push(step);
    return step;
  }

  uninstall(step: Omit<UninstallStep, 'id' | 'kind'>, slug: string): UninstallStep {
    const full: UninstallStep = { id: this.id(slug), kind: 'uninstall', ...step };
    this.steps.push(full);
    return full;
  }

  manual(slug: string, title: string, description: string, instructions: string, blocking = false): ManualStep {
    const step: ManualStep = { id: this.id(slug), kind: 'manual', title, description, instructions, preconditions: [], protects: [], undo: 'nothing to undo', ...(blocking ? { blocking } : {}) };
    this.steps.push(step);
    return step;
  }

  /** Follows the service log after an MFA Server install until the data file is converted. */
  waitConversion(install: InstallStep, installPath: string | null): WaitConversionStep {
    const step: WaitConversionStep = {
      id: this.id('wait-conversion'),
      kind: 'wait-conversion',
      service: 'MultiFactorAuth',
      installStep: install.id,
      installPath,
      title: 'Wait for MFA Server to convert the data file',
      description: `Follow ${installPath ? `${joinWindowsPath(installPath, 'Logs')}\\` : ''}MultiFactorAuthSvc.log from the service's start until it logs "Completed performing tasks to upgrade from <n> to <m>"; nothing restarts the service or the server meanwhile (no 3010 before it). After --conversion-timeout the run pauses for a person to confirm.`,
      preconditions: [`${install.name} ${install.version} is installed`],
      protects: ['the data file, while the service converts it'],
      undo: 'nothing to undo (it only reads the log)',
    };
    this.steps.push(step);
    return step;
  }

  merge(w: WebComponentInventory, target: string, vdir: string, sdkVdir: Array<{ from: string; to: string }>, pkg: KnownPackage): MergeConfigStep {
    const version = pkg.identity.version;
    const label = COMPONENT_LABEL[w.component];
    const step: MergeConfigStep = {
      id: this.id(`merge-config-${w.component}`),
      kind: 'merge-config',
      component: w.component,
      original: w.webConfigPath,
      target: joinWindowsPath(target, 'web.config'),
      site: w.site,
      vdir,
      sdkVdir,
      package: pkg.identity.path,
      ...(w.product ? { oldProduct: { productCode: w.product.productCode, name: w.product.name, version: w.product.version } } : {}),
      ...(this.options.carryRemoved ? { carryRemoved: true } : {}),
      title: `Carry the ${label} settings into the new web.config`,
      description: `Every appSettings and applicationSettings value of the backed-up ${w.webConfigPath} goes into the new file${sdkVdir.length ? ` (the SDK URL follows the SDK from /${sdkVdir[0]?.from} to /${sdkVdir[0]?.to})` : ''}, with ${w.component === 'userPortal' ? 'the portal theme and ' : ''}what the administrator changed under system.web and system.webServer (judged against ${w.product ? `${w.product.name} ${w.product.version}'s own web.config` : 'the old version\'s own web.config'}); what cannot be carried is left to do; nothing else in the new file changes.`,
      preconditions: [`${w.webConfigPath} is in the verified backup`, `${label} ${version} is installed`],
      protects: ['appSettings values', 'the SDK URL', 'the SDK account and its password', 'security headers, cookies, session state, custom errors, authentication and the theme'],
      undo: 'put the installed web.config back as it was before the merge',
    };
    this.steps.push(step);
    return step;
  }

  themes(w: WebComponentInventory, custom: string[], target: string, vdir: string): RestoreThemesStep {
    const step: RestoreThemesStep = {
      id: this.id('restore-themes'),
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
    };
    this.steps.push(step);
    return step;
  }

  /** A locally changed Default theme is kept aside (App_Data) and reported, since the new version's replaces it. */
  keepTheme(w: WebComponentInventory, theme: string, target: string, vdir: string): KeepThemeStep {
    const step: KeepThemeStep = {
      id: this.id('keep-theme'),
      kind: 'keep-theme',
      theme,
      originalAppThemes: joinWindowsPath(w.physicalPath, 'App_Themes'),
      targetFolder: target,
      site: w.site,
      vdir,
      ...(w.product ? { oldProduct: { productCode: w.product.productCode, name: w.product.name, version: w.product.version } } : {}),
      title: `Keep a locally changed ${theme} theme aside`,
      description: `The new version installs its own ${theme} theme. If the old one differs from what ${w.product ? `${w.product.name} ${w.product.version}` : 'the old version'} shipped, a copy goes to App_Data\\mfa-upgrade (not served by IIS) and re-applying the change is left to do.`,
      preconditions: ['the themes are in the verified backup'],
      protects: [`local changes to the ${theme} theme`],
      undo: 'remove the copy',
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
