// The refusal every config reader throws (malformed, hostile or undecodable XML): exit 3 when
// the file came from the command line or a bundle. A host file read while planning is the same
// refusal with exit 7 (the plan cannot run; nothing was changed): the caller decides which, with
// forPlanning(). Messages name the file, element, attribute and line, never a value's text.
import { ExitCode, MfaError, type MfaErrorDetails } from '../../errors.js';

export class ConfigFileError extends MfaError {
  constructor(message: string, details: MfaErrorDetails) {
    super(message, { exitCode: ExitCode.badInput, ...details });
    this.name = 'ConfigFileError';
  }
}

export function configFileError(message: string, file: string, details: Partial<MfaErrorDetails> = {}): ConfigFileError {
  return new ConfigFileError(message, { code: 'BAD_INPUT', ...details, target: file });
}

/** The same refusal, for a file read from the host while a plan is made: exit 7, nothing changed. */
export function forPlanning(e: unknown): unknown {
  if (!(e instanceof ConfigFileError)) return e;
  return new MfaError(e.message, {
    code: e.code,
    ...(e.target !== undefined ? { target: e.target } : {}),
    ...(e.line !== undefined ? { line: e.line } : {}),
    exitCode: ExitCode.notReady,
    remedy: `${e.remedy ?? 'Fix the file and run again.'} The plan is blocked until then; nothing was changed.`,
    cause: e,
  });
}
