// The mutation groups (scripts/mutate/groups.mjs) name files and line ranges by hand: a file that
// moves, or a function that grows past a range's end, would leave code silently unmutated. And the
// score table in docs/testing.md is copied from the committed results: it must not drift from them.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Group { name: string; mutate: string[]; tests: string[] }

const root = process.cwd();
const groupsLoaded = import(join(root, 'scripts/mutate/groups.mjs')) as Promise<{ GROUPS: Group[] }>;

function parseTarget(target: string): { file: string; from?: number; to?: number } {
  const m = /^(.*):(\d+)-(\d+)$/.exec(target);
  return m?.[1] ? { file: m[1], from: Number(m[2]), to: Number(m[3]) } : { file: target };
}

/** Whether the cut after line n (1-based; 0 is the top) falls between top-level declarations. */
function between(lines: string[], n: number): boolean {
  if (n === 0 || n === lines.length) return true;
  const before = lines[n - 1] ?? '';
  const after = lines[n] ?? '';
  if (before.trim() === '') return after.trim() !== '' && !/^\s/.test(after);
  return after.trim() === '' && !/^\s/.test(before);
}

test('every file a group mutates or runs exists', async (t) => {
  const { GROUPS } = await groupsLoaded;
  const missing = GROUPS.flatMap((g) => [...g.mutate.map((m) => parseTarget(m).file), ...g.tests].filter((f) => !existsSync(join(root, f))).map((f) => `${g.name}: ${f}`));
  t.deepEqual(missing, []);
});

test('a line range starts and ends on a top-level declaration boundary', async (t) => {
  const { GROUPS } = await groupsLoaded;
  const problems: string[] = [];
  for (const g of GROUPS) {
    for (const target of g.mutate) {
      const { file, from, to } = parseTarget(target);
      if (from === undefined || to === undefined) continue;
      const lines = readFileSync(join(root, file), 'utf8').replace(/\n$/, '').split('\n');
      if (from < 1 || to > lines.length || from > to) {
        problems.push(`${g.name}: ${target} is outside the file's ${lines.length} lines`);
        continue;
      }
      // Between two top-level declarations lies a blank line, and a declaration's first and last
      // lines are unindented: a range's edges must sit on either side of such a blank line.
      if (!between(lines, from - 1)) problems.push(`${g.name}: ${target} starts inside a declaration: ${lines[from - 1]}`);
      if (!between(lines, to)) problems.push(`${g.name}: ${target} ends inside a declaration: ${lines[to - 1]}`);
    }
  }
  t.deepEqual(problems, []);
});

test('a file split across groups is covered from its first line to its last, once', async (t) => {
  const { GROUPS } = await groupsLoaded;
  const ranges = new Map<string, { from: number; to: number }[]>();
  for (const g of GROUPS) {
    for (const target of g.mutate) {
      const { file, from, to } = parseTarget(target);
      if (from !== undefined && to !== undefined) ranges.set(file, [...(ranges.get(file) ?? []), { from, to }]);
    }
  }
  const split = [...ranges].filter(([, r]) => r.length > 1);
  t.true(split.length > 0, 'take-backup.ts is split in two groups');
  for (const [file, list] of split) {
    const lines = readFileSync(join(root, file), 'utf8').replace(/\n$/, '').split('\n').length;
    let next = 1;
    for (const r of [...list].sort((a, b) => a.from - b.from)) {
      t.is(r.from, next, `${file}: ${r.from}-${r.to} follows line ${next - 1}`);
      next = r.to + 1;
    }
    t.is(next - 1, lines, `${file} is covered to its last line (${lines})`);
  }
});

test("docs/testing.md's score table is the committed incremental results", async (t) => {
  const { GROUPS } = await groupsLoaded;
  const doc = readFileSync(join(root, 'docs/testing.md'), 'utf8');
  let allKilled = 0;
  let allJudged = 0;
  for (const g of GROUPS) {
    const file = join(root, 'scripts/mutate/incremental', `${g.name}.json`);
    if (!existsSync(file)) {
      t.fail(`${g.name} has no committed results (run npm run mutate -- --group ${g.name})`);
      continue;
    }
    const data = JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, { mutants: { status: string }[] }> };
    const statuses = Object.values(data.files).flatMap((f) => f.mutants.map((m) => m.status));
    const killed = statuses.filter((s) => s === 'Killed' || s === 'Timeout').length;
    const judged = statuses.filter((s) => ['Killed', 'Timeout', 'Survived', 'NoCoverage'].includes(s)).length;
    allKilled += killed;
    allJudged += judged;
    t.true(doc.includes(`| ${g.name} | ${killed} / ${judged} | ${((100 * killed) / judged).toFixed(2)}% |`), `${g.name}: ${killed} / ${judged} in the table`);
    t.true((100 * killed) / judged >= 85, `${g.name} scores at least 85%`);
  }
  t.true(doc.includes(`| all | ${allKilled} / ${allJudged} | ${((100 * allKilled) / allJudged).toFixed(2)}% |`));
});
