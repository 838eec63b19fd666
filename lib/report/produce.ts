// The report of each command, built from what the command already has: the plan (with its
// readiness), the fleet order, the journal of a run, the AD FS report. The CLI calls one of these
// and writes the result; nothing here changes a host.
import { resolve } from 'node:path';
import type { AdfsUpgradeReport } from '../adfs/upgrade.js';
import { MfaError } from '../errors.js';
import type { BackupAccess } from '../upgrade/backup-access.js';
import type { FleetFile, FleetPlan } from '../upgrade/fleet.js';
import type { UpgradePlan } from '../upgrade/plan-types.js';
import { commandOf, formatCommand, variantOf, type Invocation } from './command-line.js';
import { adfsSection } from './from-adfs.js';
import { fleetSection } from './from-fleet.js';
import { runFromJournal, type JournalRun, type RunFacts } from './from-journal.js';
import { executedMerges } from './from-merge.js';
import { planSection, plannedMerges, readinessRows, type ReadHostFile } from './from-plan.js';
import { REPORT_FORMAT, type ReportHeader, type ReportModel, type Tone } from './model.js';

export interface ReportContext {
  invocation: Invocation;
  toolVersion: string;
  now?: () => Date;
}

const versionOf = (v: { name: string; version: string } | null): string | null => (v ? `${v.name} ${v.version}` : null);

function header(ctx: ReportContext, fields: Omit<ReportHeader, 'command' | 'toolVersion' | 'generatedAt'>): ReportHeader {
  return { ...fields, command: commandOf(ctx.invocation), toolVersion: ctx.toolVersion, generatedAt: (ctx.now?.() ?? new Date()).toISOString() };
}

function planOutcome(plan: UpgradePlan): { label: string; tone: Tone } {
  if (plan.blockers.length) return { label: 'BLOCKED: NOTHING CAN RUN YET', tone: 'fail' };
  if (plan.upToDate) return { label: 'UP TO DATE: NOTHING TO DO', tone: 'ok' };
  if (plan.warnings.length) return { label: 'READY, WITH WARNINGS', tone: 'warn' };
  return { label: 'READY TO RUN', tone: 'ok' };
}

/** plan, and upgrade --what-if: the plan, its readiness, and the settings each merge will carry. */
export async function planReport(ctx: ReportContext, plan: UpgradePlan, read: ReadHostFile, whatIf = false): Promise<ReportModel> {
  return {
    format: REPORT_FORMAT,
    header: header(ctx, {
      title: `Upgrade plan for ${plan.computerName}`,
      servers: [plan.computerName],
      from: versionOf(plan.from),
      to: versionOf(plan.to),
      outcome: planOutcome(plan),
      notes: whatIf ? ['What if: nothing was changed on the server.'] : ['A plan changes nothing on the server.'],
    }),
    readiness: readinessRows(plan.readiness),
    plan: planSection(plan),
    merges: await plannedMerges(plan, read),
  };
}

export function fleetReport(ctx: ReportContext, plan: FleetPlan, file: FleetFile): ReportModel {
  const fleet = fleetSection(plan, file);
  return {
    format: REPORT_FORMAT,
    header: header(ctx, {
      title: `Upgrade order across ${fleet.lanes.length} servers`,
      servers: fleet.lanes.map((l) => l.server),
      from: null,
      to: null,
      outcome: plan.warnings.length ? { label: 'ORDER, WITH WARNINGS', tone: 'warn' } : { label: 'ORDER READY', tone: 'ok' },
      notes: ['Each server runs its own upgrade (mfa-upgrade upgrade, or Invoke-MfaServerUpgrade -Fleet through remoting) in this order.'],
    }),
    fleet,
  };
}

/** The upgrade command lines that finish or undo the run kept in workDir. */
function upgradeCommands(ctx: ReportContext, workDir: string): { undo: string; resume: string; cmdlet: string | undefined } {
  const fixed: Record<string, string | true> = { backup: resolve(workDir) };
  const host = ctx.invocation.options['host'];
  if (typeof host === 'string') fixed['host'] = resolve(host);
  const inv: Invocation = { command: 'upgrade', options: ctx.invocation.options };
  return {
    undo: variantOf(inv, ['host'], { ...fixed, rollback: true }),
    resume: variantOf(inv, ['host', 'unattended', 'retry-1618', 'retry-delay', 'msi-log-dir'], { ...fixed, resume: true }),
    cmdlet: typeof host === 'string' ? undefined : formatCommand(['Invoke-MfaServerUpgrade', '-BackupPath', resolve(workDir), '-Rollback']),
  };
}

