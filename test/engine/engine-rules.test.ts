// The engine's rules, one test a rule, with synthetic steps on an image host (mutation group
// "engine"): where a step runs (this server, another, a person), resume (what is repeated,
// confirmed, not asked again), rollback (newest first, what is skipped, a failed undo, a rollback
// killed inside an undo or after its finish), both failure policies and both interrupt modes,
// services put back as found, temporaries, --from, and what the administrator is told. Oracles:
// the journal's JSONL lines, the image's files and services.json, and the messages reported.
import test from 'ava';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openState, resumeRun, rollbackRun, startRun } from '../../lib/engine/engine.js';
import { PersonNeeded, type EngineStep } from '../../lib/engine/step.js';
import { MfaError } from '../../lib/errors.js';
import { CancelSource, type CancelSignal } from '../../lib/util/cancel.js';
import { marks, person, rig, server, writes, type Env } from './helpers/engine-rig.js';

const MFA = 'MultiFactorAuth';
const ADSYNC = 'MultiFactorAuthAdSync';
const steps = (...s: Array<EngineStep<Env>>) => s;
const stepTrail = (trail: string[]) => trail.filter((x) => x.startsWith('step ') || x.startsWith('rollback') || x.startsWith('end'));

test("a server step naming this server (any case, FQDN or short name) runs here; a person's step pauses even when it names this server; another server's pauses naming it", async (t) => {
  const r = await rig(t);
  const plan = steps(server('01', 'adfs01.Contoso.com'), person('02', { node: 'ADFS01' }), server('03', 'ADFS02'), marks('04'));
  const first = await startRun(r.options(plan, { localNode: 'ADFS01' }));
  t.deepEqual(r.env.calls, ['run 01']);
  t.is(first.outcome, 'paused');
  t.is(first.exitCode, 5);
  t.deepEqual(first.next, { id: '02', title: 'person 02', node: 'ADFS01', manual: true });
  t.deepEqual(r.logged('warning'), ['Paused at a manual step: person 02 (02). Do 02 by hand. Then run the same command again with --resume.']);
  const second = await resumeRun(r.options(plan, { localNode: 'ADFS01' }));
  t.deepEqual(second.next, { id: '03', title: 'on ADFS02', node: 'ADFS02', manual: false });
  t.is(r.logged('warning')[1], 'Paused: 03 (on ADFS02) runs on ADFS02. Run 03 on ADFS02. Then run the same command here again with --resume.');
  t.deepEqual(r.env.calls, ['run 01'], 'external steps never run here');
  const third = await resumeRun(r.options(plan, { localNode: 'ADFS01' }));
  t.is(third.outcome, 'completed');
  t.deepEqual(r.env.calls, ['run 01', 'run 04']);
  t.deepEqual(
    r.records().filter((x) => x.type === 'step' && x.phase === 'done').map((x) => [x.id, x.data?.['confirmedBy']]),
    [['01', undefined], ['02', 'resume'], ['03', 'resume'], ['04', undefined]],
  );
});

test("unattended: a person's step is left to do (and said so), another server's still pauses and is never confirmed by a prompt; --resume does not ask again for what was left to do", async (t) => {
  const r = await rig(t);
  const asked: string[] = [];
  const confirmManual = async (s: EngineStep<Env>) => (asked.push(s.id), true);
  const plan = steps(person('01'), server('02', 'ADFS02'), person('03', { blocking: true }), marks('04'));
  const first = await startRun(r.options(plan, { unattended: true, confirmManual }));
  t.is(first.outcome, 'paused');
  t.like(first.next, { id: '02', manual: false });
  t.deepEqual(asked, []);
  t.is(r.logged('warning')[0], 'Left to do by hand: person 01. Do 01 by hand.');
  const before = r.records().length;
  const done = await resumeRun(r.options(plan, { confirmManual }));
  t.is(done.outcome, 'completed');
  t.deepEqual(asked, ['03'], 'the blocking step is confirmed at the prompt; the one left to do is not asked for again');
  t.deepEqual(stepTrail(r.trail(before)), ['step 02 done', 'step 03 done', 'step 04 start', 'step 04 done', 'end']);
  t.is(done.exitCode, 5);
  t.deepEqual(done.leftToDo, [{ id: '01', title: 'person 01', instructions: 'Do 01 by hand.' }]);
});

