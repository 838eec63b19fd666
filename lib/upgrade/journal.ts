// The upgrade journal: one JSON record per line, appended and flushed to disk before and after
// every changing step, so a run killed at any point can be resumed or rolled back.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { ExitCode, MfaError } from '../errors.js';
import type { UpgradePlan } from './plan-types.js';

export type StepPhase = 'start' | 'done' | 'failed' | 'left-to-do' | 'undo-start' | 'undone';

export type JournalRecord =
  | { type: 'begin'; time: string; tool: string; plan: UpgradePlan; host: string; packagesDir: string }
  | { type: 'services'; time: string; running: string[] }
  | { type: 'backup'; time: string; bundle: string }
  | { type: 'step'; time: string; id: string; phase: StepPhase; data?: Record<string, unknown> }
  | { type: 'end'; time: string; outcome: 'completed' | 'rolled-back' | 'failed'; exitCode: number };

export const JOURNAL_FILE = 'upgrade-journal.jsonl';

export class Journal {
  constructor(readonly path: string) {}

  append(record: JournalRecord): void {
    const fd = openSync(this.path, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(record)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  exists(): boolean {
    return existsSync(this.path);
  }

  /** Every complete record; a torn last line (a crash mid-write) is ignored, any other damage is an error. */
  read(): JournalRecord[] {
    const lines = readFileSync(this.path, 'utf8').split('\n');
    const out: JournalRecord[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        out.push(JSON.parse(line) as JournalRecord);
      } catch {
        if (i === lines.length - 1 || (i === lines.length - 2 && lines[lines.length - 1] === '')) return;
        throw new MfaError(`the journal is damaged at line ${i + 1}`, { code: 'JOURNAL_DAMAGED', target: this.path, line: i + 1, exitCode: ExitCode.badInput, remedy: 'Restore from the backup bundle with mfa-upgrade restore, then plan again.' });
      }
    });
    return out;
  }
}

export interface JournalState {
  begin: Extract<JournalRecord, { type: 'begin' }>;
  bundle: string | undefined;
  /** Services running before anything was stopped (the backup stops the MFA service for its copy). */
  running: string[] | undefined;
  /** Last phase per step id. */
  phases: Map<string, StepPhase>;
  /** Data recorded with each step's start and done records, merged. */
  data: Map<string, Record<string, unknown>>;
  ended: Extract<JournalRecord, { type: 'end' }> | undefined;
}

export function journalState(records: JournalRecord[], path: string): JournalState {
  const begin = records[0];
  if (!begin || begin.type !== 'begin') {
    throw new MfaError('the journal does not start with its plan', { code: 'JOURNAL_DAMAGED', target: path, exitCode: ExitCode.badInput, remedy: 'Restore from the backup bundle with mfa-upgrade restore, then plan again.' });
  }
  const state: JournalState = { begin, bundle: undefined, running: undefined, phases: new Map(), data: new Map(), ended: undefined };
  for (const r of records.slice(1)) {
    if (r.type === 'backup') state.bundle = r.bundle;
    else if (r.type === 'services') state.running = r.running;
    else if (r.type === 'step') {
      state.phases.set(r.id, r.phase);
      if (r.data) state.data.set(r.id, { ...(state.data.get(r.id) ?? {}), ...r.data });
    } else if (r.type === 'end') state.ended = r;
  }
  return state;
}
