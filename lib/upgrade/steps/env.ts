// What the upgrade's steps share besides the engine's context: the backup bundle and the plan.
import { isAbsolute, resolve } from 'node:path';
import { ExitCode, MfaError } from '../../errors.js';
import type { StepContext } from '../../engine/step.js';
import type { BackupAccess } from '../backup-access.js';
import type { UpgradePlan } from '../plan-types.js';

/** How long the conversion wait follows the service log, and how often it looks. */
export interface ConversionWait {
  timeoutMs: number;
  pollMs: number;
}

/** Generous: converting a large data file can take a long time, and a restart meanwhile damages it. */
export const DEFAULT_CONVERSION_WAIT: ConversionWait = { timeoutMs: 60 * 60_000, pollMs: 5_000 };

export interface UpgradeEnv {
  backup: BackupAccess;
  /** The conversion wait's timing (--conversion-timeout); the default when absent. */
  conversion?: ConversionWait;
  /** Local folder of the run: the journal, the bundle under backup/, the undo store. */
  workDir: string;
  plan: UpgradePlan;
}

export type UpgradeContext = StepContext<UpgradeEnv>;

/** The run's verified backup bundle (the backup step records it). */
export function bundleOf(ctx: Pick<UpgradeContext, 'runData'> & { env: Pick<UpgradeEnv, 'workDir'> }): string {
  const b = ctx.runData['bundle'];
  if (typeof b !== 'string') {
    throw new MfaError('the run has no backup bundle yet', { code: 'NO_BACKUP', exitCode: ExitCode.fatal, remedy: 'Nothing that changes the server runs before the backup: run again with --resume so the backup step runs first.' });
  }
  return isAbsolute(b) ? b : resolve(ctx.env.workDir, b);
}
