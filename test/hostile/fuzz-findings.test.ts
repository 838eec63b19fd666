// What `npm run fuzz` found, kept: every input under test/hostile/fuzz-findings/<reader>/ is
// replayed through its reader's contract (accepted, or refused with an MfaError; what is
// written parses again). Each file was a crash, a hang or a broken round trip when it was found.
import test from 'ava';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FINDINGS_DIR, TARGETS } from '../../scripts/fuzz/run.js';

const found = TARGETS.flatMap((target) => {
  const dir = join(FINDINGS_DIR, target.name);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bin')).map((f) => ({ target, file: join(dir, f) })) : [];
});

test('the fuzz findings are kept as corpus cases', (t) => {
  t.true(found.length > 0);
  t.log(`${found.length} finding(s): ${found.map((f) => `${f.target.name}/${f.file.split('/').pop()}`).join(', ')}`);
});

for (const { target, file } of found) {
  test(`fuzz finding ${target.name}/${file.split('/').pop()} is handled`, async (t) => {
    await target.setup?.();
    try {
      await target.check(readFileSync(file));
      t.pass();
    } finally {
      await target.teardown?.();
    }
  });
}