test("an automatic step that needs a person pauses there (its data and the person's task journaled, owed services started, an installer's stop left alone); --resume confirms it without running it again", async (t) => {
  const r = await rig(t);
  const waits: EngineStep<Env> = {
    id: '01',
    title: 'wait for the conversion',
    kind: 'wait',
    async run(ctx) {
      ctx.env.calls.push('run 01');
      await ctx.services.stop([MFA], 'copy the data file');
      await ctx.host.services.stop(ADSYNC); // as an installer does
      ctx.record({ waitedMs: 5 });
      throw new PersonNeeded('Check the data file', 'Open the MFA console.');
    },
  };
  const plan = steps(waits, person('02'), marks('03'));
  const paused = await startRun(r.options(plan));
  t.is(paused.outcome, 'paused');
  t.is(paused.exitCode, 5);
  t.deepEqual(paused.next, { id: '01', title: 'Check the data file', manual: true });
  const waiting = r.records().filter((x) => x.type === 'step' && x.phase === 'waiting');
  t.deepEqual(waiting.map((x) => x.data), [{ waitedMs: 5, person: { title: 'Check the data file', instructions: 'Open the MFA console.' } }]);
  t.is(r.service(MFA)?.state, 'running', 'what the engine stopped is started again at the pause');
  t.is(r.service(ADSYNC)?.state, 'stopped', 'not put back as found at a pause inside the run');
  t.deepEqual(r.logged('warning'), ['Paused at 01: Check the data file. Open the MFA console. Then run the same command again with --resume.']);

  const begin = r.records()[0];
  const second = await resumeRun(r.options(plan));
  t.is(second.outcome, 'paused');
  t.is(second.next?.id, '02');
  t.deepEqual(r.env.calls, ['run 01'], 'resuming is the confirmation: the step is not run again');
  t.deepEqual(r.records().find((x) => x.id === '01' && x.phase === 'done')?.data, { confirmedBy: 'resume' });
  t.true(r.logged('info').includes(`Resuming the upgrade run ${begin?.runId} begun ${begin?.time}.`));
  t.is(r.service(ADSYNC)?.state, 'stopped', '--resume starts only what the engine owes');

  const third = await resumeRun(r.options(plan));
  t.is(third.outcome, 'completed');
  t.deepEqual(r.env.calls, ['run 01', 'run 03']);
  t.is(r.service(ADSYNC)?.state, 'running', 'put back as found when the run ends');
});

test('under "pause" a failure keeps the error\'s code, target and remedy (the journal named after it), its data journaled, its leftovers not listed, services put back as found', async (t) => {
  const r = await rig(t);
  const err = new MfaError('the package is damaged', { code: 'MSI_1620', target: 'C:\\pkg\\x.msi', exitCode: 1603, remedy: 'Download it again.' });
  const plan = steps(
    marks('01', {
      async run(ctx) {
        await ctx.host.services.stop(ADSYNC);
      },
    }),
    marks('02', {
      async run(ctx) {
        ctx.record({ tried: 1 });
        ctx.leaveToDo({ title: 'Re-enter the SMTP password', instructions: 'In the MFA console.' });
        throw err;
      },
    }),
    marks('03'),
  );
  const res = await startRun(r.options(plan));
  t.is(res.outcome, 'failed');
  t.is(res.failure?.step, '02');
  const e = res.failure?.error;
  t.is(e?.message, 'step 02 (mark 02) failed: the package is damaged');
  t.is(e?.code, 'MSI_1620');
  t.is(e?.target, 'C:\\pkg\\x.msi');
  t.is(e?.remedy, `Download it again. The journal ${r.journal} lets you run again with --resume (after fixing the cause) or --rollback.`);
  t.deepEqual(res.leftToDo, [], "a failed step's leftovers are not listed as left to do");
  const failed = r.records().find((x) => x.phase === 'failed');
  t.deepEqual(failed?.data, { tried: 1, leftToDo: [{ title: 'Re-enter the SMTP password', instructions: 'In the MFA console.' }] });
  t.is(failed?.error, 'the package is damaged');
  t.is(r.service(ADSYNC)?.state, 'running');
  t.deepEqual(r.logged('error'), ['02 (mark 02) failed: the package is damaged']);

  const r2 = await rig(t);
  const plain = await startRun(r2.options(steps(marks('01', { run: async () => Promise.reject(new Error('plain')) }))));
  t.is(plain.failure?.error.code, 'STEP_FAILED');
  t.is(plain.failure?.error.remedy, `The journal ${r2.journal} lets you run again with --resume (after fixing the cause) or --rollback.`);
});

test('under "undo" a failure undoes newest first, goes on past an undo that fails, puts services back, and ends failed', async (t) => {
  const r = await rig(t);
  const plan = steps(
    writes('01', 'a.txt', 'A', {
      async run(ctx) {
        ctx.env.calls.push('run 01');
        await ctx.undo.keep('C:\\engine\\a.txt');
        await ctx.host.files.writeFileAtomic('C:\\engine\\a.txt', Buffer.from('A'));
        await ctx.host.services.stop(ADSYNC);
      },
    }),
    marks('02', { undo: () => Promise.reject(new Error('still locked')) }),
    marks('03', { run: () => Promise.reject(new Error('no')) }),
    marks('04'),
  );
  const res = await startRun(r.options(plan, { policy: 'undo' }));
  t.is(res.outcome, 'failed');
  t.is(res.exitCode, 1603);
  t.deepEqual(r.env.calls, ['run 01', 'run 02', 'undo 03', 'undo 01']);
  t.deepEqual(stepTrail(r.trail()).slice(5), ['step 03 failed', 'rollback start', 'step 03 undo-start', 'step 03 undone', 'step 02 undo-start', 'step 02 undo-failed', 'step 01 undo-start', 'step 01 undone', 'end']);
  t.like(r.records().pop(), { type: 'end', outcome: 'failed', exitCode: 1603 });
  t.is(r.file('a.txt'), undefined);
  t.is(r.service(ADSYNC)?.state, 'running');
  t.deepEqual(r.logged('warning'), ['Undoing what this run did, newest first.']);
  t.deepEqual(r.logged('error'), ['03 (mark 03) failed: no', 'Undoing 02 failed: still locked']);
  t.true(r.logged('info').includes('Undoing 03: mark 03'));
});

