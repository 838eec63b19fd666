// mfa-upgrade restore (procedure.md §4): refuses a bundle that fails verification, stops the
// server's services, replaces the data file atomically, restores web.configs and themes when
// asked, checks every written file against the manifest, and starts the services again, as an
// engine run (restore-steps.ts): the files it replaces are kept in its undo folder with its
// journal, and put back if anything fails or it is stopped.
import { promises as fsp } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Reporter } from '../reporting/reporter.js';
import { ExitCode, MfaError, badInput } from '../errors.js';
import type { Host } from '../host/ports.js';
import { takeInventory } from '../inventory/take-inventory.js';
import type { Inventory } from '../inventory/types.js';
import { plainOf } from './format.js';
import { bundleGroups } from './group-match.js';
import type { PassphraseInput } from './passphrase.js';
import { ByteProgress, PROGRESS_IDS } from './progress.js';
import { restoreTargets, type RestoreWhat, type TargetFile } from './restore-targets.js';
import type { OpenedBundle } from './read-bundle.js';
import { fileStep, foldersStep, startServicesStep, stopServicesStep, type RestoreEnv } from './restore-steps.js';
import { startRun } from '../engine/engine.js';
import type { HostLock } from '../engine/host-lock.js';
import { DEFAULT_RETRY } from '../engine/installer-op.js';
import { undoStore } from '../engine/undo-store.js';
import { SILENT_REPORTER } from '../reporting/reporter.js';
import { NEVER_CANCELLED, type CancelSignal } from '../util/cancel.js';
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
  /** Local folder where the files the restore replaces are kept (and its journal). Default: beside the bundle. */
  undoDir?: string;
  now?: () => Date;
  /** A stop request: the restore ends at the next safe point and undoes what it did. */
  cancel?: CancelSignal;
  /** The host lock the caller holds (the restore command); a rollback's restore runs under the upgrade's. */
  lock?: HostLock;
  toolVersion?: string;
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
    await fsp.mkdir(undoDir, { recursive: true, mode: 0o700 });
    await protectBundle(undoDir);
  } catch (e) {
    throw new MfaError(`cannot create the folder that keeps the replaced files: ${(e as Error).message}`, { code: 'RESTORE_UNDO_DIR', target: undoDir, exitCode: ExitCode.fatal, remedy: 'Pass --undo-dir with a local folder you can write to; nothing was changed.' });
  }

  // The restore is an engine run: every file journaled before and after it is written, what it
  // replaces kept in the undo store; a failure or a stop request undoes it, newest first.
  const total = files.reduce((n, f) => n + plainOf(f.file).size, 0);
  const progress = new ByteProgress(output, PROGRESS_IDS.restore, 'Restoring', total);
  const encrypted = bundle.manifest.encryption !== null && bundle.manifest.encryption !== undefined;
  const steps = [stopServicesStep(toStop), foldersStep(folders), ...files.map((f, n) => fileStep(n, f, encrypted)), startServicesStep(toStop)];
  const run = await startRun<RestoreEnv>({
    journalPath: join(undoDir, 'restore-journal.jsonl'),
    workDir: undoDir,
    kind: 'restore',
    spec: { bundle: dir, files: files.map((f) => f.target) },
    policy: 'undo',
    onInterrupt: 'undo',
    steps,
    env: { bundle: bundle as OpenedBundle, progress },
    host,
    reporter: output ?? SILENT_REPORTER,
    cancel: options.cancel ?? NEVER_CANCELLED,
    localNode: computerName,
    unattended: true,
    retry: DEFAULT_RETRY,
    logDir: 'C:\\Windows\\Logs\\MfaUpgrade',
    toolVersion: options.toolVersion ?? 'unknown',
    activity: `Restoring ${computerName}`,
    ...(options.lock ? { lock: options.lock } : {}),
  });
  if (run.failure) {
    const err = run.failure.error;
    const cause = (err as { cause?: unknown }).cause;
    const inner = cause instanceof MfaError ? cause : err;
    throw new MfaError(`${inner.message}${run.outcome === 'rolled-back' || run.outcome === 'interrupted' ? ' (the files the restore had replaced were put back)' : ''}`, { code: inner.code, ...(inner.target ? { target: inner.target } : {}), exitCode: inner.exitCode, ...(inner.remedy ? { remedy: inner.remedy } : {}), cause: err });
  }
  progress.complete();
  const written = files.filter((_, n) => run.steps.find((s) => s.id === `file-${String(n).padStart(3, '0')}`)?.status === 'done');
  result.filesRestored = written.length;
  result.bytes = written.reduce((sum, f) => sum + plainOf(f.file).size, 0);
  // What was replaced, for an administrator who wants it back by hand (paths relative to the folder).
  const kept = await undoStore(host, join(undoDir, 'undo')).entries();
  const replaced = kept.some((e) => e.copy !== null);
  if (replaced) {
    const restored = kept.map((e) => ({ target: e.path, previousContent: e.copy === null ? null : relative(undoDir, e.copy) }));
    await fsp.writeFile(join(undoDir, 'undo.json'), `${JSON.stringify({ bundle: dir, time: stamp, restored }, null, 2)}\n`, { mode: 0o600 });
    result.undoDir = undoDir;
  }
  else await removePath(undoDir).catch(() => undefined);
  for (const name of leftStopped) output?.log('warning', `${name} was stopped before the restore and is left stopped: start it with Start-Service ${name}.`);
  return result;
}
