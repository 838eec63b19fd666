// An image host: a folder that stands for one Windows machine (format: docs/image-host.md).
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { MfaError, ExitCode } from '../../errors.js';
import { ConfigIis } from '../iis/config-iis.js';
import type { Host, HostInfo, Network } from '../ports.js';
import { ImageFiles } from './files.js';
import { removeStaleTemps } from '../../util/temp-names.js';
import { readHostJson, type ImageHostJson } from './host-json.js';
import { ImageInstaller } from './installer.js';
import { ImagePaths } from './paths.js';
import { ImageNetwork } from './network.js';
import { ImagePowerShell } from './powershell.js';
import { ImageRegistry } from './registry.js';
import { ImageServices } from './services.js';

export class ImageHost implements Host {
  readonly kind = 'image' as const;
  readonly paths: ImagePaths;
  readonly registry: ImageRegistry;
  readonly services: ImageServices;
  readonly files: ImageFiles;
  readonly installer: ImageInstaller;
  readonly iis: ConfigIis;
  readonly powershell: ImagePowerShell;
  /** An image has no network: host.json says what the machine could reach; its IIS answers for itself. */
  readonly network: Network;

  constructor(
    folder: string,
    readonly hostJson: ImageHostJson,
  ) {
    this.paths = new ImagePaths(folder);
    const root = this.paths.root;
    this.registry = new ImageRegistry(join(root, 'registry.reg'));
    this.services = new ImageServices(join(root, 'services.json'));
    this.files = new ImageFiles(this.paths, hostJson.freeDiskBytes);
    this.installer = new ImageInstaller(root, this.files, this.registry, this.services);
    this.iis = new ConfigIis(this.files, this.registry);
    this.powershell = new ImagePowerShell(join(root, 'adfs.json'));
    this.network = new ImageNetwork(hostJson, this.iis, this.files);
  }

  get root(): string {
    return this.paths.root;
  }

  get stateDir(): string {
    return join(this.paths.root, '.mfa-upgrade');
  }

  localPath(windowsPath: string): string {
    return this.paths.local(windowsPath);
  }

  async sweepStaleTemps(): Promise<string[]> {
    const removed: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      removed.push(...(await removeStaleTemps(dir)));
      for (const e of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await walk(join(dir, e.name));
    };
    await walk(this.paths.root);
    return removed;
  }

  async info(): Promise<HostInfo> {
    const info: HostInfo = {
      computerName: this.hostJson.computerName ?? 'IMAGE',
      os: this.hostJson.os ?? 'Windows (image)',
      location: this.paths.root,
    };
    if (this.hostJson.memoryMB !== undefined) info.memoryMB = this.hostJson.memoryMB;
    if (this.hostJson.isAdministrator !== undefined) info.isAdministrator = this.hostJson.isAdministrator;
    return info;
  }
}

export async function openImageHost(folder: string): Promise<ImageHost> {
  const st = await fsp.stat(folder).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new MfaError(`image host folder not found`, {
      code: 'HOST_NOT_FOUND',
      target: folder,
      exitCode: ExitCode.badInput,
      remedy: 'Pass a folder holding registry.reg, products.json and drive/ (see examples/hosts/).',
    });
  }
  const hasAny = await Promise.all(['registry.reg', 'products.json', 'drive'].map((f) => fsp.stat(join(folder, f)).then(() => true, () => false)));
  if (!hasAny.some(Boolean)) {
    throw new MfaError(`'${folder}' is not an image host: it has none of registry.reg, products.json, drive/`, {
      code: 'HOST_INVALID',
      target: folder,
      exitCode: ExitCode.badInput,
      remedy: 'Pass a folder laid out as docs/image-host.md describes (see examples/hosts/).',
    });
  }
  return new ImageHost(folder, await readHostJson(join(folder, 'host.json')));
}
