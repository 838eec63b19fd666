// The hostile-input corpus's one check, applied to every case: the command, run the way the
// PowerShell module runs it (--json, with --verbose and a CMTrace --log) and the way a person
// does (human output, --verbose), must refuse with a clear error (a stable code, a message and a
// remedy), a non-zero exit, no secret in stdout, stderr or the log, and leave every watched
// folder (the host, the bundle, the packages) byte for byte as it was.
import type { ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { snapshotPathOf } from '../../lib/backup/format.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { takeBackup } from '../../lib/backup/take-backup.js';
import { runCli } from '../helpers/run-cli.js';

/** Passwords the samples hold (read from their files by the test, not by the code under test). */
export const SAMPLE_SECRETS = ['Winter2014!sdk', 'Spring2023!adfs'];
export const PASS = 'correct horse battery staple';
const TEST_SCRYPT = { N: 1 << 12, r: 8, p: 1 };

/** Every file and link under a folder, by content (links by target), so any change shows. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(root)) return out;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      const rel = relative(root, full);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out[rel] = `link:${readlinkSync(full)}`;
      else if (st.isDirectory()) {
        out[`${rel}/`] = 'dir';
        walk(full);
      } else out[rel] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(root);
  return out;
}

export interface Refusal {
  /** The command line without --json/--verbose/--log (the harness adds them after the command name). */
  argv: string[];
  /** Folders (or files) that must be byte-identical afterwards. */
  watch: string[];
  /** The exit code expected (never 0). */
  exit: number;
  /** The error code expected. */
  code: string | RegExp;
  /** What the message must say (the problem named). */
  message?: RegExp;
  /** Secrets that must not appear in any output, on top of the samples'. */
  secrets?: string[];
  /** The refusal is a blocked plan (exit 7): its blockers, each with a remedy, are in the plan object. */
  blockers?: boolean;
}

export interface Outcome {
  json: { code: number; stdout: string; stderr: string; log: string; error: Record<string, unknown> | undefined };
  human: { code: number; stdout: string; stderr: string };
}

