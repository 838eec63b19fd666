// --report on plan and on upgrade --what-if, for every sample host: the report holds the plan the
// command printed (checked against its JSON object), the readiness rows, the merges to come, no
// secret, and the host is left as it was.
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostState } from '../helpers/host-state.js';
import { runCli } from '../helpers/run-cli.js';
import { nestingProblems, sectionIds, visibleText } from './helpers/html.js';
import { objectOf, PKG, workspace } from './helpers/hosts.js';

interface PlanJson {
  steps: Array<{ id: string; kind: string; title: string; original?: string }>;
  readiness: Array<{ id: string; status: string }>;
  blockers: unknown[];
}

for (const sample of readdirSync('examples/hosts')) {
  test(`plan --report on ${sample}: the plan, readiness and merges as printed; no secret; the host unchanged`, async (t) => {
    const ws = workspace(sample);
    t.teardown(ws.cleanup);
    const before = await hostState(ws.host);
    const file = ws.report('plan');
    const r = await runCli(['plan', '--host', ws.host, '--packages', PKG, '--report', file, '--json']);
    const plan = objectOf(r.events, 'MfaUpgrade.UpgradePlan') as unknown as PlanJson;
    t.is(r.code, plan.blockers.length ? 7 : 0);
    const html = readFileSync(file, 'utf8');
    t.deepEqual(nestingProblems(html), []);
    t.deepEqual(sectionIds(html), ['summary', 'readiness', 'plan', 'config']);
    // The timeline holds the plan's steps in its order, each with its id.
    t.deepEqual([...html.matchAll(/<li class="step[^"]*" data-kind="([^"]+)">/g)].map((m) => m[1]), plan.steps.map((s) => s.kind));
    const text = visibleText(html);
    for (const s of plan.steps) t.true(text.includes(s.id), s.id);
    // One readiness row per check, in order, with its status.
    t.deepEqual([...html.matchAll(/<tr class="r-(pass|warn|fail)">/g)].map((m) => m[1]), plan.readiness.map((c) => c.status));
    // Each merge to come, with the settings it will carry read from the file as it is now.
    const merges = plan.steps.filter((s) => s.kind === 'merge-config');
    t.is([...html.matchAll(/<details open class="merge">/g)].length, merges.length);
    for (const m of merges) {
      const original = readFileSync(join(ws.host, 'drive', (m.original as string).replace(/^C:\\/i, 'C/').split('\\').join('/')), 'utf8');
      const keys = [...original.matchAll(/<add key="([^"]+)"/g)].map((k) => k[1] as string);
      for (const k of keys) t.true(text.includes(k), `${m.id} carries ${k}`);
    }
    t.false(html.includes(ws.secret as string), 'the planted secret is not in the report');
    t.deepEqual(await hostState(ws.host), before);
  });
}

test('upgrade --what-if --report: the plan report, "nothing was changed", no journal, the host unchanged', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const before = await hostState(ws.host);
  const file = ws.report('what-if');
  const r = await runCli(['upgrade', '--host', ws.host, '--packages', PKG, '--backup', ws.work, '--role', 'standalone', '--what-if', '--report', file]);
  t.is(r.code, 0, r.stderr);
  const html = readFileSync(file, 'utf8');
  t.deepEqual(sectionIds(html), ['summary', 'readiness', 'plan', 'config']);
  t.true(visibleText(html).includes('What if: nothing was changed on the server.'));
  t.false(existsSync(ws.work), 'no journal, no backup folder');
  t.false(html.includes(ws.secret as string));
  t.deepEqual(await hostState(ws.host), before);
});

test('a blocked plan still gets its report (exit 7): BLOCKED with each blocker and what to do', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const file = ws.report('blocked');
  // No packages folder content: the plan blocks on the missing MFA Server installer.
  const empty = join(ws.work, '..', 'empty');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(empty, { recursive: true });
  const r = await runCli(['plan', '--host', ws.host, '--packages', empty, '--report', file, '--json']);
  t.is(r.code, 7);
  const plan = objectOf(r.events, 'MfaUpgrade.UpgradePlan') as unknown as { blockers: Array<{ message: string; remedy: string }> };
  const text = visibleText(readFileSync(file, 'utf8'));
  t.true(text.includes('BLOCKED'));
  for (const b of plan.blockers) t.true(text.includes(b.message) && text.includes(b.remedy));
});
