// The human view of readiness results.
import type { CheckResult } from '../../readiness/types.js';
import { table } from './table.js';

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

export function formatReadiness(results: CheckResult[]): string {
  const lines = [table(['Status', 'Check', 'Evidence'], results.map((r) => [MARK[r.status], r.title, r.evidence]))];
  const todo = results.filter((r) => r.status !== 'pass' && r.remedy);
  if (todo.length) {
    lines.push('', 'What to do:');
    for (const r of todo) lines.push(`  - ${r.title}: ${r.remedy}`);
  }
  return lines.join('\n');
}
