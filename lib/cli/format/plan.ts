// The human view of an upgrade plan.
import type { MergePreview, UpgradePlan } from '../../upgrade/plan-types.js';

/** A merge worked out ahead on the new package's web.config: the decision, what is carried, the diff (passwords masked). */
function previewLines(p: MergePreview): string[] {
  const pad = (l: string) => `        ${l}`;
  if (p.unavailable) return [pad(`preview: not available (${p.unavailable})`)];
  const out = ['      preview, against the new package\'s web.config:', ...p.decision.map(pad)];
  out.push(pad(`baseline: ${p.baseline ?? 'none (only security and branding settings are carried beyond the settings)'}`));
  if (p.carried.length) out.push(pad(`carried: ${p.carried.join(', ')}`));
  for (const l of p.leftToDo) out.push(pad(`LEFT TO DO: ${l}`));
  for (const w of p.warnings) out.push(pad(`warning: ${w}`));
  if (p.diff) out.push(...p.diff.split('\n').map(pad));
  return out;
}

export function formatPlan(plan: UpgradePlan): string {
  const out: string[] = [];
  const route = plan.path === 'phonefactor-agent' ? 'PhoneFactor Agent 5.x -> MFA Server (uninstall, then install)' : plan.path === 'mfa-server' ? 'MFA Server in place (major upgrade)' : 'nothing to upgrade';
  out.push(`Upgrade plan for ${plan.computerName}: ${plan.from ? `${plan.from.name} ${plan.from.version}` : '-'} -> ${plan.to ? `${plan.to.name} ${plan.to.version}` : '-'}`);
  out.push(`Path: ${route}; virtual directory names: ${plan.vdirNames}`, '');
  if (plan.upToDate) out.push('Already up to date: nothing to do.');
  plan.steps.forEach((s) => {
    out.push(`${s.id}  ${s.kind === 'manual' ? '[manual] ' : ''}${s.title}`);
    out.push(`      ${s.description}`);
    if (s.preconditions.length) out.push(`      needs: ${s.preconditions.join('; ')}`);
    if (s.protects.length) out.push(`      protects: ${s.protects.join('; ')}`);
    out.push(`      undo: ${s.undo}`);
    if (s.kind === 'merge-config' && s.preview) out.push(...previewLines(s.preview));
  });
  if (plan.warnings.length) {
    out.push('', 'Warnings:');
    for (const w of plan.warnings) out.push(`  - ${w}`);
  }
  if (plan.blockers.length) {
    out.push('', 'BLOCKED: the plan cannot run until these are fixed:');
    for (const b of plan.blockers) out.push(`  - ${b.message}\n    What to do: ${b.remedy}`);
  }
  return out.join('\n');
}
