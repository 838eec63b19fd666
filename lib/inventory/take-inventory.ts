// Discovery: what is installed on a host, from Windows Installer, the registry, services, IIS
// and the files on disk. Products are recognised by name patterns and by what lies on disk.
import { MfaError } from '../errors.js';
import { joinWindowsPath } from '../util/winpath.js';
import { compareVersions } from '../util/version.js';
import { readString } from '../host/registry-values.js';
import type { Host, IisApplication, InstalledProduct, Registry } from '../host/ports.js';
import { classifyServer, isFamilyName, productRef, roleOf } from './products.js';
import type { AdfsAdapterInventory, AdfsRegistration, ComponentKind, Inventory, ProductRef, ServerInventory, ServiceRef, WebComponentInventory } from './types.js';
import { readWebConfigFacts, type WebConfigFacts } from './webconfig-read.js';
import { readPolicy, readProviders } from '../adfs/adfs-state.js';
import { redactEmbedded } from '../config/redact.js';

export const PHONEFACTOR_KEY = 'HKLM\\SOFTWARE\\Positive Networks\\PhoneFactor';
export const MFA_SERVICES = ['MultiFactorAuth', 'MultiFactorAuthAdSync'];
export const ADFS_ADAPTER_CONFIG = 'MultiFactorAuthenticationAdfsAdapter.config';

/** The file that tells each web component apart, in its physical folder. */
const COMPONENT_MARKERS: Array<{ kind: ComponentKind; file: string }> = [
  { kind: 'webServiceSdk', file: 'PfWsSdk.asmx' },
  { kind: 'mobileAppWebService', file: 'PfPaWs.asmx' },
];

/** InstallPath under Positive Networks\\PhoneFactor in one registry view; null when absent or empty. */
export async function readInstallPath(registry: Registry, view: '32' | '64'): Promise<string | null> {
  return (await readString(registry, PHONEFACTOR_KEY, 'InstallPath', view)) || null;
}

/** The on-disk name of a file in a folder, matched case-insensitively (Phonefactor.pfdata). */
async function actualName(host: Host, folder: string, name: string): Promise<string> {
  const entries = await host.files.listDir(folder);
  return entries?.find((e) => e.name.toLowerCase() === name.toLowerCase())?.name ?? name;
}

