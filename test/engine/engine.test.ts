// The engine on its own, with small synthetic steps over an image host: fast and precise enough to
// judge mutants of lib/engine (npm run mutate -- --group engine). Each test names the behaviour it
// pins: the journal records, resume, rollback, both failure policies, a person's and another
// server's steps, --from, interrupts, postconditions, services as found, temporary files.
import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resumeRun, rollbackRun, startRun } from '../../lib/engine/engine.js';
import { readJournal } from '../../lib/engine/journal.js';
import type { EngineStep } from '../../lib/engine/step.js';
import { CancelSource } from '../../lib/util/cancel.js';
import { rig, writes, type Env } from './helpers/engine-rig.js';

const phases = (journal: string) =>
  readJournal(journal)
    .phases;

test('a run journals begin, the services as found, every step before and after, and its end', async (t) => {
  const r = await rig(t);
  const res = await startRun(r.options([writes('01', 'a.txt', 'A'), writes('02', 'b.txt', 'B')]));
  t.is(res.outcome, 'completed');
  t.is(res.exitCode, 0);
  t.is(r.file('a.txt'), 'A');
  const records = readFileSync(join(r.work, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; id?: string; phase?: string; running?: string[] });
  t.deepEqual(records.map((x) => `${x.type}${x.id ? ` ${x.id} ${x.phase}` : ''}`), ['begin', 'services', 'step 01 start', 'step 01 done', 'step 02 start', 'step 02 done', 'end']);
  t.true((records[1]?.running ?? []).includes('MultiFactorAuth'));
  t.deepEqual(r.env.calls, ['run 01', 'run 02']);
  t.deepEqual(res.steps.map((s) => s.status), ['done', 'done']);
});

test('a failed step under "pause" stops the run there with its error; --resume repeats it; --rollback undoes what began, newest first', async (t) => {
  const r = await rig(t);
  let fail = true;
  const flaky: EngineStep<Env> = {
    id: '02',
    title: 'flaky',
    kind: 'test',
    async run(ctx) {
      ctx.env.calls.push('run 02');
      if (fail) throw new Error('the disk said no');
    },
    async undo(ctx) {
      ctx.env.calls.push('undo 02');
    },
  };
  const steps = [writes('01', 'a.txt', 'A'), flaky, writes('03', 'c.txt', 'C')];
  const res = await startRun(r.options(steps));
  t.is(res.outcome, 'failed');
  t.is(res.exitCode, 1603);
  t.is(res.failure?.step, '02');
  t.regex(res.failure?.error.message ?? '', /step 02 \(flaky\) failed: the disk said no/);
  t.regex(res.failure?.error.remedy ?? '', /--resume/);
  t.is(r.file('c.txt'), undefined, 'nothing after the failed step ran');
  t.is(phases(join(r.work, 'journal.jsonl')).get('02'), 'failed');
  fail = false;
  const resumed = await resumeRun(r.options(steps));
  t.is(resumed.outcome, 'completed');
  t.deepEqual(r.env.calls, ['run 01', 'run 02', 'run 02', 'run 03'], 'the done step is not repeated, the failed one is');
  r.env.calls.length = 0;
  const rolled = await rollbackRun(r.options(steps));
  t.is(rolled.outcome, 'rolled-back');
  t.deepEqual(r.env.calls, ['undo 03', 'undo 02', 'undo 01']);
  t.is(r.file('a.txt'), undefined, 'a file the run created is gone again');
  await t.throwsAsync(rollbackRun(r.options(steps)), { message: /already rolled back/ });
  await t.throwsAsync(resumeRun(r.options(steps)), { message: /already ended/ });
});

test('under "undo" a failure undoes the run at once (the failed step too), and the run ends rolled back with the failure kept', async (t) => {
  const r = await rig(t);
  const boom: EngineStep<Env> = {
    id: '02',
    title: 'boom',
    kind: 'test',
    async run() {
      throw new Error('no');
    },
    async undo(ctx) {
      ctx.env.calls.push('undo 02');
    },
  };
  const res = await startRun(r.options([writes('01', 'a.txt', 'A'), boom], { policy: 'undo' }));
  t.is(res.outcome, 'rolled-back');
  t.is(res.exitCode, 1603);
  t.is(res.failure?.step, '02');
  t.deepEqual(r.env.calls, ['run 01', 'undo 02', 'undo 01']);
  t.is(r.file('a.txt'), undefined);
  t.is(readJournal(join(r.work, 'journal.jsonl')).ended?.outcome, 'rolled-back');
});

