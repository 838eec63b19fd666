// --report on an executed upgrade, a paused one, a failed one, a rollback, --what-if --rollback and
// a rehearsal: each step's outcome from the journal, the diffs of the merges with every password
// masked, and the exact undo / resume commands, which are run here to prove they are exact.
import test from 'ava';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostState } from '../helpers/host-state.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-host.js';
import { treeHash } from '../helpers/tree-hash.js';
import { commands, nestingProblems, sectionIds, splitArgs, visibleText } from './helpers/html.js';
import { objectOf, PKG, workspace } from './helpers/hosts.js';

/** The rows of the run table: step id -> outcome label. */
function runRows(html: string): Map<string, string> {
  const table = /<table class="grid run">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  const rows = new Map<string, string>();
  for (const m of table.matchAll(/<code class="id">([\s\S]*?)<\/code><\/th><td><span class="badge t-\w+">([^<]+)<\/span>/g)) rows.set((m[1] as string).replace(/<wbr>/g, ''), m[2] as string);
  return rows;
}

/** Runs a command line shown in the report, in process (the first word is the tool's name). */
async function runShown(line: string) {
  const [tool, ...args] = splitArgs(line);
  if (tool !== 'mfa-upgrade') throw new Error(`not an mfa-upgrade command: ${line}`);
  return runCli(args);
}

test('an executed upgrade: every step with its outcome, each merge diff with passwords masked, and an undo command that undoes it', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const original = await hostState(ws.host);
  const file = ws.report('upgrade');
  const r = await runCli(['upgrade', '--host', ws.host, '--packages', PKG, '--backup', ws.work, '--role', 'standalone', '--unattended', '--report', file, '--json']);
  t.is(r.code, 5);
  const plan = objectOf(r.events, 'MfaUpgrade.UpgradePlan') as { steps: Array<{ id: string; kind: string }> };
  const result = objectOf(r.events, 'MfaUpgrade.UpgradeResult') as { stepsRun: string[]; leftToDo: Array<{ id: string; title: string }> };
  const html = readFileSync(file, 'utf8');
  t.deepEqual(nestingProblems(html), []);
  t.deepEqual(sectionIds(html), ['summary', 'run', 'readiness', 'plan', 'config']);
  const rows = runRows(html);
  t.deepEqual([...rows.keys()], plan.steps.map((s) => s.id), 'one row per step of the plan, in order');
  for (const id of result.stepsRun) t.is(rows.get(id), 'DONE', id);
  for (const m of result.leftToDo) t.is(rows.get(m.id), 'LEFT TO DO', m.id);
  const text = visibleText(html);
  t.true(text.includes('COMPLETED: 1 STEP LEFT TO DO'));
  for (const m of result.leftToDo) t.true(text.includes(m.title));
  // Every merge has its side-by-side diff, and the password is masked on both sides.
  const merges = plan.steps.filter((s) => s.kind === 'merge-config').length;
  t.true(merges > 0);
  t.is([...html.matchAll(/<table class="diff">/g)].length, merges);
  t.regex(html, /WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD&quot; value=&quot;<ins>\*{8}<\/ins>/);
  t.false(html.includes(ws.secret as string), 'the planted secret is nowhere in the report');
  t.false(html.includes('Winter2014!sdk'));
  // The undo command, exactly as shown, brings the host back as it was.
  const [undo] = commands(html).filter((c) => c.includes('--rollback'));
  t.truthy(undo);
  const back = await runShown(undo as string);
  t.is(back.code, 0, back.stderr);
  t.deepEqual(await hostState(ws.host), original);
});

test('a paused run (a manual step, no terminal): PAUSED, the step to do, and a resume command that finishes it', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const file = ws.report('paused');
  const r = await runCli(['upgrade', '--host', ws.host, '--packages', PKG, '--backup', ws.work, '--role', 'standalone', '--report', file]);
  t.is(r.code, 5);
  const html = readFileSync(file, 'utf8');
  const rows = runRows(html);
  t.is(rows.get('10-manual-activate'), 'PAUSED HERE');
  t.is(rows.get('11-install-webServiceSdk'), 'NOT RUN');
  t.true(visibleText(html).includes('PAUSED: 1 STEP LEFT TO DO'));
  const [resume] = commands(html).filter((c) => c.includes('--resume'));
  t.truthy(resume);
  t.false((resume as string).includes('--packages'), 'a resume runs the journal\'s plan');
  const file2 = ws.report('resumed');
  const done = await runShown(`${resume as string} --report "${file2}"`);
  t.is(done.code, 0, done.stderr);
  const resumed = readFileSync(file2, 'utf8');
  t.is(runRows(resumed).get('10-manual-activate'), 'DONE');
  t.is(runRows(resumed).get('17-merge-config-mobileAppWebService'), 'DONE');
  t.true(visibleText(resumed).includes('COMPLETED'));
});

