// --report on adfs-upgrade (what-if over a farm in halves, and a run) and on plan --fleet: the
// window without the adapter is exactly the steps between taking it out of the global policy and
// putting it back, each half in its column, a lane per server and the promotion marked.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { editAdfs, makeImage, NEW_CONFIG, readAdfs } from '../adfs/helpers/hosts.js';
import { preinstallNewAdapter, REGISTERED_CONFIG, SECRET } from '../adfs/helpers/scenarios.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-host.js';
import { commands, nestingProblems, sectionIds, splitArgs, visibleText } from './helpers/html.js';
import { objectOf, PKG } from './helpers/hosts.js';

/** The AD FS step table's rows: id -> whether it is marked as without the adapter. */
function adfsRows(html: string): Array<{ id: string; noAdapter: boolean; outcome: string }> {
  const table = /<table class="grid adfs-steps">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  return [...table.matchAll(/<tr class="(no-adapter)?">[\s\S]*?<code class="id">([\s\S]*?)<\/code>[\s\S]*?<td>([^<]*)<\/td><\/tr>/g)].map((m) => ({ id: (m[2] as string).replace(/<wbr>/g, ''), noAdapter: m[1] === 'no-adapter', outcome: m[3] as string }));
}

test('adfs-upgrade --what-if over a farm of three: the halves, and the window is exactly the steps between policy-remove and policy-add', async (t) => {
  const img = makeImage();
  const out = tempDir();
  t.teardown(() => (img.cleanup(), out.cleanup()));
  const file = join(out.dir, 'adfs.html');
  const r = await runCli(['adfs-upgrade', '--host', img.dir, '--config', NEW_CONFIG, '--servers', 'ADFS01,ADFS02,ADFS03', '--what-if', '--report', file, '--json']);
  t.is(r.code, 0, r.stderr);
  const data = objectOf(r.events, 'MfaUpgrade.AdfsAdapterUpgrade') as { steps: Array<{ id: string }>; farms: Array<{ firstHalf: string[]; secondHalf: string[] }> };
  const html = readFileSync(file, 'utf8');
  t.deepEqual(nestingProblems(html), []);
  t.deepEqual(sectionIds(html), ['summary', 'adfs']);
  const rows = adfsRows(html);
  t.deepEqual(rows.map((x) => x.id), data.steps.map((s) => s.id));
  // Oracle: the positions of the two policy steps in the command's own step list.
  const ids = data.steps.map((s) => s.id);
  const out1 = ids.indexOf('farm/policy-remove');
  const back = ids.indexOf('farm/policy-add');
  t.true(out1 > 0 && back > out1);
  t.deepEqual(rows.map((x) => x.noAdapter), ids.map((_, i) => i > out1 && i < back));
  t.is([...html.matchAll(/<rect class="window"/g)].length, 1);
  const farm = data.farms[0] as { firstHalf: string[]; secondHalf: string[] };
  t.true(html.includes(`>${farm.firstHalf.join(', ')}<`) && html.includes(`>${farm.secondHalf.join(', ')}<`), 'both halves are named over their columns');
  t.true(visibleText(html).includes('What if: nothing was changed in AD FS.'));
});

test('adfs-upgrade run: each step done, how long the farm was without the adapter, the adapter password nowhere', async (t) => {
  const img = makeImage();
  const out = tempDir();
  t.teardown(() => (img.cleanup(), out.cleanup()));
  // The new adapter installed first (a farm of one without --package is refused otherwise).
  preinstallNewAdapter(img.dir);
  editAdfs(img.dir, (s) => void ((s.providers.find((p) => p.name === 'AzureMfaServerAuthentication') as { configurationData?: string }).configurationData = Buffer.from(REGISTERED_CONFIG).toString('base64')));
  const file = join(out.dir, 'adfs.html');
  const r = await runCli(['adfs-upgrade', '--host', img.dir, '--config', NEW_CONFIG, '--report', file]);
  t.is(r.code, 0, r.stderr);
  const html = readFileSync(file, 'utf8');
  const rows = adfsRows(html);
  t.true(rows.length >= 8);
  t.true(rows.every((x) => /^done [0-9.]+ s$/.test(x.outcome)), rows.map((x) => x.outcome).join(', '));
  const text = visibleText(html);
  t.regex(text, /Without the adapter [0-9]+ ms|Without the adapter [0-9.]+ s/);
  t.regex(text, /The farm was without the adapter in its global policy for [0-9.]+ s/);
  t.false(html.includes(SECRET));
  t.false(html.includes('Registered#Secret1'));
  t.false(commands(html).some((c) => c.includes('--rollback')), 'a completed AD FS run has ended: no rollback is offered');
});