test('a stop request under onInterrupt "pause" stops at the next safe point, puts services back, and says how to go on', async (t) => {
  const r = await rig(t);
  const cancel = new CancelSource();
  const plan = steps(
    marks('01', {
      async run(ctx) {
        await ctx.host.services.stop(ADSYNC);
        cancel.cancel('SIGTERM');
      },
    }),
    marks('02'),
  );
  const res = await startRun(r.options(plan, { cancel }));
  t.is(res.outcome, 'interrupted');
  t.is(res.failure?.step, '');
  t.is(res.failure?.error.message, 'the run was stopped at a safe point (SIGTERM)');
  t.is(res.failure?.error.code, 'INTERRUPTED');
  t.is(res.failure?.error.remedy, 'Run the same command again with --resume to go on, or with --rollback to undo what it did.');
  t.is(r.service(ADSYNC)?.state, 'running');
  t.deepEqual(r.logged('warning'), ['Stopped at a safe point (SIGTERM): putting services back as found.']);

  // A signal that gives no reason.
  const r2 = await rig(t);
  const signal = { cancelled: false, reason: undefined, onCancel: () => () => undefined } as { cancelled: boolean; reason: undefined } & CancelSignal;
  const res2 = await startRun(r2.options(steps(marks('01', { run: async () => void (signal.cancelled = true) }), marks('02')), { cancel: signal }));
  t.is(res2.failure?.error.message, 'the run was stopped at a safe point (interrupted)');
});

test('a stop request under onInterrupt "undo" undoes what the run did and ends the journal (rolled back, or failed when an undo fails)', async (t) => {
  for (const undoFails of [false, true]) {
    const r = await rig(t);
    const cancel = new CancelSource();
    const plan = steps(
      writes('01', 'a.txt', 'A', undoFails ? { undo: () => Promise.reject(new Error('locked')) } : {}),
      writes('02', 'b.txt', 'B', {
        async run(ctx) {
          ctx.env.calls.push('run 02');
          await ctx.undo.keep('C:\\engine\\b.txt');
          await ctx.host.files.writeFileAtomic('C:\\engine\\b.txt', Buffer.from('B'));
          await ctx.host.services.stop(ADSYNC);
          cancel.cancel('SIGINT');
        },
      }),
      marks('03'),
    );
    const res = await startRun(r.options(plan, { cancel, onInterrupt: 'undo' }));
    t.is(res.outcome, 'interrupted');
    t.is(res.exitCode, 1602);
    t.is(res.failure?.step, '');
    t.is(res.failure?.error.code, 'INTERRUPTED');
    t.is(r.file('b.txt'), undefined);
    t.is(r.service(ADSYNC)?.state, 'running');
    t.deepEqual(r.logged('warning'), ['Stopped (SIGINT): undoing what this run did.']);
    t.like(r.records().pop(), { type: 'end', outcome: undoFails ? 'failed' : 'rolled-back', exitCode: 1602 });
    if (undoFails) {
      t.is(res.failure?.error.message, 'the run was stopped (SIGINT); some of what it did could not be undone (see above)');
      t.is(res.failure?.error.remedy, 'Fix what the errors above name and run it again.');
      t.is(r.file('a.txt'), 'A');
    } else {
      t.deepEqual(r.env.calls, ['run 01', 'run 02', 'undo 02', 'undo 01']);
      t.is(res.failure?.error.message, 'the run was stopped (SIGINT) and what it had done was undone');
      t.is(res.failure?.error.remedy, 'Nothing changed: run it again when you are ready.');
      t.is(r.file('a.txt'), undefined);
    }
  }
});

