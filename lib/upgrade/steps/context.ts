// What a step sees while it runs or is undone.
import type { Reporter } from '../../reporting/reporter.js';
import type { Host } from '../../host/ports.js';
import type { BackupAccess } from '../backup-access.js';

export interface RetryPolicy {
  /** Attempts in all for an install that returns 1618 (another installation in progress). */
  attempts: number;
  /** Wait before the second attempt; doubled each time. */
  delayMs: number;
}

export interface StepContext {
  host: Host;
  out: Reporter;
  backup: BackupAccess;
  bundle: string;
  /** Local folder for the run's own files (undo copies). */
  workDir: string;
  /** Host folder (Windows path) for Windows Installer logs. */
  logDir: string;
  retry: RetryPolicy;
  /** Data this step recorded in the journal so far (start and done records merged). */
  recorded: Record<string, unknown>;
  /** Adds data to the step's next journal record. */
  record(data: Record<string, unknown>): void;
  /** Set when an install asked for a reboot (3010). */
  rebootRequired: boolean;
  sleep(ms: number): Promise<void>;
}
