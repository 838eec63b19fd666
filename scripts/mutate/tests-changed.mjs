// Whether a mutation group's tests changed since its last complete run, and what to forget when
// they did. Killed mutants stay killed (tests are added far more often than weakened; `--force`
// re-judges everything); survivors and uncovered mutants must meet the new tests.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under test/ a group's ava patterns can load: the test files and the helpers beside them. */
function filesOf(root, patterns) {
  const dirs = new Set(patterns.map((p) => p.slice(0, p.lastIndexOf('/'))));
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ts|mjs|js|json)$/.test(name)) out.push(full);
    }
  };
  for (const d of dirs) walk(join(root, d));
  return out.sort();
}

export function testsFingerprint(root, patterns) {
  const hash = createHash('sha256');
  for (const f of filesOf(root, patterns)) hash.update(`${relative(root, f)}\0`).update(readFileSync(f)).update('\0');
  return hash.digest('hex');
}

/** Drops Survived and NoCoverage results from an incremental file; returns how many. */
export function forgetUnkilled(incrementalFile) {
  const data = JSON.parse(readFileSync(incrementalFile, 'utf8'));
  let n = 0;
  for (const f of Object.values(data.files)) {
    const kept = f.mutants.filter((m) => m.status !== 'Survived' && m.status !== 'NoCoverage');
    n += f.mutants.length - kept.length;
    f.mutants = kept;
  }
  writeFileSync(incrementalFile, JSON.stringify(data));
  return n;
}
