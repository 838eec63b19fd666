// mfa-upgrade backup: writes a bundle (docs/backup-bundle.md) into <out>.partial, verifies it by
// re-reading every file, protects it, and only then renames it to <out>. The data file is copied
// while the server's services are stopped, and they are left as they were found.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Reporter } from '../reporting/reporter.js';
import { ExitCode, MfaError } from '../errors.js';
import type { Host } from '../host/ports.js';
import { ADFS_PROVIDER_NAMES } from '../inventory/take-inventory.js';
import { joinWindowsPath } from '../util/winpath.js';
import { collectBackup, type BackupPlan } from './collect.js';
import { DEFAULT_SCRYPT, ENC_OVERHEAD, hmacHex, newEncryption, paddedSize, sealEntries, startEncrypt, type BundleKeys } from './crypto.js';
import { digestOf } from './digest.js';
import { ntfsUpper } from './names.js';
import { toPassphrase, type PassphraseInput } from './passphrase.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  ENCRYPTED_SUFFIX,
  MANIFEST_NAME,
  SEAL_NAME,
  SNAPSHOT_DIR,
  TOOL_VERSION,
  parseWindowsPath,
  plainOf,
  type FileTag,
  type Manifest,
  type ManifestDirectory,
  type ManifestFile,
  type NotTaken,
  type Role,
  type Seal,
} from './format.js';
import { ByteProgress, PROGRESS_IDS } from './progress.js';
import { formatBytes } from '../util/format-bytes.js';
import { KEYS_THAT_MATTER, keysFor, readKeys, regBytes } from './registry-snapshot.js';
import { PHONEFACTOR_KEY } from '../inventory/take-inventory.js';
import { localBundleFs, type BundleFs, type FileSink } from './sink.js';
import { verifyBundle, type VerifyReport } from './verify.js';
import { faultPoint } from '../util/fault.js';
import { isProcessAlive } from '../util/process.js';
import { systemRoot } from '../host/registry-values.js';
import { fsyncDir } from '../util/local-fs.js';
import { removePath } from '../util/remove.js';
import { serviceOps, type ServiceOps } from '../engine/service-ops.js';
import { readPolicy, readProviders } from '../adfs/adfs-state.js';
import { SILENT_REPORTER } from '../reporting/reporter.js';
import { NEVER_CANCELLED, type CancelSignal } from '../util/cancel.js';

export interface BackupOptions {
  /** The bundle folder to create (a local path); it must not exist. */
  out: string;
  passphrase?: PassphraseInput;
  role?: Role;
  output?: Reporter;
  /** Where bundle bytes are written (a seam: tests simulate a full disk here). */
  fs?: BundleFs;
  /** scrypt cost (stored in the manifest); tests may lower it. */
  scrypt?: { N: number; r: number; p: number };
  now?: () => Date;
  /** Stops and restarts the services around the data copy (journaled by the caller's run). */
  services?: ServiceOps;
  /** A stop request: the copy ends between chunks, the partial bundle is removed. */
  cancel?: CancelSignal;
}

export interface BackupResult {
  bundle: string;
  manifest: Manifest;
  files: number;
  bytes: number;
  encrypted: boolean;
  /** SHA-256 of manifest.json ("sha256:<hex>"): print it and keep it; --expect-digest checks it. */
  digest: string;
  verification: VerifyReport;
  /** Services that could not be started again after the data copy (the command fails loudly on these). */
  restartFailures: Array<{ service: string; message: string }>;
  durationMs: number;
}

const LOCK_NAME = '.mfa-upgrade-backup.lock';
/** Room kept free beyond the bundle's own size (manifest, folder entries, file system slack). */
const DISK_MARGIN = 16 * 1024 * 1024;

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
/** Chunks (1 MiB each) handed to the I/O threads and not yet written. */
const MAX_WRITES_IN_FLIGHT = 4;

