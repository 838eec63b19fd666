// After MFA Server is installed, its service converts the old data file on its first start and
// logs "Completed performing tasks to upgrade from <n> to <m>" (DOMAIN.md §1); the service must
// not be restarted meanwhile, and nothing may reboot the server. This step follows the service
// log from where it stood before the install until that line, with progress. A service found
// stopped is started once (its first start is what converts the file); one that stops again fails
// the step. After the timeout (--conversion-timeout) the run pauses for a person to confirm, with
// what the log showed; --resume is that confirmation. A resumed run that was killed while waiting
// simply waits again: the mark it reads from is in the journal.
import { interruptedError } from '../../engine/installer-op.js';
import { PersonNeeded, type EngineStep } from '../../engine/step.js';
import { ExitCode, MfaError } from '../../errors.js';
import { redactEmbedded } from '../../config/redact.js';
import { readInstallPath } from '../../inventory/take-inventory.js';
import type { WaitConversionStep } from '../plan-types.js';
import { logFolderOf, readSince, SERVICE_LOG_NAME, type LogMark, type LogReading } from '../service-log.js';
import { DEFAULT_CONVERSION_WAIT, type UpgradeContext, type UpgradeEnv } from './env.js';

/** The run data key under which an MFA Server install records the service log as it was before it. */
export const logMarkKey = (installStepId: string) => `serviceLog@${installStepId}`;

const minutes = (ms: number) => `${Math.round((ms / 60_000) * 10) / 10} min`;

function shown(lines: string[]): string {
  return lines.map((l) => `"${redactEmbedded(l.length > 200 ? `${l.slice(0, 200)}...` : l)}"`).join(' / ');
}

async function markOf(step: WaitConversionStep, ctx: UpgradeContext): Promise<LogMark> {
  const recorded = ctx.runData[logMarkKey(step.installStep)] as LogMark | undefined;
  if (recorded) return recorded;
  // The install began in a run that recorded no mark (it cannot happen in one journal): read every line.
  const installPath = (await readInstallPath(ctx.host.registry, '32')) ?? (await readInstallPath(ctx.host.registry, '64')) ?? step.installPath;
  if (!installPath) throw new MfaError('the MFA Server install folder is not known, so its service log cannot be read', { code: 'INSTALL_PATH_MISSING', exitCode: ExitCode.fatal, remedy: 'Check InstallPath under HKLM\\SOFTWARE\\WOW6432Node\\Positive Networks\\PhoneFactor, then run again with --resume.' });
  return { folder: logFolderOf(installPath), files: [] };
}

function timedOut(step: WaitConversionStep, mark: LogMark, waited: number, r: LogReading): PersonNeeded {
  const log = `${mark.folder}\\${SERVICE_LOG_NAME}`;
  const saw = r.written.length
    ? `The service wrote to ${r.written.join(', ')}, but no "Completed performing tasks to upgrade from <n> to <m>" line; its last lines: ${shown(r.lastLines)}.`
    : `The service wrote nothing to its log (${log}) since the install.`;
  return new PersonNeeded(
    'Confirm that MFA Server finished converting the data file',
    `After ${minutes(waited)} the conversion is not confirmed. ${saw} Do not restart ${step.service} or the server. Watch ${log} until the completion line appears (a large data file takes long), then run the same command with --resume; if the log shows errors instead, run it with --rollback.`,
  );
}

export function waitConversionStep(step: WaitConversionStep): EngineStep<UpgradeEnv> {
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    async run(ctx) {
      const wait = ctx.env.conversion ?? DEFAULT_CONVERSION_WAIT;
      const mark = await markOf(step, ctx);
      const began = ctx.now();
      let started = false;
      for (;;) {
        if (ctx.cancel.cancelled) throw interruptedError('The wait for the data file conversion', ctx.cancel.reason);
        const r = await readSince(ctx.host, mark);
        if (r.done) {
          ctx.record({ converted: { from: r.done.from, to: r.done.to, file: r.done.file }, waitedMs: ctx.now() - began });
          ctx.reporter.log('info', `${step.service} converted the data file (schema ${r.done.from} to ${r.done.to}, ${r.done.file}).`);
          return;
        }
        const svc = await ctx.host.services.get(step.service);
        if (!svc) throw new MfaError(`the service ${step.service} is not installed after the MFA Server install`, { code: 'SERVICE_MISSING', target: step.service, exitCode: ExitCode.fatal, remedy: 'Read the install log; run --rollback.' });
        if (svc.state === 'stopped') {
          if (started || svc.startType === 'disabled') {
            throw new MfaError(`${step.service} stopped before it logged that the data file conversion finished${r.lastLines.length ? `; its last log lines: ${shown(r.lastLines)}` : ''}`, {
              code: 'SERVICE_STOPPED_CONVERTING',
              target: step.service,
              exitCode: ExitCode.fatal,
              remedy: `Read ${mark.folder}\\${SERVICE_LOG_NAME}. Do not start it again over a half-converted file: run --rollback (the data file comes back from the backup), fix the cause, then upgrade again.`,
            });
          }
          // Its first start converts the file: the installer may have left it stopped.
          ctx.reporter.log('warning', `${step.service} is stopped after the install: starting it, so it converts the data file.`);
          try {
            await ctx.services.start([step.service]);
          } catch (e) {
            throw new MfaError(`${step.service} does not start after the MFA Server install: ${e instanceof Error ? e.message : String(e)}`, {
              code: 'SERVICE_STOPPED_CONVERTING',
              target: step.service,
              exitCode: ExitCode.fatal,
              remedy: `Read ${mark.folder}\\${SERVICE_LOG_NAME}; run --rollback (the data file comes back from the backup), fix the cause, then upgrade again.`,
              cause: e,
            });
          }
          started = true;
          continue;
        }
        const waited = ctx.now() - began;
        if (waited >= wait.timeoutMs) {
          ctx.record({ timedOut: { afterMs: waited, written: r.written } });
          throw timedOut(step, mark, waited, r);
        }
        ctx.reporter.progress({ id: 2, activity: `Waiting for ${step.service} to convert the data file`, status: `${minutes(waited)} of up to ${minutes(wait.timeoutMs)}${r.lastLines.length ? `; last log line: ${redactEmbedded(r.lastLines[r.lastLines.length - 1] ?? '').slice(0, 120)}` : ''}`, percent: -1 });
        await ctx.sleep(Math.min(wait.pollMs, Math.max(1, wait.timeoutMs - waited)));
      }
    },
    async verify(ctx) {
      const r = await readSince(ctx.host, await markOf(step, ctx));
      if (!r.done) throw new MfaError(`postcondition not met: the service log no longer shows the conversion finished`, { code: 'POSTCONDITION_FAILED', target: step.service, exitCode: ExitCode.fatal, remedy: 'Check the service log, then run again with --resume.' });
      const svc = await ctx.host.services.get(step.service);
      if (svc?.startType === 'disabled') throw new MfaError(`postcondition not met: ${step.service} is disabled after the install`, { code: 'POSTCONDITION_FAILED', target: step.service, exitCode: ExitCode.fatal, remedy: `Set-Service ${step.service} -StartupType Automatic, then run again with --resume.` });
      if (svc?.state !== 'running') throw new MfaError(`postcondition not met: ${step.service} is ${svc?.state ?? 'missing'} after converting the data file`, { code: 'POSTCONDITION_FAILED', target: step.service, exitCode: ExitCode.fatal, remedy: `Read its log; Start-Service ${step.service}, then run again with --resume.` });
    },
  };
}
