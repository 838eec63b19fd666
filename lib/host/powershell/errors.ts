// Typed errors for the PowerShell port, the same from every transport (child process, edge-js
// runspace, image host): a cmdlet's error record is kept whole, and mapped to a stable code.
import { ExitCode, MfaError } from '../../errors.js';
import type { PowerShellErrorRecord } from '../ports.js';

/** A cmdlet failed (terminating error, or an error record under -ErrorAction Stop). */
export class PowerShellError extends MfaError {
  readonly record: PowerShellErrorRecord;
  readonly command: string;

  constructor(command: string, record: PowerShellErrorRecord, details: { code: string; remedy?: string; cause?: unknown }) {
    super(`${command}: ${record.message}`, {
      code: details.code,
      target: command,
      exitCode: ExitCode.fatal,
      ...(details.remedy ? { remedy: details.remedy } : {}),
      ...(details.cause !== undefined ? { cause: details.cause } : {}),
    });
    this.name = 'PowerShellError';
    this.record = record;
    this.command = command;
  }
}

/** True when the record says the command itself does not exist (CommandNotFoundException). */
export function isCommandNotFound(record: PowerShellErrorRecord): boolean {
  return /^CommandNotFoundException\b/.test(record.fullyQualifiedErrorId ?? '') || record.category === 'ObjectNotFound' && /not recognized as the name of a cmdlet/i.test(record.message);
}

/** Maps an error record to the typed error: PS_COMMAND_NOT_FOUND or PS_ERROR, the record kept. */
export function errorFromRecord(command: string, record: PowerShellErrorRecord, cause?: unknown): PowerShellError {
  if (isCommandNotFound(record)) {
    return new PowerShellError(command, record, {
      code: 'PS_COMMAND_NOT_FOUND',
      remedy: /adfs/i.test(command)
        ? 'Run AD FS commands on an AD FS server (the ADFS module comes with the AD FS role).'
        : `Install the module that provides ${command}, or run on a machine that has it.`,
      cause,
    });
  }
  return new PowerShellError(command, record, { code: 'PS_ERROR', cause });
}

/** A well-formed record from loosely typed data (JSON from a child process, a CLR dictionary). */
export function toErrorRecord(data: unknown, fallbackMessage: string): PowerShellErrorRecord {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const record: PowerShellErrorRecord = { message: text(d['message']) ?? fallbackMessage };
  const id = text(d['fullyQualifiedErrorId']);
  const category = text(d['category']);
  const target = text(d['targetObject']);
  if (id !== undefined) record.fullyQualifiedErrorId = id;
  if (category !== undefined) record.category = category;
  if (target !== undefined) record.targetObject = target;
  return record;
}
