// A rig for engine tests: an image host copy, a work folder, run options with a recording
// reporter, and oracles that read what an administrator would: the journal's JSONL lines (parsed
// here with JSON.parse, not the engine's reader), the image's files and services.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunOptions } from '../../../lib/engine/engine.js';
import type { EngineStep } from '../../../lib/engine/step.js';
import { openImageHost, type ImageHost } from '../../../lib/host/image/image-host.js';
import type { LogLevel, ProgressEvent, Reporter } from '../../../lib/reporting/reporter.js';
import { NEVER_CANCELLED } from '../../../lib/util/cancel.js';
import { tempCopy, tempDir } from '../../helpers/temp-host.js';

export type Env = { calls: string[]; seen: Record<string, unknown> };

export interface JournalLine {
  type: string;
  id?: string;
  phase?: string;
  data?: Record<string, unknown>;
  error?: string;
  names?: string[];
  running?: string[];
  outcome?: string;
  exitCode?: number;
  runId?: string;
  format?: string;
  time?: string;
  values?: Record<string, unknown>;
  path?: string;
}

export interface Rig {
  host: ImageHost;
  hostDir: string;
  work: string;
  journal: string;
  env: Env;
  logs: Array<[LogLevel, string]>;
  progress: ProgressEvent[];
  options(steps: Array<EngineStep<Env>>, extra?: Partial<RunOptions<Env>>): RunOptions<Env>;
  file(name: string): string | undefined;
  /** The journal's records, one JSON.parse a line. */
  records(): JournalLine[];
  /** "type id phase" of the records, for comparing sequences. */
  trail(from?: number): string[];
  /** A service's state as services.json holds it. */
  service(name: string): { state: string; startType: string } | undefined;
  setService(name: string, fields: Partial<{ state: string; startType: string }>): void;
  logged(level: LogLevel): string[];
}

export async function rig(t: { teardown(fn: () => void): void }): Promise<Rig> {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const host = (await openImageHost(h.dir)) as ImageHost;
  const env: Env = { calls: [], seen: {} };
  const logs: Array<[LogLevel, string]> = [];
  const progress: ProgressEvent[] = [];
  const reporter: Reporter = { progress: (e) => void progress.push(e), log: (l, m) => void logs.push([l, m]), object: () => undefined };
  const journal = join(w.dir, 'journal.jsonl');
  const servicesFile = join(h.dir, 'services.json');
  const readServices = () => JSON.parse(readFileSync(servicesFile, 'utf8')) as Array<{ name: string; state: string; startType: string }>;
  const records = () =>
    readFileSync(journal, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as JournalLine);
  return {
    host,
    hostDir: h.dir,
    work: w.dir,
    journal,
    env,
    logs,
    progress,
    options: (steps, extra = {}) => ({
      journalPath: journal,
      workDir: w.dir,
      kind: 'upgrade',
      spec: { test: true },
      policy: 'pause',
      steps,
      env,
      host,
      reporter,
      cancel: NEVER_CANCELLED,
      localNode: 'MFA01',
      unattended: false,
      retry: { attempts: 1, delayMs: 0 },
      logDir: 'C:\\Windows\\Logs\\MfaUpgrade',
      toolVersion: 'test',
      activity: 'testing',
      sleep: async () => undefined,
      ...extra,
    }),
    file: (name) => {
      const p = join(h.dir, 'drive/C/engine', name);
      return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
    },
    records,
    trail: (from = 0) => records().slice(from).map((r) => [r.type, r.id, r.phase].filter((x) => x !== undefined).join(' ')),
    service: (name) => readServices().find((s) => s.name.toLowerCase() === name.toLowerCase()),
    setService: (name, fields) => {
      const list = readServices().map((s) => (s.name === name ? { ...s, ...fields } : s));
      writeFileSync(servicesFile, `${JSON.stringify(list, null, 2)}\n`);
      host.services.reload();
    },
    logged: (level) => logs.filter(([l]) => l === level).map(([, m]) => m),
  };
}

/** A step that writes C:\engine\<name> (its original kept for undo) and records its calls. */
export function writes(id: string, name: string, content: string, extra: Partial<EngineStep<Env>> = {}): EngineStep<Env> {
  const path = `C:\\engine\\${name}`;
  return {
    id,
    title: `write ${name}`,
    kind: 'test',
    async run(ctx) {
      ctx.env.calls.push(`run ${id}`);
      await ctx.undo.keep(path);
      await ctx.host.files.writeFileAtomic(path, Buffer.from(content));
    },
    async undo(ctx) {
      ctx.env.calls.push(`undo ${id}`);
      await ctx.undo.putBack(path);
    },
    ...extra,
  };
}

/** A step that only records that it ran (and was undone). */
export function marks(id: string, extra: Partial<EngineStep<Env>> = {}): EngineStep<Env> {
  return {
    id,
    title: `mark ${id}`,
    kind: 'test',
    async run(ctx) {
      ctx.env.calls.push(`run ${id}`);
    },
    async undo(ctx) {
      ctx.env.calls.push(`undo ${id}`);
    },
    ...extra,
  };
}

export const person = (id: string, extra: Partial<NonNullable<EngineStep<Env>['external']>> = {}): EngineStep<Env> => ({
  id,
  title: `person ${id}`,
  kind: 'manual',
  external: { who: 'person', instructions: `Do ${id} by hand.`, ...extra },
  async run(ctx) {
    ctx.env.calls.push(`run ${id}`);
  },
});

export const server = (id: string, node: string): EngineStep<Env> => ({
  id,
  title: `on ${node}`,
  kind: 'adfs',
  external: { who: 'server', node, instructions: `Run ${id} on ${node}.` },
  async run(ctx) {
    ctx.env.calls.push(`run ${id}`);
  },
});
