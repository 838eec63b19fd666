// The inventory: what is installed where, as discovered (never assumed).

export type Generation = 'phonefactor-agent' | 'mfa-server';
export type ComponentKind = 'userPortal' | 'mobileAppWebService' | 'webServiceSdk';
export type FamilyRole = 'server' | ComponentKind | 'adfsAdapter' | 'unknown';

export interface ProductRef {
  productCode: string;
  upgradeCode: string | null;
  name: string;
  version: string;
  publisher: string;
}

export interface ServiceRef {
  name: string;
  displayName: string;
  state: string;
  startType: string;
}

export interface ServerInventory {
  product: ProductRef;
  generation: Generation;
  /** False when the version lies outside the ranges this tool knows (reported, never guessed). */
  versionKnown: boolean;
  versionNote?: string;
  installPath: string | null;
  /** InstallPath as found in each registry view (Positive Networks\PhoneFactor). */
  installPathRegistry: { '32': string | null; '64': string | null };
  dataFile: { path: string; exists: boolean; size: number | null };
  logFile: { path: string; exists: boolean };
  services: ServiceRef[];
}

export interface WebComponentInventory {
  component: ComponentKind;
  product: ProductRef | null;
  site: string;
  vdir: string;
  physicalPath: string;
  webConfigPath: string;
  webConfigExists: boolean;
  /** The SDK URL this component calls (a setting ending in _pfwssdk_PfWsSdk), when it has one. */
  sdkUrl: string | null;
  sdkUrlSetting: string | null;
  useWebServiceSdk: boolean | null;
  /** Folders under App_Themes (the portal's custom themes). */
  themes: string[];
  /** Why this application is taken for this component (marker file, SDK setting prefix, default vdir name, installed product). */
  evidence: string[];
  /** The web.config is there but cannot be read (malformed, hostile): the component's upgrade is blocked. */
  webConfigError?: string;
}

export interface AdfsAdapterInventory {
  product: ProductRef;
  installPath: string | null;
  configFile: { path: string; exists: boolean } | null;
  /** The MFA provider registered in AD FS (read with Get-AdfsAuthenticationProvider), when this is an AD FS server. */
  registered: AdfsRegistration | null;
}

export interface AdfsRegistration {
  name: string;
  typeName: string;
  /** The assembly version in the type name. */
  version: string | null;
  /** Whether the global policy lists it as an additional authentication provider. */
  inGlobalPolicy: boolean;
}

export interface Inventory {
  host: { computerName: string; os: string; kind: 'windows' | 'image'; location: string };
  server: ServerInventory | null;
  webComponents: WebComponentInventory[];
  adfsAdapter: AdfsAdapterInventory | null;
  /** Products whose names look like MFA components but that could not be placed. */
  unrecognisedProducts: ProductRef[];
  /**
   * Every installed product of the PhoneFactor / MFA Server family, as Windows Installer reports
   * it, with the role its name gives ('unknown' when none): what a plan must account for.
   */
  familyProducts: Array<ProductRef & { role: FamilyRole }>;
  warnings: string[];
}
