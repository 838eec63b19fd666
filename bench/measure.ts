// Small timing helpers shared by the benchmarks: median of several runs, ratio lines.
import { spawnSync } from 'node:child_process';

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Median wall time in ms of fn over runs (after one warm-up). */
export async function timeIt(fn: () => unknown, runs = 7): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/**
 * Median wall times in ms of several commands, run round-robin so that drift in the machine's
 * load falls on all of them alike (timing them in separate blocks makes the ratios noise).
 */
export function timeCommandsInterleaved(commands: Array<[string, string[]]>, runs = 21): number[] {
  const times: number[][] = commands.map(() => []);
  for (let i = 0; i <= runs; i++) {
    commands.forEach(([cmd, args], j) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(cmd, args, { stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
      // The first round warms the file cache and is not counted.
      if (i > 0) (times[j] as number[]).push(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  }
  return times.map(median);
}

export function report(name: string, measured: number, baselineName: string, baseline: number, target: number, unit = 'ms'): void {
  const ratio = measured / baseline;
  const verdict = ratio <= target ? 'within target' : 'OVER TARGET';
  console.log(`${name}: ${measured.toFixed(1)} ${unit} vs ${baselineName} ${baseline.toFixed(1)} ${unit} = ${ratio.toFixed(2)}x (target <= ${target}x: ${verdict})`);
}
