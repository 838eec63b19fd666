// The mutation groups (scripts/mutate/groups.mjs) name files and line ranges by hand: a file that
// moves, or a function that grows past a range's end, would leave code silently unmutated. And the
// score table in docs/testing.md is copied from the committed results: it must not drift from them.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Group { name: string; mutate: string[]; tests: string[] }
interface Score { killed: number; judged: number }

const root = process.cwd();
const groupsLoaded = import(join(root, 'scripts/mutate/groups.mjs')) as Promise<{ GROUPS: Group[] }>;
const scoring = import(join(root, 'scripts/mutate/score.mjs')) as Promise<{ scoreOf(data: unknown): Score; percent(killed: number, judged: number): string }>;

function parseTarget(target: string): { file: string; from?: number; to?: number } {
  const m = /^(.*):(\d+)-(\d+)$/.exec(target);
  return m?.[1] ? { file: m[1], from: Number(m[2]), to: Number(m[3]) } : { file: target };
}

/** Every line range a group mutates (`file:from-to`). */
const rangesLoaded = groupsLoaded.then(({ GROUPS }) =>
  GROUPS.flatMap((g) => g.mutate.flatMap((target) => {
    const { file, from, to } = parseTarget(target);
    return from === undefined || to === undefined ? [] : [{ group: g.name, target, file, from, to }];
  })),
);

const linesOf = (file: string): string[] => readFileSync(join(root, file), 'utf8').replace(/\n$/, '').split('\n');

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
  const problems: string[] = [];
  for (const { group, target, file, from, to } of await rangesLoaded) {
    const lines = linesOf(file);
    if (from < 1 || to > lines.length || from > to) {
      problems.push(`${group}: ${target} is outside the file's ${lines.length} lines`);
      continue;
    }
    // Between two top-level declarations lies a blank line, and a declaration's first and last
    // lines are unindented: a range's edges must sit on either side of such a blank line.
    if (!between(lines, from - 1)) problems.push(`${group}: ${target} starts inside a declaration: ${lines[from - 1]}`);
    if (!between(lines, to)) problems.push(`${group}: ${target} ends inside a declaration: ${lines[to - 1]}`);
  }
  t.deepEqual(problems, []);
});

test('a file split across groups is covered from its first line to its last, once', async (t) => {
  const ranges = new Map<string, { from: number; to: number }[]>();
  for (const { file, from, to } of await rangesLoaded) ranges.set(file, [...(ranges.get(file) ?? []), { from, to }]);
  const split = [...ranges].filter(([, r]) => r.length > 1);
  t.true(split.length > 0, 'take-backup.ts is split in two groups');
  for (const [file, list] of split) {
    const lines = linesOf(file).length;
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
  const { scoreOf, percent } = await scoring;
  const doc = readFileSync(join(root, 'docs/testing.md'), 'utf8');
  let allKilled = 0;
  let allJudged = 0;
  for (const g of GROUPS) {
    const file = join(root, 'scripts/mutate/incremental', `${g.name}.json`);
    if (!existsSync(file)) {
      t.fail(`${g.name} has no committed results (run npm run mutate -- --group ${g.name})`);
      continue;
    }
    const { killed, judged } = scoreOf(JSON.parse(readFileSync(file, 'utf8')));
    allKilled += killed;
    allJudged += judged;
    t.true(doc.includes(`| ${g.name} | ${killed} / ${judged} | ${percent(killed, judged)}% |`), `${g.name}: ${killed} / ${judged} in the table`);
    t.true((100 * killed) / judged >= 85, `${g.name} scores at least 85%`);
  }
  t.true(doc.includes(`| all | ${allKilled} / ${allJudged} | ${percent(allKilled, allJudged)}% |`));
});
