// Replication and load balancing in a single server's plan (procedure.md §3.1-3.4): the role is the
// administrator's word; without it a person confirms it before anything changes, and an
// unattended run is refused (exit 7, nothing changed); a master waits for its subordinates; a
// node behind a load balancer is drained first and put back last.
import test from 'ava';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { makePlan, type MakePlanOptions } from '../../lib/upgrade/make-plan.js';
import type { UpgradePlan } from '../../lib/upgrade/plan-types.js';
import { parseFleet } from '../../lib/upgrade/fleet.js';
import { runCli } from '../helpers/run-cli.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';
import { treeHash } from '../helpers/tree-hash.js';

const PKG = 'examples/packages';

async function plan(sample: string, extra: Partial<MakePlanOptions> = {}): Promise<UpgradePlan> {
  return makePlan(await openImageHost(`examples/hosts/${sample}`), { packagesDir: PKG, vdirNames: 'keep', ...extra });
}

const fleetOf = (servers: unknown[]) => ({ file: 'fleet.json', fleet: parseFleet(JSON.stringify({ servers }), 'fleet.json') });

test('without --role a person confirms the role before anything changes; with --role there is no such step', async (t) => {
  for (const sample of ['phonefactor-5.2', 'mfa-7.0', 'mfa-8.0-adfs']) {
    const p = await plan(sample);
    t.deepEqual(p.blockers, [], sample);
    t.like(p.steps[0], { kind: 'manual', blocking: true }, sample);
    t.regex(p.steps[0]?.title ?? '', /Confirm the replication role of (PF01|MFA01|ADFS01)/);
    t.is(p.steps[1]?.kind, 'backup');
    t.is(p.replication.role, null);
    const given = await plan(sample, { role: 'subordinate' });
    t.false(given.steps.some((s) => /replication role/.test(s.title)), sample);
    t.is(given.steps[0]?.kind, 'backup');
    t.true(given.warnings.some((w) => /is a subordinate: its data file is a read-only replica/.test(w)));
  }
});

test('unattended without --role: the plan is blocked naming --role; the upgrade exits 7 and changes nothing', async (t) => {
  const p = await plan('mfa-7.0', { unattended: true });
  t.true(p.blockers.some((b) => /replication role of MFA01 is not known/.test(b.message) && /--role master, --role subordinate or --role standalone/.test(b.remedy)));
  const h = tempCopy('phonefactor-5.2');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const before = treeHash(h.dir);
  const r = await runCli(['upgrade', '--host', h.dir, '--packages', PKG, '--backup', w.dir, '--unattended', '--json']);
  t.is(r.code, 7);
  const err = r.events.find((e) => e['type'] === 'error');
  t.like(err, { code: 'PLAN_BLOCKED' });
  t.regex(String(err?.['remedy']), /--role/);
  t.deepEqual(treeHash(h.dir), before);
  t.deepEqual(readdirSync(w.dir), []);
});

test('a components-only web server needs no role, even unattended', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  const products = JSON.parse(readFileSync(join(dir, 'products.json'), 'utf8')) as Array<{ name: string }>;
  writeFileSync(join(dir, 'products.json'), JSON.stringify(products.filter((p) => !/Agent/.test(p.name))));
  const p = await makePlan(await openImageHost(dir), { packagesDir: PKG, vdirNames: 'keep', unattended: true });
  t.is(p.path, 'components');
  t.false(p.blockers.some((b) => /role/.test(b.message)));
  t.false(p.steps.some((s) => /replication role/.test(s.title)));
});

test('a master is blocked until its subordinates are at the target: by the fleet file or the administrator\'s word', async (t) => {
  const blocked = await plan('mfa-7.0', { role: 'master' });
  t.true(blocked.blockers.some((b) => /MFA01 is the replication master and nothing shows its subordinates are at 8\.1\.1\.2/.test(b.message) && /--subordinates-upgraded/.test(b.remedy) && /--role standalone/.test(b.remedy)));
  const said = await plan('mfa-7.0', { role: 'master', subordinatesUpgraded: true });
  t.deepEqual(said.blockers, []);
  t.true(said.warnings.some((w) => /--subordinates-upgraded/.test(w)));
  const behind = await plan('mfa-7.0', { role: 'master', fleet: fleetOf([{ name: 'MFA01', roles: ['master'] }, { name: 'MFA02', roles: ['subordinate'], version: '8.1.1.2' }, { name: 'mfa03.contoso.com', roles: ['subordinate'], version: '7.0.2.1' }, { name: 'MFA04', roles: ['subordinate'] }]) });
  const b = behind.blockers.find((x) => /replication master/.test(x.message));
  t.regex(b?.message ?? '', /mfa03\.contoso\.com at 7\.0\.2\.1, MFA04 at an unrecorded version/);
  t.false(/MFA02/.test(b?.message ?? ''));
  const done = await plan('mfa-7.0', { fleet: fleetOf([{ name: 'mfa01.contoso.com', roles: ['master'] }, { name: 'MFA02', roles: ['subordinate'], version: '8.1.1.2' }, { name: 'MFA03', roles: ['subordinate'], version: '8.1.2.0' }]) });
  t.deepEqual(done.blockers, [], 'the role comes from the fleet file (by short name)');
  t.is(done.replication.role, 'master');
  t.false(done.steps.some((s) => /replication role/.test(s.title)));
});