test('a failed run (a package returns 1603): the report is written though the command fails, names the failed step and its error; the undo command works', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const pkgs = tempDir();
  t.teardown(pkgs.cleanup);
  cpSync(PKG, pkgs.dir, { recursive: true });
  const manifest = join(pkgs.dir, 'MultiFactorAuthenticationUserPortalSetup64.msi.json');
  const m = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
  m['customActions'] = [{ name: 'ConfigureIisApplication', exitCode: 1603, message: 'The application pool could not be created' }];
  writeFileSync(manifest, JSON.stringify(m));
  const original = await hostState(ws.host);
  const file = ws.report('failed');
  const r = await runCli(['upgrade', '--host', ws.host, '--packages', pkgs.dir, '--backup', ws.work, '--role', 'standalone', '--unattended', '--retry-delay', '0', '--report', file]);
  t.is(r.code, 1603);
  const html = readFileSync(file, 'utf8');
  const rows = runRows(html);
  t.is(rows.get('12-install-userPortal'), 'FAILED');
  t.is(rows.get('11-install-webServiceSdk'), 'DONE');
  t.is(rows.get('13-merge-config-userPortal'), 'NOT RUN');
  const text = visibleText(html);
  t.true(text.includes('FAILED') && text.includes('1603'));
  t.is([...html.matchAll(/<table class="diff">/g)].length, 0, 'no merge ran');
  const shown = commands(html);
  t.true(shown.some((c) => c.includes('--resume')));
  const back = await runShown(shown.find((c) => c.includes('--rollback')) as string);
  t.is(back.code, 0, back.stderr);
  t.deepEqual(await hostState(ws.host), original);
});

test('--rollback --what-if and --rollback: what would be undone, newest first; then what was undone', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const up = await runCli(['upgrade', '--host', ws.host, '--packages', PKG, '--backup', ws.work, '--role', 'standalone', '--unattended']);
  t.is(up.code, 5);
  const whatIf = ws.report('rollback-what-if');
  const p = await runCli(['upgrade', '--host', ws.host, '--backup', ws.work, '--rollback', '--what-if', '--report', whatIf, '--json']);
  t.is(p.code, 0);
  const pending = objectOf(p.events, 'MfaUpgrade.PendingSteps') as { steps: Array<{ id: string }> };
  const html = readFileSync(whatIf, 'utf8');
  const listed = [...html.matchAll(/<li><code>undo ([^ <]+)/g)].map((m) => (m[1] as string).replace(/<wbr>/g, ''));
  t.deepEqual(listed, pending.steps.map((s) => s.id), 'the same steps as the command lists, in its order');
  t.false(html.includes(ws.secret as string));
  const file = ws.report('rollback');
  const back = await runCli(['upgrade', '--host', ws.host, '--backup', ws.work, '--rollback', '--report', file]);
  t.is(back.code, 0);
  const done = readFileSync(file, 'utf8');
  const rows = runRows(done);
  for (const s of pending.steps) t.is(rows.get(s.id), 'UNDONE', s.id);
  t.true(visibleText(done).includes('ROLLED-BACK'));
  t.false(commands(done).some((c) => c.includes('--rollback')), 'no undo command for a run already undone');
  t.true([...done.matchAll(/badge t-warn">UNDONE</g)].length > 0, 'the merges are shown as undone');
});

test('rehearse --report: the merges as previews with their diffs, no secret, the bundle unchanged', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const up = await runCli(['upgrade', '--host', ws.host, '--packages', PKG, '--backup', ws.work, '--role', 'standalone', '--unattended']);
  t.is(up.code, 5);
  const bundle = join(ws.work, 'backup', readdirSync(join(ws.work, 'backup'))[0] as string);
  const before = treeHash(bundle);
  const file = ws.report('rehearse');
  const r = await runCli(['rehearse', '--backup', bundle, '--packages', PKG, '--role', 'standalone', '--report', file]);
  t.is(r.code, 0, r.stderr);
  const html = readFileSync(file, 'utf8');
  t.deepEqual(sectionIds(html), ['summary', 'run', 'readiness', 'plan', 'config']);
  t.true([...html.matchAll(/badge t-info">PREVIEW</g)].length >= 2);
  t.true([...html.matchAll(/<table class="diff">/g)].length >= 2);
  t.false(html.includes(ws.secret as string));
  t.false(commands(html).some((c) => c.includes('--rollback')), 'nothing to undo on a server');
  t.true(visibleText(html).includes('nothing on a server was changed'));
  t.deepEqual(treeHash(bundle), before);
});
