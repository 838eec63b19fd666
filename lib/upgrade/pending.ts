// What --resume or --rollback would do, read from the journal (for --what-if).
import { join } from 'node:path';
import { ExitCode, MfaError } from '../errors.js';
import { Journal, JOURNAL_FILE, journalState } from './journal.js';

export interface PendingSteps {
  mode: 'resume' | 'rollback';
  journal: string;
  steps: Array<{ id: string; title: string; kind: string; phase: string | null }>;
  lines: string[];
}

export function describePending(workDir: string, mode: 'resume' | 'rollback'): PendingSteps {
  const journal = new Journal(join(workDir, JOURNAL_FILE));
  if (!journal.exists()) throw new MfaError(`there is no upgrade journal in ${workDir}`, { code: 'NO_JOURNAL', target: journal.path, exitCode: ExitCode.usage, remedy: 'Pass the --backup folder of the interrupted run.' });
  const state = journalState(journal.read(), journal.path);
  const steps = state.begin.plan.steps.map((s) => ({ id: s.id, title: s.title, kind: s.kind, phase: state.phases.get(s.id) ?? null }));
  const chosen =
    mode === 'resume'
      ? steps.filter((s) => s.phase !== 'done' && s.phase !== 'left-to-do' && s.kind !== 'backup')
      : [...steps].reverse().filter((s) => s.kind !== 'manual' && s.phase !== null && s.phase !== 'undone' && s.phase !== 'left-to-do');
  const lines = [
    `${mode === 'resume' ? 'Resuming' : 'Rolling back'} the upgrade begun ${state.begin.time} on ${state.begin.host} would ${mode === 'resume' ? 'run' : 'undo'}:`,
    ...chosen.map((s) => `  ${s.id}  ${s.title}${s.phase ? `  (was: ${s.phase})` : ''}`),
    ...(mode === 'rollback' ? ['  then put the data file, web.configs and themes back from the backup'] : []),
  ];
  return { mode, journal: journal.path, steps: chosen, lines };
}
