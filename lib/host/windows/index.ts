// The live-machine backend: the host ports over the native addon (registry, Windows Installer,
// services, files), IIS read from applicationHost.config (the same reader image hosts use),
// PowerShell through host/powershell's transports. Loaded lazily by host/open.ts: other
// platforms never touch the addon.
import { hostname, totalmem } from 'node:os';
import { ConfigIis } from '../iis/config-iis.js';
import { nodeNetwork } from '../node-network.js';
import type { Host, HostInfo, Network, PowerShell } from '../ports.js';
import { loadAddon, notWindows, type NativeAddon } from './addon.js';
import { WindowsFiles } from './files.js';
import { WindowsInstaller } from './installer.js';
import { callNative } from './native-error.js';
import { LazyPowerShell } from './powershell-process.js';
import { WindowsRegistry } from './registry.js';
import { WindowsServices } from './services.js';

export { loadAddon, ADDON_ENV, type NativeAddon } from './addon.js';
export { WindowsFiles } from './files.js';
export { WindowsInstaller } from './installer.js';
export { WindowsRegistry } from './registry.js';
export { WindowsServices } from './services.js';

const CURRENT_VERSION = 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';

export class WindowsHost implements Host {
  readonly kind = 'windows' as const;
  readonly registry: WindowsRegistry;
  readonly installer: WindowsInstaller;
  readonly services: WindowsServices;
  readonly files: WindowsFiles;
  readonly iis: ConfigIis;
  readonly powershell: PowerShell;
  readonly network: Network = nodeNetwork;
  readonly stateDir = `${process.env['ProgramData'] ?? 'C:\\ProgramData'}\\mfa-upgrade`;

  constructor(
    readonly addon: NativeAddon,
    powershell?: PowerShell,
  ) {
    this.registry = new WindowsRegistry(addon);
    this.installer = new WindowsInstaller(addon);
    this.services = new WindowsServices(addon);
    this.files = new WindowsFiles(addon);
    this.iis = new ConfigIis(this.files, this.registry);
    this.powershell = powershell ?? new LazyPowerShell();
  }

  localPath(windowsPath: string): string {
    return windowsPath;
  }

  async info(): Promise<HostInfo> {
    const text = async (name: string) => {
      const v = await this.registry.getValue(CURRENT_VERSION, name);
      return v?.type === 'REG_SZ' ? v.data : undefined;
    };
    const product = (await text('ProductName')) ?? 'Windows';
    const build = await text('CurrentBuild');
    const display = await text('DisplayVersion');
    const computerName = process.env['COMPUTERNAME'] ?? hostname();
    return {
      computerName,
      os: [product, display, build ? `build ${build}` : undefined].filter(Boolean).join(' '),
      memoryMB: Math.round(totalmem() / (1024 * 1024)),
      isAdministrator: callNative(() => this.addon.isAdministrator()),
      location: `this machine (${computerName})`,
    };
  }
}

export async function openWindowsHost(options: { powershell?: PowerShell } = {}): Promise<Host> {
  if (process.platform !== 'win32') throw notWindows();
  return new WindowsHost(loadAddon(), options.powershell);
}
