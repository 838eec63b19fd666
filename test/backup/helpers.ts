// Helpers for the backup tests: run a command module the way main() would, take a backup of a
// sample copy, and the seams the bad-input tests need (a disk that fills up, a host whose files
// misbehave).
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../../lib/cli/args.js';
import { toMfaError } from '../../lib/cli/main.js';
import { Output } from '../../lib/cli/output.js';
import type { CommandSpec } from '../../lib/cli/spec.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import type { Files, Host } from '../../lib/host/ports.js';
import { hmacHex, paddedSize, startEncrypt, type BundleKeys } from '../../lib/backup/crypto.js';
import type { Manifest } from '../../lib/backup/format.js';
import type { BundleFs } from '../../lib/backup/sink.js';
import { takeBackup, type BackupOptions, type BackupResult } from '../../lib/backup/take-backup.js';
import { NEVER_CANCELLED } from '../../lib/util/cancel.js';

export const SAMPLES = ['phonefactor-5.2', 'mfa-7.0', 'mfa-8.0-adfs'] as const;
export type Sample = (typeof SAMPLES)[number];

/** Cheap scrypt for tests (the default cost is stored and used by the commands). */
export const TEST_SCRYPT = { N: 1 << 12, r: 8, p: 1 };

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  events: Array<Record<string, unknown>>;
}

/** Runs a command module with parsed argv and captured output, with main()'s error handling. */
export async function runCommand(spec: CommandSpec, argv: string[], extra: { logFile?: string; isTty?: boolean } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const json = argv.includes('--json');
  const out = new Output({ json, verbose: argv.includes('--verbose'), write: (t) => (stdout += t), writeErr: (t) => (stderr += t), isTty: extra.isTty ?? false, ...(extra.logFile ? { logFile: extra.logFile } : {}) });
  let code: number;
  try {
    const args = parseArgs(spec, argv);
    const mod = await spec.load();
    code = await mod.run({ args, out, cancel: NEVER_CANCELLED });
  } catch (e) {
    const err = toMfaError(e);
    out.error(err);
    code = err.exitCode;
  }
  out.result(code);
  const events = json ? stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { code, stdout, stderr, events };
}

export interface Workspace {
  root: string;
  host: string;
  bundle: string;
  cleanup(): void;
}

/** A temp folder holding a copy of a sample host; the bundle goes beside it. */
export function workspace(sample: Sample): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'mfa-backup-'));
  const host = join(root, sample);
  cpSync(join('examples/hosts', sample), host, { recursive: true });
  return { root, host, bundle: join(root, 'bundle'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export async function backupOf(sample: Sample, options: Partial<BackupOptions> = {}): Promise<Workspace & { result: BackupResult }> {
  const ws = workspace(sample);
  const host = await openImageHost(ws.host);
  const result = await takeBackup(host, { out: ws.bundle, scrypt: TEST_SCRYPT, ...options });
  return { ...ws, result };
}

/** A bundle disk that takes `limit` bytes, then fails as a full disk does. */
export function fullDiskAfter(limit: number, base: BundleFs): BundleFs & { written: () => number } {
  let written = 0;
  return {
    written: () => written,
    async create(path) {
      const sink = await base.create(path);
      return {
        async write(data) {
          if (written + data.length > limit) {
            const e = new Error(`ENOSPC: no space left on device, write`) as NodeJS.ErrnoException;
            e.code = 'ENOSPC';
            throw e;
          }
          written += data.length;
          await sink.write(data);
        },
        sync: () => sink.sync(),
        close: () => sink.close(),
      };
    },
    freeSpace: (dir) => base.freeSpace(dir),
    mkdir: (dir) => base.mkdir(dir),
  };
}

/** The same host with one of its ports replaced (the rest answer as the host's own). */
export function withPort<K extends keyof Host>(host: Host, key: K, port: Host[K]): Host {
  return new Proxy(host, {
    get(target, prop, receiver) {
      if (prop === key) return port;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as Host;
}

/** The same host with some of its Files port replaced (a locked file, a read that fails half-way). */
export function withFiles(host: Host, override: Partial<Files>): Host {
  const files = new Proxy(host.files, {
    get(target, prop, receiver) {
      const o = (override as Record<string | symbol, unknown>)[prop];
      if (o !== undefined) return o;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return withPort(host, 'files', files);
}

/** The same host with its PowerShell port's invoke replaced; `inner` is the host's own. */
export function withPowerShell(host: Host, invoke: (command: string, parameters: Record<string, unknown> | undefined, inner: Host['powershell']['invoke']) => Promise<unknown[]>): Host {
  const inner = host.powershell.invoke.bind(host.powershell);
  return withPort(host, 'powershell', { hasCommand: (n: string) => host.powershell.hasCommand(n), invoke: (c, p) => invoke(c, p, inner) });
}

/** Ignore the image's services.json in tree hashes where only stop/start touched it. */
export const notServices = (rel: string): boolean => rel === 'services.json';

export const shaOf = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
export const fileSha = (path: string): string => shaOf(readFileSync(path));
export const manifestOf = (bundle: string): Manifest => JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as Manifest;

/**
 * Rewrites a bundle's manifest and reseals it: with SHA-256, which needs no key (what anyone with
 * write access to the bundle can do), or given the bundle's keys with HMAC (only a key holder can).
 */
export function forgeManifest(bundle: string, edit: (m: Manifest) => void, keys?: BundleKeys): void {
  const m = manifestOf(bundle);
  edit(m);
  const bytes = Buffer.from(JSON.stringify(m, null, 2));
  writeFileSync(join(bundle, 'manifest.json'), bytes);
  const seal = keys ? { algorithm: 'hmac-sha256', value: hmacHex(keys, bytes) } : { algorithm: 'sha256', value: shaOf(bytes) };
  writeFileSync(join(bundle, 'manifest.seal'), JSON.stringify(seal));
}

/** A file's plaintext encrypted as a bundle stores it (header, padded body, tag), by a key holder. */
export function encryptAs(keys: BundleKeys, stored: string, plain: Buffer, padByte = 0): Buffer {
  const { header, cipher } = startEncrypt(keys, stored);
  const pad = Buffer.alloc(paddedSize(plain.length) - plain.length, padByte);
  return Buffer.concat([header, cipher.update(Buffer.concat([plain, pad])), cipher.final(), cipher.getAuthTag()]);
}