test('an undo begun by the failure policy or by a stop request is journaled as a rollback: killed inside it, --resume is refused and --rollback finishes it', async (t) => {
  for (const cause of ['failure', 'stop'] as const) {
    const r = await rig(t);
    const cancel = new CancelSource();
    // The journal as a kill inside 02's undo leaves it: read while that undo runs.
    let killedJournal = '';
    const plan = steps(
      writes('01', 'a.txt', 'A'),
      writes('02', 'b.txt', 'B', {
        async undo(ctx) {
          if (!killedJournal) killedJournal = readFileSync(r.journal, 'utf8');
          ctx.env.calls.push('undo 02');
          await ctx.undo.putBack('C:\\engine\\b.txt');
        },
      }),
      marks('03', cause === 'failure' ? { run: () => Promise.reject(new Error('no')) } : { run: async () => cancel.cancel('SIGTERM') }),
      marks('04'),
    );
    await startRun(r.options(plan, cause === 'failure' ? { policy: 'undo' } : { cancel, onInterrupt: 'undo' }));
    const text = readFileSync(r.journal, 'utf8');
    const trail = stepTrail(r.trail());
    t.true(trail.indexOf('rollback start') >= 0 && trail.indexOf('rollback start') < trail.indexOf('step 03 undo-start'), `${cause}: ${trail.join(', ')}`);
    t.is(trail.filter((x) => x === 'rollback start').length, 1, cause);
    writeFileSync(r.journal, killedJournal);
    writeFileSync(join(r.hostDir, 'drive/C/engine/b.txt'), 'B');
    const refused = (await t.throwsAsync(resumeRun(r.options(plan)))) as MfaError;
    t.is(refused.code, 'ROLLBACK_STARTED', cause);
    t.is(readFileSync(r.journal, 'utf8'), killedJournal, `${cause}: a refused resume leaves the journal alone`);
    r.env.calls.length = 0;
    const before = r.records().length;
    const rolled = await rollbackRun(r.options(plan));
    t.is(rolled.outcome, 'rolled-back', cause);
    t.deepEqual(r.env.calls, ['undo 02', 'undo 01'], cause);
    t.deepEqual(stepTrail(r.trail(before)), ['step 02 undone', 'step 01 undo-start', 'step 01 undone', 'end'], cause);
    t.is(r.file('a.txt'), undefined, cause);
    t.is(r.file('b.txt'), undefined, cause);
    t.not(text, killedJournal);
  }
});

test('a step stopped from inside (an install rolled back by Windows Installer) is journaled interrupted with its data; --resume repeats it', async (t) => {
  const r = await rig(t);
  const cancel = new CancelSource();
  let stop = true;
  const plan = steps(
    marks('01', {
      title: 'install',
      async run(ctx) {
        ctx.env.calls.push('run 01');
        ctx.record({ log: 'C:\\Windows\\Logs\\MfaUpgrade\\01.log' });
        if (stop) {
          cancel.cancel('SIGINT');
          throw new MfaError('Installing X was stopped (SIGINT) and Windows Installer rolled it back', { code: 'INTERRUPTED', exitCode: 1602 });
        }
      },
    }),
  );
  const res = await startRun(r.options(plan, { cancel }));
  t.is(res.outcome, 'interrupted');
  t.deepEqual(r.records().filter((x) => x.type === 'step').map((x) => [x.phase, x.data]), [['start', undefined], ['interrupted', { log: 'C:\\Windows\\Logs\\MfaUpgrade\\01.log' }]]);
  t.is(r.records().find((x) => x.type === 'end'), undefined, 'the journal stays open');
  stop = false;
  const again = await resumeRun(r.options(plan));
  t.is(again.outcome, 'completed');
  t.deepEqual(r.env.calls, ['run 01', 'run 01']);
  t.true(r.logged('info').includes('Repeating 01 (install): the previous run stopped inside it.'));
});

test("a step's prepare runs once, before its first start (journaled with it); a repeat is journaled as a new start and still sees what was prepared", async (t) => {
  const r = await rig(t);
  let fail = true;
  const prep: EngineStep<Env> = {
    id: '01',
    title: 'prep',
    kind: 'test',
    async prepare(ctx) {
      ctx.env.calls.push('prepare 01');
      return { replaces: 'C:\\old.exe' };
    },
    async run(ctx) {
      ctx.env.calls.push(`run 01 ${String(ctx.recorded['replaces'])}`);
      if (fail) throw new Error('busy');
    },
  };
  await startRun(r.options([prep]));
  t.deepEqual(r.records().filter((x) => x.type === 'step').map((x) => [x.phase, x.data]), [['start', { replaces: 'C:\\old.exe' }], ['failed', undefined]]);
  t.true(r.logged('info').includes('01: prep'));
  fail = false;
  await resumeRun(r.options([prep]));
  t.deepEqual(r.env.calls, ['prepare 01', 'run 01 C:\\old.exe', 'run 01 C:\\old.exe']);
  t.deepEqual(stepTrail(r.trail()), ['step 01 start', 'step 01 failed', 'step 01 start', 'step 01 done', 'end']);
  t.is(r.records().filter((x) => x.phase === 'start')[1]?.data, undefined);
});