function bundleWriteError(e: unknown, path: string): MfaError {
  if (e instanceof MfaError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && DISK_FULL_CODES.has(code)) {
    return new MfaError('the disk holding the bundle is full', { code: 'DISK_FULL', target: path, exitCode: ExitCode.fatal, remedy: 'Free space there or choose another --out on a volume with room; nothing on the host was changed and the unfinished bundle was removed.', cause: e });
  }
  return new MfaError(`cannot write the bundle: ${(e as Error)?.message ?? String(e)}`, { code: 'BUNDLE_WRITE', target: path, exitCode: ExitCode.fatal, cause: e });
}

function hostReadError(e: unknown, original: string, isData: boolean): MfaError {
  // A stop request is not a read error: it passes through as it is.
  if (e instanceof MfaError && e.code === 'INTERRUPTED') return e;
  const code = e instanceof MfaError ? e.code : (e as NodeJS.ErrnoException)?.code;
  const reason = e instanceof MfaError ? e.message : (e as Error)?.message ?? String(e);
  if (isData) {
    return new MfaError(`the data file cannot be read (${code ?? 'error'}: ${reason})`, {
      code: 'DATA_FILE_UNREADABLE',
      target: original,
      exitCode: ExitCode.fatal,
      remedy: 'Check that no other process holds the data file open (a backup agent, antivirus, a second MFA Server service) and that you run as an administrator; then back up again. The services were left as they were found.',
      cause: e,
    });
  }
  return new MfaError(`a file to back up cannot be read (${code ?? 'error'}: ${reason})`, { code: 'FILE_UNREADABLE', target: original, exitCode: ExitCode.fatal, remedy: 'Check that it is not locked and that you run as an administrator, then back up again.', cause: e });
}

/**
 * Snapshot paths are local paths on a file system that may be case-sensitive, while Windows is
 * not: every path prefix keeps the spelling it was first seen with, so one folder is one folder.
 */
class SnapshotNamer {
  private readonly seen = new Map<string, string>();

  stored(windowsPath: string): string {
    const { drive, segments } = parseWindowsPath(windowsPath, windowsPath);
    const out = [SNAPSHOT_DIR, 'drive', drive];
    let key = drive;
    for (const seg of segments) {
      key += `\\${ntfsUpper(seg)}`;
      let spelled = this.seen.get(key);
      if (spelled === undefined) {
        spelled = seg;
        this.seen.set(key, seg);
      }
      out.push(spelled);
    }
    return out.join('/');
  }
}

