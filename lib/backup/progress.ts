// Bytes done out of bytes total, as progress events (Write-Progress in the PowerShell module, a
// bar on a terminal). Throttled: an event when the whole percent changes or every half second.
import type { Reporter } from '../reporting/reporter.js';
import { formatBytes } from '../util/format-bytes.js';

export const PROGRESS_IDS = { backup: 1, verify: 2, restore: 3 } as const;

export class ByteProgress {
  private done = 0;
  private lastPercent = -1;
  private lastAt = 0;

  constructor(
    private readonly out: Reporter | undefined,
    private readonly id: number,
    private readonly activity: string,
    private readonly total: number,
  ) {}

  get bytesDone(): number {
    return this.done;
  }

  /** Adds bytes done; `current` names the file being worked on. */
  add(bytes: number, current?: string): void {
    this.done += bytes;
    if (!this.out) return;
    const percent = this.total > 0 ? Math.min(100, Math.floor((this.done / this.total) * 100)) : 100;
    const now = Date.now();
    if (percent === this.lastPercent && now - this.lastAt < 500) return;
    this.lastPercent = percent;
    this.lastAt = now;
    this.out.progress({
      id: this.id,
      activity: this.activity,
      status: `${formatBytes(this.done)} of ${formatBytes(this.total)}${current ? `: ${current}` : ''}`,
      percent,
    });
  }

  complete(): void {
    this.out?.progress({ id: this.id, activity: this.activity, status: `${formatBytes(this.done)} of ${formatBytes(this.total)}`, percent: 100, completed: true });
  }
}