test("what steps record, share and leave to a person reaches the journal and the result; a reboot an install asks for makes the exit 3010; progress goes 0..100", async (t) => {
  const r = await rig(t);
  const pkgDir = join(r.work, 'packages');
  mkdirSync(pkgDir);
  writeFileSync(
    join(pkgDir, 'reboot.msi.json'),
    JSON.stringify({
      format: 'mfa-upgrade/package-manifest@1',
      productCode: '{0E6A1F00-0000-4000-8000-00000000E001}',
      upgradeCode: null,
      name: 'Engine test package',
      version: '1.0.0',
      manufacturer: 'Tests',
      platform: 'x64',
      registry: [{ key: 'HKLM\\SOFTWARE\\EngineTest', name: 'Installed', value: { type: 'REG_DWORD', data: 1 } }],
      scheduleReboot: true,
    }),
  );
  const plan = steps(
    marks('01', {
      async run(ctx) {
        ctx.record({ a: 1 });
        ctx.setRunData({ bundle: 'B1' });
        ctx.leaveToDo({ title: 'A', instructions: 'first' });
        ctx.leaveToDo({ title: 'B', instructions: 'b' });
        ctx.leaveToDo({ title: 'A', instructions: 'second' });
      },
    }),
    marks('02', {
      async run(ctx) {
        ctx.env.seen['bundle'] = ctx.runData['bundle'];
        await ctx.installer.install(join(pkgDir, 'reboot.msi.json'), 'Installing the test package', '02-install');
      },
    }),
    marks('03'),
  );
  const res = await startRun(r.options(plan));
  t.is(res.outcome, 'completed');
  t.true(res.rebootRequired);
  t.is(res.exitCode, 3010, 'a pending reboot outranks steps left to do');
  t.deepEqual(res.data, { bundle: 'B1' });
  t.is(r.env.seen['bundle'], 'B1');
  t.deepEqual(res.leftToDo, [
    { id: '01', title: 'B', instructions: 'b' },
    { id: '01', title: 'A', instructions: 'second' },
  ]);
  const recs = r.records();
  t.deepEqual(recs.filter((x) => x.type === 'data').map((x) => x.values), [{ bundle: 'B1' }]);
  t.deepEqual(recs.find((x) => x.id === '01' && x.phase === 'done')?.data, { a: 1, leftToDo: [{ title: 'B', instructions: 'b' }, { title: 'A', instructions: 'second' }] });
  t.deepEqual(recs.find((x) => x.id === '02' && x.phase === 'done')?.data, { rebootRequired: true });
  t.like(recs.pop(), { type: 'end', outcome: 'completed', exitCode: 3010 });
  t.deepEqual(
    r.progress.filter((p) => p.id === 1),
    [
      { id: 1, activity: 'testing', status: 'mark 01', percent: 0 },
      { id: 1, activity: 'testing', status: 'mark 02', percent: 33 },
      { id: 1, activity: 'testing', status: 'mark 03', percent: 67 },
      { id: 1, activity: 'testing', status: 'done', percent: 100, completed: true },
    ],
  );
});

test('--from (any case) journals the steps before it as done elsewhere, and a rollback never undoes those here; bad --from values are usage errors saying what to do', async (t) => {
  const r = await rig(t);
  const remote = { ...server('Step-A', 'ADFS02'), undo: async (ctx: { env: Env }) => void ctx.env.calls.push('undo Step-A') } as EngineStep<Env>;
  const plan = steps(remote, marks('Step-B'));
  const res = await startRun(r.options(plan, { startAt: 'STEP-b', localNode: 'ADFS01' }));
  t.is(res.outcome, 'completed');
  t.deepEqual(r.records().find((x) => x.id === 'Step-A')?.data, { doneElsewhere: true });
  // The same journal rolled back where Step-A's server is this one: still not undone here.
  await rollbackRun(r.options(plan, { localNode: 'ADFS02' }));
  t.deepEqual(r.env.calls, ['run Step-B', 'undo Step-B']);

  const unknown = (await t.throwsAsync(startRun((await rig(t)).options(plan, { startAt: 'nope' })))) as MfaError;
  t.is(unknown.code, 'USAGE');
  t.is(unknown.exitCode, 2);
  t.is(unknown.remedy, 'Run with --what-if to list the step ids.');
  const skips = (await t.throwsAsync(startRun((await rig(t)).options(steps(marks('01'), marks('02')), { startAt: '02' })))) as MfaError;
  t.is(skips.message, "--from 02 would skip 01 (mark 01), which runs on this server and has not run");
  t.is(skips.code, 'USAGE');
  t.is(skips.remedy, 'Go on with --resume instead, or start at that step.');
});