class BundleWriter {
  readonly files: ManifestFile[] = [];
  private readonly madeDirs = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly fs: BundleFs,
    private readonly keys: BundleKeys | undefined,
    private readonly progress: ByteProgress | undefined,
  ) {}

  async mkdir(stored: string): Promise<void> {
    const local = join(this.dir, ...stored.split('/'));
    if (this.madeDirs.has(local)) return;
    try {
      await this.fs.mkdir(local);
    } catch (e) {
      throw bundleWriteError(e, local);
    }
    this.madeDirs.add(local);
  }

  /** Streams content into the bundle, hashing it as it passes (and encrypting it when asked). */
  async write(stored: string, original: string | null, tags: FileTag[], source: AsyncIterable<Uint8Array>, onSourceError: (e: unknown) => MfaError): Promise<ManifestFile> {
    const finalStored = this.keys ? `${stored}${ENCRYPTED_SUFFIX}` : stored;
    const parent = finalStored.split('/').slice(0, -1).join('/');
    if (parent) await this.mkdir(parent);
    const local = join(this.dir, ...finalStored.split('/'));
    let sink: FileSink;
    try {
      sink = await this.fs.create(local);
    } catch (e) {
      throw bundleWriteError(e, local);
    }
    const plainHash = createHash('sha256');
    const storedHash = this.keys ? createHash('sha256') : undefined;
    let size = 0;
    let storedSize = 0;
    // Writes run in order in the I/O threads while this thread hashes (and encrypts) the next
    // chunk: a few chunks in flight at most, so memory stays bounded.
    let chain: Promise<void> = Promise.resolve();
    const inFlight: Array<Promise<void>> = [];
    const put = async (data: Uint8Array) => {
      if (data.length === 0) return;
      storedHash?.update(data);
      storedSize += data.length;
      chain = chain.then(() => sink.write(data));
      const settled = chain.catch((e: unknown) => {
        throw bundleWriteError(e, local);
      });
      settled.catch(() => undefined);
      inFlight.push(settled);
      if (inFlight.length >= MAX_WRITES_IN_FLIGHT) await inFlight.shift();
      faultPoint('copy-chunk');
    };
    const drain = async () => {
      while (inFlight.length > 0) await inFlight.shift();
    };
    try {
      const enc = this.keys ? startEncrypt(this.keys, finalStored) : undefined;
      if (enc) await put(enc.header);
      const it = source[Symbol.asyncIterator]();
      for (;;) {
        let r: IteratorResult<Uint8Array>;
        try {
          r = await it.next();
        } catch (e) {
          throw onSourceError(e);
        }
        if (r.done) break;
        const chunk = r.value;
        plainHash.update(chunk);
        size += chunk.length;
        await put(enc ? enc.cipher.update(chunk) : chunk);
        this.progress?.add(chunk.length, original ?? stored);
      }
      if (enc) {
        // Zeros up to the padded size, so the stored size does not give the exact one away.
        let pad = paddedSize(size) - size;
        const zeros = Buffer.alloc(Math.min(pad, 1 << 20));
        while (pad > 0) {
          const n = Math.min(pad, zeros.length);
          await put(enc.cipher.update(zeros.subarray(0, n)));
          pad -= n;
        }
        await put(enc.cipher.final());
        await put(enc.cipher.getAuthTag());
      }
      await drain();
      try {
        await sink.sync();
        await sink.close();
      } catch (e) {
        throw bundleWriteError(e, local);
      }
    } catch (e) {
      await chain.catch(() => undefined);
      await sink.close().catch(() => undefined);
      await removePath(local).catch(() => undefined);
      throw e;
    }
    const file: ManifestFile = { stored: finalStored, original, size, sha256: plainHash.digest('hex'), tags };
    if (storedHash) {
      file.storedSize = storedSize;
      file.storedSha256 = storedHash.digest('hex');
    }
    this.files.push(file);
    return file;
  }

  writeBytes(stored: string, tags: FileTag[], data: Uint8Array): Promise<ManifestFile> {
    return this.write(stored, null, tags, (async function* () {
      yield data;
    })(), (e) => bundleWriteError(e, stored));
  }

  /** Writes a top-level file of the bundle (manifest, seal) as is. */
  async writeRaw(name: string, data: Uint8Array): Promise<void> {
    const local = join(this.dir, name);
    try {
      const sink = await this.fs.create(local);
      try {
        await sink.write(data);
        await sink.sync();
      } finally {
        await sink.close();
      }
    } catch (e) {
      throw bundleWriteError(e, local);
    }
  }
}


