// The human view of a fleet plan.
import type { FleetPlan } from '../../upgrade/fleet.js';
import { table } from './table.js';

export function formatFleetPlan(plan: FleetPlan): string {
  const lines = [
    `Fleet plan: master ${plan.master}${plan.promote ? `, ${plan.promote} promoted before the master is upgraded` : ''}`,
    '',
    table(['#', 'Server', 'Kind', 'What'], plan.actions.map((a) => [String(a.order), a.server, a.manual ? `${a.kind} (manual)` : a.kind, a.title])),
  ];
  if (plan.warnings.length) lines.push('', 'Warnings:', ...plan.warnings.map((w) => `  - ${w}`));
  return lines.join('\n');
}