export async function expectRefusal(t: ExecutionContext, r: Refusal): Promise<Outcome> {
  const before = r.watch.map((w) => snapshot(w));
  const logDir = mkdtempSync(join(tmpdir(), 'mfa-hostile-log-'));
  try {
    const logFile = join(logDir, 'run.log');
    const [command, ...rest] = r.argv as [string, ...string[]];
    const json = await runCli([command, '--json', '--verbose', '--log', logFile, ...rest]);
    const human = await runCli([command, '--verbose', ...rest]);
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    const lines = json.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const error = lines.find((e) => e['type'] === 'error');
    const result = lines[lines.length - 1];

    t.not(r.exit, 0);
    t.is(json.code, r.exit, `--json exit (${String(error?.['code'])}: ${String(error?.['message'])})`);
    t.is(human.code, r.exit, 'human exit');
    t.deepEqual(result, { type: 'result', exitCode: r.exit }, 'the last JSON line is the result');
    if (r.blockers && !error) {
      const plan = lines.find((e) => e['type'] === 'object')?.['data'] as { blockers?: Array<{ message: string; remedy: string }> } | undefined;
      const blockers = plan?.blockers ?? [];
      t.true(blockers.length > 0, 'the plan names its blockers');
      t.true(blockers.every((b) => b.message.length > 10 && b.remedy.length > 10), 'each blocker with a remedy');
      if (r.message) t.true(blockers.some((b) => (r.message as RegExp).test(b.message)), `${String(r.message)} in ${blockers.map((b) => b.message).join(' | ')}`);
    } else if (r.exit === 4) {
      // A verification that found problems reports them (each an error log line) and its object, not one error.
      const problems = lines.filter((e) => e['type'] === 'log' && e['level'] === 'error').map((e) => String(e['message']));
      t.true(problems.length > 0, 'each problem named');
      const report = lines.find((e) => e['type'] === 'object')?.['data'] as { ok?: boolean } | undefined;
      t.is(report?.ok, false);
      if (r.message) t.true(problems.some((p) => (r.message as RegExp).test(p)), `${String(r.message)} in ${problems.join(' | ')}`);
    } else {
      t.truthy(error, 'an error line');
      if (typeof r.code === 'string') t.is(error?.['code'], r.code);
      else t.regex(String(error?.['code']), r.code);
      t.true(typeof error?.['message'] === 'string' && (error['message'] as string).length > 10, 'a message');
      t.true(typeof error?.['remedy'] === 'string' && (error['remedy'] as string).length > 10, 'a remedy');
      if (r.message) t.regex(String(error?.['message']), r.message);
    }
    if (r.blockers && !error) t.regex(human.stdout, r.message ?? /What to do/, 'the human plan names the blocker');
    else t.regex(human.stderr, /error/i, 'the human run says what failed on stderr');
    // A command line refused while it is parsed has no log yet (--log is one of its options).
    if (r.exit !== 2 && error) t.true(log.length > 0, 'the CMTrace log was written');

    const everything = [json.stdout, json.stderr, log, human.stdout, human.stderr].join('\n');
    for (const s of [...SAMPLE_SECRETS, ...(r.secrets ?? [])]) t.false(everything.includes(s), `secret ${s} in the output`);

    r.watch.forEach((w, i) => t.deepEqual(snapshot(w), before[i], `${w} changed`));
    return { json: { code: json.code, stdout: json.stdout, stderr: json.stderr, log, error }, human: { code: human.code, stdout: human.stdout, stderr: human.stderr } };
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

export interface Workspace {
  root: string;
  host: string;
  bundle: string;
  cleanup(): void;
}

const prepared = new Map<string, Promise<string>>();
const preparedRoots: string[] = [];

/** One backup per sample and kind, taken once per test file and copied for each case. */
function preparedBundle(sample: string, encrypted: boolean): Promise<string> {
  const key = `${sample}:${encrypted}`;
  let p = prepared.get(key);
  if (!p) {
    p = (async () => {
      const root = mkdtempSync(join(tmpdir(), 'mfa-hostile-src-'));
      preparedRoots.push(root);
      const host = join(root, 'host');
      cpSync(join('examples/hosts', sample), host, { recursive: true });
      const out = join(root, 'bundle');
      await takeBackup(await openImageHost(host), { out, scrypt: TEST_SCRYPT, ...(encrypted ? { passphrase: PASS } : {}) });
      return root;
    })();
    prepared.set(key, p);
  }
  return p;
}

export function cleanupPrepared(): void {
  for (const r of preparedRoots) rmSync(r, { recursive: true, force: true });
}

/** A fresh copy of a sample host and of its (untouched) bundle, for one case. */
export async function workspace(sample: string, options: { bundle?: 'plain' | 'encrypted' } = {}): Promise<Workspace> {
  const root = mkdtempSync(join(tmpdir(), 'mfa-hostile-'));
  const host = join(root, 'host');
  const bundle = join(root, 'bundle');
  if (options.bundle) {
    const src = await preparedBundle(sample, options.bundle === 'encrypted');
    cpSync(join(src, 'host'), host, { recursive: true });
    cpSync(join(src, 'bundle'), bundle, { recursive: true });
  } else {
    cpSync(join('examples/hosts', sample), host, { recursive: true });
  }
  return { root, host, bundle, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export type ManifestJson = Record<string, unknown> & { files: Array<Record<string, unknown>>; groups: Array<Record<string, unknown>>; directories: Array<Record<string, unknown>> };

/** Edits manifest.json; with `reseal`, recomputes its SHA-256 seal as anyone can. */
export function editManifest(bundle: string, edit: (m: ManifestJson) => void, reseal = true): void {
  const mpath = join(bundle, 'manifest.json');
  const m = JSON.parse(readFileSync(mpath, 'utf8')) as ManifestJson;
  edit(m);
  const bytes = Buffer.from(JSON.stringify(m, null, 2));
  writeFileSync(mpath, bytes);
  if (reseal) writeFileSync(join(bundle, 'manifest.seal'), JSON.stringify({ algorithm: 'sha256', value: createHash('sha256').update(bytes).digest('hex') }));
}

/** Adds a file to a plain bundle where its original path belongs, listed with its hashes and tags. */
export function addFile(bundle: string, m: ManifestJson, original: string, content: string | Buffer, tags: string[], storedAs?: string): void {
  const stored = storedAs ?? snapshotPathOf(original);
  const local = join(bundle, ...stored.split('/'));
  mkdirSync(dirname(local), { recursive: true });
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  writeFileSync(local, bytes);
  m.files.push({ stored, original, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), tags });
}
