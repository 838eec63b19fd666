// What the upgrade needs from a backup bundle. Implemented over lib/backup/ (bundle-access.ts);
// kept as an interface so the executor reads as the procedure, not as bundle mechanics.
import type { Reporter } from '../reporting/reporter.js';
import type { ServiceOps } from '../engine/service-ops.js';
import type { Host, PackageIdentity } from '../host/ports.js';
import type { CancelSignal } from '../util/cancel.js';
import type { ReplicationRole } from './replication-role.js';

export interface BackupAccess {
  /** Takes a backup of the host into the bundle folder `out` (written as `<out>.partial` first) and verifies it; returns its path. */
  take(host: Host, out: string, reporter: Reporter, services?: ServiceOps, cancel?: CancelSignal, role?: ReplicationRole): Promise<{ bundle: string; digest: string }>;
  /** From here on the bundle is trusted only with this manifest digest (the one take() gave): a swapped bundle is refused. */
  trust(bundle: string, digest: string): void;
  /** Re-reads and re-hashes the bundle; throws naming what is missing or altered. */
  verify(bundle: string): Promise<void>;
  /** The bytes a file had on the host when it was backed up, by its original Windows path. */
  readOriginal(bundle: string, windowsPath: string): Promise<Buffer | undefined>;
  /** Files backed up under an original folder, as paths relative to it (backslashes). */
  listOriginal(bundle: string, windowsFolder: string): Promise<string[]>;
  /** A package on this machine that reinstalls a product as it was (its cached package, kept in the bundle). */
  cachedPackage(bundle: string, productCode: string): Promise<PackageIdentity | undefined>;
  /** Puts the data file (and with the options, web.configs and themes) back as backed up. */
  restore(host: Host, bundle: string, include: { web: boolean; themes: boolean }, out: Reporter): Promise<void>;
}
