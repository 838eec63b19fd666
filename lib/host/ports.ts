// The host ports: the only way any capability reaches the operating system.
// Two backends implement them: host/windows (native addon) and host/image (a folder).
// Paths given to ports are always Windows paths ("C:\\inetpub\\wwwroot\\PhoneFactor\\web.config").
import type { CancelSignal } from '../util/cancel.js';

/** Which registry view: '64' is the native view, '32' the WOW64 view (HKLM\SOFTWARE\WOW6432Node). */
export type RegistryView = '64' | '32';

/** A registry value, typed as Windows stores it. */
export type RegValue =
  | { type: 'REG_SZ'; data: string }
  | { type: 'REG_EXPAND_SZ'; data: string }
  | { type: 'REG_MULTI_SZ'; data: string[] }
  | { type: 'REG_DWORD'; data: number }
  | { type: 'REG_QWORD'; data: bigint }
  | { type: 'REG_BINARY'; data: Uint8Array }
  | { type: 'REG_NONE'; data: Uint8Array }
  /** Any other kind number (reg.exe writes them as hex(n):), kept byte for byte. */
  | { type: 'REG_OTHER'; kind: number; data: Uint8Array };

export interface RegNamedValue {
  /** '' is the key's default value (written "@" by reg.exe). */
  name: string;
  value: RegValue;
}

/**
 * Key paths use the full root name or its short form:
 * "HKEY_LOCAL_MACHINE\\SOFTWARE\\Positive Networks\\PhoneFactor" or "HKLM\\SOFTWARE\\...".
 * Reads of a missing key or value resolve to undefined: absence is a result, not an error.
 */
export interface Registry {
  getValue(key: string, name: string, view?: RegistryView): Promise<RegValue | undefined>;
  listValues(key: string, view?: RegistryView): Promise<RegNamedValue[] | undefined>;
  listSubkeys(key: string, view?: RegistryView): Promise<string[] | undefined>;
  keyExists(key: string, view?: RegistryView): Promise<boolean>;
  /** Creates the key (and its parents) when missing. */
  setValue(key: string, name: string, value: RegValue, view?: RegistryView): Promise<void>;
  deleteValue(key: string, name: string, view?: RegistryView): Promise<void>;
  /** Deletes the key and everything below it; a missing key is not an error. */
  deleteKey(key: string, view?: RegistryView): Promise<void>;
}

export type InstallContext = 'machine' | 'userManaged' | 'userUnmanaged';

/** A product as Windows Installer reports it (MsiEnumProductsEx + MsiGetProductInfoEx). */
export interface InstalledProduct {
  productCode: string;
  upgradeCode: string | null;
  name: string;
  version: string;
  publisher: string;
  installLocation: string;
  context: InstallContext;
  /** The cached .msi (LocalPackage), when known. */
  localPackage?: string;
}

/** What a package (an .msi, or a manifest standing for one on an image host) says about itself. */
export interface PackageIdentity {
  path: string;
  productCode: string;
  upgradeCode: string | null;
  name: string;
  version: string;
  manufacturer: string;
  /** 'x86' or 'x64', from the package's Template summary property. */
  platform: 'x86' | 'x64';
  /** Public property defaults from the package's Property table, where read (they tell which property sets a vdir). */
  properties?: Record<string, string>;
}

export interface InstallProgress {
  /** The current action name (e.g. "InstallFiles"), when Windows Installer gave one. */
  action?: string;
  /** 0..100, never decreasing within one operation. */
  percent: number;
  message?: string;
}

export interface InstallOptions {
  /** Public properties passed on the command line (e.g. { TARGETVDIR: 'PhoneFactor' }). */
  properties?: Record<string, string>;
  /** Verbose log file (msiexec /l*v equivalent). Windows path. */
  logFile?: string;
  onProgress?: (event: InstallProgress) => void;
  /**
   * Asks the operation to stop at Windows Installer's next progress message (the UI handler
   * answers IDCANCEL): the installer rolls back and the result is 1602.
   */
  cancel?: CancelSignal;
}

