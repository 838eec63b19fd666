// The human view of readiness results: a table that fits the console, and what to do, wrapped.
import type { CheckResult } from '../../readiness/types.js';
import { consoleWidth, table, wrapText } from './table.js';

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

/** "  - title: text" wrapped to the width, later lines indented under the text. */
export function bullet(title: string, text: string, width = consoleWidth()): string[] {
  return wrapText(`${title}: ${text}`, Number.isFinite(width) ? Math.max(20, width - 4) : Number.POSITIVE_INFINITY).map((l, i) => `${i === 0 ? '  - ' : '    '}${l}`);
}

export function formatReadiness(results: CheckResult[], width = consoleWidth()): string {
  const lines = [table(['Status', 'Check', 'Evidence'], results.map((r) => [MARK[r.status], r.title, r.evidence]), width)];
  const todo = results.filter((r) => r.status !== 'pass' && r.remedy);
  if (todo.length) {
    lines.push('', 'What to do:');
    for (const r of todo) lines.push(...bullet(r.title, r.remedy ?? '', width));
  }
  return lines.join('\n');
}
