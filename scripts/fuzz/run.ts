// npm run fuzz [-- --seconds N] [--only name] [--seed S]: fast-check fuzzers over the .reg,
// web.config (and AD FS adapter config), applicationHost.config, package-manifest and
// bundle-manifest readers for a fixed time budget (default 150 s, shared evenly), not part of
// npm test. Each reader runs in a child process with a watchdog, so an input that hangs a
// reader is a finding too (the child writes each input before checking it). A failing input
// is shrunk, written to test/hostile/fuzz-findings/<reader>/ and replayed by
// test/hostile/fuzz-findings.test.ts from then on.
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apphostTarget } from './targets/apphost.js';
import { bundleManifestTarget } from './targets/bundle-manifest.js';
import { packageManifestTarget } from './targets/package-manifest.js';
import { regTarget } from './targets/reg.js';
import type { Target } from './targets/target.js';
import { webconfigTarget } from './targets/webconfig.js';

export const TARGETS: Target[] = [regTarget, webconfigTarget, apphostTarget, packageManifestTarget, bundleManifestTarget];
export const FINDINGS_DIR = 'test/hostile/fuzz-findings';
/** A single input may take this long before the reader counts as hung. */
const HANG_MS = 20_000;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

function saveFinding(target: string, bytes: Buffer): string {
  const dir = join(FINDINGS_DIR, target);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.bin`);
  writeFileSync(file, bytes);
  return file;
}

interface WorkerResult {
  runs: number;
  finding?: { why: string; shrinks: number; bytes: string };
}

/** In the child: one target for `ms`, writing each input to `current` before it is checked. */
async function worker(name: string, ms: number, seed: number, current: string, resultFile: string): Promise<void> {
  const target = TARGETS.find((t) => t.name === name) as Target;
  await target.setup?.();
  let runs = 0;
  try {
    const details = await fc.check(
      fc.asyncProperty(target.arbitrary, async (input) => {
        runs++;
        writeFileSync(current, input);
        await target.check(input);
      }),
      { numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: ms, markInterruptAsFailure: false, seed },
    );
    const result: WorkerResult = { runs };
    if (details.failed && details.counterexample) {
      const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      result.finding = { why: why.split('\n')[0]?.slice(0, 400) ?? '', shrinks: details.numShrinks, bytes: (details.counterexample[0] as Buffer).toString('base64') };
    }
    writeFileSync(resultFile, JSON.stringify(result));
  } finally {
    await target.teardown?.();
  }
}

async function main(): Promise<number> {
  const seconds = Number(option('seconds') ?? process.env.FUZZ_SECONDS ?? 150);
  const only = option('only');
  const seed = option('seed') !== undefined ? Number(option('seed')) : Date.now() % 2 ** 31;
  const targets = TARGETS.filter((t) => only === undefined || t.name === only);
  const perTarget = Math.max(1000, Math.floor((seconds * 1000) / targets.length));
  console.log(`fuzz: ${targets.length} readers, ${seconds} s in all (${(perTarget / 1000).toFixed(0)} s each), seed ${seed}`);
  const work = mkdtempSync(join(tmpdir(), 'mfa-fuzz-'));
  let findings = 0;
  let total = 0;
  try {
    for (const target of targets) {
      const current = join(work, `${target.name}.current`);
      const resultFile = join(work, `${target.name}.json`);
      const started = Date.now();
      // Shrinking runs after the budget: allow for it, then call the reader hung.
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/fuzz/run.ts', '--worker', target.name, '--ms', String(perTarget), '--seed', String(seed), '--current', current, '--result', resultFile], {
        stdio: ['ignore', 'inherit', 'inherit'],
        timeout: perTarget + HANG_MS + 60_000,
        killSignal: 'SIGKILL',
      });
      const took = ((Date.now() - started) / 1000).toFixed(1);
      if (!existsSync(resultFile)) {
        findings++;
        const bytes = existsSync(current) ? readFileSync(current) : Buffer.alloc(0);
        const file = saveFinding(target.name, bytes);
        console.log(`  ${target.name}: FINDING: the reader ${child.error ? 'hung' : `died (${child.signal ?? child.status})`} after ${took} s on a ${bytes.length}-byte input, written to ${file}`);
        continue;
      }
      const result = JSON.parse(readFileSync(resultFile, 'utf8')) as WorkerResult;
      total += result.runs;
      if (!result.finding) {
        console.log(`  ${target.name}: ${result.runs} inputs in ${took} s, no finding`);
        continue;
      }
      findings++;
      const bytes = Buffer.from(result.finding.bytes, 'base64');
      const file = saveFinding(target.name, bytes);
      console.log(`  ${target.name}: FINDING after ${result.runs} inputs (shrunk ${result.finding.shrinks} times): ${result.finding.why}`);
      console.log(`    ${bytes.length} bytes written to ${file}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(findings ? `fuzz: ${findings} finding(s) in ${total} inputs; each is now replayed by test/hostile/fuzz-findings.test.ts` : `fuzz: no findings in ${total} inputs`);
  return findings ? 1 : 0;
}

if (process.argv[1]?.endsWith('run.ts')) {
  const w = option('worker');
  const run = w !== undefined ? worker(w, Number(option('ms')), Number(option('seed')), option('current') as string, option('result') as string).then(() => 0) : main();
  run.then((code) => process.exit(code), (e: unknown) => {
    console.error(e);
    process.exit(2);
  });
}
