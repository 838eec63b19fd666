// The command definitions the lead wires into lib/cli/commands.ts (and the PowerShell module is
// held against): names, options, positionals, and that each loads a module with run().
import test from 'ava';
import { backupSpec, backupSpecs, restoreSpec, verifyBackupSpec } from '../../lib/cli/commands/backup.spec.js';
import { parseArgs } from '../../lib/cli/args.js';

test('the three specs, their options and their modules', async (t) => {
  t.deepEqual(backupSpecs.map((s) => s.name), ['backup', 'verify-backup', 'restore']);
  t.deepEqual(backupSpec.options.map((o) => o.name), ['out', 'host', 'passphrase-file', 'role', 'what-if']);
  t.true(backupSpec.changesMachine);
  t.deepEqual(verifyBackupSpec.positionals?.map((p) => p.name), ['bundle']);
  t.false(verifyBackupSpec.changesMachine);
  t.deepEqual(verifyBackupSpec.options.map((o) => o.name), ['passphrase-file', 'expect-digest']);
  t.deepEqual(restoreSpec.options.map((o) => o.name), ['host', 'what-if', 'include', 'passphrase-file', 'expect-digest', 'undo-dir']);
  t.true(restoreSpec.changesMachine);
  for (const s of backupSpecs) t.is(typeof (await s.load()).run, 'function');
});

test('argument parsing: --out is required, --include is a list, the bundle is a positional', (t) => {
  t.throws(() => parseArgs(backupSpec, ['--host', 'x']), { message: /--out is required/ });
  t.deepEqual(parseArgs(restoreSpec, ['b', '--include', 'web', '--include', 'themes']).options['include'], ['web', 'themes']);
  t.throws(() => parseArgs(verifyBackupSpec, []), { message: /missing <bundle>/ });
});
