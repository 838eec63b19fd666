// Step sequences more than one upgrade path uses: the VC++ runtimes first, PhoneFactor-era
// components removed, components (re)installed with their settings carried, the Mobile App Web
// Service removed on request, and the AD FS adapter's own sequence named as what follows.
import type { ComponentKind, WebComponentInventory } from '../../inventory/types.js';
import { joinWindowsPath } from '../../util/winpath.js';
import { majorOf } from '../../util/version.js';
import { NEW_DEFAULT_VDIR } from '../packages.js';
import { COMPONENT_LABEL, type PlanBuilder } from '../plan-builder.js';

export interface PathInputs {
  /** The components found, one per kind. */
  components: Map<ComponentKind, WebComponentInventory>;
  /** The kinds to (re)install: found, not skipped, not removed, not already current. */
  reinstall: ComponentKind[];
  removeMobile: boolean;
  sdkMapping: Array<{ from: string; to: string }>;
  targetMajor: number;
}

/** PhoneFactor 5.x order (procedure.md §2 steps 2-4): portal, mobile app, SDK, then the agent. */
export const UNINSTALL_ORDER: ComponentKind[] = ['userPortal', 'mobileAppWebService', 'webServiceSdk'];
/** Reinstall order: the SDK first, since the others call it. */
export const INSTALL_ORDER: ComponentKind[] = ['webServiceSdk', 'userPortal', 'mobileAppWebService'];

/** PhoneFactor-era components cannot be upgraded in place (procedure.md §2): uninstall first. */
export function isPhoneFactorEra(w: WebComponentInventory): boolean {
  return w.product !== null && /phone\s*factor/i.test(w.product.name) && !/multi-?factor/i.test(w.product.name);
}

function componentVdir(b: PlanBuilder, w: WebComponentInventory): string {
  return b.options.vdirNames === 'keep' ? w.vdir : NEW_DEFAULT_VDIR[w.component];
}

function physicalFor(w: WebComponentInventory, vdir: string): string {
  // The installers lay the site under the web root by vdir name; a renamed vdir keeps its folder.
  return vdir.toLowerCase() === w.vdir.toLowerCase() ? w.physicalPath : joinWindowsPath(w.physicalPath.replace(/\\[^\\]+$/, ''), vdir);
}

/** The SDK vdir rename carried URLs must follow: given, or the SDK's own when it gets the new name here. */
export function sdkMappingOf(b: PlanBuilder, components: Map<ComponentKind, WebComponentInventory>): Array<{ from: string; to: string }> {
  if (b.options.sdkVdir) return b.options.sdkVdir;
  const sdk = components.get('webServiceSdk');
  if (!sdk) return [];
  const to = componentVdir(b, sdk);
  return to.toLowerCase() !== sdk.vdir.toLowerCase() ? [{ from: sdk.vdir, to }] : [];
}

export function vcRedistFirst(b: PlanBuilder, targetMajor: number): void {
  for (const arch of ['x86', 'x64'] as const) {
    if (b.readiness.find((r) => r.id === `vcredist-${arch}`)?.status === 'pass') continue;
    const pkg = b.pkg('vcredist', arch);
    if (!pkg) continue;
    b.install(pkg, `Install ${pkg.identity.name}`, `MFA ${targetMajor} components need the Visual C++ 2015 Update 1 or later runtime (${arch}); installed first so a missing runtime cannot fail a later step half-way.`, { properties: {} }, ['no other installation running'], [], 'uninstall it (reinstalling the runtime it replaced, if any, from the backup)');
  }
}

/** Uninstalls the components `which` selects, portal first (procedure.md §2 steps 2-4). */
export function uninstallComponents(b: PlanBuilder, p: PathInputs, which: (w: WebComponentInventory) => boolean, beforeAgent: boolean): void {
  for (const k of UNINSTALL_ORDER) {
    const w = p.components.get(k);
    if (!w?.product || b.skipped(k) || !which(w)) continue;
    b.uninstall(
      {
        role: k,
        productCode: w.product.productCode,
        name: w.product.name,
        version: w.product.version,
        component: k,
        previous: { site: w.site, vdir: w.vdir },
        title: `Uninstall ${w.product.name} ${w.product.version}`,
        description: `PhoneFactor 5.x components cannot be upgraded in place: remove ${COMPONENT_LABEL[k]} (${w.site}/${w.vdir})${beforeAgent ? ' before the agent' : ''}.`,
        preconditions: [`${w.webConfigPath} is in the verified backup`, ...(w.themes.length ? [`themes ${w.themes.join(', ')} are in the verified backup`] : [])],
        protects: [],
        undo: `reinstall ${w.product.name} ${w.product.version} from its cached package in the backup, then restore its web.config${w.themes.length ? ' and themes' : ''}`,
      },
      `uninstall-${k}`,
    );
  }
}