test('rollback undoes what began, newest first: a step without an undo is journaled as nothing to undo, one left to a person or never begun is skipped; then the finish, services as found', async (t) => {
  const r = await rig(t);
  const finishes: string[] = [];
  const plan = steps(
    writes('01', 'a.txt', 'A'),
    marks('02', { undo: undefined }),
    person('03'),
    writes('04', 'd.txt', 'D', {
      async run(ctx) {
        ctx.env.calls.push('run 04');
        await ctx.undo.keep('C:\\engine\\d.txt');
        await ctx.host.files.writeFileAtomic('C:\\engine\\d.txt', Buffer.from('D'));
        await ctx.host.services.stop(ADSYNC);
      },
    }),
    marks('05', { run: () => Promise.reject(new Error('no')) }),
    marks('06'),
  );
  await startRun(r.options(plan, { unattended: true }));
  r.setService(ADSYNC, { state: 'stopped' }); // as a killed install would leave it
  const before = r.records().length;
  const res = await rollbackRun(
    r.options(plan, {
      finishRollback: async (ctx) => {
        finishes.push('finish');
        await ctx.host.files.writeFileAtomic('C:\\engine\\restored.txt', Buffer.from('R'));
      },
    }),
  );
  t.is(res.outcome, 'rolled-back');
  t.is(res.exitCode, 0);
  t.deepEqual(r.env.calls.filter((c) => c.startsWith('undo')), ['undo 05', 'undo 04', 'undo 01']);
  t.deepEqual(stepTrail(r.trail(before)), [
    'rollback start',
    'step 05 undo-start',
    'step 05 undone',
    'step 04 undo-start',
    'step 04 undone',
    'step 02 undone',
    'step 01 undo-start',
    'step 01 undone',
    'rollback finish-start',
    'rollback finish-done',
    'end',
  ]);
  t.deepEqual(r.records().find((x) => x.id === '02' && x.phase === 'undone')?.data, { nothingToUndo: true });
  t.deepEqual(finishes, ['finish']);
  t.is(r.file('restored.txt'), 'R');
  t.is(r.file('a.txt'), undefined);
  t.is(r.file('d.txt'), undefined);
  t.is(r.service(ADSYNC)?.state, 'running');
  t.like(r.records().pop(), { type: 'end', outcome: 'rolled-back', exitCode: 0 });
});

test('an incomplete rollback starts only what the engine owes and says how to finish; --resume is refused; --rollback again undoes only what is left, with one rollback start', async (t) => {
  const r = await rig(t);
  let undoFails = true;
  const plan = steps(writes('01', 'a.txt', 'A'), marks('02', { undo: async (ctx) => (undoFails ? Promise.reject(new Error('still locked')) : void ctx.env.calls.push('undo 02')) }), writes('03', 'c.txt', 'C'), marks('04', { run: () => Promise.reject(new Error('no')) }));
  await startRun(r.options(plan));
  r.setService(ADSYNC, { state: 'stopped' });
  r.env.calls.length = 0;
  const first = await rollbackRun(r.options(plan));
  t.is(first.outcome, 'failed');
  t.is(first.exitCode, 1603);
  t.is(first.failure?.step, '');
  t.is(first.failure?.error.message, 'some steps could not be undone');
  t.is(first.failure?.error.code, 'ROLLBACK_INCOMPLETE');
  t.is(first.failure?.error.remedy, 'Fix what the errors above name, then run the same command with --rollback again.');
  t.deepEqual(r.logged('error'), ['04 (mark 04) failed: no', 'Undoing 02 failed: still locked']);
  t.is(r.service(ADSYNC)?.state, 'stopped');
  t.false(r.trail().slice(r.trail().indexOf('rollback start')).includes('end'), 'the rollback has not ended');
  const refused = (await t.throwsAsync(resumeRun(r.options(plan)))) as MfaError;
  t.is(refused.message, 'a rollback of this run was started; it must be finished');
  t.is(refused.code, 'ROLLBACK_STARTED');
  t.is(refused.remedy, 'Run the same command with --rollback again to finish undoing it.');
  undoFails = false;
  r.env.calls.length = 0;
  const second = await rollbackRun(r.options(plan));
  t.is(second.outcome, 'rolled-back');
  t.deepEqual(r.env.calls, ['undo 02']);
  t.is(r.trail().filter((x) => x === 'rollback start').length, 1);
  t.is(r.service(ADSYNC)?.state, 'running');
  const again = (await t.throwsAsync(rollbackRun(r.options(plan)))) as MfaError;
  t.is(again.code, 'JOURNAL_ENDED');
  const resumed = (await t.throwsAsync(resumeRun(r.options(plan)))) as MfaError;
  t.is(resumed.code, 'JOURNAL_ENDED');
  t.is(resumed.remedy, 'Start a new run without --resume.');
});

test('a rollback killed inside an undo repeats that undo without a second undo-start; one killed after its finish does not finish again', async (t) => {
  const r = await rig(t);
  const finishes: string[] = [];
  const finishRollback = async () => void finishes.push('finish');
  const plan = steps(writes('01', 'a.txt', 'A'), writes('02', 'b.txt', 'B'));
  await startRun(r.options(plan));
  const text = readFileSync(r.journal, 'utf8');
  // What a rollback killed inside 02's undo leaves (appended as the engine appends: whole lines).
  writeFileSync(r.journal, `${text}{"type":"rollback","time":"2024-05-01T10:00:00.000Z","phase":"start"}\n{"type":"step","time":"2024-05-01T10:00:01.000Z","id":"02","phase":"undo-start"}\n`);
  const before = r.records().length;
  await rollbackRun(r.options(plan, { finishRollback }));
  t.deepEqual(stepTrail(r.trail(before)), ['step 02 undone', 'step 01 undo-start', 'step 01 undone', 'rollback finish-start', 'rollback finish-done', 'end']);
  t.is(r.file('b.txt'), undefined);
  // Killed after the finish was journaled done, before the end: the next rollback only ends it.
  const lines = readFileSync(r.journal, 'utf8').trim().split('\n');
  writeFileSync(r.journal, `${lines.slice(0, -1).join('\n')}\n`);
  const after = r.records().length;
  const res = await rollbackRun(r.options(plan, { finishRollback }));
  t.is(res.outcome, 'rolled-back');
  t.deepEqual(finishes, ['finish']);
  t.deepEqual(stepTrail(r.trail(after)), ['end']);
});

