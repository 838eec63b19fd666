// Errors a user can act on: what failed, on which object, and what to do.

/** Exit codes: SCCM's, plus a few of our own (documented in the README's protocol section). */
export const ExitCode = {
  success: 0,
  /** Bad command line. */
  usage: 2,
  /** Input we refuse to act on (malformed file, tampered bundle): nothing was changed. */
  badInput: 3,
  /** A verification found differences (verify-backup, drift checks). */
  verifyFailed: 4,
  /** Manual steps remain (unattended run): the work done so far is journaled. */
  manualStepsPending: 5,
  /** The feature needs a live Windows host (no --host given on another OS). */
  notWindows: 6,
  /** A readiness check failed: nothing was changed. */
  notReady: 7,
  /** Stopped at a safe point by an interrupt (Ctrl+C, SIGTERM, a closed console, a stop request): resume or roll back. */
  interrupted: 1602,
  rebootRequired: 3010,
  fatal: 1603,
  anotherInstallRunning: 1618,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface MfaErrorDetails {
  /** Stable machine-readable code, e.g. 'REG_PARSE', 'XML_MALFORMED', 'MSI_1603'. */
  code: string;
  /** The file, key, product or service the error is about. */
  target?: string;
  /** 1-based line in the target file, when known. */
  line?: number;
  /** What the user can do about it. */
  remedy?: string;
  exitCode?: ExitCodeValue;
  cause?: unknown;
}

export class MfaError extends Error {
  readonly code: string;
  readonly target: string | undefined;
  readonly line: number | undefined;
  readonly remedy: string | undefined;
  readonly exitCode: ExitCodeValue;

  constructor(message: string, details: MfaErrorDetails) {
    super(message);
    this.name = 'MfaError';
    // Error's own cause option is ES2022 and Node 12 ignores it: keep the cause by hand.
    if (details.cause !== undefined) (this as { cause?: unknown }).cause = details.cause;
    this.code = details.code;
    this.target = details.target;
    this.line = details.line;
    this.remedy = details.remedy;
    this.exitCode = details.exitCode ?? ExitCode.fatal;
  }

  /** "file.reg:12: message" style, as compilers and administrators read it. */
  override toString(): string {
    const where = this.target ? `${this.target}${this.line ? `:${this.line}` : ''}: ` : '';
    return `${where}${this.message}${this.remedy ? `\n  What to do: ${this.remedy}` : ''}`;
  }
}

/** Input the tool refuses (malformed, hostile, tampered): names the file and changes nothing. */
export function badInput(message: string, target: string, details: Partial<MfaErrorDetails> = {}): MfaError {
  return new MfaError(message, { code: 'BAD_INPUT', exitCode: ExitCode.badInput, ...details, target });
}