/** Windows Installer result, returned as is: 0, 3010, 1602, 1603, 1605, 1618, ... Policy lives in upgrade/. */
export interface InstallResult {
  exitCode: number;
  logFile?: string;
}

export interface Installer {
  listProducts(): Promise<InstalledProduct[]>;
  /** ProductCodes of installed products sharing this UpgradeCode. */
  relatedProducts(upgradeCode: string): Promise<string[]>;
  readPackage(packagePath: string): Promise<PackageIdentity>;
  install(packagePath: string, options?: InstallOptions): Promise<InstallResult>;
  uninstall(productCode: string, options?: InstallOptions): Promise<InstallResult>;
  /** Administrative install (msiexec /a): lays the package's files under targetDir without installing it. */
  adminExtract(packagePath: string, targetDir: string, options?: InstallOptions): Promise<InstallResult>;
  /**
   * The files a package would lay down whose file name is one of `names` (case-insensitive), read
   * without installing anything and without changing the host: an administrative extract into a
   * temporary folder of the machine running the tool (removed after), or the manifest on an image.
   * `target` is the file's path inside the package's layout, so the shortest one is its root.
   */
  readPackageFiles(packagePath: string, names: string[]): Promise<PackageFile[]>;
}

export interface PackageFile {
  target: string;
  bytes: Buffer;
}

export type ServiceState =
  | 'stopped'
  | 'start_pending'
  | 'stop_pending'
  | 'running'
  | 'continue_pending'
  | 'pause_pending'
  | 'paused';

export type ServiceStartType = 'boot' | 'system' | 'auto' | 'manual' | 'disabled';

export interface ServiceInfo {
  name: string;
  displayName: string;
  state: ServiceState;
  startType: ServiceStartType;
  /** The image path (command line) as registered. */
  path: string;
  /** Services this one depends on (the SCM stops dependents first). */
  dependsOn?: string[];
}

export interface ServiceWaitOptions {
  /** How long to wait for the service to reach the state. Default 60 s. */
  timeoutMs?: number;
}

export interface Services {
  list(): Promise<ServiceInfo[]>;
  get(name: string): Promise<ServiceInfo | undefined>;
  /**
   * Stops the service (its running dependents first, as the SCM requires) and waits until it is
   * stopped. Resolves to every service this call stopped, in the order they stopped (dependents
   * first, the named service last; empty when it was already stopped): callers that put things
   * back start them in reverse.
   */
  stop(name: string, options?: ServiceWaitOptions): Promise<string[]>;
  start(name: string, options?: ServiceWaitOptions): Promise<void>;
}

export interface FileStat {
  size: number;
  isDirectory: boolean;
  mtimeMs: number;
}

export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

export interface CopyResult {
  size: number;
  /** Lower-case hex SHA-256 of the bytes copied. */
  sha256: string;
}

export interface Files {
  readFile(path: string): Promise<Buffer>;
  stat(path: string): Promise<FileStat | undefined>;
  listDir(path: string): Promise<DirEntry[] | undefined>;
  /** Streams a file (large data files are never held whole in memory). */
  openRead(path: string): Promise<NodeJS.ReadableStream>;
  /**
   * Replaces the file atomically: write beside, flush, rename (ReplaceFileW on Windows, which keeps
   * the target's ACL). Creates the file when missing.
   */
  writeFileAtomic(path: string, data: Uint8Array): Promise<void>;
  /** writeFileAtomic for a stream: nothing held whole in memory; a failing source leaves the target as it was. */
  writeStreamAtomic(path: string, source: AsyncIterable<Uint8Array>): Promise<CopyResult>;
  /** Copies with a SHA-256 of what was written, flushed before returning. */
  copyFile(
    source: string,
    destination: string,
    onProgress?: (bytesDone: number, bytesTotal: number) => void,
  ): Promise<CopyResult>;
  mkdirp(path: string): Promise<void>;
  /** Removes a file or a folder tree; a missing path is not an error. */
  remove(path: string): Promise<void>;
  /** Restricts the path so only Administrators and SYSTEM can read it (0700/0600 off Windows). */
  protect(path: string): Promise<void>;
  /** Free bytes on the volume holding the path. */
  freeSpace(path: string): Promise<number>;
  /** Removes the temporary files a killed run's atomic writes left in a folder (their writer is gone). */
  removeStaleTemps(folder: string): Promise<string[]>;
}

