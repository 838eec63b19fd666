// The run journal: one JSON record per line, appended and flushed to disk (fsync) before and
// after every change, so a run killed at any point is resumed or rolled back from it. One format
// for every run the tool makes: the server upgrade, the AD FS sequence, restore and backup.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ExitCode, MfaError } from '../errors.js';
import { writeFileAtomicLocal } from '../util/local-fs.js';

export const JOURNAL_FORMAT = 'mfa-upgrade/journal@2';

export type RunKind = 'upgrade' | 'adfs' | 'restore' | 'backup';
export type FailurePolicy = 'pause' | 'undo';

export type StepPhase =
  /** The step began (the run may have stopped inside it). */
  | 'start'
  | 'done'
  | 'failed'
  /** Stopped by an interrupt before it finished (an install rolled back by Windows Installer). */
  | 'interrupted'
  /** A manual step recorded for a person (--unattended). */
  | 'left-to-do'
  /** A manual or another server's step the run paused at. */
  | 'waiting'
  | 'undo-start'
  | 'undone'
  | 'undo-failed';

export type JournalRecord =
  | { type: 'begin'; format: typeof JOURNAL_FORMAT; time: string; runId: string; kind: RunKind; tool: string; host: string; pid: number; policy: FailurePolicy; spec: unknown }
  /** Services running before the run changed anything: what "as found" means for this run. */
  | { type: 'services'; time: string; running: string[] }
  /** The engine stopped these (in this order) and owes starting them again. */
  | { type: 'services-stopped'; time: string; names: string[]; why: string }
  | { type: 'services-started'; time: string; names: string[] }
  /** A temporary file or folder (local path) that must not outlive the run. */
  | { type: 'temp'; time: string; path: string }
  | { type: 'temp-removed'; time: string; path: string }
  /** Facts shared by the run's steps (the bundle, an export file, when the adapter left the policy). */
  | { type: 'data'; time: string; values: Record<string, unknown> }
  | { type: 'step'; time: string; id: string; phase: StepPhase; data?: Record<string, unknown>; error?: string }
  | { type: 'rollback'; time: string; phase: 'start' | 'finish-start' | 'finish-done' }
  | { type: 'end'; time: string; outcome: 'completed' | 'rolled-back' | 'failed' | 'cleaned-up'; exitCode: number };

export type BeginRecord = Extract<JournalRecord, { type: 'begin' }>;

const damaged = (path: string, detail: string, line?: number) =>
  new MfaError(`the journal ${detail}`, {
    code: 'JOURNAL_DAMAGED',
    target: path,
    ...(line !== undefined ? { line } : {}),
    exitCode: ExitCode.badInput,
    remedy: 'Do not edit journals. Restore from the backup bundle with mfa-upgrade restore, then plan again.',
  });

export class Journal {
  constructor(readonly path: string) {}

  exists(): boolean {
    return existsSync(this.path);
  }

  /**
   * The run the journal records, read once; undefined when there is no file or not one whole
   * record in it (a run killed while an earlier version created its journal changed nothing).
   */
  state(): JournalState | undefined {
    if (!this.exists()) return undefined;
    const records = this.read();
    return records.length > 0 ? journalState(records, this.path) : undefined;
  }

  /**
   * Creates the journal with its begin record and the records that go with it, whole or not at
   * all (written beside, flushed, renamed): a run killed as it begins leaves no journal, never
   * one that records nothing or half of its beginning.
   */
  async create(begin: BeginRecord, ...more: JournalRecord[]): Promise<void> {
    await writeFileAtomicLocal(this.path, Buffer.from([begin, ...more].map((r) => `${JSON.stringify(r)}\n`).join('')), 0o600);
  }

  append(record: JournalRecord): void {
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(record)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Every complete record; a torn last line (a crash mid-write) is ignored, any other damage is an error. */
  read(): JournalRecord[] {
    const text = readFileSync(this.path, 'utf8');
    const lines = text.split('\n');
    const out: JournalRecord[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        // Only the last line may be torn: records are appended whole and flushed one at a time.
        const isLast = lines.slice(i + 1).every((l) => l.trim() === '') && !text.endsWith('\n');
        if (isLast) return;
        throw damaged(this.path, `is damaged at line ${i + 1}`, i + 1);
      }
      if (typeof record !== 'object' || record === null || typeof (record as { type?: unknown }).type !== 'string') throw damaged(this.path, `has a record without a type at line ${i + 1}`, i + 1);
      out.push(record as JournalRecord);
    });
    return out;
  }
}

/** What a journal says about its run, folded from the records. */
export interface JournalState {
  begin: BeginRecord;
  running: string[] | undefined;
  /** Services the engine stopped and has not started again, in the order it stopped them. */
  owedStarts: string[];
  /** Temporary paths not yet removed. */
  temps: string[];
  data: Record<string, unknown>;
  /** Last phase per step id. */
  phases: Map<string, StepPhase>;
  /** Data recorded with each step's records, merged. */
  stepData: Map<string, Record<string, unknown>>;
  stepTimes: Map<string, { startedAt?: string; endedAt?: string; error?: string }>;
  rollback: 'none' | 'started' | 'finishing' | 'finished';
  ended: Extract<JournalRecord, { type: 'end' }> | undefined;
}

export function journalState(records: JournalRecord[], path: string): JournalState {
  const begin = records[0];
  if (!begin || begin.type !== 'begin') throw damaged(path, 'does not start with its begin record');
  if (begin.format !== JOURNAL_FORMAT) throw damaged(path, `has format ${String(begin.format)}, not ${JOURNAL_FORMAT}`);
  const s: JournalState = { begin, running: undefined, owedStarts: [], temps: [], data: {}, phases: new Map(), stepData: new Map(), stepTimes: new Map(), rollback: 'none', ended: undefined };
  for (const r of records.slice(1)) {
    switch (r.type) {
      case 'begin':
        throw damaged(path, 'holds two runs');
      case 'services':
        s.running = r.running;
        break;
      case 'services-stopped':
        for (const n of r.names) if (!s.owedStarts.some((o) => o.toLowerCase() === n.toLowerCase())) s.owedStarts.push(n);
        break;
      case 'services-started':
        s.owedStarts = s.owedStarts.filter((o) => !r.names.some((n) => n.toLowerCase() === o.toLowerCase()));
        break;
      case 'temp':
        s.temps.push(r.path);
        break;
      case 'temp-removed':
        s.temps = s.temps.filter((t) => t !== r.path);
        break;
      case 'data':
        Object.assign(s.data, r.values);
        break;
      case 'step': {
        s.phases.set(r.id, r.phase);
        if (r.data) s.stepData.set(r.id, { ...(s.stepData.get(r.id) ?? {}), ...r.data });
        const t = s.stepTimes.get(r.id) ?? {};
        if (r.phase === 'start') {
          t.startedAt = r.time;
          delete t.endedAt;
          delete t.error;
        } else t.endedAt = r.time;
        if (r.error !== undefined) t.error = r.error;
        s.stepTimes.set(r.id, t);
        break;
      }
      case 'rollback':
        s.rollback = r.phase === 'start' ? 'started' : r.phase === 'finish-start' ? 'finishing' : 'finished';
        break;
      case 'end':
        s.ended = r;
        break;
    }
  }
  return s;
}

export function readJournal(path: string): JournalState {
  const j = new Journal(path);
  return journalState(j.read(), path);
}
