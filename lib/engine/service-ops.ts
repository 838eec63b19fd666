// Stopping and starting services around work that needs them stopped (copying the data file,
// restoring it, restarting AD FS): one place for every run. What is about to be stopped is
// journaled before the stop, and what was started again after, so a run killed in between is
// put right by the next one (finishRun in recover.ts starts what is owed).
import type { Host, ServiceInfo } from '../host/ports.js';
import type { Reporter } from '../reporting/reporter.js';
import type { JournalRecord } from './journal.js';

export interface JournalSink {
  append(record: JournalRecord): void;
}

export interface ServiceOps {
  /**
   * Stops each named service that is running (its running dependents first, as the SCM does);
   * resolves to everything stopped, in the order it stopped.
   */
  stop(names: string[], why: string, options?: { timeoutMs?: number }): Promise<string[]>;
  /** Starts services, in the order given; stopped-by-this-run bookkeeping is updated. */
  start(names: string[], options?: { timeoutMs?: number }): Promise<void>;
  /** Stops, runs fn, and starts again (newest stopped first) whatever fn did; start failures are returned, not thrown over fn's error. */
  around<T>(names: string[], why: string, fn: () => Promise<T>): Promise<{ value: T; startFailures: Array<{ service: string; error: unknown }> }>;
}

const now = () => new Date().toISOString();
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The running services that depend on `name`, directly or not, dependents of dependents first. */
function runningDependents(all: ServiceInfo[], name: string, seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (const s of all) {
    if (seen.has(s.name.toLowerCase()) || !s.dependsOn?.some((d) => same(d, name))) continue;
    seen.add(s.name.toLowerCase());
    out.push(...runningDependents(all, s.name, seen));
    if (s.state !== 'stopped') out.push(s.name);
  }
  return out;
}

export function serviceOps(host: Host, reporter: Reporter, journal: JournalSink | undefined): ServiceOps {
  const ops: ServiceOps = {
    async stop(names, why, options) {
      const all = await host.services.list();
      const intent: string[] = [];
      for (const n of names) {
        const s = all.find((x) => same(x.name, n));
        if (!s || s.state === 'stopped') continue;
        for (const d of [...runningDependents(all, s.name), s.name]) if (!intent.some((i) => same(i, d))) intent.push(d);
      }
      if (intent.length === 0) return [];
      // Journaled before the stop: a crash in the middle leaves a record of what may be stopped.
      journal?.append({ type: 'services-stopped', time: now(), names: intent, why });
      const stopped: string[] = [];
      for (const n of names) {
        if (!intent.some((i) => same(i, n))) continue;
        reporter.log('info', `Stopping ${n} (${why})`);
        for (const s of await host.services.stop(n, options)) if (!stopped.some((x) => same(x, s))) stopped.push(s);
      }
      return stopped;
    },
    async start(names, options) {
      for (const n of names) {
        const s = await host.services.get(n);
        if (s && s.state !== 'running') {
          reporter.log('info', `Starting ${n}`);
          await host.services.start(n, options);
        }
        journal?.append({ type: 'services-started', time: now(), names: [n] });
      }
    },
    async around(names, why, fn) {
      const stopped = await ops.stop(names, why);
      const startFailures: Array<{ service: string; error: unknown }> = [];
      try {
        return { value: await fn(), startFailures };
      } finally {
        for (const n of [...stopped].reverse()) {
          try {
            await ops.start([n]);
          } catch (error) {
            startFailures.push({ service: n, error });
            reporter.log('error', `${n} could not be started again: ${error instanceof Error ? error.message : String(error)}. Start it with Start-Service ${n}.`);
          }
        }
      }
    },
  };
  return ops;
}
