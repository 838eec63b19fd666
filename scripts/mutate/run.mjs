// npm run mutate [-- --sample] [-- --group <name>] [-- --minutes <n>] [-- --force]
// Runs Stryker once per group of groups.mjs (its files mutated, its focused ava command judging
// each mutant), incrementally (scripts/mutate/incremental/<group>.json is committed, so unchanged
// code and tests are not run again), lists the mutants that survived, and ends with
// "Mutation score: NN.NN%" over every mutant judged. --sample (or MFA_MUTATE_SAMPLE=1): only the
// stable groups, stopped after --minutes (default 4) and reported as incomplete: for CI.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GROUPS } from './groups.mjs';
import { testsFingerprint, forgetUnkilled } from './tests-changed.mjs';
import { percent, scoreOf } from './score.mjs';

const args = process.argv.slice(2);
const force = args.includes('--force');
const sample = args.includes('--sample') || process.env.MFA_MUTATE_SAMPLE === '1';
const only = args.includes('--group') ? args[args.indexOf('--group') + 1] : undefined;
const minutes = Number(args.includes('--minutes') ? args[args.indexOf('--minutes') + 1] : sample ? 4 : 0);
const root = resolve('.');
const generated = join(root, 'scripts/mutate/.generated');
mkdirSync(generated, { recursive: true });
mkdirSync(join(root, 'scripts/mutate/incremental'), { recursive: true });

const groups = GROUPS.filter((g) => (only ? g.name === only : sample ? g.stable : true));
if (groups.length === 0) {
  console.error(`no group named ${only}; groups: ${GROUPS.map((g) => g.name).join(', ')}`);
  process.exit(2);
}
const deadline = minutes > 0 ? Date.now() + minutes * 60_000 : Infinity;

function runGroup(g) {
  const report = join(root, 'reports/mutation', `${g.name}.json`);
  // The command runner reports one test ("All tests") with no file, so Stryker cannot see that a
  // group's tests changed and would reuse every old survivor; the group's own fingerprint of its
  // test files decides instead (forced runs re-judge everything anyway).
  const incremental = join(root, 'scripts/mutate/incremental', `${g.name}.json`);
  const fingerprintFile = join(root, 'scripts/mutate/incremental', `${g.name}.tests.sha256`);
  const fingerprint = testsFingerprint(root, g.tests);
  const before = existsSync(fingerprintFile) ? readFileSync(fingerprintFile, 'utf8').trim() : '';
  if (before !== fingerprint && existsSync(incremental)) {
    const forgotten = forgetUnkilled(incremental);
    console.log(`${g.name}: its tests changed since the last run; ${forgotten} surviving mutants will be judged again`);
  }
  const config = join(generated, `${g.name}.config.mjs`);
  // ava straight from its entry point (no npm start a mutant) and --fail-fast: a killed mutant
  // needs only its first failing test.
  writeFileSync(
    config,
    `import base from '../../../stryker.config.mjs';\nexport default { ...base, mutate: ${JSON.stringify(g.mutate)}, commandRunner: { command: ${JSON.stringify(`node node_modules/ava/entrypoints/cli.mjs --fail-fast --timeout=2m ${g.tests.join(' ')}`)} }, incrementalFile: ${JSON.stringify(`scripts/mutate/incremental/${g.name}.json`)}, jsonReporter: { fileName: ${JSON.stringify(`reports/mutation/${g.name}.json`)} } };\n`,
  );
  return new Promise((done) => {
    const left = deadline - Date.now();
    if (left <= 0) return done({ group: g.name, status: 'not run (time cap)' });
    const child = spawn('npx', ['stryker', 'run', config, ...(force ? ['--force'] : [])], { stdio: 'inherit', detached: true });
    const timer = Number.isFinite(left) ? setTimeout(() => {
      console.error(`\n${g.name}: stopped at the ${minutes}-minute cap`);
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    }, left) : undefined;
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      const complete = !signal && code === 0;
      if (complete) writeFileSync(fingerprintFile, `${fingerprint}\n`);
      done({ group: g.name, status: complete ? 'done' : `incomplete (${signal ?? `exit ${code}`})`, report: existsSync(report) && complete ? report : undefined });
    });
  });
}

const results = [];
for (const g of groups) results.push(await runGroup(g));

let killed = 0;
let judged = 0;
const survivors = [];
console.log('\nMutation testing');
for (const r of results) {
  if (!r.report) {
    console.log(`  ${r.group}: ${r.status}`);
    continue;
  }
  const { killed: k, judged: n, survivors: s } = scoreOf(JSON.parse(readFileSync(r.report, 'utf8')));
  killed += k;
  judged += n;
  survivors.push(...s);
  console.log(`  ${r.group}: ${k}/${n} killed (${percent(k, n)}%) ${r.status === 'done' ? '' : r.status}`);
}
if (survivors.length) console.log(`Survivors:\n  ${survivors.join('\n  ')}`);
console.log(`Mutation score: ${judged ? ((100 * killed) / judged).toFixed(2) : '0.00'}%${results.some((r) => r.status !== 'done') ? ' (incomplete: some groups were not run to the end)' : ''}`);
