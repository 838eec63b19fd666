// npm run demo: the main job on the bundled sample host. Copies examples/hosts/phonefactor-5.2
// to a temporary folder and upgrades it to MFA Server 8.1 with the sample packages, showing the
// inventory before, the plan, progress, each merged web.config's diff, the inventory after, and
// where the backup is. Nothing outside the temporary folder is touched.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cli = join(process.cwd(), 'dist', 'mfa-upgrade.cjs');
const work = mkdtempSync(join(tmpdir(), 'mfa-upgrade-demo-'));
const host = join(work, 'PF01');
const backup = join(work, 'upgrade');
cpSync('examples/hosts/phonefactor-5.2', host, { recursive: true });

function step(title, args, okCodes = [0]) {
  process.stdout.write(`\n\x1b[1m== ${title}\x1b[0m\n$ mfa-upgrade ${args.join(' ')}\n\n`);
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' });
  if (!okCodes.includes(r.status ?? -1)) {
    process.stderr.write(`\nThe demo stopped: mfa-upgrade exited ${r.status}. The host copy is in ${host}.\n`);
    process.exit(r.status ?? 1);
  }
  return r.status;
}

step('What is installed (before)', ['inventory', '--host', host]);
step('Prerequisites', ['check', '--host', host, '--packages', 'examples/packages', '--users', '30000'], [0, 7]);
// Unattended: the activation check is recorded as left to do (exit 5) instead of waiting for a person.
// PF01 is the only server (no replication group): --role standalone, which an unattended run needs.
const code = step('The upgrade: backup, plan, every step journaled', ['upgrade', '--host', host, '--packages', 'examples/packages', '--backup', backup, '--role', 'standalone', '--unattended'], [0, 5, 3010]);
step('What is installed (after)', ['inventory', '--host', host]);
step('Is the upgrade healthy?', ['verify-upgrade', '--host', host, '--backup', backup], [0, 4]);
const bundle = join(backup, 'backup', readdirSync(join(backup, 'backup'))[0]);
step('The backup, verified again', ['verify-backup', bundle]);
process.stdout.write(`\nDone (upgrade exit code ${code}). The upgraded host image is ${host};\nthe backup bundle is ${bundle}, the journal ${join(backup, 'upgrade-journal.jsonl')}.\nTo undo: mfa-upgrade upgrade --host ${host} --backup ${backup} --rollback\n`);
