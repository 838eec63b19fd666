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
import type { Inventory, WebComponentInventory } from '../inventory/types.js';
import { joinWindowsPath, windowsDirname } from '../util/winpath.js';
import { relativeUnder, relativeWindowsPathProblem, type Manifest, type ManifestFile, type ManifestGroup } from './format.js';
import { ByteProgress, PROGRESS_IDS } from './progress.js';
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
  passphrase?: string;
  output?: Reporter;
  /** Local folder where the files the restore replaces are kept. Default: beside the bundle. */
  undoDir?: string;
  now?: () => Date;
}

export type RestoreWhat = 'data' | 'webConfig' | 'theme';

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
}

interface FileAction {
  file: ManifestFile;
  target: string;
  what: RestoreWhat;
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

/**
 * Where a backed-up component lives on the target: the component of the same kind that inventory
 * finds (same vdir first; a renamed vdir when there is one of its kind), else its old folder when
 * that still exists (a web.config broken enough that the component is no longer recognised).
 */
async function targetFolder(host: Host, inv: Inventory, group: Extract<ManifestGroup, { kind: 'webComponent' | 'theme' }>): Promise<string | undefined> {
  const same = inv.webComponents.filter((c) => c.component === group.component && c.physicalPath);
  const found: WebComponentInventory | undefined = same.find((c) => c.vdir.toLowerCase() === group.vdir.toLowerCase()) ?? (same.length === 1 ? same[0] : undefined);
  if (found) return found.physicalPath;
  const folder = group.kind === 'theme' ? group.original.replace(/\\App_Themes\\[^\\]+$/i, '') : group.original;
  const st = await host.files.stat(folder);
  return st?.isDirectory ? folder : undefined;
}

function safeJoin(root: string, rel: string, original: string, bundle: string): string {
  const problem = relativeWindowsPathProblem(rel);
  if (problem) throw badInput(`'${original}' would be restored through a path that ${problem}`, bundle, { code: 'BUNDLE_PATH' });
  return joinWindowsPath(root, rel);
}

/** Maps each file the restore puts back to its place on the target host. */
async function planFiles(host: Host, manifest: Manifest, inv: Inventory, include: RestoreInclude, bundleDir: string, skipped: RestoreAction[]): Promise<{ files: FileAction[]; folders: string[] }> {
  const files: FileAction[] = [];
  const folders: string[] = [];
  const server = inv.server;
  if (!server?.installPath || !server.dataFile.path) {
    throw new MfaError('MFA Server is not installed on the target machine: there is nowhere to put the data file', {
      code: 'RESTORE_NO_SERVER',
      exitCode: ExitCode.fatal,
      remedy: 'Reinstall and activate MFA Server first (the version the backup was taken from, or later), then restore.',
    });
  }
  const dataGroups = manifest.groups.filter((g): g is Extract<ManifestGroup, { kind: 'data' }> => g.kind === 'data');
  const dataFiles = manifest.files.filter((f) => f.tags.includes('data') && f.original !== null);
  if (dataGroups.length !== 1 || dataFiles.length === 0) {
    throw badInput('the bundle holds no data file (it was taken on a machine without MFA Server)', bundleDir, { code: 'BUNDLE_NO_DATA', remedy: 'Restore from a bundle taken on the MFA Server master.' });
  }
  const dataGroup = dataGroups[0] as { original: string };
  const dataTarget = windowsDirname(server.dataFile.path);
  for (const f of dataFiles) {
    const rel = relativeUnder(dataGroup.original, f.original as string);
    if (rel === undefined) throw badInput(`'${f.original}' is tagged as data but lies outside the Data folder`, bundleDir, { code: 'BUNDLE_PATH' });
    files.push({ file: f, target: safeJoin(dataTarget, rel, f.original as string, bundleDir), what: 'data' });
  }

  for (const g of manifest.groups) {
    if (g.kind === 'webComponent' && include.web) {
      const target = await targetFolder(host, inv, g);
      const configs = manifest.files.filter((f) => f.tags.includes('webConfig') && f.original !== null && relativeUnder(g.original, f.original) !== undefined);
      if (configs.length === 0) continue;
      if (!target) {
        skipped.push({ kind: 'skip', target: g.original, what: 'webConfig', reason: `no ${g.component} (vdir ${g.vdir}) is installed on the target: install it, then restore its web.config` });
        continue;
      }
      for (const f of configs) {
        const rel = relativeUnder(g.original, f.original as string) as string;
        files.push({ file: f, target: safeJoin(target, rel, f.original as string, bundleDir), what: 'webConfig' });
      }
    }
    if (g.kind === 'theme' && include.themes) {
      const target = await targetFolder(host, inv, g);
      if (!target) {
        skipped.push({ kind: 'skip', target: g.original, what: 'theme', reason: `no ${g.component} (vdir ${g.vdir}) is installed on the target: install it, then restore its themes` });
        continue;
      }
      const themeRoot = safeJoin(joinWindowsPath(target, 'App_Themes'), g.name, g.original, bundleDir);
      folders.push(themeRoot);
      for (const d of manifest.directories) {
        const rel = relativeUnder(g.original, d.original);
        if (rel !== undefined) folders.push(safeJoin(themeRoot, rel, d.original, bundleDir));
      }
      for (const f of manifest.files) {
        if (!f.tags.includes('theme') || f.original === null) continue;
        const rel = relativeUnder(g.original, f.original);
        if (rel !== undefined) files.push({ file: f, target: safeJoin(themeRoot, rel, f.original, bundleDir), what: 'theme' });
      }
    }
  }
  return { files, folders };
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

  const inv = await takeInventory(host);
  const actions: RestoreAction[] = [];
  const { files, folders } = await planFiles(host, bundle.manifest, inv, include, dir, actions);
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
    fileActions.push({ kind: exists ? 'replaceFile' : 'createFile', target: f.target, what: f.what, from: f.file.original as string, size: f.file.size });
  }
  for (const name of [...toStop].reverse()) fileActions.push({ kind: 'startService', target: name });
  actions.unshift(...fileActions);
  const computerName = (await host.info()).computerName;
  const result: RestoreResult = { bundle: dir, computerName, whatIf: options.whatIf === true, actions, undoDir: null, filesRestored: 0, bytes: 0, verification: report, leftStopped };
  if (options.whatIf) return result;

  const stamp = (options.now ?? (() => new Date()))().toISOString().replace(/[:.]/g, '-');
  const undoDir = resolve(options.undoDir ?? `${dir}.restore-undo-${stamp}`);
  try {
    await fsp.mkdir(join(undoDir, 'files'), { recursive: true, mode: 0o700 });
    await protectBundle(undoDir);
  } catch (e) {
    throw new MfaError(`cannot create the folder that keeps the replaced files: ${(e as Error).message}`, { code: 'RESTORE_UNDO_DIR', target: undoDir, exitCode: ExitCode.fatal, remedy: 'Pass --undo-dir with a local folder you can write to; nothing was changed.' });
  }

  const total = files.reduce((n, f) => n + f.file.size, 0);
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
      if (got.size !== f.file.size || got.sha256 !== f.file.sha256) {
        throw new MfaError(`the restored file does not match the backup (SHA-256 ${got.sha256}, expected ${f.file.sha256})`, { code: 'RESTORE_VERIFY_FAILED', target: f.target, exitCode: ExitCode.fatal, remedy: 'Check the disk of the target machine; the files were put back as they were.' });
      }
      output?.log('verbose', `Restored ${f.target}`);
      result.filesRestored++;
      result.bytes += f.file.size;
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