test('--role contradicting the fleet file blocks', async (t) => {
  const p = await plan('mfa-7.0', { role: 'subordinate', fleet: fleetOf([{ name: 'MFA01', roles: ['master'] }, { name: 'MFA02', roles: ['subordinate'] }]) });
  t.true(p.blockers.some((b) => /--role subordinate contradicts the fleet file fleet\.json, which lists MFA01 as master/.test(b.message)));
});

test('a load-balanced node is drained before the backup (its service stop is an outage) and put back last', async (t) => {
  for (const extra of [{ loadBalanced: true }, { fleet: fleetOf([{ name: 'MFA01', roles: ['subordinate'], loadBalanced: true }, { name: 'MFA09', roles: ['master'] }]) }] as Array<Partial<MakePlanOptions>>) {
    const p = await plan('mfa-7.0', { role: 'subordinate', ...extra });
    t.like(p.steps[0], { kind: 'manual', blocking: true, title: 'Take MFA01 out of the load balancer' });
    t.regex(p.steps[0]?.description ?? '', /The backup stops MultiFactorAuth while it copies the data file.*an outage for this node/);
    t.is(p.steps[1]?.kind, 'backup');
    t.like(p.steps[p.steps.length - 1], { kind: 'manual', title: 'Put MFA01 back into the load balancer' });
    t.true(p.replication.loadBalanced);
  }
  const plain = await plan('mfa-7.0', { role: 'subordinate' });
  t.false(plain.steps.some((s) => /load balancer/.test(s.title)));
});

test('the role reaches the backup bundle; backup --role takes standalone too and refuses others', async (t) => {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const out = join(w.dir, 'b1');
  t.is((await runCli(['backup', '--host', h.dir, '--out', out, '--role', 'standalone'])).code, 0);
  t.is((JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { role: string }).role, 'standalone');
  const bad = await runCli(['backup', '--host', h.dir, '--out', join(w.dir, 'b2'), '--role', 'primary', '--json']);
  t.is(bad.code, 2);
  t.regex(String(bad.events.find((e) => e['type'] === 'error')?.['message']), /master, subordinate or standalone/);
  t.false(existsSync(join(w.dir, 'b2')));
});

test('upgrade without --role and without a terminal pauses at the role before anything changes; --resume goes on', async (t) => {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const before = treeHash(h.dir, (rel) => rel.startsWith('.mfa-upgrade'));
  const paused = await runCli(['upgrade', '--host', h.dir, '--packages', PKG, '--backup', w.dir, '--json', '--conversion-timeout', '0']);
  t.is(paused.code, 5);
  const res = paused.events.find((e) => e['typeName'] === 'MfaUpgrade.UpgradeResult')?.['data'] as { outcome: string; next: { id: string } };
  t.is(res.outcome, 'paused');
  t.is(res.next.id, '01-manual-confirm-role');
  const drive = (rel: string) => rel.startsWith('.mfa-upgrade');
  t.deepEqual(treeHash(h.dir, drive), before, 'nothing changed on the host (the paused run holds its lock)');
  t.false(existsSync(join(w.dir, 'backup')), 'not even the backup was taken');
  const resumed = await runCli(['upgrade', '--host', h.dir, '--backup', w.dir, '--resume', '--unattended', '--json', '--conversion-timeout', '0']);
  const after = resumed.events.find((e) => e['typeName'] === 'MfaUpgrade.UpgradeResult')?.['data'] as { steps: Array<{ id: string; status: string }> };
  t.like(after.steps.find((s) => s.id === '01-manual-confirm-role'), { status: 'done' });
  t.like(after.steps.find((s) => s.id === '02-backup'), { status: 'done' });
});

test('upgrade --fleet: the file gives this server\'s role and its subordinates\' versions; a bad file is refused (exit 3)', async (t) => {
  const d = tempDir();
  t.teardown(d.cleanup);
  const file = join(d.dir, 'fleet.json');
  writeFileSync(file, JSON.stringify({ servers: [{ name: 'MFA01', roles: ['master'], loadBalanced: true }, { name: 'MFA02', roles: ['subordinate'], version: '8.1.1.2' }] }));
  const ok = await runCli(['upgrade', '--host', 'examples/hosts/mfa-7.0', '--packages', PKG, '--backup', join(d.dir, 'w'), '--fleet', file, '--what-if', '--json']);
  t.is(ok.code, 0);
  const plan = ok.events.find((e) => e['typeName'] === 'MfaUpgrade.UpgradePlan')?.['data'] as UpgradePlan;
  t.deepEqual(plan.replication, { role: 'master', loadBalanced: true });
  t.deepEqual(plan.blockers, []);
  writeFileSync(file, JSON.stringify({ servers: [{ name: 'MFA01', roles: ['master'] }, { name: 'MFA02', roles: ['subordinate'], version: 'eight' }] }));
  const bad = await runCli(['upgrade', '--host', 'examples/hosts/mfa-7.0', '--packages', PKG, '--backup', join(d.dir, 'w'), '--fleet', file, '--what-if', '--json']);
  t.is(bad.code, 3);
  t.regex(String(bad.events.find((e) => e['type'] === 'error')?.['message']), /"version" must be a version/);
});