export interface IisVirtualDirectory {
  /** "/" for the application's root. */
  path: string;
  /** As written in applicationHost.config (may hold %SystemDrive% etc.). */
  physicalPathRaw: string;
  /** With environment variables expanded. */
  physicalPath: string;
}

export interface IisApplication {
  siteName: string;
  siteId: string;
  /** Application path: "/" for the site root, "/PhoneFactor" for a portal. */
  path: string;
  applicationPool: string;
  virtualDirectories: IisVirtualDirectory[];
}

export interface IisSite {
  name: string;
  id: string;
  bindings: Array<{ protocol: string; bindingInformation: string }>;
  applications: IisApplication[];
}

export interface IisInstall {
  majorVersion: number;
  minorVersion: number;
}

export interface Iis {
  /** undefined when IIS is not installed (no InetStp key). */
  version(): Promise<IisInstall | undefined>;
  sites(): Promise<IisSite[]>;
}

/** A PowerShell error record, mapped from the child process or the runspace. */
export interface PowerShellErrorRecord {
  message: string;
  fullyQualifiedErrorId?: string;
  category?: string;
  targetObject?: string;
}

export interface PowerShell {
  /** Whether a command (e.g. Get-AdfsAuthenticationProvider) exists on this host. */
  hasCommand(name: string): Promise<boolean>;
  /**
   * Runs one cmdlet with named parameters and returns its output objects (as JSON would carry
   * them). A terminating error rejects with PowerShellError.
   */
  invoke(command: string, parameters?: Record<string, unknown>): Promise<unknown[]>;
}

export interface HostInfo {
  computerName: string;
  os: string;
  memoryMB?: number;
  /** Whether the tool runs elevated (as an administrator) there; undefined when it cannot tell. */
  isAdministrator?: boolean;
  /** Where the host's 'C:' drive and the like live, for messages: a folder path for an image host. */
  location: string;
}

export interface HttpProbeResult {
  /** The HTTP status code, when a response came. */
  status?: number;
  /** Why no response came (refused, timed out, a TLS failure). */
  error?: string;
}

export interface Network {
  /** Whether a TCP connection to host:port opens within the timeout. */
  canConnect(host: string, port: number, timeoutMs: number): Promise<boolean>;
  /**
   * One GET of the URL: whether the application behind it answers, and with what status. No
   * redirect is followed and the certificate is not judged (a local name rarely matches it).
   */
  httpProbe(url: string, timeoutMs: number): Promise<HttpProbeResult>;
}

/** One Windows machine, live or an image of one. */
export interface Host {
  readonly kind: 'windows' | 'image';
  /**
   * A local folder for the tool's own state about this host (the run lock): %ProgramData%\mfa-upgrade
   * on Windows, <image>/.mfa-upgrade for an image (outside the image's drive, so it is never part
   * of what the host holds).
   */
  readonly stateDir: string;
  /** Where a host path lives on the machine running the tool (the same path on Windows). */
  localPath(windowsPath: string): string;
  /**
   * Where the backend can look everywhere cheaply (an image), removes the temporary files of
   * killed writers anywhere on the host; on Windows the run's own folders are swept instead.
   */
  sweepStaleTemps?(): Promise<string[]>;
  info(): Promise<HostInfo>;
  readonly registry: Registry;
  readonly installer: Installer;
  readonly services: Services;
  readonly files: Files;
  readonly iis: Iis;
  readonly powershell: PowerShell;
  /** Outbound connectivity checks; absent where the backend cannot probe. */
  readonly network?: Network;
}
