// mfa-upgrade rehearse: the upgrade run on a copy of the machine as the backup saw it, in a
// temporary folder. Shows the plan, each merged web.config and the outcome; touches nothing else.
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBundleAccess } from '../../backup/bundle-access.js';
import { extractSnapshot } from '../../backup/extract.js';
import { parseDigest } from '../../backup/digest.js';
import { readPassphraseFile } from '../../backup/passphrase.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { openImageHost } from '../../host/image/image-host.js';
import { takeInventory } from '../../inventory/take-inventory.js';
import { makePlan } from '../../upgrade/make-plan.js';
import { flag, str } from '../args.js';
import { formatInventory } from '../format/inventory.js';
import { formatPlan } from '../format/plan.js';
import { version } from '../../version.js';
import type { CommandContext } from '../spec.js';
import { planOptionsFrom } from './plan-options.js';
import { DEFAULT_LOG_DIR, upgradeResult } from './upgrade.js';
import { runUpgrade } from '../../upgrade/run-upgrade.js';
import type { RunResult } from '../../engine/engine.js';
import { removePath } from '../../util/remove.js';

export async function run({ args, out, cancel }: CommandContext): Promise<ExitCodeValue> {
  const bundle = str(args, 'backup') as string;
  const options = planOptionsFrom(args);
  const passphraseFile = str(args, 'passphrase-file');
  const passphrase = passphraseFile ? await readPassphraseFile(passphraseFile) : undefined;
  const reportPath = str(args, 'report');
  const report = reportPath ? await import('../../report/commands.js') : undefined;
  if (report && reportPath) await report.checkReportPath(reportPath);
  const work = await fsp.mkdtemp(join(tmpdir(), 'mfa-rehearsal-'));
  const keep = flag(args, 'keep');
  try {
    const digest = str(args, 'expect-digest');
    const hostDir = await extractSnapshot(bundle, join(work, 'host'), { ...(passphrase !== undefined ? { passphrase } : {}), ...(digest !== undefined ? { expectDigest: parseDigest(digest) } : {}) });
    out.log('info', `Rehearsing on a copy of ${bundle} in ${hostDir}`);
    const host = await openImageHost(hostDir);
    const plan = await makePlan(host, options);
    out.object('MfaUpgrade.UpgradePlan', plan, () => formatPlan(plan));
    const backupAccess = createBundleAccess({ readPackage: (p) => host.installer.readPackage(p) });
    const rehearsalReport = (facts: { result?: RunResult; error?: unknown }) =>
      report && reportPath ? report.writeRehearsalReport(reportPath, args, out, { bundle, plan, workDir: join(work, 'upgrade'), backup: backupAccess, ...(keep ? { kept: hostDir } : {}), ...facts }, host) : Promise.resolve();
    if (plan.blockers.length) {
      out.log('error', 'Rehearsal: the plan is blocked; the real upgrade would stop here too.');
      await rehearsalReport({});
      return ExitCode.notReady;
    }
    let ran: RunResult;
    try {
      ran = await runUpgrade(host, backupAccess, out, {
        workDir: join(work, 'upgrade'),
        packagesDir: options.packagesDir,
        mode: 'run',
        unattended: true,
        retry: { attempts: 1, delayMs: 0 },
        logDir: DEFAULT_LOG_DIR,
        toolVersion: version,
        cancel,
      }, plan);
    } catch (e) {
      await rehearsalReport({ error: e });
      throw e;
    }
    await rehearsalReport({ result: ran });
    const result = upgradeResult(ran);
    const after = await takeInventory(host);
    const rehearsal = {
      bundle,
      outcome: result.outcome,
      exitCode: result.exitCode,
      stepsRun: result.stepsRun,
      leftToDo: result.leftToDo,
      rebootRequired: result.rebootRequired,
      after,
      kept: keep ? hostDir : null,
    };
    out.object('MfaUpgrade.Rehearsal', rehearsal, () =>
      [
        `Rehearsal ${result.outcome}: ${result.stepsRun.length} steps ran on the copy${result.leftToDo.length ? `; left to do by hand: ${result.leftToDo.map((m: { title: string }) => m.title).join('; ')}` : ''}.`,
        '',
        'The machine after the upgrade would look like this:',
        formatInventory(after),
        keep ? `\nThe rehearsed copy is kept in ${hostDir} (open it with --host).` : '',
      ].join('\n'),
    );
    return ExitCode.success;
  } finally {
    if (!keep) await removePath(work);
  }
}
