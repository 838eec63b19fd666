// node --import tsx scripts/fuzz/replay.ts <target> <file>: runs one input through a fuzz
// target's check and prints what happened.
import { readFileSync } from 'node:fs';
import { TARGETS } from './run.js';

const [name, file] = process.argv.slice(2);
const target = TARGETS.find((t) => t.name === name);
if (!target || !file) {
  console.error(`usage: replay.ts <${TARGETS.map((t) => t.name).join('|')}> <file>`);
  process.exit(2);
}
await target.setup?.();
try {
  await target.check(readFileSync(file));
  console.log('ok: accepted or refused cleanly');
} catch (e) {
  console.log(`FINDING: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await target.teardown?.();
}