/** Installs each component to keep, carrying its settings and themes; `inPlace` says which are upgraded rather than reinstalled. */
export function installComponents(b: PlanBuilder, p: PathInputs, inPlace: (w: WebComponentInventory) => boolean): void {
  for (const k of INSTALL_ORDER) {
    const w = p.components.get(k);
    if (!w || !p.reinstall.includes(k)) continue;
    const pkg = b.pkg(k);
    if (!pkg) continue;
    const vdir = componentVdir(b, w);
    const properties = b.componentProperties(k, pkg, vdir, w.site);
    const target = physicalFor(w, vdir);
    const upgrade = inPlace(w);
    b.install(
      pkg,
      `Install ${pkg.identity.name} ${pkg.identity.version} as ${w.site}/${vdir}`,
      `${upgrade ? 'Upgrade' : 'Reinstall'} ${COMPONENT_LABEL[k]} ${vdir === w.vdir ? `keeping the vdir name '${vdir}'` : `under the new default vdir '${vdir}' (was '${w.vdir}')`}.`,
      { component: k, properties, placement: { site: w.site, vdir }, ...(upgrade ? { previous: { site: w.site, vdir: w.vdir } } : {}) },
      [k === 'webServiceSdk' ? 'MFA Server is installed' : 'the old web.config is in the verified backup', 'Visual C++ 2015 Update 1 or later, x86 and x64'],
      [],
      `uninstall it${upgrade ? `, reinstall ${w.product?.name ?? COMPONENT_LABEL[k]} ${w.product?.version ?? ''} from the backup and restore its web.config` : ''}`,
    );
    if (k !== 'webServiceSdk' && w.webConfigExists) b.merge(w, target, vdir, p.sdkMapping, pkg);
    const custom = w.themes.filter((t) => t.toLowerCase() !== 'default');
    if (k === 'userPortal' && custom.length) b.themes(w, custom, target, vdir);
    const shipped = w.themes.find((t) => t.toLowerCase() === 'default');
    if (k === 'userPortal' && shipped) b.keepTheme(w, shipped, target, vdir);
    if (k === 'mobileAppWebService' && vdir.toLowerCase() !== w.vdir.toLowerCase()) {
      b.manual(
        'manual-mobile-app-url',
        'Update the Mobile App Web Service URL in the MFA Server console',
        `The Mobile App Web Service moved from /${w.vdir} to /${vdir}; the MFA Server hands its URL to the mobile apps.`,
        `In the Multi-Factor Authentication Server console, set the Mobile App Web Service URL to the new address (…/${vdir}/, was …/${w.vdir}/), and update any reverse proxy or firewall rule that publishes /${w.vdir}.`,
      );
    }
    if (k === 'userPortal' && vdir.toLowerCase() !== w.vdir.toLowerCase()) {
      b.manual(
        'manual-portal-url',
        'Tell users the new User Portal URL',
        `The portal moved from /${w.vdir} to /${vdir}.`,
        `In the MFA Server console, User Portal settings, set the User Portal URL to the new address (…/${vdir}), and tell users the new URL; bookmarks to /${w.vdir} stop working.`,
      );
    }
  }
}

/** From 8.0 on the Mobile App Web Service may go (procedure.md §2.10), when the administrator asks. */
export function removeMobileApp(b: PlanBuilder, p: PathInputs): void {
  const mobile = p.components.get('mobileAppWebService');
  const from = mobile?.product?.version;
  if (mobile && !p.removeMobile && p.reinstall.includes('mobileAppWebService') && p.targetMajor >= 8 && (from === undefined || (majorOf(from) ?? 0) < 8)) {
    b.warnings.push(
      `The Mobile App Web Service (${mobile.site}/${mobile.vdir}) is reinstalled, but from MFA Server 8.0 on it may no longer be needed (procedure.md §2.10): if the mobile apps here do not use it, plan again with --remove-mobile-app to remove it instead.`,
    );
  }
  if (!p.removeMobile || !mobile?.product || b.steps.some((s) => s.kind === 'uninstall' && s.productCode === mobile.product?.productCode)) return;
  b.uninstall(
    {
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
    },
    'uninstall-mobileAppWebService',
  );
}

/** The adapter is re-registered farm-wide by its own sequence: named here as what follows. */
export function adfsFollowUp(b: PlanBuilder, p: PathInputs): void {
  if (b.inventory.adfsAdapter) {
    b.manual(
      'manual-adfs',
      'Upgrade the AD FS adapter',
      'The adapter is re-registered in AD FS farm-wide, with users getting no second factor in between: it is its own procedure.',
      `Run 'mfa-upgrade adfs-upgrade' (Invoke-MfaAdfsAdapterUpgrade) with the new adapter package's config${p.sdkMapping.length ? `, and point WebServiceSdkUrl at /${p.sdkMapping[0]?.to}` : ''}.`,
    );
  } else if (p.sdkMapping.length && p.components.has('webServiceSdk')) {
    b.warnings.push(`The SDK moves from /${p.sdkMapping[0]?.from} to /${p.sdkMapping[0]?.to}: update WebServiceSdkUrl in the AD FS adapter config on the AD FS servers, and the SDK URL of portals on other servers (plan them with --sdk-vdir ${p.sdkMapping[0]?.from}=${p.sdkMapping[0]?.to}).`);
  }
}

/** Components the administrator chose to upgrade by hand: recorded as left to do, never as done. */
export function skippedComponents(b: PlanBuilder, p: PathInputs): void {
  for (const k of b.options.skipComponents ?? []) {
    const w = p.components.get(k);
    const label = COMPONENT_LABEL[k];
    b.manual(
      `manual-skipped-${k}`,
      `Upgrade the ${label} by hand (--skip-component ${k})`,
      `${label}${w ? ` (${w.site}/${w.vdir})` : ''} was left out of this plan at the administrator's request.`,
      `Upgrade the ${label} with its installer and carry its web.config settings (mfa-upgrade merge-config), or plan it on its own later.`,
    );
  }
}
