// What --resume or --rollback would do, read from a run's journal (for --what-if).
import { isExternal, openState } from './engine.js';
import type { EngineStep } from './step.js';

export interface PendingSteps {
  mode: 'resume' | 'rollback';
  journal: string;
  runId: string;
  steps: Array<{ id: string; title: string; kind: string; phase: string | null }>;
  lines: string[];
}

export function describePending<Env>(journalPath: string, mode: 'resume' | 'rollback', steps: Array<EngineStep<Env>>, localNode: string, finish?: string): PendingSteps {
  const state = openState(journalPath);
  const rows = steps.map((s) => ({ id: s.id, title: s.title, kind: s.kind, phase: state.phases.get(s.id) ?? null, external: isExternal(s, localNode) || (mode === 'rollback' && !s.undo) }));
  const chosen =
    mode === 'resume'
      ? rows.filter((s) => s.phase !== 'done' && s.phase !== 'left-to-do')
      : [...rows].reverse().filter((s) => !s.external && s.phase !== null && s.phase !== 'undone' && s.phase !== 'left-to-do' && s.phase !== 'waiting');
  const lines = [
    `${mode === 'resume' ? 'Resuming' : 'Rolling back'} the ${state.begin.kind} run ${state.begin.runId} begun ${state.begin.time} on ${state.begin.host} would ${mode === 'resume' ? 'run' : 'undo'}:`,
    ...chosen.map((s) => `  ${s.id}  ${s.title}${s.phase ? `  (was: ${s.phase})` : ''}`),
    ...(mode === 'rollback' && finish ? [`  then ${finish}`] : []),
  ];
  return { mode, journal: journalPath, runId: state.begin.runId, steps: chosen.map(({ external: _e, ...r }) => r), lines };
}