/** What the engine returns for a run (lib/engine RunResult), as far as the report reads it. */
export type EngineResult = NonNullable<RunFacts['result']> & { failure?: { step: string; error: unknown } };

export interface UpgradeRun {
  /** The upgrade's --backup folder: the journal and the bundle. */
  workDir: string;
  mode: 'run' | 'resume' | 'rollback';
  /** The plan made for this run (mode run); resume and rollback read it from the journal. */
  plan?: UpgradePlan;
  result?: EngineResult;
  error?: unknown;
  /** When this run started: a journal begun earlier belongs to another run. */
  startedAt: Date;
  backup?: BackupAccess;
}

function errorFacts(error: unknown): RunFacts['error'] | undefined {
  if (error === undefined) return undefined;
  if (error instanceof MfaError) return { message: error.message, exitCode: error.exitCode };
  return { message: error instanceof Error ? error.message : String(error), exitCode: 1603 };
}

function runHeader(ctx: ReportContext, jr: JournalRun, title: string): ReportHeader {
  const tone = jr.run.outcomeTone;
  const leftToDo = jr.run.leftToDo.length;
  const label = `${jr.run.outcome.toUpperCase()}${leftToDo ? `: ${leftToDo} STEP${leftToDo === 1 ? '' : 'S'} LEFT TO DO` : ''}${jr.run.rebootRequired ? ', REBOOT REQUIRED' : ''}`;
  return header(ctx, {
    title,
    servers: [jr.host],
    from: versionOf(jr.plan.from),
    to: versionOf(jr.plan.to),
    outcome: { label, tone: leftToDo && tone === 'ok' ? 'warn' : tone },
    notes: [],
  });
}

/** upgrade (run, --resume, --rollback): the run from its journal, the plan it ran, each merge's diff. */
export async function upgradeReport(ctx: ReportContext, u: UpgradeRun, read: ReadHostFile): Promise<ReportModel> {
  const commands = upgradeCommands(ctx, u.workDir);
  const error = errorFacts(u.error ?? u.result?.failure?.error);
  const facts: RunFacts = { mode: u.mode, undoCommand: commands.undo, resumeCommand: commands.resume, ...(u.result ? { result: u.result } : {}), ...(error ? { error } : {}) };
  let jr = runFromJournal(u.workDir, facts);
  if (jr && u.mode === 'run' && Date.parse(jr.run.startedAt ?? '') < u.startedAt.getTime() - 1000) jr = undefined;
  if (!jr) {
    // Nothing was journaled: the plan was blocked, up to date, or refused before the first record.
    if (!u.plan) throw new MfaError('there is no upgrade journal to report on', { code: 'NO_JOURNAL', target: u.workDir, remedy: 'Pass the --backup folder of the run.' });
    const model = await planReport(ctx, u.plan, read);
    model.header.title = `Upgrade of ${u.plan.computerName}`;
    model.header.notes = [error ? `The upgrade did not start: ${error.message}` : u.plan.upToDate ? 'Nothing was changed: everything is at the packages\' versions.' : 'Nothing was changed on the server.'];
    if (error) model.header.outcome = { label: 'NOT STARTED', tone: 'fail' };
    return model;
  }
  const bundle = jr.run.backup ? resolve(u.workDir, jr.run.backup) : undefined;
  if (bundle) jr.run.backup = bundle;
  if (commands.cmdlet && jr.run.undoCommand) jr.run.notes.push(`From PowerShell: ${commands.cmdlet}`);
  const title = u.mode === 'rollback' ? `Rollback of the upgrade of ${jr.host}` : `Upgrade of ${jr.host}`;
  return {
    format: REPORT_FORMAT,
    header: runHeader(ctx, jr, title),
    run: jr.run,
    readiness: readinessRows(jr.plan.readiness),
    plan: planSection(jr.plan),
    merges: await executedMerges(jr.plan, jr.merged, u.workDir, u.backup, bundle),
  };
}

