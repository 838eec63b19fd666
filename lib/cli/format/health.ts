// The human view of verify-upgrade: a table that fits the console, and what to do.
import type { UpgradeHealth } from '../../health/verify-upgrade.js';
import { bullet } from './readiness.js';
import { consoleWidth, table } from './table.js';

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

export function formatHealth(h: UpgradeHealth, width = consoleWidth()): string {
  const lines = [`Upgrade health of ${h.computerName}, against ${h.against}`, '', table(['Status', 'Check', 'Evidence'], h.checks.map((c) => [MARK[c.status], c.title, c.evidence]), width)];
  const todo = h.checks.filter((c) => c.status !== 'pass' && c.remedy);
  if (todo.length) {
    lines.push('', 'What to do:');
    for (const c of todo) lines.push(...bullet(c.title, c.remedy ?? '', width));
  }
  lines.push('', h.healthy ? 'Healthy.' : `NOT healthy: ${h.checks.filter((c) => c.status === 'fail').length} check(s) failed (exit 4).`);
  return lines.join('\n');
}
