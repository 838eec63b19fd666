// Tables fit the console: every line within the width, every word of every cell still there (in
// order), the first column's cells on their row's first line; without a console, lines stay whole.
import test from 'ava';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { takeInventory } from '../../lib/inventory/take-inventory.js';
import { runChecks } from '../../lib/readiness/run-checks.js';
import { formatReadiness } from '../../lib/cli/format/readiness.js';
import { table, wrapText } from '../../lib/cli/format/table.js';

test('wrapText keeps every character, breaks words longer than the width, and never exceeds it', (t) => {
  const text = 'HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\VisualStudio\\14.0\\VC\\Runtimes\\x86 has no Major/Minor/Bld; the packages folder has it';
  for (const w of [7, 13, 40, 200]) {
    const lines = wrapText(text, w);
    t.true(lines.every((l) => l.length <= w), String(w));
    t.is(lines.join('').replace(/\s/g, ''), text.replace(/\s/g, ''));
  }
});

test('the readiness table of the 2008 R2 sample, 283 columns wide unwrapped, fits 80 and 120 columns', async (t) => {
  const host = await openImageHost('examples/hosts/phonefactor-5.2');
  const results = await runChecks({ host, inventory: await takeInventory(host), targetMajor: 8 });
  const whole = formatReadiness(results, Number.POSITIVE_INFINITY);
  t.true(Math.max(...whole.split('\n').map((l) => l.length)) > 200, 'the unwrapped table is far wider than a console');
  for (const width of [80, 120]) {
    const text = formatReadiness(results, width);
    t.true(text.split('\n').every((l) => l.length <= width), String(width));
    // The evidence column, read back line by line from where its header starts, holds every check's evidence in order.
    const lines = text.split('\n');
    const at = lines[0]?.indexOf('Evidence') ?? -1;
    const end = lines.indexOf('', 2);
    const column = lines.slice(2, end === -1 ? undefined : end).map((l) => l.slice(at)).join('').replace(/\s+/g, '');
    t.is(column, results.map((r) => r.evidence).join('').replace(/\s+/g, ''));
  }
});

test('rows keep their columns aligned when cells wrap', (t) => {
  const rows = [['PASS', 'short', 'a b c d e f g h i j k l m n o p q r s t u v w x y z'], ['FAIL', 'a rather long check title that wraps too', 'x']];
  const out = table(['Status', 'Check', 'Evidence'], rows, 40).split('\n');
  t.true(out.every((l) => l.length <= 40));
  const evidenceAt = out[0]?.indexOf('Evidence') ?? -1;
  for (const l of out.slice(2)) if (l.length > evidenceAt && l.slice(evidenceAt).trim() !== '') t.is(l[evidenceAt - 1], ' ');
  t.is(table(['A', 'B'], [['x', 'y'.repeat(300)]], Number.POSITIVE_INFINITY).split('\n').length, 3);
});