/** upgrade --what-if --resume / --rollback: what the journal holds and what would run next (as the command listed it). */
export function pendingReport(ctx: ReportContext, workDir: string, mode: 'resume' | 'rollback', pending: string[]): ReportModel {
  const commands = upgradeCommands(ctx, workDir);
  const jr = runFromJournal(workDir, { mode: 'run', undoCommand: commands.undo, resumeCommand: commands.resume });
  if (!jr) throw new MfaError(`there is no upgrade journal in ${workDir}`, { code: 'NO_JOURNAL', target: workDir, remedy: 'Pass the --backup folder of the interrupted run.' });
  jr.run.mode = 'what-if';
  jr.run.pending = pending;
  jr.run.notes.unshift(`What if: ${mode === 'resume' ? '--resume' : '--rollback'} would do the steps listed under "Would run next"; nothing was changed.`);
  return {
    format: REPORT_FORMAT,
    header: runHeader(ctx, jr, `${mode === 'resume' ? 'Resuming' : 'Rolling back'} the upgrade of ${jr.host} (what if)`),
    run: jr.run,
    readiness: readinessRows(jr.plan.readiness),
    plan: planSection(jr.plan),
  };
}

export interface Rehearsal {
  bundle: string;
  plan: UpgradePlan;
  /** The executor's work folder on the copy. */
  workDir: string;
  result?: EngineResult;
  error?: unknown;
  backup?: BackupAccess;
  kept?: string;
}

/** rehearse: the upgrade run on a copy of a bundle's snapshot; the merges as previews. */
export async function rehearsalReport(ctx: ReportContext, r: Rehearsal, read: ReadHostFile): Promise<ReportModel> {
  const error = errorFacts(r.error ?? r.result?.failure?.error);
  const jr = runFromJournal(r.workDir, { mode: 'rehearsal', ...(r.result ? { result: r.result } : {}), ...(error ? { error } : {}) });
  if (!jr) {
    const model = await planReport(ctx, r.plan, read);
    model.header.title = `Rehearsal of the upgrade of ${r.plan.computerName}`;
    model.header.notes = [`Rehearsed on a copy of ${r.bundle}; nothing on a server was changed.`, ...(error ? [`The rehearsal stopped before it started: ${error.message}`] : [])];
    return model;
  }
  const bundle = jr.run.backup ? resolve(r.workDir, jr.run.backup) : undefined;
  const merges = await executedMerges(jr.plan, jr.merged, r.workDir, r.backup, bundle);
  for (const m of merges.items) if (m.state === 'applied') m.state = 'preview';
  merges.note = 'Each merge ran on the rehearsal copy: this is what the upgrade would write on the server (secrets masked).';
  // The copy lives in a temporary folder: its journal and bundle paths mean nothing later.
  delete jr.run.journal;
  delete jr.run.backup;
  jr.run.notes.unshift(`Rehearsed on a copy of the machine taken from ${r.bundle}; nothing on a server was changed.${r.kept ? ` The copy is kept in ${r.kept}.` : ''}`);
  const model: ReportModel = {
    format: REPORT_FORMAT,
    header: runHeader(ctx, jr, `Rehearsal of the upgrade of ${jr.host}`),
    run: jr.run,
    readiness: readinessRows(jr.plan.readiness),
    plan: planSection(jr.plan),
    merges,
  };
  model.header.notes.push('A rehearsal changes nothing on a server.');
  return model;
}

/** adfs-upgrade (and --what-if): the sequence per farm, the window without the adapter shaded. */
export function adfsReport(ctx: ReportContext, report: AdfsUpgradeReport): ReportModel {
  // The same options again, with --resume or --rollback (the run's journal is found through them).
  const same = Object.keys(ctx.invocation.options).filter((k) => !['from', 'what-if', 'report', 'resume', 'rollback'].includes(k));
  const adfs = adfsSection(report, { resume: variantOf(ctx.invocation, same, { resume: true }), undo: variantOf(ctx.invocation, same, { rollback: true }) });
  const servers = report.farms.reduce<string[]>((all, f) => all.concat(f.nodes), []);
  const notes = report.status === 'what-if' ? ['What if: nothing was changed in AD FS.'] : [`Backup of what this run replaced: ${report.backupDir}`];
  if (report.withoutAdapterSeconds !== undefined) notes.push(`The farm was without the adapter in its global policy for ${report.withoutAdapterSeconds} s.`);
  return {
    format: REPORT_FORMAT,
    header: header(ctx, {
      title: `AD FS adapter upgrade (${report.farms.length === 1 ? 'farm' : 'farms'} ${report.farms.map((f) => f.name).join(', ')})`,
      servers: servers.length ? servers : [report.localNode],
      from: adfs.adapterOld,
      to: adfs.adapterNew,
      outcome: { label: report.status === 'what-if' ? 'PLAN (WHAT IF)' : report.status.toUpperCase(), tone: adfs.statusTone },
      notes,
    }),
    adfs,
  };
}