test('services as found are those running or starting when the run began; one stopped then stays stopped', async (t) => {
  const r = await rig(t);
  r.setService(ADSYNC, { state: 'stopped' });
  r.setService('WAS', { state: 'start_pending' });
  await startRun(r.options(steps(marks('01'))));
  t.deepEqual(r.records()[1]?.running, [MFA, 'W3SVC', 'WAS']);
  t.is(r.service(ADSYNC)?.state, 'stopped');
});

test("owed services are started newest-stopped first; one that will not start is reported and the others still started, temporaries still removed; a service someone disabled is not started", async (t) => {
  const r = await rig(t);
  const temp = join(r.work, 'decrypted');
  const plan = steps(
    marks('01', {
      async run(ctx) {
        mkdirSync(temp);
        ctx.addTemp(temp);
        await ctx.services.stop(['W3SVC'], 'iis');
        await ctx.services.stop([MFA], 'copy');
        await ctx.services.stop([ADSYNC], 'copy');
        r.setService(ADSYNC, { startType: 'disabled' });
      },
    }),
  );
  const res = await startRun(r.options(plan));
  t.is(res.outcome, 'completed');
  const recs = r.records();
  t.deepEqual(recs.filter((x) => x.type === 'services-stopped').map((x) => x.names), [['W3SVC'], [MFA], [ADSYNC]]);
  t.deepEqual(recs.filter((x) => x.type === 'services-started').map((x) => x.names), [[MFA], ['W3SVC']]);
  t.deepEqual(r.logged('error'), [`${ADSYNC} could not be started again: service '${ADSYNC}' is disabled and cannot be started`]);
  t.is(r.service(MFA)?.state, 'running');
  t.is(r.service('W3SVC')?.state, 'running');
  t.false(existsSync(temp));
  t.deepEqual(recs.filter((x) => x.type === 'temp-removed').map((x) => x.path), [temp]);

  // Stopped by an installer (not owed) and disabled: as found does not mean started against its start type.
  const r2 = await rig(t);
  await startRun(
    r2.options(
      steps(
        marks('01', {
          async run(ctx) {
            await ctx.host.services.stop(ADSYNC);
            r2.setService(ADSYNC, { startType: 'disabled' });
          },
        }),
      ),
    ),
  );
  t.is(r2.service(ADSYNC)?.state, 'stopped');
  t.deepEqual(r2.logged('error'), []);
});

test("--resume sweeps a killed writer's temporaries from the run's own folders (work, undo, journal)", async (t) => {
  const r = await rig(t);
  const plan = steps(writes('01', 'a.txt', 'A'), person('02'), marks('03'));
  await startRun(r.options(plan));
  const strays = [join(r.work, '.index.json.4194999-deadbeef.mfa-tmp'), join(r.work, 'undo', '.0.bin.4194999-deadbeef.mfa-tmp')];
  for (const s of strays) writeFileSync(s, 'half');
  await resumeRun(r.options(plan));
  t.deepEqual(strays.filter((s) => existsSync(s)), []);
});

test('a run id is a UTC stamp and 6 hex digits; an ended journal is kept under its end time when a new run begins, an open one refused', async (t) => {
  const r = await rig(t);
  const res = await startRun(r.options(steps(marks('01'))));
  const recs = r.records();
  t.regex(res.runId, /^\d{14}-[0-9a-f]{6}$/);
  t.is(recs[0]?.runId, res.runId);
  t.is(recs[0]?.format, 'mfa-upgrade/journal@2');
  t.is(openState(r.journal).begin.runId, res.runId);
  const endTime = recs[recs.length - 1]?.time as string;
  await startRun(r.options(steps(person('01'))));
  const kept = `journal.jsonl.${endTime.split(':').join('-').split('.').join('-')}`;
  t.true(readdirSync(r.work).includes(kept), `${kept} in ${readdirSync(r.work).join(', ')}`);
  const open = (await t.throwsAsync(startRun(r.options(steps(marks('01')))))) as MfaError;
  t.is(open.code, 'RUN_OPEN');
  t.is(open.remedy, 'Run the same command with --resume to finish it, or with --rollback to undo it.');
  const none = t.throws(() => openState(join(r.work, 'nothing.jsonl'))) as MfaError;
  t.is(none.message, 'there is no run to continue here');
  t.is(none.code, 'NO_JOURNAL');
  t.is(none.exitCode, 2);
  t.is(none.remedy, 'Pass the folder of the interrupted run (the one given when it started).');
});

