// The safety-critical files under mutation testing, and the focused ava command that judges each
// group's mutants (Stryker has no ava runner: its command runner runs these files per mutant).
// The one list to change when files move. `stable: true` groups are the ones run for real so far
// and in the CI sample.
export const GROUPS = [
  { name: 'redaction', mutate: ['lib/config/redact.ts'], tests: ['test/config/redact.test.ts', 'test/config/redact-oracle.test.ts'], stable: true },
  {
    name: 'xml-value-edits',
    mutate: ['lib/config/xml/value-edits.ts', 'lib/config/xml/edit.ts'],
    tests: ['test/config/xml.test.ts', 'test/config/escape.property.test.ts', 'test/config/merge.test.ts', 'test/config/merge.property.test.ts'],
    stable: true,
  },
  { name: 'msi-1618-3010', mutate: ['lib/engine/installer-op.ts', 'lib/engine/msi-codes.ts'], tests: ['test/engine/installer-op-retry.test.ts'], stable: true },
  // The step engine's resume and rollback (the lead's lib/engine), judged by the upgrade and crash tiers.
  // The step engine's resume and rollback, judged by its own fast tests (synthetic steps on an
  // image host); the crash tier and random kills judge it too, but take minutes a mutant.
  { name: 'engine', mutate: ['lib/engine/engine.ts', 'lib/engine/journal.ts', 'lib/engine/undo-store.ts'], tests: ['test/engine/engine.test.ts', 'test/engine/engine-rules.test.ts', 'test/engine/journal.test.ts', 'test/engine/undo-store.test.ts'] },
  {
    name: 'backup',
    mutate: ['lib/backup/take-backup.ts', 'lib/backup/verify.ts', 'lib/backup/restore.ts', 'lib/backup/crypto.ts', 'lib/backup/read-bundle.ts'],
    tests: ['test/backup/*.test.ts'],
  },
  { name: 'bundle-paths', mutate: ['lib/backup/bundle-access.ts', 'lib/backup/extract.ts'], tests: ['test/backup/paths.test.ts', 'test/backup/verify.test.ts'] },
];
