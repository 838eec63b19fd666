// mfa-upgrade restore (procedure.md §4): refuses a bundle that fails verification, stops the
// server's services, replaces the data file atomically, restores web.configs and themes when
// asked, checks every written file against the manifest, and starts the services again. The
// files it replaces are kept aside (a local undo folder), and put back if anything fails.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Reporter } from '../reporting/reporter.js';
import { ExitCode, MfaError, badInput } from '../errors.js';
import type { Files, Host } from '../host/ports.js';
import { takeInventory } from '../inventory/take-inventory.js';
import type { Inventory } from '../inventory/types.js';
import { windowsDirname } from '../util/winpath.js';
import { plainOf } from './format.js';
import { bundleGroups } from './group-match.js';
import type { PassphraseInput } from './passphrase.js';
import { ByteProgress, PROGRESS_IDS } from './progress.js';
import { restoreTargets, type RestoreWhat, type TargetFile } from './restore-targets.js';
import { readStored, type OpenedBundle } from './read-bundle.js';
import { protectBundle } from './take-backup.js';
import { verifyBundle, type VerifyReport } from './verify.js';
import { removePath } from '../util/remove.js';

export interface RestoreInclude {
  web: boolean;
  themes: boolean;
}

export interface RestoreOptions {
  include?: RestoreInclude;
  whatIf?: boolean;
  passphrase?: PassphraseInput;
  /** The digest backup printed: a bundle whose manifest has another is refused before anything is read. */
  expectDigest?: string;
  output?: Reporter;
  /** Local folder where the files the restore replaces are kept. Default: beside the bundle. */
  undoDir?: string;
  now?: () => Date;
}

export type { RestoreWhat } from './restore-targets.js';

export interface RestoreAction {
  kind: 'replaceFile' | 'createFile' | 'createFolder' | 'skip' | 'stopService' | 'startService';
  target: string;
  what?: RestoreWhat;
  /** The original path the content comes from. */
  from?: string;
  size?: number;
  reason?: string;
}

export interface RestoreResult {
  bundle: string;
  computerName: string;
  whatIf: boolean;
  actions: RestoreAction[];
  /** Where the replaced files were kept (null for --what-if, or when nothing was replaced). */
  undoDir: string | null;
  filesRestored: number;
  bytes: number;
  verification: VerifyReport;
  /** Server services that were stopped before the restore and are left stopped. */
  leftStopped: string[];
  /** The manifest's digest; whether it was checked against --expect-digest or a passphrase authenticated the bundle. */
  digest: string;
  authenticated: boolean;
  warnings: string[];
}

async function writeToHost(files: Files, target: string, source: AsyncIterable<Uint8Array>): Promise<void> {
  await files.writeStreamAtomic(target, source);
}

async function hashOnHost(host: Host, path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of await host.files.openRead(path)) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    hash.update(b);
    size += b.length;
  }
  return { size, sha256: hash.digest('hex') };
}

interface Undo {
  target: string;
  /** Local copy of what the target held, or null when the restore created it. */
  saved: string | null;
}

async function saveAside(host: Host, target: string, undoDir: string, n: number): Promise<string | null> {
  const st = await host.files.stat(target);
  if (!st) return null;
  if (st.isDirectory) throw new MfaError('a folder stands where the restore would write a file', { code: 'RESTORE_TARGET_FOLDER', target, exitCode: ExitCode.fatal, remedy: 'Move the folder away, then restore again.' });
  const local = join(undoDir, 'files', String(n));
  const h = await fsp.open(local, 'wx', 0o600);
  try {
    for await (const chunk of await host.files.openRead(target)) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      let off = 0;
      while (off < b.length) off += (await h.write(b, off, b.length - off)).bytesWritten;
    }
    await h.sync();
  } finally {
    await h.close();
  }
  return local;
}

async function* localStream(path: string): AsyncGenerator<Uint8Array> {
  for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) yield c as Buffer;
}

