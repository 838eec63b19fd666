// The one adapter between the engine's run journal (lib/engine/journal.ts, journal@2) of a server
// upgrade and the report's run section. The renderer and the other producers see RunSection only.
import { join } from 'node:path';
import { Journal, type JournalState, type StepPhase } from '../engine/journal.js';
import { parseJson } from '../util/json-file.js';
import { journalPathOf, type UpgradeSpec } from '../upgrade/run-upgrade.js';
import type { ManualStep, UpgradePlan } from '../upgrade/plan-types.js';
import type { RunSection, RunStepStatus, RunStepView, Tone } from './model.js';
import { existsSync, readFileSync } from 'node:fs';

export interface JournalRun {
  plan: UpgradePlan;
  tool: string;
  host: string;
  run: RunSection;
  /** Merge steps that wrote their file (applied), or wrote it and were undone, with the host path written. */
  merged: Map<string, { state: 'applied' | 'undone'; target: string | undefined }>;
}

export interface RunFacts {
  mode: 'run' | 'resume' | 'rollback' | 'rehearsal';
  /** What the engine returned, when it returned. */
  result?: { outcome: string; exitCode: number; rebootRequired: boolean; leftToDo: Array<{ id: string; title: string; instructions: string }> };
  /** The error that ended the run (thrown, or the engine's failure). */
  error?: { message: string; exitCode: number };
  undoCommand?: string;
  resumeCommand?: string;
}

const TONE: Record<string, Tone> = { completed: 'ok', 'rolled-back': 'info', paused: 'warn', failed: 'fail', interrupted: 'fail' };

function statusOf(phase: StepPhase | undefined): RunStepStatus {
  switch (phase) {
    case undefined:
      return 'not-run';
    case 'start':
      return 'started';
    case 'done':
      return 'done';
    case 'failed':
    case 'interrupted':
      return 'failed';
    case 'left-to-do':
      return 'left-to-do';
    case 'waiting':
      return 'paused';
    case 'undo-start':
      return 'undoing';
    case 'undone':
      return 'undone';
    case 'undo-failed':
      return 'undo-failed';
  }
}

/** The engine's journal of the upgrade run kept in workDir; undefined when there is none. */
export function readUpgradeJournal(workDir: string): JournalState | undefined {
  const path = journalPathOf(workDir);
  return new Journal(path).state();
}

/** Reads the journal in workDir; undefined when there is none (nothing ran yet). */
export function runFromJournal(workDir: string, facts: RunFacts): JournalRun | undefined {
  const state = readUpgradeJournal(workDir);
  if (!state || state.begin.kind !== 'upgrade') return undefined;
  const spec = state.begin.spec as UpgradeSpec;
  const plan = spec.plan;
  const merged: JournalRun['merged'] = new Map();
  const steps: RunStepView[] = plan.steps.map((s) => {
    const phase = state.phases.get(s.id);
    const status = statusOf(phase);
    const times = state.stepTimes.get(s.id);
    const data = state.stepData.get(s.id) ?? {};
    const view: RunStepView = { id: s.id, title: s.title, status };
    if (times?.startedAt) view.startedAt = times.startedAt;
    if (times?.endedAt && status !== 'started' && status !== 'undoing') view.endedAt = times.endedAt;
    if (times?.error) view.error = times.error;
    if (data['rebootRequired'] === true) view.rebootRequired = true;
    if (s.kind === 'merge-config' && (phase === 'done' || phase === 'undone' || phase === 'undo-start' || phase === 'undo-failed')) {
      merged.set(s.id, { state: phase === 'done' ? 'applied' : 'undone', target: typeof data['target'] === 'string' ? data['target'] : undefined });
    }
    return view;
  });

  const outcome = facts.result?.outcome ?? state.ended?.outcome ?? (facts.error ? 'failed' : 'interrupted');
  // Left to do: what the engine recorded for a person, and the manual step a paused run waits at.
  const leftToDo = [...(facts.result?.leftToDo ?? [])];
  for (const s of plan.steps) {
    if (s.kind !== 'manual' || leftToDo.some((m) => m.id === s.id)) continue;
    if (['left-to-do', 'waiting'].includes(state.phases.get(s.id) ?? '')) leftToDo.push({ id: s.id, title: s.title, instructions: (s as ManualStep).instructions });
  }
  const run: RunSection = {
    mode: facts.mode,
    outcome,
    // A run that ended with steps left to do by hand is not a plain success (exit 5).
    outcomeTone: outcome === 'completed' && leftToDo.length ? 'warn' : TONE[outcome] ?? 'neutral',
    startedAt: state.begin.time,
    steps,
    leftToDo,
    rebootRequired: facts.result?.rebootRequired ?? steps.some((s) => s.rebootRequired === true),
    journal: journalPathOf(workDir),
    notes: [],
  };
  const exitCode = facts.result?.exitCode ?? state.ended?.exitCode ?? facts.error?.exitCode;
  if (exitCode !== undefined) run.exitCode = exitCode;
  const ended = state.ended?.time ?? lastTime(steps);
  if ((state.ended || facts.result || facts.error) && ended) run.endedAt = ended;
  if (typeof state.data['bundle'] === 'string') run.backup = state.data['bundle'];
  if (facts.error) run.notes.push(`The run stopped: ${facts.error.message}`);
  if (outcome === 'interrupted') run.notes.push('The run stopped before its end (killed, or stopped at a safe point): finish it with the resume command, or undo it.');
  if (outcome !== 'rolled-back' && facts.undoCommand) run.undoCommand = facts.undoCommand;
  if ((outcome === 'paused' || outcome === 'failed' || outcome === 'interrupted') && facts.resumeCommand) run.resumeCommand = facts.resumeCommand;
  if (outcome === 'rolled-back') run.notes.push('Everything this run did was undone and the data file, web.configs and themes were put back from its backup.');
  return { plan, tool: state.begin.tool, host: state.begin.host, run, merged };
}

function lastTime(steps: RunStepView[]): string | undefined {
  return steps.reduce<string | undefined>((t, s) => [t, s.endedAt, s.startedAt].filter((x): x is string => x !== undefined).sort().pop(), undefined);
}

/**
 * The installed web.config as it was before a merge wrote it: the engine's undo store keeps it
 * (workDir/undo, an index by host path). Undefined when the store has no copy.
 */
export function keptBeforeMerge(workDir: string, hostPath: string): Buffer | undefined {
  const dir = join(workDir, 'undo');
  const indexFile = join(dir, 'index.json');
  if (!existsSync(indexFile)) return undefined;
  const index = parseJson(readFileSync(indexFile, 'utf8'), indexFile) as Record<string, { copy: string | null } | undefined>;
  const entry = index[hostPath.toLowerCase()];
  if (!entry || entry.copy === null || /[\\/]|\.\./.test(entry.copy)) return undefined;
  const file = join(dir, entry.copy);
  return existsSync(file) ? readFileSync(file) : undefined;
}