test('an undo that fails leaves the rollback incomplete (failed), and --rollback again finishes it', async (t) => {
  const r = await rig(t);
  let undoFails = true;
  const stubborn = writes('02', 'b.txt', 'B', {
    async undo(ctx) {
      if (undoFails) throw new Error('still locked');
      await ctx.undo.putBack('C:\\engine\\b.txt');
    },
  });
  const steps = [writes('01', 'a.txt', 'A'), stubborn];
  await startRun(r.options(steps));
  const first = await rollbackRun(r.options(steps));
  t.is(first.outcome, 'failed');
  t.is(first.failure?.error.code, 'ROLLBACK_INCOMPLETE');
  t.is(phases(join(r.work, 'journal.jsonl')).get('02'), 'undo-failed');
  t.is(phases(join(r.work, 'journal.jsonl')).get('01'), 'undone', 'the others are still undone');
  undoFails = false;
  const second = await rollbackRun(r.options(steps));
  t.is(second.outcome, 'rolled-back');
  t.is(r.file('b.txt'), undefined);
});

test('a failed postcondition fails the step like an error in it', async (t) => {
  const r = await rig(t);
  const lying = writes('01', 'a.txt', 'A', {
    async verify() {
      throw Object.assign(new Error('postcondition not met: a.txt is empty'), { code: 'POSTCONDITION_FAILED' });
    },
  });
  const res = await startRun(r.options([lying, writes('02', 'b.txt', 'B')]));
  t.is(res.outcome, 'failed');
  t.is(res.failure?.error.code, 'POSTCONDITION_FAILED');
  t.is(r.file('b.txt'), undefined);
});

test("a person's step pauses (exit 5) until --resume; unattended it is left to do (exit 5 at the end) unless it is blocking", async (t) => {
  const r = await rig(t);
  const person: EngineStep<Env> = { id: '02', title: 'activate', kind: 'manual', external: { who: 'person', instructions: 'Activate it.' }, run: async () => undefined };
  const steps = [writes('01', 'a.txt', 'A'), person, writes('03', 'c.txt', 'C')];
  const paused = await startRun(r.options(steps));
  t.is(paused.outcome, 'paused');
  t.is(paused.exitCode, 5);
  t.like(paused.next, { id: '02', manual: true });
  t.is(r.file('c.txt'), undefined);
  const resumed = await resumeRun(r.options(steps));
  t.is(resumed.exitCode, 0);
  t.is(readJournal(join(r.work, 'journal.jsonl')).stepData.get('02')?.['confirmedBy'], 'resume');

  const r2 = await rig(t);
  const left = await startRun(r2.options(steps, { unattended: true }));
  t.is(left.outcome, 'completed');
  t.is(left.exitCode, 5);
  t.deepEqual(left.leftToDo, [{ id: '02', title: 'activate', instructions: 'Activate it.' }]);
  t.is(r2.file('c.txt'), 'C', 'the run went on past it');

  const r3 = await rig(t);
  const blocking = { ...person, external: { ...person.external, blocking: true } } as EngineStep<Env>;
  t.is((await startRun(r3.options([blocking], { unattended: true }))).outcome, 'paused');

  const r4 = await rig(t);
  const confirmed = await startRun(r4.options(steps, { confirmManual: async () => true }));
  t.is(confirmed.exitCode, 0);
  t.is(readJournal(join(r4.work, 'journal.jsonl')).stepData.get('02')?.['confirmedBy'], 'prompt');
});

test("another server's step pauses naming it; --from starts a server's part with the earlier steps done elsewhere, never skipping one of its own", async (t) => {
  const r = await rig(t);
  const remote: EngineStep<Env> = { id: '02', title: 'install on ADFS02', kind: 'adfs', external: { who: 'server', node: 'ADFS02', instructions: 'Run it there.' }, run: async () => undefined };
  const steps = [writes('01', 'a.txt', 'A'), remote, writes('03', 'c.txt', 'C')];
  const paused = await startRun(r.options(steps));
  t.like(paused.next, { id: '02', node: 'ADFS02', manual: false });
  t.is(paused.exitCode, 5);

  const other = await rig(t);
  const fromRemote = await startRun(other.options([remote, writes('03', 'c.txt', 'C')], { startAt: '03' }));
  t.is(fromRemote.outcome, 'completed');
  t.is(readJournal(join(other.work, 'journal.jsonl')).stepData.get('02')?.['doneElsewhere'], true);

  const own = await rig(t);
  await t.throwsAsync(startRun(own.options(steps, { startAt: '03' })), { message: /would skip 01/ });
  await t.throwsAsync(startRun((await rig(t)).options(steps, { startAt: 'nope' })), { message: /no step 'nope'/ });
});

