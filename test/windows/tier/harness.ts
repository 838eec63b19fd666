// A small sequential test runner for inside the Windows node.exe under Wine (ava's workers and
// pipes do not work there). Results go to a file as JSON lines (node.exe cannot write to a pipe
// under Wine), one line per test as it ends, so a crash still leaves what ran before it.
import { appendFileSync, writeFileSync } from 'node:fs';

export interface TestContext {
  /** A remark printed beside the result (what was exercised, what Wine lacks). */
  note(text: string): void;
  /** Ends the test as skipped: what it checks cannot run here (a Wine limitation), said why. */
  skip(reason: string): never;
}

class Skipped extends Error {}

interface Case {
  name: string;
  fn: (t: TestContext) => Promise<void> | void;
  timeoutMs: number;
}

const cases: Case[] = [];

/** Tests run in the order they are declared, sharing the machine's state (installs build on each other). */
export function test(name: string, fn: Case['fn'], timeoutMs = 180_000): void {
  cases.push({ name, fn, timeoutMs });
}

export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run through scripts/windows-tier/run.mjs)`);
  return v;
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const extra = Object.entries(e as unknown as Record<string, unknown>)
      .filter(([k]) => !['stack', 'message'].includes(k))
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
    return `${e.stack ?? e.message}${extra.length ? `\n${extra.join(' ')}` : ''}`;
  }
  return String(e);
}

export async function runAll(): Promise<void> {
  const resultsFile = env('MFA_TIER_RESULTS');
  const filter = process.env['MFA_TIER_FILTER'];
  writeFileSync(resultsFile, '');
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const c of cases) {
    if (filter && !c.name.includes(filter)) continue;
    const notes: string[] = [];
    const t0 = Date.now();
    let record: Record<string, unknown>;
    try {
      const context: TestContext = {
        note: (s) => notes.push(s),
        skip: (reason) => {
          throw new Skipped(reason);
        },
      };
      await withTimeout(Promise.resolve().then(() => c.fn(context)), c.timeoutMs, c.name);
      passed++;
      record = { name: c.name, ok: true, ms: Date.now() - t0 };
    } catch (e) {
      if (e instanceof Skipped) {
        skipped++;
        record = { name: c.name, ok: true, skipped: true, ms: Date.now() - t0 };
        notes.unshift(e.message);
      } else {
        failed++;
        record = { name: c.name, ok: false, ms: Date.now() - t0, error: describe(e) };
      }
    }
    if (notes.length) record['note'] = notes.join('; ');
    appendFileSync(resultsFile, `${JSON.stringify(record)}\n`);
  }
  appendFileSync(resultsFile, `${JSON.stringify({ done: true, passed, failed, skipped })}\n`);
}