export async function restoreBundle(host: Host, bundleDir: string, options: RestoreOptions = {}): Promise<RestoreResult> {
  const include = options.include ?? { web: false, themes: false };
  const output = options.output;
  const dir = resolve(bundleDir);
  const verifyOptions: Parameters<typeof verifyBundle>[1] = {};
  if (options.passphrase !== undefined) verifyOptions.passphrase = options.passphrase;
  if (options.expectDigest !== undefined) verifyOptions.expectDigest = options.expectDigest;
  if (output) verifyOptions.output = output;
  const { report, bundle } = await verifyBundle(dir, verifyOptions);
  if (bundle.manifest.encryption && !bundle.keys) {
    throw badInput('the bundle is encrypted: restoring it needs its passphrase', dir, { code: 'BUNDLE_PASSPHRASE_REQUIRED', remedy: 'Pass --passphrase-file with the passphrase the backup was taken with.' });
  }
  if (!report.ok) {
    throw badInput(`the bundle fails verification, so nothing was restored: ${report.problems.map((p) => `${p.path} ${p.detail}`).join('; ')}`, dir, {
      code: 'BUNDLE_VERIFY_FAILED',
      remedy: 'Run mfa-upgrade verify-backup on it for the list; restore from an intact copy.',
    });
  }

  // The bundle's groups are data: checked whole before anything on the host is looked at.
  const groups = bundleGroups(bundle.manifest, dir);
  const warnings = [...report.formatWarnings];
  const authenticated = bundle.sealOk === true && (bundle.keys !== undefined || bundle.digestChecked);
  if (!authenticated) {
    warnings.push('This bundle is not encrypted and no --expect-digest was given: anyone who could write to it could have changed it and recomputed its seal. Pass --expect-digest with the digest backup printed to restore only the bundle that was backed up.');
  }
  for (const w of warnings) output?.log('warning', w);

  const inv = await takeInventory(host);
  const actions: RestoreAction[] = [];
  const targets = await restoreTargets(host, inv, groups, include, dir);
  const files: TargetFile[] = targets.files;
  const folders = targets.folders;
  for (const s of targets.skipped) actions.push({ kind: 'skip', target: s.target, what: s.what, reason: s.reason });
  const server = inv.server as NonNullable<Inventory['server']>;
  const running = server.services.filter((s) => s.state === 'running' || s.state === 'start_pending');
  running.sort((a, b) => Number(/adsync/i.test(b.name)) - Number(/adsync/i.test(a.name)));
  const toStop = running.map((s) => s.name);
  const leftStopped = server.services.filter((s) => s.state === 'stopped' && !/adsync/i.test(s.name)).map((s) => s.name);

  const fileActions: RestoreAction[] = [];
  for (const name of toStop) fileActions.push({ kind: 'stopService', target: name });
  for (const folder of folders) if (!(await host.files.stat(folder))) fileActions.push({ kind: 'createFolder', target: folder });
  for (const f of files) {
    const exists = (await host.files.stat(f.target)) !== undefined;
    fileActions.push({ kind: exists ? 'replaceFile' : 'createFile', target: f.target, what: f.what, from: f.file.original as string, size: plainOf(f.file).size });
  }
  for (const name of [...toStop].reverse()) fileActions.push({ kind: 'startService', target: name });
  actions.unshift(...fileActions);
  const computerName = (await host.info()).computerName;
  const result: RestoreResult = { bundle: dir, computerName, whatIf: options.whatIf === true, actions, undoDir: null, filesRestored: 0, bytes: 0, verification: report, leftStopped, digest: bundle.digest, authenticated, warnings };
  if (options.whatIf) return result;

  const stamp = (options.now ?? (() => new Date()))().toISOString().replace(/[:.]/g, '-');
  const undoDir = resolve(options.undoDir ?? `${dir}.restore-undo-${stamp}`);
  try {
    await fsp.mkdir(join(undoDir, 'files'), { recursive: true, mode: 0o700 });
    await protectBundle(undoDir);
  } catch (e) {
    throw new MfaError(`cannot create the folder that keeps the replaced files: ${(e as Error).message}`, { code: 'RESTORE_UNDO_DIR', target: undoDir, exitCode: ExitCode.fatal, remedy: 'Pass --undo-dir with a local folder you can write to; nothing was changed.' });
  }

  const total = files.reduce((n, f) => n + plainOf(f.file).size, 0);
  const progress = new ByteProgress(output, PROGRESS_IDS.restore, 'Restoring', total);
  const undo: Undo[] = [];
  const stopped: string[] = [];
  let failure: unknown;
  try {
    for (const name of toStop) {
      output?.log('info', `Stopping ${name}`);
      await host.services.stop(name);
      stopped.push(name);
    }
    for (const folder of folders) await host.files.mkdirp(folder);
    let n = 0;
    for (const f of files) {
      const saved = await saveAside(host, f.target, undoDir, n++);
      undo.push({ target: f.target, saved });
      await host.files.mkdirp(windowsDirname(f.target));
      const source = (async function* () {
        for await (const chunk of readStored(bundle as OpenedBundle, f.file)) {
          progress.add(chunk.length, f.target);
          yield chunk;
        }
      })();
      await writeToHost(host.files, f.target, source);
      const got = await hashOnHost(host, f.target);
      const want = plainOf(f.file);
      if (got.size !== want.size || got.sha256 !== want.sha256) {
        // An encrypted bundle's plaintext hashes are private: not printed.
        const detail = bundle.manifest.encryption ? '' : ` (SHA-256 ${got.sha256}, expected ${want.sha256})`;
        throw new MfaError(`the restored file does not match the backup${detail}`, { code: 'RESTORE_VERIFY_FAILED', target: f.target, exitCode: ExitCode.fatal, remedy: 'Check the disk of the target machine; the files were put back as they were.' });
      }
      output?.log('verbose', `Restored ${f.target}`);
      result.filesRestored++;
      result.bytes += want.size;
    }
    progress.complete();
  } catch (e) {
    failure = e;
    output?.log('error', 'The restore failed: putting back the files it had replaced');
    for (const u of [...undo].reverse()) {
      try {
        if (u.saved) await writeToHost(host.files, u.target, localStream(u.saved));
        else await host.files.remove(u.target);
      } catch (undoError) {
        output?.log('error', `Could not put back ${u.target}: ${(undoError as Error).message}; its earlier content is in ${u.saved ?? '(nothing: it was new)'}`);
      }
    }
  } finally {
    for (const name of [...stopped].reverse()) {
      try {
        await host.services.start(name);
        output?.log('info', `Started ${name}`);
      } catch (e) {
        output?.log('error', `${name} could not be started: ${e instanceof MfaError ? e.toString() : String(e)}`);
        failure ??= new MfaError(`${name} could not be started after the restore`, { code: 'SERVICE_START_FAILED', target: name, exitCode: ExitCode.fatal, remedy: `Start-Service ${name}, and read its log.`, cause: e });
      }
    }
  }
  await fsp.writeFile(join(undoDir, 'undo.json'), `${JSON.stringify({ bundle: dir, time: stamp, restored: undo.map((u) => ({ target: u.target, previousContent: u.saved ? join('files', u.saved.split(/[\\/]/).pop() as string) : null })) }, null, 2)}\n`, { mode: 0o600 }).catch(() => undefined);
  if (failure) {
    const err = failure instanceof MfaError ? failure : new MfaError((failure as Error)?.message ?? String(failure), { code: (failure as NodeJS.ErrnoException)?.code ?? 'RESTORE_FAILED', exitCode: ExitCode.fatal, cause: failure });
    throw new MfaError(`${err.message} (the files the restore had replaced were put back)`, { code: err.code, ...(err.target ? { target: err.target } : {}), exitCode: err.exitCode, ...(err.remedy ? { remedy: err.remedy } : {}), cause: failure });
  }
  if (undo.some((u) => u.saved)) result.undoDir = undoDir;
  else await removePath(undoDir).catch(() => undefined);
  for (const name of leftStopped) output?.log('warning', `${name} was stopped before the restore and is left stopped: start it with Start-Service ${name}.`);
  return result;
}