test('an interrupt stops at the next safe point (1602) with the journal open; --resume goes on from there', async (t) => {
  const r = await rig(t);
  const cancel = new CancelSource();
  const stopper = writes('01', 'a.txt', 'A', {
    async run(ctx) {
      await ctx.host.files.writeFileAtomic('C:\\engine\\a.txt', Buffer.from('A'));
      cancel.cancel('SIGINT');
    },
  });
  const steps = [stopper, writes('02', 'b.txt', 'B')];
  const res = await startRun(r.options(steps, { cancel }));
  t.is(res.outcome, 'interrupted');
  t.is(res.exitCode, 1602);
  t.is(res.failure?.error.code, 'INTERRUPTED');
  t.is(phases(join(r.work, 'journal.jsonl')).get('01'), 'done', 'the step it was in finished');
  t.is(phases(join(r.work, 'journal.jsonl')).get('02'), undefined);
  t.is(readJournal(join(r.work, 'journal.jsonl')).ended, undefined);
  t.is((await resumeRun(r.options(steps))).outcome, 'completed');
  t.is(r.file('b.txt'), 'B');
});

test('services the run stopped are started again when it ends or stops; those running before it are put back as found', async (t) => {
  const r = await rig(t);
  const stopsService: EngineStep<Env> = {
    id: '01',
    title: 'stop',
    kind: 'test',
    async run(ctx) {
      await ctx.services.stop(['MultiFactorAuth'], 'testing');
      // An installer that stops a service and leaves it stopped.
      await ctx.host.services.stop('MultiFactorAuthAdSync');
    },
  };
  const res = await startRun(r.options([stopsService]));
  t.is(res.outcome, 'completed');
  t.is((await r.host.services.get('MultiFactorAuth'))?.state, 'running');
  t.is((await r.host.services.get('MultiFactorAuthAdSync'))?.state, 'running');
  const state = readJournal(join(r.work, 'journal.jsonl'));
  t.deepEqual(state.owedStarts, [], 'nothing owed');
});

test("temporary files a run registers are removed when it stops; a killed writer's beside the files it replaced are swept on --resume", async (t) => {
  const r = await rig(t);
  const temp = join(r.work, 'decrypted');
  const cancel = new CancelSource();
  const registers: EngineStep<Env> = {
    id: '01',
    title: 'temp',
    kind: 'test',
    async run(ctx) {
      mkdirSync(temp, { recursive: true });
      writeFileSync(join(temp, 'web.config'), 'secret');
      ctx.addTemp(temp);
      await ctx.undo.keep('C:\\engine\\a.txt');
      await ctx.host.files.writeFileAtomic('C:\\engine\\a.txt', Buffer.from('A'));
      cancel.cancel('SIGTERM');
    },
  };
  const steps = [registers, writes('02', 'b.txt', 'B')];
  await startRun(r.options(steps, { cancel }));
  t.false(existsSync(temp));
  // What a writer killed mid-write leaves beside a file the run replaced.
  const stray = join(r.hostDir, 'drive/C/engine/.a.txt.4194999-deadbeef.mfa-tmp');
  writeFileSync(stray, 'half');
  await resumeRun(r.options(steps));
  t.false(existsSync(stray));
});

test('a journal that is damaged anywhere but its torn last line is refused; an open one is never overwritten by a new run', async (t) => {
  const r = await rig(t);
  const steps = [writes('01', 'a.txt', 'A'), { id: '02', title: 'p', kind: 'manual', external: { who: 'person' as const, instructions: 'x' }, run: async () => undefined }];
  await startRun(r.options(steps));
  await t.throwsAsync(startRun(r.options(steps)), { message: /has not ended/ });
  const journal = join(r.work, 'journal.jsonl');
  const text = readFileSync(journal, 'utf8');
  writeFileSync(journal, `${text}{"type":"step","id":"0`);
  t.is(readJournal(journal).phases.get('02'), 'waiting', 'a torn last line is a crash mid-write: ignored');
  const lines = text.trim().split('\n');
  writeFileSync(journal, [...lines.slice(0, 2), '{not json', ...lines.slice(2)].join('\n') + '\n');
  t.throws(() => readJournal(journal), { message: /damaged at line 3/ });
});
