// Mutation testing of the safety-critical files (docs/testing.md, "Mutation testing"). Run it with
// `npm run mutate` (scripts/mutate/run.mjs), which runs Stryker once per group of
// scripts/mutate/groups.mjs with that group's files and focused ava command; this file holds what
// every group shares.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'command',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'off',
  incremental: true,
  concurrency: 2,
  timeoutMS: 60000,
  // progress-append-only: a line a few seconds apart in the log, so a long group shows how far it is.
  reporters: ['clear-text', 'json', 'progress-append-only'],
  ignorePatterns: ['dist', 'prebuilds', 'build', '.cache', 'scratch', 'powershell/MfaUpgrade/bin', 'native/build'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
