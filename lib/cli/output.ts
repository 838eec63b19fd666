// Everything a command says goes through Output: human text on a terminal, or, with --json,
// one JSON object per line (the protocol the PowerShell module reads; see README "Protocol").
import { appendFileSync } from 'node:fs';
import type { MfaError } from '../errors.js';
import type { LogLevel, ProgressEvent, Reporter } from '../reporting/reporter.js';

export type { LogLevel, ProgressEvent } from '../reporting/reporter.js';

export type ProtocolEvent =
  | ({ type: 'progress' } & ProgressEvent)
  | { type: 'log'; level: LogLevel; message: string }
  | { type: 'object'; typeName: string; data: unknown }
  | { type: 'error'; code: string; message: string; target?: string; line?: number; remedy?: string }
  | { type: 'result'; exitCode: number };

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
  /** CMTrace log file (appended). */
  logFile?: string;
  write?: (text: string) => void;
  writeErr?: (text: string) => void;
  isTty?: boolean;
}

export class Output implements Reporter {
  readonly json: boolean;
  private readonly verboseOn: boolean;
  private readonly logFile: string | undefined;
  private readonly write: (text: string) => void;
  private readonly writeErr: (text: string) => void;
  private readonly isTty: boolean;
  private barShown = false;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.verboseOn = options.verbose;
    this.logFile = options.logFile;
    this.write = options.write ?? ((t) => process.stdout.write(t));
    this.writeErr = options.writeErr ?? ((t) => process.stderr.write(t));
    this.isTty = options.isTty ?? (process.stderr.isTTY === true && !options.json);
  }

  private emit(event: ProtocolEvent): void {
    this.write(`${JSON.stringify(event, jsonReplacer)}\n`);
  }

  /**
   * Pipeline output: an object with a PowerShell type name (e.g. 'MfaUpgrade.Deployment').
   * On a terminal, `human` renders it; null leaves it to a summary the command prints itself.
   */
  object(typeName: string, data: unknown, human?: (() => string) | null): void {
    if (this.json) this.emit({ type: 'object', typeName, data });
    else if (human !== null) this.text(human ? human() : JSON.stringify(data, jsonReplacer, 2));
  }

  /** Human text on stdout; dropped in --json mode (the objects carry the same facts). */
  text(text: string): void {
    if (this.json) return;
    this.clearBar();
    this.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  log(level: LogLevel, message: string): void {
    this.cmtrace(level, message);
    if (this.json) {
      this.emit({ type: 'log', level, message });
      return;
    }
    if (level === 'verbose' && !this.verboseOn) return;
    this.clearBar();
    const prefix = level === 'info' ? '' : `${level.toUpperCase()}: `;
    this.writeErr(`${prefix}${message}\n`);
  }

  progress(event: ProgressEvent): void {
    if (this.json) {
      this.emit({ type: 'progress', ...event });
      return;
    }
    if (!this.isTty) return;
    const width = 30;
    const pct = Math.max(0, Math.min(100, event.percent));
    const filled = Math.round((pct / 100) * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct.toFixed(0).padStart(3)}%`;
    this.writeErr(`\r${bar} ${event.activity}${event.status ? `: ${event.status}` : ''}`.slice(0, 120).padEnd(80));
    this.barShown = !event.completed;
    if (event.completed) this.writeErr('\n');
  }

  error(err: MfaError): void {
    this.cmtrace('error', err.toString());
    if (this.json) {
      const event: ProtocolEvent = { type: 'error', code: err.code, message: err.message };
      if (err.target !== undefined) event.target = err.target;
      if (err.line !== undefined) event.line = err.line;
      if (err.remedy !== undefined) event.remedy = err.remedy;
      this.emit(event);
      return;
    }
    this.clearBar();
    this.writeErr(`error: ${err.toString()}\n`);
  }

  result(exitCode: number): void {
    if (this.json) this.emit({ type: 'result', exitCode });
  }

  private clearBar(): void {
    if (this.barShown) {
      this.writeErr('\n');
      this.barShown = false;
    }
  }

  /** CMTrace format, as PSAppDeployToolkit and ConfigMgr write it. */
  private cmtrace(level: LogLevel, message: string): void {
    if (!this.logFile) return;
    const now = new Date();
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    const offset = -now.getTimezoneOffset();
    const time = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}${offset >= 0 ? '+' : '-'}${Math.abs(offset)}`;
    const date = `${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${now.getFullYear()}`;
    const type = level === 'error' ? 3 : level === 'warning' ? 2 : 1;
    const line = `<![LOG[${message}]LOG]!><time="${time}" date="${date}" component="mfa-upgrade" context="" type="${type}" thread="${process.pid}" file="">\r\n`;
    appendFileSync(this.logFile, line);
  }
}

/** JSON can't carry bigint or bytes: write them as decimal strings and hex. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}
