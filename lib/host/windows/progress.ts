// Windows Installer progress messages turned into one percentage that never goes back.
//
// INSTALLMESSAGE_PROGRESS fields ("Parsing Windows Installer Messages"):
//   field 1 = 0: reset: field 2 = total ticks, field 3 = 0 forward / 1 backward (rollback),
//                field 4 = 1 while the script is being generated, 0 while it executes;
//   field 1 = 1: action info: field 2 = ticks per ACTIONDATA message, field 3 = 1 to use them;
//   field 1 = 2: progress report: field 2 = ticks done since the last report;
//   field 1 = 3: add field 2 ticks to the total.
// An installation resets the bar more than once (script generation, then execution), so each
// reset opens a band from the current percentage: script generation takes a tenth of what is
// left, execution the rest. Rollback (backward) holds the percentage where it is.
// Pure: tested on every OS.
import type { InstallProgress } from '../ports.js';
import type { RawMsiEvent } from './addon.js';

export class ProgressTracker {
  private bandStart = 0;
  private bandEnd = 0;
  private total = 0;
  private done = 0;
  private backward = false;
  private ticksPerData = 0;
  private emitted = -1;
  private percent = 0;
  private action: string | undefined;
  private description: string | undefined;
  /** How many progress messages came (for diagnostics: some installers send none). */
  progressMessages = 0;

  constructor(private readonly emit: (event: InstallProgress) => void) {}

  handle(event: RawMsiEvent): void {
    switch (event.kind) {
      case 'action':
        this.action = event.action || undefined;
        this.description = event.description || undefined;
        this.ticksPerData = 0;
        this.send(true);
        return;
      case 'data':
        if (this.ticksPerData > 0) this.advance(this.ticksPerData);
        return;
      case 'progress':
        this.progressMessages++;
        this.progress(event.fields);
    }
  }

  /** The operation ended well: 100 %. */
  complete(): void {
    this.percent = 100;
    this.action = undefined;
    this.description = 'complete';
    this.send(true);
  }

  get current(): number {
    return this.percent;
  }

  private progress([kind, a, b, c]: [number, number, number, number]): void {
    switch (kind) {
      case 0: {
        this.total = Math.max(0, a);
        this.done = 0;
        this.backward = b === 1;
        const left = 100 - this.percent;
        this.bandStart = this.percent;
        this.bandEnd = c === 1 ? this.percent + left * 0.1 : 100;
        return;
      }
      case 1:
        this.ticksPerData = b === 1 ? Math.max(0, a) : 0;
        return;
      case 2:
        this.advance(a);
        return;
      case 3:
        this.total += Math.max(0, a);
        return;
      default:
        return;
    }
  }

  private advance(ticks: number): void {
    if (this.backward || this.total <= 0 || ticks <= 0) return;
    this.done = Math.min(this.total, this.done + ticks);
    const p = this.bandStart + ((this.bandEnd - this.bandStart) * this.done) / this.total;
    // Below 100 until complete() says the operation ended.
    this.percent = Math.max(this.percent, Math.min(99, p));
    this.send(false);
  }

  private send(always: boolean): void {
    const whole = Math.floor(this.percent);
    if (!always && whole <= this.emitted) return;
    this.emitted = Math.max(this.emitted, whole);
    const event: InstallProgress = { percent: whole };
    if (this.action) event.action = this.action;
    if (this.description) event.message = this.description;
    this.emit(event);
  }
}