function underPath(path: string, folder: string): boolean {
  const norm = (p: string) => p.replace(/^"/, '').replace(/[\\/]+$/, '').toLowerCase();
  return norm(path).startsWith(`${norm(folder)}\\`);
}

async function inspectServer(host: Host, product: InstalledProduct, warnings: string[]): Promise<ServerInventory> {
  const cls = classifyServer(product.name, product.version);
  const reg32 = await readInstallPath(host.registry, '32');
  const reg64 = await readInstallPath(host.registry, '64');
  const installPath = reg32 ?? reg64 ?? (product.installLocation || null);
  if (!reg32 && !reg64) warnings.push(`InstallPath is missing from ${PHONEFACTOR_KEY} in both registry views; the installer would not find the old folder.`);
  if (reg32 && reg64 && reg32.toLowerCase() !== reg64.toLowerCase()) warnings.push(`InstallPath differs between the 32-bit view (${reg32}) and the 64-bit view (${reg64}); the 32-bit view is the one the installer reads.`);
  let dataFile: ServerInventory['dataFile'] = { path: '', exists: false, size: null };
  let logFile: ServerInventory['logFile'] = { path: '', exists: false };
  if (installPath) {
    const dataDir = joinWindowsPath(installPath, 'Data');
    // PhoneFactor-era agents named it Phonefactor.pfdata; the on-disk name wins either way.
    const defaultName = cls.generation === 'phonefactor-agent' ? 'Phonefactor.pfdata' : 'PhoneFactor.pfdata';
    const dataPath = joinWindowsPath(dataDir, await actualName(host, dataDir, defaultName));
    const st = await host.files.stat(dataPath);
    dataFile = { path: dataPath, exists: st !== undefined && !st.isDirectory, size: st && !st.isDirectory ? st.size : null };
    if (!dataFile.exists) warnings.push(`The data file ${dataPath} does not exist.`);
    // MFA Server logs to MultiFactorAuthSvc.log; older agents used other names, so fall back to
    // whatever .log file the Logs folder holds.
    const logDir = joinWindowsPath(installPath, 'Logs');
    const logs = ((await host.files.listDir(logDir)) ?? []).filter((e) => !e.isDirectory && /\.log$/i.test(e.name)).map((e) => e.name);
    const logName = logs.find((n) => n.toLowerCase() === 'multifactorauthsvc.log') ?? logs[0];
    logFile = { path: joinWindowsPath(logDir, logName ?? 'MultiFactorAuthSvc.log'), exists: logName !== undefined };
  }
  const services: ServiceRef[] = (await host.services.list())
    .filter((s) => MFA_SERVICES.some((n) => n.toLowerCase() === s.name.toLowerCase()) || (installPath !== null && underPath(s.path, installPath)))
    .map((s) => ({ name: s.name, displayName: s.displayName, state: s.state, startType: s.startType }));
  const server: ServerInventory = {
    product: productRef(product),
    generation: cls.generation,
    versionKnown: cls.versionKnown,
    installPath,
    installPathRegistry: { '32': reg32, '64': reg64 },
    dataFile,
    logFile,
    services,
  };
  if (cls.note) {
    server.versionNote = cls.note;
    warnings.push(`${product.name}: ${cls.note}; this tool will not plan an upgrade from it.`);
  }
  return server;
}

/** The documented default vdir names (procedure.md §1). */
const DEFAULT_VDIRS: Record<string, ComponentKind> = {
  phonefactorwebservicesdk: 'webServiceSdk',
  multifactorauthwebservicesdk: 'webServiceSdk',
  phonefactor: 'userPortal',
  multifactorauth: 'userPortal',
  phonefactorphoneappwebservice: 'mobileAppWebService',
  multifactorauthmobileappwebservice: 'mobileAppWebService',
};

/** The prefix of the SDK URL setting tells which component a web.config belongs to (pfup_pfwssdk_PfWsSdk). */
const SETTING_PREFIXES: Array<{ prefix: RegExp; kind: ComponentKind }> = [
  { prefix: /^pfup_/i, kind: 'userPortal' },
  { prefix: /^pfpaws_/i, kind: 'mobileAppWebService' },
];

/** Application pools the MFA installers and administrators name after the product. */
const MFA_POOL = /phone\s*factor|multi-?factor|\bmfa\b|pfup|pfpaws|pfwssdk/i;

interface Classified {
  kind: ComponentKind;
  evidence: string[];
  webConfig?: { facts?: WebConfigFacts; error?: string };
}

/**
 * Which MFA component an IIS application is, from every kind of evidence: the marker file in its
 * folder, the prefix of the SDK setting in its web.config, its documented default vdir name
 * (whether or not a web.config is there), and an installed component product whose install folder
 * holds it. Undefined when nothing says it is one.
 */
async function classifyApplication(host: Host, app: IisApplication, physicalPath: string, byRole: Map<string, InstalledProduct[]>): Promise<Classified | undefined> {
  const votes: Array<{ kind: ComponentKind; why: string }> = [];
  const entries = (await host.files.listDir(physicalPath)) ?? [];
  const names = new Set(entries.map((e) => e.name.toLowerCase()));
  for (const m of COMPONENT_MARKERS) if (names.has(m.file.toLowerCase())) votes.push({ kind: m.kind, why: `${m.file} in its folder` });
  let webConfig: Classified['webConfig'];
  if (names.has('web.config')) {
    const path = joinWindowsPath(physicalPath, 'web.config');
    try {
      const facts = readWebConfigFacts(await host.files.readFile(path), path);
      webConfig = { facts };
      const setting = facts.sdkSetting?.name;
      const byPrefix = setting ? SETTING_PREFIXES.find((p) => p.prefix.test(setting)) : undefined;
      if (byPrefix && setting) votes.push({ kind: byPrefix.kind, why: `its web.config setting ${setting}` });
    } catch (e) {
      webConfig = { error: e instanceof MfaError ? e.toString() : `${path}: ${String(e)}` };
    }
  }
  const byName = DEFAULT_VDIRS[app.path.replace(/^\//, '').toLowerCase()];
  if (byName) votes.push({ kind: byName, why: `the documented default vdir name ${app.path}` });
  for (const kind of ['userPortal', 'mobileAppWebService', 'webServiceSdk'] as const) {
    for (const p of byRole.get(kind) ?? []) {
      if (p.installLocation && sameOrUnder(physicalPath, p.installLocation)) votes.push({ kind, why: `${p.name} is installed in ${p.installLocation}` });
    }
  }
  const first = votes[0];
  if (!first) return undefined;
  // Marker files outrank settings, settings outrank names: the order votes were cast in.
  return { kind: first.kind, evidence: votes.filter((v) => v.kind === first.kind).map((v) => v.why), ...(webConfig ? { webConfig } : {}) };
}

function sameOrUnder(path: string, folder: string): boolean {
  const norm = (p: string) => p.replace(/[\\/]+$/, '').toLowerCase();
  return norm(path) === norm(folder) || norm(path).startsWith(`${norm(folder)}\\`);
}

async function inspectWebComponent(host: Host, found: Classified, app: IisApplication, product: ProductRef | null, warnings: string[]): Promise<WebComponentInventory> {
  const kind = found.kind;
  const physicalPath = app.virtualDirectories.find((v) => v.path === '/')?.physicalPath ?? '';
  const webConfigPath = joinWindowsPath(physicalPath, 'web.config');
  const item: WebComponentInventory = {
    component: kind,
    product,
    site: app.siteName,
    vdir: app.path.replace(/^\//, ''),
    physicalPath,
    webConfigPath,
    webConfigExists: false,
    sdkUrl: null,
    sdkUrlSetting: null,
    useWebServiceSdk: null,
    themes: [],
    evidence: found.evidence,
  };
  const st = await host.files.stat(webConfigPath);
  if (st && !st.isDirectory) {
    item.webConfigExists = true;
    const facts = found.webConfig?.facts;
    if (found.webConfig?.error !== undefined) {
      item.webConfigError = found.webConfig.error;
      warnings.push(`${found.webConfig.error} (the upgrade of this ${kind} is blocked until it can be read)`);
    } else if (facts) {
      if (facts.sdkSetting) {
        // Shown as the inventory's output: a password in the URL (https://user:pass@host/) is masked.
        item.sdkUrl = redactEmbedded(facts.sdkSetting.value);
        item.sdkUrlSetting = facts.sdkSetting.name;
      }
      const use = facts.appSettings.get('USE_WEB_SERVICE_SDK');
      item.useWebServiceSdk = use === undefined ? null : use.toLowerCase() === 'true';
    }
  } else if (kind !== 'webServiceSdk') {
    warnings.push(`${webConfigPath} is missing.`);
  }
  const themes = await host.files.listDir(joinWindowsPath(physicalPath, 'App_Themes'));
  item.themes = (themes ?? []).filter((t) => t.isDirectory).map((t) => t.name);
  return item;
}

export async function takeInventory(host: Host): Promise<Inventory> {
  const info = await host.info();
  const warnings: string[] = [];
  const products = await host.installer.listProducts();
  const byRole = new Map<string, InstalledProduct[]>();
  const unrecognised: ProductRef[] = [];
  const familyProducts: Inventory['familyProducts'] = [];
  for (const p of products) {
    const role = roleOf(p.name);
    if (role) byRole.set(role, [...(byRole.get(role) ?? []), p]);
    else if (isFamilyName(p.name)) unrecognised.push(productRef(p));
    if (role || isFamilyName(p.name)) familyProducts.push({ ...productRef(p), role: role ?? 'unknown' });
  }

  const servers = byRole.get('server') ?? [];
  if (servers.length > 1) warnings.push(`${servers.length} server products are installed (${servers.map((s) => `${s.name} ${s.version}`).join(', ')}); the newest is reported.`);
  const serverProduct = [...servers].sort((a, b) => compareVersions(b.version, a.version))[0];
  const server = serverProduct ? await inspectServer(host, serverProduct, warnings) : null;
  if (!server && (await readInstallPath(host.registry, '32')) !== null) {
    warnings.push(`${PHONEFACTOR_KEY} has an InstallPath but Windows Installer reports no MFA Server or PhoneFactor Agent product.`);
  }

  const webComponents: WebComponentInventory[] = [];
  const placed = new Set<string>();
  for (const site of await host.iis.sites()) {
    for (const app of site.applications) {
      if (app.path === '/') continue;
      const physical = app.virtualDirectories.find((v) => v.path === '/')?.physicalPath;
      if (!physical) continue;
      const found = await classifyApplication(host, app, physical, byRole);
      if (!found) {
        if (MFA_POOL.test(app.applicationPool)) warnings.push(`${site.name}${app.path} runs in the application pool ${app.applicationPool} but is not recognisable as an MFA component (no marker file, SDK setting, default vdir name or installed product): check it by hand.`);
        continue;
      }
      const kind = found.kind;
      const candidates = byRole.get(kind) ?? [];
      // Several products of one kind (x86 and x64 side by side) are told apart by install folder.
      const product = candidates.find((p) => p.installLocation && physical.toLowerCase().startsWith(p.installLocation.replace(/\\$/, '').toLowerCase())) ?? candidates.find((p) => !placed.has(p.productCode)) ?? null;
      if (product) placed.add(product.productCode);
      webComponents.push(await inspectWebComponent(host, found, app, product ? productRef(product) : null, warnings));
    }
  }
  for (const kind of ['userPortal', 'mobileAppWebService', 'webServiceSdk'] as const) {
    for (const p of byRole.get(kind) ?? []) {
      if (!placed.has(p.productCode)) warnings.push(`${p.name} ${p.version} is installed but no IIS application serves it.`);
    }
  }

  let adfsAdapter: AdfsAdapterInventory | null = null;
  const adapter = byRole.get('adfsAdapter')?.[0];
  if (adapter) {
    const dir = adapter.installLocation || server?.installPath || null;
    let configFile: AdfsAdapterInventory['configFile'] = null;
    if (dir) {
      const path = joinWindowsPath(dir, await actualName(host, dir, ADFS_ADAPTER_CONFIG));
      configFile = { path, exists: (await host.files.stat(path)) !== undefined };
      if (!configFile.exists) warnings.push(`The AD FS adapter config ${path} does not exist.`);
    }
    adfsAdapter = { product: productRef(adapter), installPath: dir, configFile, registered: await readAdfsRegistration(host, warnings) };
  }

  return {
    host: { computerName: info.computerName, os: info.os, kind: host.kind, location: info.location },
    server,
    webComponents,
    adfsAdapter,
    unrecognisedProducts: unrecognised,
    familyProducts,
    warnings,
  };
}

/** The names AD FS knows the MFA Server adapter by: before v7, and v7 on. */
export const ADFS_PROVIDER_NAMES = ['WindowsAzureMultiFactorAuthentication', 'AzureMfaServerAuthentication'] as const;

async function readAdfsRegistration(host: Host, warnings: string[]): Promise<AdfsRegistration | null> {
  if (!(await host.powershell.hasCommand('Get-AdfsAuthenticationProvider'))) return null;
  const mfa = (await readProviders(host.powershell)).filter((p) => ADFS_PROVIDER_NAMES.some((n) => n.toLowerCase() === p.name.toLowerCase()));
  if (mfa.length === 0) return null;
  if (mfa.length > 1) warnings.push(`Both ${mfa.map((p) => p.name).join(' and ')} are registered in AD FS; only one MFA Server adapter should be.`);
  const first = mfa[0] as (typeof mfa)[number];
  const typeName = first.typeName ?? '';
  const additional = await readPolicy(host.powershell);
  return {
    name: first.name,
    typeName,
    version: /Version=([\d.]+)/.exec(typeName)?.[1] ?? null,
    inGlobalPolicy: additional.some((a) => a.toLowerCase() === first.name.toLowerCase()),
  };
}
