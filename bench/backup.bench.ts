// Backup of a 1 GiB data file (read once while copying and hashing, flush, then a verification
// re-read of the whole bundle) against `cp` followed by `sha256sum` of the copy, measured in the
// same run on the same file. Target (issue 5): at most 0.6x, peak memory under 150 MB.
//
// Page cache, honestly: the source file is written by this benchmark and stays in the page cache,
// so both sides read it from memory. `cp` leaves its 1 GiB of dirty pages for the kernel to write
// later; the backup calls fsync and waits for them to reach the disk. `sync` runs (untimed)
// before every measured run so neither side pays for the other's writeback.
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { cpSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeBackup } from '../lib/backup/take-backup.js';
import { openImageHost } from '../lib/host/image/image-host.js';
import { median, report } from './measure.js';

const SIZE = Number(process.env['MFA_BENCH_BYTES'] ?? 1024 * 1024 * 1024);
const RUNS = Number(process.env['MFA_BENCH_RUNS'] ?? 3);

const root = mkdtempSync(join(tmpdir(), 'mfa-bench-backup-'));
try {
  const hostDir = join(root, 'host');
  cpSync('examples/hosts/mfa-7.0', hostDir, { recursive: true });
  const data = join(hostDir, 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata');
  // 1 GiB that does not compress or deduplicate: random 1 MiB blocks, written without holding the file.
  const fd = openSync(data, 'w');
  const block = Buffer.alloc(1024 * 1024);
  for (let done = 0; done < SIZE; done += block.length) {
    randomFillSync(block);
    writeSync(fd, block, 0, Math.min(block.length, SIZE - done));
  }
  closeSync(fd);
  spawnSync('sync');

  const sh = (cmd: string, args: string[]) => {
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  };
  const baselineTimes: number[] = [];
  const backupTimes: number[] = [];
  let peakRss = 0;
  let startRss = 0;
  for (let i = 0; i < RUNS; i++) {
    const copy = join(root, `copy-${i}.pfdata`);
    spawnSync('sync');
    let t0 = process.hrtime.bigint();
    sh('cp', [data, copy]);
    sh('sha256sum', [copy]);
    baselineTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    rmSync(copy);

    const out = join(root, `bundle-${i}`);
    spawnSync('sync');
    (globalThis as { gc?: () => void }).gc?.();
    startRss = process.memoryUsage().rss;
    let peak = startRss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    t0 = process.hrtime.bigint();
    const result = await takeBackup(await openImageHost(hostDir), { out });
    backupTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
    clearInterval(sampler);
    peakRss = Math.max(peakRss, peak, process.memoryUsage().rss);
    if (!result.verification.ok || result.bytes < SIZE) throw new Error('the benchmark backup did not verify');
    rmSync(out, { recursive: true, force: true });
  }
  const baseline = median(baselineTimes);
  const measured = median(backupTimes);
  console.log(`data file ${(SIZE / 2 ** 30).toFixed(2)} GiB, ${RUNS} runs each; cp+sha256sum runs: ${baselineTimes.map((x) => x.toFixed(0)).join(', ')} ms; backup runs: ${backupTimes.map((x) => x.toFixed(0)).join(', ')} ms`);
  report('backup (copy+SHA-256+fsync+verification read) of a 1 GiB data file', measured, 'cp && sha256sum', baseline, 0.6);
  const mb = (n: number) => n / 2 ** 20;
  const verdict = mb(peakRss) < 150 ? 'within target' : 'OVER TARGET';
  console.log(`peak RSS during backup: ${mb(peakRss).toFixed(0)} MB (process at start of the run: ${mb(startRss).toFixed(0)} MB; target < 150 MB: ${verdict})`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