test('a journal that records no run (empty, or one torn line: a run killed as an earlier version created it) is nothing to continue, and a new run replaces it', async (t) => {
  for (const left of ['', '{"type":"begin","format":"mfa-up']) {
    const r = await rig(t);
    mkdirSync(r.work, { recursive: true });
    writeFileSync(r.journal, left);
    const none = t.throws(() => openState(r.journal)) as MfaError;
    t.is(none.code, 'NO_JOURNAL');
    t.is(none.exitCode, 2);
    t.is(none.message, 'the journal here records no run: its run was stopped as it began, before it changed anything');
    t.is(none.remedy, 'Run the command again without --resume or --rollback.');
    const res = await startRun(r.options(steps(marks('01'))));
    t.is(res.outcome, 'completed');
    t.is(r.records()[0]?.type, 'begin');
    t.is(openState(r.journal).begin.runId, res.runId);
    t.deepEqual(readdirSync(r.work).filter((n) => n.startsWith('journal.jsonl.')), [], 'nothing was kept of a journal that recorded nothing');
  }
});

/** A begin record written by hand, of a run whose process (above Linux's largest pid) is gone. */
const HAND_BEGIN = { type: 'begin', format: 'mfa-upgrade/journal@2', time: '2026-12-01T00:00:00.000Z', runId: '20261201000000-abcdef', kind: 'upgrade', tool: 'test', host: 'MFA01', pid: 4194999, policy: 'pause', spec: {} };

test('a journal holding its begin without the services as found (an earlier version killed between the two): --resume records what runs now, since no step had begun, and puts it back when the run ends', async (t) => {
  const r = await rig(t);
  mkdirSync(r.work, { recursive: true });
  writeFileSync(r.journal, `${JSON.stringify(HAND_BEGIN)}\n`);
  t.is(r.service(ADSYNC)?.state, 'running');
  const installerStops = marks('01', {
    async run(ctx) {
      await ctx.host.services.stop(ADSYNC); // as an installer does
    },
  });
  const res = await resumeRun(r.options(steps(installerStops, marks('02'))));
  t.is(res.outcome, 'completed');
  const services = r.records().find((x) => x.type === 'services') as { running?: string[] } | undefined;
  t.true(services?.running?.includes(ADSYNC), JSON.stringify(services));
  t.is(r.trail()[1], 'services', 'recorded before anything else');
  t.is(r.service(ADSYNC)?.state, 'running', 'put back as found');
});

test('a run killed before any step began keeps the services as found at its beginning: --resume does not take them again, and starts what an administrator stopped meanwhile', async (t) => {
  const r = await rig(t);
  mkdirSync(r.work, { recursive: true });
  const services = { type: 'services', time: '2026-12-01T00:00:00.001Z', running: [MFA, ADSYNC] };
  writeFileSync(r.journal, `${JSON.stringify(HAND_BEGIN)}\n${JSON.stringify(services)}\n`);
  r.setService(ADSYNC, { state: 'stopped' });
  const res = await resumeRun(r.options(steps(marks('01'))));
  t.is(res.outcome, 'completed');
  t.is(r.records().filter((x) => x.type === 'services').length, 1);
  t.is(r.service(ADSYNC)?.state, 'running', 'as found when the run began');
});

test('the journal begins with its begin record and the services as found, together', async (t) => {
  const r = await rig(t);
  const res = await startRun(r.options(steps(marks('01'))));
  t.is(res.outcome, 'completed');
  const [first, second] = r.records();
  t.is(first?.type, 'begin');
  t.is(second?.type, 'services');
  // The oracle: the image's own services file, as it was before the run.
  const asFound = (JSON.parse(readFileSync(join(r.hostDir, 'services.json'), 'utf8')) as Array<{ name: string; state: string }>).filter((x) => x.state === 'running' || x.state === 'start_pending').map((x) => x.name);
  t.deepEqual((second as { running?: string[] }).running, asFound);
});

test('the journal is created whole: its begin record is written beside it and renamed into place, readable by its owner only', async (t) => {
  const r = await rig(t);
  await startRun(r.options(steps(marks('01'))));
  t.deepEqual(readdirSync(r.work).filter((n) => n.endsWith('.mfa-tmp')), []);
  if (process.platform !== 'win32') t.is(statSync(r.journal).mode & 0o777, 0o600);
});

test("a step's ctx.sleep without an injected one really waits (a timer due sooner fires first)", async (t) => {
  const r = await rig(t);
  const order: string[] = [];
  const o = r.options(
    steps(
      marks('01', {
        async run(ctx) {
          setTimeout(() => order.push('timer'), 5);
          const outcome = await Promise.race([ctx.sleep(40).then(() => 'slept'), new Promise<string>((done) => setTimeout(() => done('never woke'), 3000))]);
          order.push(outcome);
        },
      }),
    ),
  );
  delete o.sleep;
  await startRun(o);
  t.deepEqual(order, ['timer', 'slept']);
});
