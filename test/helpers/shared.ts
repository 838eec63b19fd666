// ../shared (the team's domain notes and the real-file corpus) sits beside the project on the
// team's machines and in CI, never in a clone. Tests that read it skip with the reason when it is
// absent; CI sets MFA_REQUIRE_SHARED=1, which turns its absence into a failure.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const SHARED_DIR = join('..', 'shared');

/** The folder under ../shared, or undefined (with the reason to print) when a clone has none. */
export function sharedFolder(sub: string): { dir: string } | { dir: undefined; reason: string } {
  const dir = join(SHARED_DIR, sub);
  if (existsSync(dir)) return { dir };
  if (process.env.MFA_REQUIRE_SHARED === '1') {
    throw new Error(`${dir} is missing and MFA_REQUIRE_SHARED=1 (CI) requires it: run CI with ../shared beside the project.`);
  }
  return { dir: undefined, reason: `${dir} is absent (a clone has no ../shared; CI runs these with it)` };
}
