// Passwords in web.configs and the adapter config never reach output or logs (human, --json,
// --verbose, the CMTrace log), on success and on failure; progress is bytes-based, and a bar on
// a terminal.
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backupSpec, restoreSpec, verifyBackupSpec } from '../../lib/cli/commands/backup.spec.js';
import { runCommand, workspace } from './helpers.js';

const SECRETS = ['Winter2014!sdk', 'Spring2023!adfs'];

test('no password from a web.config or the adapter config appears in any output or log of backup, verify-backup and restore', async (t) => {
  for (const sample of ['phonefactor-5.2', 'mfa-8.0-adfs'] as const) {
    const ws = workspace(sample);
    try {
      if (sample === 'mfa-8.0-adfs') {
        // AD FS holds the adapter config, password included: it is exported into the bundle.
        const adfsPath = join(ws.host, 'adfs.json');
        const adfs = JSON.parse(readFileSync(adfsPath, 'utf8')) as { providers: Array<{ name: string; configurationData?: string }> };
        const cfg = readFileSync(join(ws.host, 'drive/C/Program Files/Multi-Factor Authentication Server/MultiFactorAuthenticationAdfsAdapter.config'));
        (adfs.providers.find((p) => p.name === 'AzureMfaServerAuthentication') as { configurationData?: string }).configurationData = cfg.toString('base64');
        writeFileSync(adfsPath, JSON.stringify(adfs));
      }
      const log = join(ws.root, 'run.log');
      const outputs: string[] = [];
      const run = async (spec: typeof backupSpec, argv: string[]) => {
        for (const mode of [['--json', '--verbose'], ['--verbose']]) {
          const r = await runCommand(spec, [...argv, ...mode, '--log', log], { logFile: log, isTty: true });
          outputs.push(r.stdout, r.stderr);
        }
      };
      await run(backupSpec, ['--out', join(ws.root, 'b1'), '--host', ws.host, '--what-if']);
      await runCommand(backupSpec, ['--out', ws.bundle, '--host', ws.host, '--json', '--verbose'], { logFile: log }).then((r) => outputs.push(r.stdout, r.stderr));
      await runCommand(backupSpec, ['--out', join(ws.root, 'b2'), '--host', ws.host, '--verbose'], { logFile: log, isTty: true }).then((r) => outputs.push(r.stdout, r.stderr));
      await run(verifyBackupSpec, [ws.bundle]);
      await run(restoreSpec, [ws.bundle, '--host', ws.host, '--include', 'web,themes', '--what-if']);
      await run(restoreSpec, [ws.bundle, '--host', ws.host, '--include', 'web,themes']);
      // Failure paths: a tampered web.config in the bundle, then a refused restore.
      const cfg = sample === 'phonefactor-5.2' ? 'snapshot/drive/C/inetpub/wwwroot/PhoneFactor/web.config' : 'snapshot/drive/C/Program Files/Multi-Factor Authentication Server/MultiFactorAuthenticationAdfsAdapter.config';
      writeFileSync(join(ws.bundle, cfg), readFileSync(join(ws.bundle, cfg), 'utf8').replace('<', '< '));
      await run(verifyBackupSpec, [ws.bundle]);
      await run(restoreSpec, [ws.bundle, '--host', ws.host, '--include', 'web,themes']);
      t.true(existsSync(log));
      outputs.push(readFileSync(log, 'utf8'));
      const all = outputs.join('\n');
      t.true(all.length > 1000);
      for (const s of SECRETS) t.false(all.includes(s), `${s} leaked in ${sample}`);
    } finally {
      ws.cleanup();
    }
  }
});

test('backup progress: one id, bytes-based percent that never goes back, a file name in the status, completed at 100', async (t) => {
  const ws = workspace('phonefactor-5.2');
  try {
    const r = await runCommand(backupSpec, ['--out', ws.bundle, '--host', ws.host, '--json']);
    const progress = r.events.filter((e) => e['type'] === 'progress' && e['id'] === 1);
    t.true(progress.length >= 3);
    t.true(progress.every((p) => p['activity'] === 'Backing up'));
    const percents = progress.map((p) => p['percent'] as number);
    t.deepEqual(percents, [...percents].sort((a, b) => a - b));
    t.regex(String(progress[1]?.['status']), /^\d+(\.\d)? MB of 3\.\d MB: C:\\Program Files\\PhoneFactor\\Data\\Phonefactor\.pfdata$/);
    const done = progress.at(-1);
    t.is(done?.['percent'], 100);
    t.is(done?.['completed'], true);
    // Verification follows as its own activity.
    t.true(r.events.some((e) => e['type'] === 'progress' && e['id'] === 2 && e['completed'] === true));
  } finally {
    ws.cleanup();
  }
});

test('on a terminal, progress is a bar on stderr that ends with a newline before the summary', async (t) => {
  const ws = workspace('mfa-7.0');
  try {
    const r = await runCommand(backupSpec, ['--out', ws.bundle, '--host', ws.host], { isTty: true });
    t.is(r.code, 0);
    t.regex(r.stderr, /\r\[#+\.*\] +\d+% Backing up/);
    t.regex(r.stderr, /\[#{30}\] 100% Backing up/);
    t.regex(r.stdout, /^Backup bundle/);
    const quiet = await runCommand(backupSpec, ['--out', join(ws.root, 'b2'), '--host', ws.host], { isTty: false });
    t.false(quiet.stderr.includes('['));
  } finally {
    ws.cleanup();
  }
});
