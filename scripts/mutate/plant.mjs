// node scripts/mutate/plant.mjs <report.json> <group> <id>... : plants each named mutant of a Stryker
// JSON report by hand (its replacement written over its location), runs the group's focused ava
// command, and says whether the tests killed it; the file is put back after each, whatever happens.
// For checking a sample of survivors without a full (slow) mutation run.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { GROUPS } from './groups.mjs';

const [reportPath, groupName, ...ids] = process.argv.slice(2);
const group = GROUPS.find((g) => g.name === groupName);
if (!reportPath || !group || ids.length === 0) {
  console.error('usage: node scripts/mutate/plant.mjs <report.json> <group> <mutant id>...');
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const byId = new Map();
for (const [file, f] of Object.entries(report.files)) for (const m of f.mutants) byId.set(m.id, { file, m });

/** Offset of a 1-based line and column (Stryker's locations: line 1-based, column 1-based here). */
function offset(text, { line, column }) {
  let o = 0;
  for (let l = 1; l < line; l++) o = text.indexOf('\n', o) + 1;
  return o + column - 1;
}

let killed = 0;
const rows = [];
for (const id of ids) {
  const hit = byId.get(id);
  if (!hit) {
    rows.push(`${id}\tnot in the report`);
    continue;
  }
  const { file, m } = hit;
  const original = readFileSync(file, 'utf8');
  const start = offset(original, m.location.start);
  const end = offset(original, m.location.end);
  try {
    writeFileSync(file, original.slice(0, start) + m.replacement + original.slice(end));
    const r = spawnSync('npx', ['ava', '--timeout=2m', ...group.tests], { encoding: 'utf8' });
    const outcome = r.status === 0 ? 'SURVIVED' : 'killed';
    if (r.status !== 0) killed++;
    const failing = (r.stdout + r.stderr).split('\n').filter((l) => /✘/.test(l)).slice(0, 2).map((l) => l.trim()).join(' | ');
    rows.push(`${id}\t${file}:${m.location.start.line}:${m.location.start.column}\t${m.mutatorName}\t${outcome}\t${failing.slice(0, 160)}`);
  } finally {
    writeFileSync(file, original);
  }
  console.log(rows[rows.length - 1]);
}
console.log(`\n${killed} of ${ids.length} planted mutants killed`);
