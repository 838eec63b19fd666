// A web.config merge (lib/config/webconfig) as the report's MergeView: the merge's own masked diff
// split into hunks, the carried values, and the checklist of what it could not carry. For an
// executed run the merge is computed again from the same two inputs it had (the backed-up file and
// the installed file the engine's undo store kept): the merge is a pure function, so this is what
// was written.
import { mergeWebConfig, type MergeOutcome } from '../config/webconfig/merge.js';
import type { MergeReport } from '../config/webconfig/report.js';
import type { BackupAccess } from '../upgrade/backup-access.js';
import type { MergeConfigStep, UpgradePlan } from '../upgrade/plan-types.js';
import { keptBeforeMerge, type JournalRun } from './from-journal.js';
import { componentLabel } from './from-plan.js';
import type { ChecklistItem, DiffHunk, MergeSection, MergeView } from './model.js';

/**
 * Splits the merge's diff (lib/config/xml/edit.ts renderDiff: two header lines, then per block an
 * "@@ line N @@" line, the block's lines before, each prefixed "-", then after, each "+").
 */
export function parseMergeDiff(diff: string): DiffHunk[] {
  const hunks: DiffHunk[] = [];
  let current: DiffHunk | undefined;
  let side: 'before' | 'after' = 'before';
  const lines = diff.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (i < 2 && (line.startsWith('--- ') || line.startsWith('+++ '))) continue;
    const head = /^@@ line (\d+) @@$/.exec(line);
    if (head) {
      current = { line: Number(head[1]), before: [], after: [] };
      hunks.push(current);
      side = 'before';
      continue;
    }
    if (!current) continue;
    if (line.startsWith('+')) side = 'after';
    if (side === 'before' && line.startsWith('-')) current.before.push(line.slice(1));
    else if (side === 'after' && line.startsWith('+')) current.after.push(line.slice(1));
  }
  return hunks;
}

/** What the merge could not carry, as a checklist: keys only in the old file, elements outside the settings. */
export function mergeChecklist(r: MergeReport): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  const scoped = (e: { scope: string; key: string }) => `${e.scope ? `[${e.scope}] ` : ''}${e.key}`;
  for (const rm of r.removed) {
    if (rm.carried) continue;
    items.push({ text: `Re-apply ${scoped(rm)} by hand if it is still wanted (only in the old file).`, detail: rm.note ?? `Old value: ${rm.value}`, done: false });
  }
  if (r.strategy === 'merge-into-new') {
    for (const s of r.onlyInOldFile) items.push({ text: `Re-apply by hand if still wanted (only in the old file, outside the settings): ${s}`, done: false });
    for (const s of r.changedByNewVersion) items.push({ text: `Check this was not a local change (the new version has another value; the new one is kept): ${s}`, done: false });
  }
  return items;
}

export function mergeView(base: Pick<MergeView, 'title' | 'stepId' | 'oldFile' | 'newFile'>, outcome: MergeOutcome, state: MergeView['state']): MergeView {
  const r = outcome.report;
  return {
    ...base,
    state: r.changed ? state : 'unchanged',
    decision: `${r.strategy === 'copy-old' ? 'Keep the old file whole' : 'Carry the values into the new file'}: ${r.strategyReason}`,
    hunks: parseMergeDiff(outcome.diff),
    changes: r.changes.map((c) => ({ key: c.key, scope: c.scope, ...(c.old !== undefined ? { old: c.old } : {}), new: c.new, why: c.why, secret: c.secret })),
    checklist: mergeChecklist(r),
    warnings: [...r.warnings],
  };
}

/**
 * The merges of an executed run. `merged` says which steps merged and into which host file (from
 * the journal); a step whose inputs are gone is listed with a note instead of a diff.
 */
export async function executedMerges(plan: UpgradePlan, merged: JournalRun['merged'], workDir: string, backup: BackupAccess | undefined, bundle: string | undefined): Promise<MergeSection> {
  const items: MergeView[] = [];
  for (const step of plan.steps) {
    if (step.kind !== 'merge-config') continue;
    const m = merged.get(step.id);
    const base = { title: `${componentLabel(step.component)} (${step.site}/${step.vdir})`, stepId: step.id, oldFile: step.original, newFile: m?.target ?? step.target };
    if (!m) {
      items.push({ ...base, state: 'planned', hunks: [], changes: [], checklist: [], warnings: [] });
      continue;
    }
    items.push(await recompute(step, base, m.state, workDir, backup, bundle));
  }
  return { items };
}

async function recompute(step: MergeConfigStep, base: Pick<MergeView, 'title' | 'stepId' | 'oldFile' | 'newFile'>, state: 'applied' | 'undone', workDir: string, backup: BackupAccess | undefined, bundle: string | undefined): Promise<MergeView> {
  const missing = (why: string): MergeView => ({ ...base, state, hunks: [], changes: [], checklist: [], warnings: [`The diff cannot be shown: ${why}.`] });
  if (!backup || !bundle) return missing('the run has no backup bundle');
  const installed = keptBeforeMerge(workDir, base.newFile);
  if (!installed) return missing(`the run's undo store has no copy of ${base.newFile} as installed`);
  const old = await backup.readOriginal(bundle, step.original).catch(() => undefined);
  if (!old) return missing(`the backup has no copy of ${step.original}`);
  try {
    const outcome = mergeWebConfig({ bytes: old, file: `${step.original} (backup)` }, { bytes: installed, file: base.newFile }, { sdkVdir: step.sdkVdir, sdkVdirKept: step.sdkVdir.length === 0 });
    return mergeView(base, outcome, state);
  } catch (e) {
    return missing(e instanceof Error ? e.message : String(e));
  }
}
