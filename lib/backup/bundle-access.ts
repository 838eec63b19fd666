// The backup bundle as the upgrade executor sees it (lib/upgrade/backup-access.ts): take a
// verified backup, read what a file held on the machine, find a cached package, restore.
import { join } from 'node:path';
import type { Reporter } from '../reporting/reporter.js';
import { MfaError } from '../errors.js';
import type { ServiceOps } from '../engine/service-ops.js';
import type { Host, PackageIdentity } from '../host/ports.js';
import type { CancelSignal } from '../util/cancel.js';
import type { BackupAccess } from '../upgrade/backup-access.js';
import { plainOf, relativeUnder, SNAPSHOT_DIR, storedPathProblem, type ManifestFile, type Role } from './format.js';
import { ntfsUpper } from './names.js';
import type { PassphraseInput } from './passphrase.js';
import { openBundle, readStoredBuffer, storedLocalPath, type OpenedBundle } from './read-bundle.js';
import { restoreBundle } from './restore.js';
import { takeBackup } from './take-backup.js';
import { verifyBundle } from './verify.js';

export interface BundleAccessOptions {
  passphrase?: PassphraseInput;
  /** The digest backup printed for the bundle (an unencrypted bundle is trusted only with it). */
  expectDigest?: string;
  /**
   * Reads a package's identity from a local path. Default: the image backend's reader over the
   * bundle's snapshot (package manifests); on a live Windows machine pass the live Installer's.
   */
  readPackage?: (localPath: string) => Promise<PackageIdentity>;
}

export class BundleAccess implements BackupAccess {
  private readonly cache = new Map<string, OpenedBundle>();
  /** The digest each bundle this run took had (a rollback trusts only its own bundle). */
  private readonly digests = new Map<string, string>();

  constructor(private readonly options: BundleAccessOptions = {}) {}

  trust(bundle: string, digest: string): void {
    this.digests.set(bundle, digest);
  }

  private openOptions(bundle: string): { passphrase?: PassphraseInput; expectDigest?: string } {
    const expectDigest = this.digests.get(bundle) ?? this.options.expectDigest;
    return {
      ...(this.options.passphrase !== undefined ? { passphrase: this.options.passphrase } : {}),
      ...(expectDigest !== undefined ? { expectDigest } : {}),
    };
  }

  private async open(bundle: string): Promise<OpenedBundle> {
    let b = this.cache.get(bundle);
    if (!b) {
      b = await openBundle(bundle, this.openOptions(bundle));
      if (b.sealOk === false) throw new MfaError(`the bundle's manifest does not match its seal: ${b.sealProblem ?? ''}`, { code: 'BUNDLE_ALTERED', target: bundle, exitCode: 3, remedy: 'Run mfa-upgrade verify-backup on it; use an intact copy.' });
      this.cache.set(bundle, b);
    }
    return b;
  }

  async take(host: Host, out: string, reporter: Reporter, services?: ServiceOps, cancel?: CancelSignal, role?: Role): Promise<{ bundle: string; digest: string }> {
    const result = await takeBackup(host, { out, output: reporter, ...(services ? { services } : {}), ...(cancel ? { cancel } : {}), ...(role ? { role } : {}), ...(this.options.passphrase !== undefined ? { passphrase: this.options.passphrase } : {}) });
    if (result.restartFailures.length > 0) {
      throw new MfaError(`${result.restartFailures.map((r) => r.service).join(', ')} could not be started again after the backup`, { code: 'SERVICE_START_FAILED', target: result.restartFailures[0]?.service ?? '', remedy: 'Start the service, then run the upgrade again (the backup is complete).' });
    }
    this.trust(result.bundle, result.digest);
    return { bundle: result.bundle, digest: result.digest };
  }

  async verify(bundle: string): Promise<void> {
    const { report } = await verifyBundle(bundle, this.openOptions(bundle));
    if (!report.ok) {
      throw new MfaError(`the backup bundle fails verification: ${report.problems.map((p) => `${p.path} ${p.detail}`).join('; ')}`, { code: 'BUNDLE_VERIFY_FAILED', target: bundle, exitCode: 3, remedy: 'Run mfa-upgrade verify-backup on it for the list; take a new backup.' });
    }
  }

  private find(b: OpenedBundle, windowsPath: string): ManifestFile | undefined {
    const want = ntfsUpper(windowsPath);
    return b.manifest.files.find((f) => f.original !== null && ntfsUpper(f.original) === want && storedPathProblem(f.stored) === undefined);
  }

  async readOriginal(bundle: string, windowsPath: string): Promise<Buffer | undefined> {
    const b = await this.open(bundle);
    const f = this.find(b, windowsPath);
    if (!f) return undefined;
    const data = await readStoredBuffer(b, f);
    const want = plainOf(f);
    if (data.length !== want.size || (await import('node:crypto')).createHash('sha256').update(data).digest('hex') !== want.sha256) {
      throw new MfaError(`the backup's copy of ${windowsPath} was altered`, { code: 'BUNDLE_ALTERED', target: bundle, exitCode: 3, remedy: 'Run mfa-upgrade verify-backup on the bundle.' });
    }
    return data;
  }

  async listOriginal(bundle: string, windowsFolder: string): Promise<string[]> {
    const b = await this.open(bundle);
    return b.manifest.files
      .map((f) => (f.original === null ? undefined : relativeUnder(windowsFolder, f.original)))
      .filter((r): r is string => r !== undefined && !r.split('\\').includes('..'))
      .sort();
  }

  async cachedPackage(bundle: string, productCode: string): Promise<PackageIdentity | undefined> {
    const b = await this.open(bundle);
    const productsFile = b.manifest.files.find((f) => f.stored.startsWith(`${SNAPSHOT_DIR}/products.json`));
    if (!productsFile) return undefined;
    const products = JSON.parse((await readStoredBuffer(b, productsFile)).toString('utf8')) as Array<{ productCode?: string; localPackage?: string }>;
    const product = products.find((p) => typeof p.productCode === 'string' && p.productCode.toUpperCase() === productCode.toUpperCase());
    if (!product?.localPackage) return undefined;
    const file = this.find(b, product.localPackage);
    if (!file || !file.tags.includes('cachedPackage')) return undefined;
    if (b.manifest.encryption) {
      throw new MfaError('the cached packages of an encrypted bundle cannot be installed from it directly', { code: 'BUNDLE_ENCRYPTED_PACKAGE', target: bundle, remedy: 'Reinstall the product from its original installer, or use an unencrypted bundle for upgrades.' });
    }
    const local = storedLocalPath(b, file);
    if (this.options.readPackage) return this.options.readPackage(local);
    const { openImageHost } = await import('../host/image/image-host.js');
    const snapshot = await openImageHost(join(bundle, SNAPSHOT_DIR));
    return snapshot.installer.readPackage(local);
  }

  async restore(host: Host, bundle: string, include: { web: boolean; themes: boolean }, out: Reporter): Promise<void> {
    await restoreBundle(host, bundle, { include, output: out, ...this.openOptions(bundle) });
  }
}

export function createBundleAccess(options: BundleAccessOptions = {}): BackupAccess {
  return new BundleAccess(options);
}
