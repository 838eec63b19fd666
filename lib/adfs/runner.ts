// A small runner for the AD FS steps (the generic executor of lib/upgrade/ journals the same step
// shape): runs this host's steps in order from a starting point, stops at the first step that
// belongs to another server or to a person, and on a failure undoes what this run did, in
// reverse, so AD FS is left as it was found. The run state (what completed, when the adapter left
// and came back into the policy) is persisted in the backup folder after every step.
import { MfaError } from '../errors.js';
import { joinWindowsPath } from '../util/winpath.js';
import { runsHere } from './plan.js';
import type { AdfsStep, RunState, StepContext } from './steps.js';

export const STATE_FILE = 'adfs-upgrade-state.json';

export interface StepOutcome {
  id: string;
  status: 'done' | 'failed' | 'undone' | 'undo-failed' | 'not-run';
  ms?: number;
  error?: string;
}

export interface RunResult {
  status: 'completed' | 'paused' | 'rolled-back' | 'failed';
  steps: StepOutcome[];
  /** The step this host stopped at (manual, or another server's), when paused. */
  next?: { id: string; title: string; node: string; manual: boolean };
  /** The first step after `next` that this host runs: resume with --from it once `next` is done. */
  resumeFrom?: string;
  failure?: { step: string; error: MfaError | Error };
  /** How long the farm was without the adapter in its policy, when it left and came back. */
  withoutAdapterSeconds?: number;
  /** The adapter is still out of the policy when the run ended (paused between c and h). */
  adapterOutOfPolicy: boolean;
}

export async function persistState(ctx: Pick<StepContext, 'host' | 'inputs' | 'state'>): Promise<void> {
  await ctx.host.files.mkdirp(ctx.inputs.backupDir);
  await ctx.host.files.writeFileAtomic(joinWindowsPath(ctx.inputs.backupDir, STATE_FILE), Buffer.from(`${JSON.stringify(ctx.state, null, 2)}\n`));
}

export async function runAdfsSteps(steps: AdfsStep[], ctx: StepContext, localNode: string, from?: string): Promise<RunResult> {
  let start = 0;
  if (from !== undefined) {
    start = steps.findIndex((s) => s.id.toLowerCase() === from.toLowerCase());
    if (start === -1) throw new MfaError(`there is no step '${from}' in this plan`, { code: 'USAGE', exitCode: 2, remedy: 'Run with --what-if to list the step ids.' });
  }
  const outcomes: StepOutcome[] = [];
  const done: AdfsStep[] = [];
  let result: RunResult | undefined;
  for (let i = start; i < steps.length; i++) {
    const step = steps[i] as AdfsStep;
    if (!runsHere(step, localNode)) {
      ctx.state.status = 'paused';
      result = { status: 'paused', steps: outcomes, next: { id: step.id, title: step.title, node: step.node, manual: step.manual === true }, adapterOutOfPolicy: false };
      const resume = steps.slice(i + 1).find((s) => runsHere(s, localNode));
      if (resume) result.resumeFrom = resume.id;
      break;
    }
    const t0 = ctx.now();
    ctx.log('verbose', `step ${step.id}: ${step.describe()}`);
    try {
      await step.run(ctx);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      outcomes.push({ id: step.id, status: 'failed', ms: ctx.now() - t0, error: error.message });
      ctx.log('error', `step ${step.id} failed: ${error.message}; undoing this run's steps`);
      let clean = true;
      for (const d of [...done].reverse()) {
        const o = outcomes.find((x) => x.id === d.id) as StepOutcome;
        if (!d.undo) continue;
        try {
          await d.undo(ctx);
          o.status = 'undone';
          ctx.state.completed = ctx.state.completed.filter((id) => id !== d.id);
        } catch (u) {
          clean = false;
          o.status = 'undo-failed';
          o.error = u instanceof Error ? u.message : String(u);
          ctx.log('error', `undo of ${d.id} failed: ${o.error}`);
        }
      }
      ctx.state.status = clean ? 'rolled-back' : 'failed';
      result = { status: ctx.state.status, steps: outcomes, failure: { step: step.id, error }, adapterOutOfPolicy: false };
      break;
    }
    outcomes.push({ id: step.id, status: 'done', ms: ctx.now() - t0 });
    done.push(step);
    ctx.state.completed.push(step.id);
    await ctx.persist();
  }
  if (!result) {
    ctx.state.status = 'completed';
    result = { status: 'completed', steps: outcomes, adapterOutOfPolicy: false };
  }
  for (const s of steps.slice(start)) if (!outcomes.some((o) => o.id === s.id)) outcomes.push({ id: s.id, status: 'not-run' });
  const { removedFromPolicyAt: out, restoredToPolicyAt: back } = ctx.state;
  if (out !== undefined && back !== undefined && back >= out) result.withoutAdapterSeconds = Math.round((back - out) / 100) / 10;
  result.adapterOutOfPolicy = out !== undefined && (back === undefined || back < out);
  await ctx.persist();
  return result;
}
