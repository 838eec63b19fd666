// Windows Installer calls with the upgrade's policy: progress, a log per call, 1618 retried with
// backoff, 3010 recorded, anything else an error naming the product and the log.
import { ExitCode, MfaError } from '../../errors.js';
import type { InstallResult } from '../../host/ports.js';
import { joinWindowsPath } from '../../util/winpath.js';
import type { StepContext } from './context.js';

export const SUCCESS = 0;
export const REBOOT_REQUIRED = 3010;
export const UNKNOWN_PRODUCT = 1605;
export const ALREADY_RUNNING = 1618;

export type MsiCall = (options: { logFile: string; onProgress: (e: { action?: string; percent: number }) => void }) => Promise<InstallResult>;

/** Runs one Windows Installer operation; returns its code once it is 0, 3010 or one of `accept`. */
export async function runMsi(ctx: StepContext, what: string, logName: string, call: MsiCall, accept: number[] = []): Promise<number> {
  let delay = ctx.retry.delayMs;
  for (let attempt = 1; ; attempt++) {
    const logFile = joinWindowsPath(ctx.logDir, `${logName}${attempt > 1 ? `-try${attempt}` : ''}.log`);
    const r = await call({
      logFile,
      onProgress: (e) => ctx.out.progress({ id: 2, activity: what, ...(e.action ? { status: e.action } : {}), percent: e.percent, completed: e.percent >= 100 }),
    });
    if (r.exitCode === SUCCESS || accept.includes(r.exitCode)) return r.exitCode;
    if (r.exitCode === REBOOT_REQUIRED) {
      ctx.rebootRequired = true;
      ctx.out.log('warning', `${what}: Windows Installer asks for a reboot (3010); the upgrade goes on and exits 3010 at the end.`);
      return r.exitCode;
    }
    if (r.exitCode === ALREADY_RUNNING && attempt < ctx.retry.attempts) {
      ctx.out.log('warning', `${what}: another installation is in progress (1618); trying again in ${Math.round(delay / 1000)} s (attempt ${attempt + 1} of ${ctx.retry.attempts}).`);
      await ctx.sleep(delay);
      delay *= 2;
      continue;
    }
    throw new MfaError(`${what} failed with Windows Installer error ${r.exitCode}`, {
      code: `MSI_${r.exitCode}`,
      target: logFile,
      exitCode: r.exitCode === ALREADY_RUNNING ? ExitCode.anotherInstallRunning : ExitCode.fatal,
      remedy:
        r.exitCode === ALREADY_RUNNING
          ? 'Another installation kept running; wait for it to finish, then run the upgrade again with --resume.'
          : `Read the verbose log ${logFile} (search for "return value 3"), fix the cause, then run again with --resume, or --rollback to go back.`,
    });
  }
}