/** Creates <out>.partial, clearing a stale one an interrupted backup left (never anything else). */
async function startPartial(out: string): Promise<string> {
  const partial = `${out}.partial`;
  const st = await fsp.lstat(partial).catch(() => undefined);
  if (st) {
    const lock = await fsp.readFile(join(partial, LOCK_NAME), 'utf8').catch(() => undefined);
    const pid = lock === undefined ? NaN : Number.parseInt(lock, 10);
    if (!st.isDirectory() || lock === undefined) {
      throw new MfaError(`${partial} exists and is not an unfinished backup of this tool`, { code: 'BUNDLE_EXISTS', target: partial, exitCode: ExitCode.badInput, remedy: 'Move it away or choose another --out.' });
    }
    if (Number.isFinite(pid) && pid !== process.pid && isProcessAlive(pid)) {
      throw new MfaError(`another backup (process ${pid}) is writing ${partial}`, { code: 'BACKUP_RUNNING', target: partial, exitCode: ExitCode.anotherInstallRunning, remedy: 'Wait for it to finish, or choose another --out.' });
    }
    await removePath(partial);
  }
  try {
    await fsp.mkdir(partial, { mode: 0o700 });
    await fsp.writeFile(join(partial, LOCK_NAME), `${process.pid}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw bundleWriteError(e, partial);
  }
  await protectBundle(partial);
  return partial;
}

/** Administrators only: the ACL through the live Windows host's Files port on Windows, 0700/0600 elsewhere. */
export async function protectBundle(path: string): Promise<void> {
  if (process.platform === 'win32') {
    const { openHost } = await import('../host/open.js');
    await (await openHost(undefined)).files.protect(path);
    return;
  }
  const { protectLocal } = await import('../util/local-fs.js');
  await protectLocal(path);
}


/** Ends a copy between chunks once a stop is requested. */
async function* cancellable(source: AsyncIterable<Uint8Array>, cancel: CancelSignal): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    if (cancel.cancelled) throw new MfaError(`the backup was stopped (${cancel.reason ?? 'interrupted'}); its partial bundle is removed`, { code: 'INTERRUPTED', exitCode: ExitCode.interrupted, remedy: 'Run the backup again.' });
    yield chunk;
  }
}

async function* streamOf(host: Host, path: string): AsyncGenerator<Uint8Array> {
  const stream = await host.files.openRead(path);
  for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
}

function roleWarning(role: Role, hasServer: boolean): { level: 'warning' | 'verbose'; message: string } | undefined {
  if (!hasServer) return undefined;
  if (role === 'subordinate') {
    return { level: 'warning', message: 'This server is a subordinate: its data file is a read-only replica and the master holds the writable copy. Back up the master too; restore a subordinate\'s copy only if the master\'s is lost.' };
  }
  if (role === 'unknown') {
    return { level: 'verbose', message: 'The role of this server (master or subordinate) is not known: Windows does not record it in a documented place. If it is a subordinate, the master holds the writable data file; pass --role to record it.' };
  }
  return undefined;
}

/** What a backup would hold, without writing anything (for --what-if). */
export async function planBackup(host: Host): Promise<BackupPlan> {
  return collectBackup(host);
}

export async function takeBackup(host: Host, options: BackupOptions): Promise<BackupResult> {
  const started = Date.now();
  const out = resolve(options.out);
  const output = options.output;
  // The passphrase is checked before anything is looked at or written.
  const material = options.passphrase !== undefined ? toPassphrase(options.passphrase).forNewBundle('--passphrase-file') : undefined;
  const fs = options.fs ?? localBundleFs;
  const role = options.role ?? 'unknown';
  if (await fsp.lstat(out).then(() => true, () => false)) {
    throw new MfaError('the bundle folder already exists: a backup never overwrites an earlier one', { code: 'BUNDLE_EXISTS', target: out, exitCode: ExitCode.badInput, remedy: 'Choose a new --out folder.' });
  }
  const plan = await collectBackup(host);
  const inv = plan.inventory;
  const rw = roleWarning(role, inv.server !== null);
  if (rw) output?.log(rw.level, rw.message);
  for (const w of plan.warnings) output?.log('warning', w);

  const fileBytes = plan.files.reduce((n, f) => n + f.size, 0);
  const needed = (options.passphrase !== undefined ? plan.files.reduce((n, f) => n + paddedSize(f.size) + ENC_OVERHEAD, 0) : fileBytes) + DISK_MARGIN;
  await fsp.mkdir(dirname(out), { recursive: true }).catch((e: unknown) => {
    throw bundleWriteError(e, dirname(out));
  });
  const free = await fs.freeSpace(dirname(out)).catch(() => undefined);
  if (free === undefined) output?.log('warning', `The free space of ${dirname(out)} cannot be measured here; the backup needs about ${formatBytes(needed)}.`);
  else if (free < needed) {
    throw new MfaError(`the disk holding the bundle has ${formatBytes(free)} free and the backup needs about ${formatBytes(needed)}`, { code: 'DISK_FULL', target: dirname(out), exitCode: ExitCode.fatal, remedy: 'Free space there or choose another --out; nothing was changed.' });
  }

  let keys: BundleKeys | undefined;
  let encryption: Manifest['encryption'] = null;
  if (options.passphrase !== undefined) {
    const made = await newEncryption(material as Buffer, options.scrypt ?? DEFAULT_SCRYPT);
    keys = made.keys;
    encryption = made.info;
  }

  const partial = await startPartial(out);
  const restartFailures: BackupResult['restartFailures'] = [];
  try {
    const progress = new ByteProgress(output, PROGRESS_IDS.backup, 'Backing up', fileBytes);
    const writer = new BundleWriter(partial, fs, keys, progress);
    const namer = new SnapshotNamer();
    const notTaken: NotTaken[] = [...plan.notTaken];
    const warnings: string[] = [...plan.warnings];
    if (rw?.level === 'warning') warnings.push(rw.message);

    const cancel = options.cancel ?? NEVER_CANCELLED;
    const copy = async (f: BackupPlan['files'][number]) => {
      const isData = f.tags.includes('data');
      await writer.write(namer.stored(f.original), f.original, f.tags, cancellable(streamOf(host, f.original), cancel), (e) => hostReadError(e, f.original, isData));
    };
    const dataFiles = plan.files.filter((f) => f.tags.includes('data'));
    const otherFiles = plan.files.filter((f) => !f.tags.includes('data'));
    let consistency: Manifest['consistency'];
    if (dataFiles.length > 0) {
      const services = options.services ?? serviceOps(host, output ?? SILENT_REPORTER, undefined);
      const { startFailures } = await services.around(plan.toStop, 'so the data file is copied in a consistent state', async () => {
        for (const f of dataFiles) await copy(f);
      });
      for (const f of startFailures) restartFailures.push({ service: f.service, message: f.error instanceof MfaError ? f.error.toString() : String(f.error) });
      consistency = plan.toStop.length > 0
        ? { method: 'services-stopped', stopped: plan.toStop }
        : { method: 'services-already-stopped', stopped: [], note: 'No service of the server was running: the data file was copied as it lay.' };
    } else {
      consistency = { method: 'no-data-file', stopped: [] };
    }
    for (const f of otherFiles) await copy(f);

    // Empty folders too, so the snapshot lists what the machine lists (an empty App_Themes\Default).
    const directories: ManifestDirectory[] = [];
    for (const d of plan.directories) {
      const stored = namer.stored(d);
      await writer.mkdir(stored);
      directories.push({ stored, original: d });
    }

    // The registry: the snapshot's registry.reg, and the PhoneFactor key of each view on its own.
    const serverServiceNames = inv.server?.services.map((s) => s.name) ?? [];
    const wellKnownServices = plan.services.filter((s) => /^(w3svc|was|adfssrv)$/i.test(s.name)).map((s) => s.name);
    const tree = await readKeys(host.registry, [...KEYS_THAT_MATTER, ...keysFor(plan.products.map((p) => p.productCode), [...serverServiceNames, ...wellKnownServices])]);
    await writer.writeBytes(`${SNAPSHOT_DIR}/registry.reg`, ['snapshotState'], regBytes(tree) as Buffer);
    for (const view of ['64', '32'] as const) {
      const bytes = regBytes(tree, PHONEFACTOR_KEY, view);
      if (bytes) await writer.writeBytes(`extra/registry/PhoneFactor.${view}-bit.reg`, ['registryExport'], bytes);
      else notTaken.push({ item: `registry export of ${PHONEFACTOR_KEY} (${view}-bit view)`, reason: 'the key does not exist in that view' });
    }

    // The rest of the snapshot: what Windows Installer, the SCM and the machine report.
    await writer.writeBytes(`${SNAPSHOT_DIR}/products.json`, ['snapshotState'], Buffer.from(`${JSON.stringify(plan.products, null, 2)}\n`));
    const services = plan.services.map((s) => ({ name: s.name, displayName: s.displayName, state: s.state, startType: s.startType, path: s.path }));
    await writer.writeBytes(`${SNAPSHOT_DIR}/services.json`, ['snapshotState'], Buffer.from(`${JSON.stringify(services, null, 2)}\n`));
    await writer.writeBytes(`${SNAPSHOT_DIR}/host.json`, ['snapshotState'], Buffer.from(`${JSON.stringify(await hostJsonOf(host), null, 2)}\n`));
    // The adapter configuration as AD FS holds it, through the PowerShell port; then the AD FS
    // state of the snapshot (adfs.json), carrying that configuration for a rehearsal.
    const registered = inv.adfsAdapter?.registered?.name ?? null;
    const exported = inv.adfsAdapter ? await exportAdfsConfig(host, registered, writer, notTaken, output) : undefined;
    const adfs = await adfsStateOf(host, registered, exported);
    if (adfs) await writer.writeBytes(`${SNAPSHOT_DIR}/adfs.json`, ['snapshotState'], Buffer.from(`${JSON.stringify(adfs, null, 2)}\n`));

    const info = await host.info();
    const manifest: Manifest = {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      tool: { name: 'mfa-upgrade', version: TOOL_VERSION },
      createdAt: (options.now ?? (() => new Date()))().toISOString(),
      host: { computerName: info.computerName, os: info.os, kind: host.kind, location: info.location },
      role,
      server: inv.server
        ? { product: inv.server.product.name, version: inv.server.product.version, installPath: inv.server.installPath, dataFile: inv.server.dataFile.exists ? inv.server.dataFile.path : null, services: serverServiceNames }
        : null,
      consistency,
      encryption: encryption && keys ? { ...encryption, padding: 'padme-4k', entries: sealEntries(keys, writer.files.map((f) => f.stored), writer.files.map((f) => plainOf(f))) } : null,
      // An encrypted bundle shows no plaintext size or hash: they are in the encrypted entries.
      files: keys ? writer.files.map(({ size: _size, sha256: _sha256, ...rest }) => rest) : writer.files,
      directories,
      groups: plan.groups,
      notTaken,
      warnings,
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    const digest = digestOf(manifestBytes);
    const seal: Seal = keys ? { algorithm: 'hmac-sha256', value: hmacHex(keys, manifestBytes) } : { algorithm: 'sha256', value: createHash('sha256').update(manifestBytes).digest('hex') };
    await writer.writeRaw(MANIFEST_NAME, manifestBytes);
    await writer.writeRaw(SEAL_NAME, Buffer.from(`${JSON.stringify(seal)}\n`));
    progress.complete();

    // Re-read and re-hash everything before the bundle may call itself one.
    const verifyOptions: Parameters<typeof verifyBundle>[1] = { ignoreTopLevel: [LOCK_NAME], allowPartial: true };
    if (keys) verifyOptions.keys = keys;
    if (output) verifyOptions.output = output;
    const { report } = await verifyBundle(partial, verifyOptions);
    if (!report.ok) {
      throw new MfaError(`the bundle did not verify after writing: ${report.problems.map((p) => `${p.path} ${p.detail}`).join('; ')}`, { code: 'BACKUP_VERIFY_FAILED', target: partial, exitCode: ExitCode.fatal, remedy: 'Check the disk the bundle is written to, then back up again.' });
    }
    await protectBundle(partial);
    await removePath(join(partial, LOCK_NAME));
    if (await fsp.lstat(out).then(() => true, () => false)) {
      throw new MfaError('the bundle folder appeared while the backup ran', { code: 'BUNDLE_EXISTS', target: out, exitCode: ExitCode.badInput, remedy: 'Choose a new --out folder.' });
    }
    await fsp.rename(partial, out);
    await fsyncDir(dirname(out));
    return {
      bundle: out,
      manifest,
      files: manifest.files.length,
      bytes: fileBytes,
      encrypted: keys !== undefined,
      digest,
      verification: { ...report, bundle: out },
      restartFailures,
      durationMs: Date.now() - started,
    };
  } catch (e) {
    await removePath(partial).catch(() => undefined);
    if (restartFailures.length > 0 && e instanceof MfaError) {
      throw new MfaError(`${e.message}; and ${restartFailures.map((r) => r.service).join(', ')} could not be started again`, { code: e.code, ...(e.target ? { target: e.target } : {}), exitCode: e.exitCode, remedy: `Start ${restartFailures.map((r) => r.service).join(', ')} (Start-Service) first. ${e.remedy ?? ''}`.trim(), cause: e });
    }
    throw e;
  }
}

async function hostJsonOf(host: Host): Promise<Record<string, unknown>> {
  const info = await host.info();
  const json: Record<string, unknown> = { computerName: info.computerName, os: info.os };
  if (info.memoryMB !== undefined) json['memoryMB'] = info.memoryMB;
  json['freeDiskBytes'] = await host.files.freeSpace('C:\\').catch(() => undefined);
  if (info.isAdministrator !== undefined) json['isAdministrator'] = info.isAdministrator;
  if (host.network) {
    const names = ['pfd.phonefactor.net', 'pfd2.phonefactor.net', 'css.phonefactor.net'];
    const results = await Promise.all(names.map((n) => host.network?.canConnect(n, 443, 3000).catch(() => false)));
    json['reachable'] = Object.fromEntries(names.map((n, i) => [n, results[i] === true]));
  }
  return json;
}

/** adfs.json for the snapshot: the providers and the global policy, as the AD FS cmdlets report them. */
async function adfsStateOf(host: Host, registered: string | null, exported: Buffer | undefined): Promise<Record<string, unknown> | undefined> {
  if (!(await host.powershell.hasCommand('Get-AdfsAuthenticationProvider'))) return undefined;
  const providers = await readProviders(host.powershell);
  const additional = await readPolicy(host.powershell);
  return {
    providers: providers.map((p) => {
      const out: Record<string, unknown> = { name: p.name };
      if (p.adminName !== undefined && p.adminName !== p.name) out['adminName'] = p.adminName;
      out['typeName'] = p.typeName ?? '';
      if (exported && exported.length > 0 && registered !== null && p.name.toLowerCase() === registered.toLowerCase()) out['configurationData'] = exported.toString('base64');
      return out;
    }),
    globalPolicy: { additionalAuthenticationProvider: additional },
  };
}

/** The export of an adapter's configuration is small (an XML file); anything larger is refused. */
const MAX_ADFS_EXPORT = 16 * 1024 * 1024;

/**
 * Export-AdfsAuthenticationProviderConfigurationData writes a file on the AD FS server: it is
 * read back through the Files port, stored, and removed. Where the port cannot run it, the
 * manifest says so (notTaken) and the backup goes on. Returns the exported bytes.
 */
async function exportAdfsConfig(host: Host, registeredName: string | null, writer: BundleWriter, notTaken: NotTaken[], output: Reporter | undefined): Promise<Buffer | undefined> {
  const item = 'adapter configuration exported from AD FS';
  if (!registeredName) {
    notTaken.push({ item, reason: `no MFA Server provider (${ADFS_PROVIDER_NAMES.join(' or ')}) is registered in AD FS on this host, or it is not an AD FS server` });
    return undefined;
  }
  const root = await systemRoot(host.registry);
  const tempFile = joinWindowsPath(root, 'Temp', `mfa-upgrade-adfs-export-${process.pid}-${Date.now()}.config`);
  let bytes: Buffer;
  try {
    await host.powershell.invoke('Export-AdfsAuthenticationProviderConfigurationData', { Name: registeredName, FilePath: tempFile });
    const st = await host.files.stat(tempFile);
    if (!st || st.isDirectory) throw new MfaError('the export wrote no file', { code: 'ADFS_EXPORT_EMPTY', target: tempFile });
    if (st.size > MAX_ADFS_EXPORT) throw new MfaError(`the export is ${formatBytes(st.size)}, more than an adapter configuration can be`, { code: 'ADFS_EXPORT_TOO_LARGE', target: tempFile });
    bytes = await host.files.readFile(tempFile);
  } catch (e) {
    const reason = e instanceof MfaError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
    notTaken.push({ item: `${item} (${registeredName})`, reason });
    output?.log('warning', `The ${registeredName} configuration was not exported from AD FS (${reason}); the adapter's config file is in the bundle.`);
    return undefined;
  } finally {
    await host.files.remove(tempFile).catch(() => undefined);
  }
  await writer.writeBytes(`extra/adfs/${registeredName.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_")}.config`, ['adfsExport'], bytes);
  output?.log('verbose', `Exported the ${registeredName} configuration from AD FS`);
  return bytes;
}
