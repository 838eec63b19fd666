import test from 'ava';
import { readFileSync } from 'node:fs';
import { MfaError } from '../../lib/errors.js';
import { parseFleet, planFleet } from '../../lib/upgrade/fleet.js';
import { runCli } from '../helpers/run-cli.js';

test('subordinates first, then the promotion, then the old master, web servers, AD FS farms one after another', (t) => {
  const plan = planFleet(parseFleet(readFileSync('examples/fleets/contoso.json', 'utf8'), 'contoso.json'), 'contoso.json', '--packages p');
  const order = plan.actions.map((a) => `${a.server}:${a.kind}`);
  t.deepEqual(order, [
    'MFA01:backup-master',
    'MFA02:drain', 'MFA02:upgrade', 'MFA02:restore-traffic',
    'MFA03:drain', 'MFA03:upgrade', 'MFA03:restore-traffic',
    'MFA02:promote',
    'MFA01:drain', 'MFA01:upgrade', 'MFA01:restore-traffic',
    'WEB01:upgrade',
    'sts.contoso.com:adfs-farm', 'sts.fabrikam.com:adfs-farm',
  ]);
  t.is(plan.promote, 'MFA02');
  // Subordinates and the old master (a subordinate once MFA02 is promoted) say their role.
  t.deepEqual(plan.actions.filter((a) => a.kind === 'upgrade').map((a) => `${a.server}:${/--role (\w+)/.exec(a.command ?? '')?.[1] ?? '-'}`), ['MFA02:subordinate', 'MFA03:subordinate', 'MFA01:subordinate', 'WEB01:-']);
  t.regex(plan.actions[0]?.command ?? '', /^mfa-upgrade backup --role master --out/);
  // The same roles as data, for the module's fleet walk (it passes -Role, never parses the command).
  t.deepEqual(plan.actions.filter((a) => a.kind === 'upgrade' || a.kind === 'backup-master').map((a) => `${a.server}:${a.kind}:${a.role ?? '-'}`), ['MFA01:backup-master:master', 'MFA02:upgrade:subordinate', 'MFA03:upgrade:subordinate', 'MFA01:upgrade:subordinate', 'WEB01:upgrade:-']);
  t.deepEqual(plan.actions.at(-2)?.farmServers, ['ADFS01', 'ADFS02', 'ADFS03']);
});

test('one server alone and one-node farms are warned about', (t) => {
  const plan = planFleet({ servers: [{ name: 'A', roles: ['master'] }, { name: 'F', roles: ['adfs'], farm: 'f' }] }, 'x', '');
  t.is(plan.promote, null);
  t.true(plan.warnings.some((w) => /only MFA Server/.test(w)));
  t.true(plan.warnings.some((w) => /farm f has one server/.test(w)));
});

test('fleet files that do not make sense are refused, naming the problem', (t) => {
  const bad: Array<[string, RegExp]> = [
    ['{"servers": [{"name": "A", "roles": ["subordinate"]}]}', /exactly one master; this one has 0/],
    ['{"servers": [{"name": "A", "roles": ["master"]}, {"name": "B", "roles": ["master"]}]}', /has 2 \(A, B\)/],
    ['{"servers": [{"name": "A", "roles": ["master"]}, {"name": "a", "roles": ["subordinate"]}]}', /listed twice/],
    ['{"servers": [{"name": "A", "roles": ["primary"]}]}', /unknown role 'primary'/],
    ['{"servers": [{"name": "A", "roles": ["master"]}, {"name": "F", "roles": ["adfs"]}]}', /needs its farm name/],
    ['{"servers": [{"name": "A", "roles": ["master"]}], "promote": "A"}', /not a subordinate/],
    ['{"servers": [{"name": "A", "roles": ["master", "subordinate"]}]}', /both master and subordinate/],
    ['{"servers": {}}', /needs a 'servers' array/],
  ];
  for (const [text, re] of bad) {
    const e = t.throws(() => planFleet(parseFleet(text, 'f.json'), 'f.json', ''), { instanceOf: MfaError });
    t.regex(e?.message ?? '', re, text);
    t.is(e?.target, 'f.json');
  }
});

test('plan --fleet prints the order; the upgrade line carries the plan options', async (t) => {
  const r = await runCli(['plan', '--fleet', 'examples/fleets/contoso.json', '--packages', '\\\\share\\mfa', '--vdir-names', 'keep', '--json']);
  t.is(r.code, 0);
  const plan = r.events.find((e) => e['type'] === 'object')?.['data'] as { actions: Array<{ command?: string }> };
  t.is(plan.actions[2]?.command, 'mfa-upgrade upgrade --packages \\\\share\\mfa --backup "<backup folder>" --vdir-names keep --role subordinate');
});
