// The safety-critical files under mutation testing, and the focused ava command that judges each
// group's mutants (Stryker has no ava runner: its command runner runs these files per mutant).
// The one list to change when files move. `stable: true`: the small groups the CI sample runs
// (time-capped); every group's results are committed under incremental/.
export const GROUPS = [
  { name: 'redaction', mutate: ['lib/config/redact.ts'], tests: ['test/config/redact.test.ts', 'test/config/redact-oracle.test.ts', 'test/config/redact-nodes.test.ts'], stable: true },
  {
    name: 'xml-value-edits',
    mutate: ['lib/config/xml/value-edits.ts', 'lib/config/xml/edit.ts'],
    tests: ['test/config/edit.test.ts', 'test/config/xml.test.ts', 'test/config/escape.property.test.ts', 'test/config/merge.test.ts', 'test/config/merge.property.test.ts'],
    stable: true,
  },
  { name: 'msi-1618-3010', mutate: ['lib/engine/installer-op.ts', 'lib/engine/msi-codes.ts'], tests: ['test/engine/installer-op-retry.test.ts'], stable: true },
  // The step engine's resume and rollback, judged by its own fast tests (synthetic steps on an
  // image host); the crash tier and random kills judge it too, but take minutes a mutant.
  { name: 'engine', mutate: ['lib/engine/engine.ts', 'lib/engine/journal.ts', 'lib/engine/undo-store.ts'], tests: ['test/engine/engine.test.ts', 'test/engine/engine-rules.test.ts', 'test/engine/journal.test.ts', 'test/engine/undo-store.test.ts'] },
  // Backup is split by what judges each part: all of test/backup takes ~11 s a mutant on two cores,
  // which puts a whole-group run at hours; each part's own files take 3-6 s.
  // Writing a bundle, in two halves that each finish within a session on two cores (a stopped
  // Stryker run keeps nothing): the writer, the .partial and the error mapping; then the backup's
  // own sequence, the host facts and the AD FS export.
  ...[
    ['backup-write-copy', '1-339'],
    ['backup-write-run', '340-566'],
  ].map(([name, lines]) => ({
    name,
    mutate: [`lib/backup/take-backup.ts:${lines}`],
    // encryption.test.ts and trust.test.ts take encrypted backups: the writer's padding and stored hashes.
    tests: ['test/backup/manifest-facts.test.ts', 'test/backup/backup.test.ts', 'test/backup/bad-input.test.ts', 'test/backup/consistency.test.ts', 'test/backup/secrets-and-progress.test.ts', 'test/backup/verify.test.ts', 'test/backup/encryption.test.ts', 'test/backup/trust.test.ts', 'test/backup/bundle-writer.test.ts', 'test/backup/take-backup-run.test.ts'],
  })),
  // Verification, and the reading and decryption under it: two groups judged by the same files, so
  // each runs within a session on two cores.
  {
    name: 'backup-verify',
    mutate: ['lib/backup/verify.ts'],
    tests: ['test/backup/verify-problems.test.ts', 'test/backup/verify.test.ts', 'test/backup/trust.test.ts', 'test/backup/encryption.test.ts', 'test/backup/bad-input.test.ts', 'test/backup/paths.test.ts', 'test/hostile/bundle.test.ts'],
  },
  {
    name: 'backup-read',
    mutate: ['lib/backup/read-bundle.ts', 'lib/backup/crypto.ts'],
    tests: ['test/backup/crypto.test.ts', 'test/backup/open-bundle.test.ts', 'test/backup/verify-problems.test.ts', 'test/backup/verify.test.ts', 'test/backup/trust.test.ts', 'test/backup/encryption.test.ts', 'test/backup/bad-input.test.ts', 'test/backup/paths.test.ts', 'test/hostile/bundle.test.ts'],
  },
  { name: 'backup-restore', mutate: ['lib/backup/restore.ts'], tests: ['test/backup/restore-result.test.ts', 'test/backup/restore.test.ts', 'test/backup/trust.test.ts', 'test/backup/encryption.test.ts', 'test/backup/paths.test.ts'] },
  // The bundle path checks: the segment rules (names.ts), the manifest path checks of format.ts, and
  // the two places paths leave the bundle (the access layer and snapshot extraction).
  {
    name: 'bundle-paths',
    mutate: ['lib/backup/names.ts', 'lib/backup/format.ts:110-173', 'lib/backup/bundle-access.ts', 'lib/backup/extract.ts'],
    tests: ['test/backup/path-rules.test.ts', 'test/backup/extract.test.ts', 'test/backup/paths.test.ts', 'test/backup/windows-names.test.ts', 'test/backup/access.test.ts', 'test/backup/verify.test.ts', 'test/backup/encryption.test.ts'],
  },
];
