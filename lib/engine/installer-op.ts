// Every Windows Installer operation the tool makes goes through here, whatever the run: progress,
// a verbose log per attempt, 1618 retried with backoff, 3010 recorded, a stop request passed to the
// installer (IDCANCEL: it rolls back, 1602), anything else an error naming the product and the log.
import { ExitCode, MfaError } from '../errors.js';
import type { Host, InstallResult } from '../host/ports.js';
import type { Reporter } from '../reporting/reporter.js';
import type { CancelSignal } from '../util/cancel.js';
import { joinWindowsPath } from '../util/winpath.js';
import { MSI, msiMeaning, msiRebootOwed, msiSucceeded } from './msi-codes.js';

export interface RetryPolicy {
  /** Attempts in all for an operation that returns 1618 (another installation in progress). */
  attempts: number;
  /** Wait before the second attempt; doubled each time. */
  delayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, delayMs: 30_000 };

export interface InstallerOps {
  install(packagePath: string, what: string, logName: string, properties?: Record<string, string>): Promise<number>;
  /** Accepts 1605 (already gone) as done, so a repeated uninstall is harmless. */
  uninstall(productCode: string, what: string, logName: string): Promise<number>;
  /** Set once any operation asked for a reboot (3010). */
  readonly rebootRequired: boolean;
}

export interface InstallerOpsOptions {
  host: Host;
  reporter: Reporter;
  retry: RetryPolicy;
  /** Host folder for the verbose logs. */
  logDir: string;
  cancel: CancelSignal;
  sleep(ms: number): Promise<void>;
  onReboot(): void;
}

/** The interrupt error: the installer rolled the operation back, nothing of it was applied. */
export function interruptedError(what: string, reason: string | undefined): MfaError {
  return new MfaError(`${what} was stopped (${reason ?? 'interrupted'}) and Windows Installer rolled it back`, {
    code: 'INTERRUPTED',
    exitCode: ExitCode.interrupted,
    remedy: 'Run the same command again with --resume to go on, or --rollback to undo the run.',
  });
}

export function installerOps(o: InstallerOpsOptions): InstallerOps {
  let reboot = false;
  async function run(what: string, logName: string, call: (options: { logFile: string; onProgress: (e: { action?: string; percent: number }) => void; cancel: CancelSignal }) => Promise<InstallResult>, accept: number[]): Promise<number> {
    let delay = o.retry.delayMs;
    for (let attempt = 1; ; attempt++) {
      if (o.cancel.cancelled) throw interruptedError(what, o.cancel.reason);
      const logFile = joinWindowsPath(o.logDir, `${logName}${attempt > 1 ? `-try${attempt}` : ''}.log`);
      await o.host.files.mkdirp(o.logDir).catch(() => undefined);
      const r = await call({
        logFile,
        cancel: o.cancel,
        onProgress: (e) => o.reporter.progress({ id: 2, activity: what, ...(e.action ? { status: e.action } : {}), percent: e.percent, completed: e.percent >= 100 }),
      });
      if (msiSucceeded(r.exitCode) || accept.includes(r.exitCode)) {
        if (msiRebootOwed(r.exitCode)) {
          reboot = true;
          o.onReboot();
          o.reporter.log('warning', `${what}: Windows Installer asks for a reboot (${r.exitCode}); the run goes on and exits 3010 at the end.`);
        }
        return r.exitCode;
      }
      if (r.exitCode === MSI.USER_EXIT && o.cancel.cancelled) throw interruptedError(what, o.cancel.reason);
      if (r.exitCode === MSI.ALREADY_RUNNING && attempt < o.retry.attempts) {
        o.reporter.log('warning', `${what}: another installation is in progress (1618); trying again in ${Math.round(delay / 1000)} s (attempt ${attempt + 1} of ${o.retry.attempts}).`);
        await o.sleep(delay);
        delay *= 2;
        continue;
      }
      throw new MfaError(`${what} failed: ${msiMeaning(r.exitCode)} (${r.exitCode})`, {
        code: `MSI_${r.exitCode}`,
        target: logFile,
        exitCode: r.exitCode === MSI.ALREADY_RUNNING ? ExitCode.anotherInstallRunning : ExitCode.fatal,
        remedy:
          r.exitCode === MSI.ALREADY_RUNNING
            ? 'Another installation kept running; wait for it to finish, then run again with --resume.'
            : `Read the verbose log ${logFile} (search for "return value 3"), fix the cause, then run again with --resume, or --rollback to go back.`,
      });
    }
  }
  return {
    install: (pkg, what, logName, properties = {}) => run(what, logName, (opts) => o.host.installer.install(pkg, { properties, ...opts }), []),
    uninstall: (productCode, what, logName) => run(what, logName, (opts) => o.host.installer.uninstall(productCode, opts), [MSI.UNKNOWN_PRODUCT]),
    get rebootRequired() {
      return reboot;
    },
  };
}
