// The human view of an upgrade plan.
import type { UpgradePlan } from '../../upgrade/plan-types.js';

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