test('adfs-upgrade paused at a hand-over (a farm in halves): the next step, the resume and undo commands; the undo shown puts AD FS back as found', async (t) => {
  const img = makeImage();
  const out = tempDir();
  t.teardown(() => (img.cleanup(), out.cleanup()));
  const before = readAdfs(img.dir);
  const file = join(out.dir, 'paused.html');
  const r = await runCli(['adfs-upgrade', '--host', img.dir, '--config', NEW_CONFIG, '--servers', 'ADFS01,ADFS02,ADFS03', '--report', file]);
  t.is(r.code, 5, r.stderr);
  const html = readFileSync(file, 'utf8');
  const text = visibleText(html);
  t.true(text.includes('PAUSED'));
  t.true(text.includes('farm/drain-first-half'), 'the step it waits for is named');
  const shown = commands(html);
  const resume = shown.find((c) => c.includes('--resume'));
  const undo = shown.find((c) => c.includes('--rollback'));
  t.truthy(resume);
  t.truthy(undo);
  const [tool, ...args] = splitArgs(undo as string);
  t.is(tool, 'mfa-upgrade');
  // The rollback's own report says what it undid; its exit code is adfs-upgrade's to decide
  // (a clean rollback exits 1603 today, as a run "not completed"), so AD FS itself is the oracle.
  const undone = join(out.dir, 'undone.html');
  const back = await runCli([...args, '--report', undone]);
  t.not(back.code, 2, back.stderr);
  t.true(visibleText(readFileSync(undone, 'utf8')).includes('ROLLED-BACK'));
  const after = readAdfs(img.dir);
  t.deepEqual(after.globalPolicy, before.globalPolicy);
  t.deepEqual(after.providers.map((p) => [p.name, p.typeName]), before.providers.map((p) => [p.name, p.typeName]));
});

test('plan --fleet --report: a lane per server, the order as the command gives it, the promotion marked once', async (t) => {
  const out = tempDir();
  t.teardown(out.cleanup);
  const file = join(out.dir, 'fleet.html');
  const r = await runCli(['plan', '--fleet', 'examples/fleets/contoso.json', '--packages', PKG, '--report', file, '--json']);
  t.is(r.code, 0, r.stderr);
  const plan = objectOf(r.events, 'MfaUpgrade.FleetPlan') as { actions: Array<{ order: number; title: string; kind: string }>; promote: string };
  const fleet = JSON.parse(readFileSync('examples/fleets/contoso.json', 'utf8')) as { servers: Array<{ name: string }> };
  const html = readFileSync(file, 'utf8');
  t.deepEqual(nestingProblems(html), []);
  t.deepEqual(sectionIds(html), ['summary', 'fleet']);
  const svg = /<svg class="timeline"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  t.is([...svg.matchAll(/<rect class="lane"/g)].length, fleet.servers.length);
  for (const s of fleet.servers) t.true(svg.includes(`>${s.name}<`), s.name);
  t.is([...svg.matchAll(/★ promote/g)].length, 1);
  t.is([...html.matchAll(/PROMOTION/g)].length, 1);
  // The table lists the command's actions in its order (an upgrade shows its backup first).
  const text = visibleText(html);
  let at = 0;
  for (const a of plan.actions) {
    const found = text.indexOf(a.title, at);
    t.true(found >= at, `action ${a.order} in order`);
    at = found;
  }
  for (const kind of ['drain', 'backup', 'upgrade', 'return', 'AD FS half 1', 'AD FS half 2']) t.true(svg.includes(`>${kind}<`), kind);
});
