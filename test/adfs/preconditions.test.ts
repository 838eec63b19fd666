// The AD FS preconditions of issue 13 on the AD FS sample and varied farms: a farm of one without
// --package (refused naming the option; with it the adapter is installed first), the WID primary
// (Get-AdfsSyncProperties), the new adapter on the node before it leaves the policy, the AD FS
// Admin log read after registering (an error naming the provider undoes the run), staging and the
// no-MFA window in --what-if. Farm state is read back from adfs.json, not from the code under test.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../../lib/cli/args.js';
import { adfsUpgradeSpec } from '../../lib/cli/commands/adfs-upgrade.spec.js';
import { Output } from '../../lib/cli/output.js';
import { NEVER_CANCELLED } from '../../lib/util/cancel.js';
import { ADAPTER_PACKAGE, editAdfs, makeImage, NEW_CONFIG, readAdfs } from './helpers/hosts.js';
import { preinstallNewAdapter } from './helpers/scenarios.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; error?: { code: string; message: string; remedy?: string }; data?: Record<string, unknown> }> {
  let stdout = '';
  const out = new Output({ json: true, verbose: true, write: (s) => void (stdout += s), writeErr: () => undefined, isTty: false });
  const mod = await adfsUpgradeSpec.load();
  try {
    const code = await mod.run({ args: parseArgs(adfsUpgradeSpec, [...argv, '--json']), out, cancel: NEVER_CANCELLED });
    const events = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const err = events.find((e) => e['type'] === 'error') as { code: string; message: string; remedy?: string } | undefined;
    return { code, stdout, ...(err ? { error: err } : {}), data: events.find((e) => e['type'] === 'object')?.['data'] as Record<string, unknown> };
  } catch (e) {
    const m = e as { code: string; message: string; remedy?: string; exitCode: number };
    return { code: m.exitCode, stdout, error: { code: m.code, message: m.message, ...(m.remedy ? { remedy: m.remedy } : {}) } };
  }
}

const products = (dir: string) => JSON.parse(readFileSync(join(dir, 'products.json'), 'utf8')) as Array<{ name: string; version: string }>;

test('a farm of one without --package and without the new adapter: refused (exit 7) naming --package, nothing changed; with --package the adapter is installed before the policy changes', async (t) => {
  const img = makeImage();
  t.teardown(img.cleanup);
  const before = readFileSync(join(img.dir, 'adfs.json'));
  const refused = await run(['--host', img.dir, '--config', NEW_CONFIG]);
  t.is(refused.code, 7);
  t.like(refused.error, { code: 'ADFS_PACKAGE_REQUIRED' });
  t.regex(refused.error?.remedy ?? '', /--package <path of MultiFactorAuthenticationAdfsAdapterSetup64\.msi>/);
  t.regex(refused.error?.message ?? '', /installed here: Multi-Factor Authentication AD FS Adapter 8\.0\.0\.3; the new adapter is 8\.1\.1\.2/);
  t.deepEqual(readFileSync(join(img.dir, 'adfs.json')), before);
  const ok = await run(['--host', img.dir, '--config', NEW_CONFIG, '--package', ADAPTER_PACKAGE]);
  t.is(ok.code, 0, JSON.stringify(ok.error));
  const ids = (ok.data?.['steps'] as Array<{ id: string; status: string }>).map((s) => s.id);
  t.true(ids.indexOf('farm/install@ADFS01') < ids.indexOf('farm/policy-remove'));
  t.true(products(img.dir).some((p) => /AD FS Adapter/.test(p.name) && p.version === '8.1.1.2'));
});

test('not the WID primary: refused (exit 7) naming the primary; a primary, or a role not reported, goes on', async (t) => {
  const img = makeImage();
  t.teardown(img.cleanup);
  preinstallNewAdapter(img.dir);
  editAdfs(img.dir, (s) => void ((s as { sync?: unknown }).sync = { role: 'SecondaryComputer', primaryComputerName: 'ADFS02.contoso.com' }));
  const r = await run(['--host', img.dir, '--config', NEW_CONFIG, '--what-if']);
  t.is(r.code, 7);
  t.like(r.error, { code: 'ADFS_NOT_PRIMARY' });
  t.regex(r.error?.message ?? '', /Role SecondaryComputer, primary ADFS02\.contoso\.com/);
  t.regex(r.error?.remedy ?? '', /Run adfs-upgrade on ADFS02\.contoso\.com/);
  editAdfs(img.dir, (s) => void ((s as { sync?: unknown }).sync = { role: 'PrimaryComputer' }));
  t.is((await run(['--host', img.dir, '--config', NEW_CONFIG, '--what-if'])).code, 0);
});

test('an error in the AD FS Admin log naming the new provider after registering undoes the run: AD FS as found (exit 1603)', async (t) => {
  const img = makeImage();
  t.teardown(img.cleanup);
  preinstallNewAdapter(img.dir);
  editAdfs(img.dir, (s) => {
    const x = s as { events?: unknown[]; registerEvents?: unknown[] };
    // An error from before the run, and one about another provider: neither counts.
    x.events = [{ logName: 'AD FS/Admin', level: 2, timeCreated: '2020-01-01T00:00:00.000Z', providerName: 'AD FS', message: 'An error occurred loading AzureMfaServerAuthentication (2020).' }];
    x.registerEvents = [
      { name: 'AzureMfaServerAuthentication', logName: 'AD FS/Admin', level: 2, providerName: 'AD FS', message: 'Encountered error during federation passive request. Could not load type pfadfs.AuthenticationAdapter from assembly MultiFactorAuthAdfsAdapter, Version=8.1.1.2.', id: 364 },
    ];
  });
  const before = readAdfs(img.dir);
  const r = await run(['--host', img.dir, '--config', NEW_CONFIG]);
  t.is(r.code, 1603);
  t.like(r.data, { status: 'rolled-back' });
  t.regex(String((r.data?.['failure'] as { message: string }).message), /AD FS Admin event log has 1 error\(s\) naming AzureMfaServerAuthentication since it was registered/);
  const after = readAdfs(img.dir);
  t.deepEqual(after.providers.map((p) => `${p.name}|${p.typeName}`), before.providers.map((p) => `${p.name}|${p.typeName}`));
  t.deepEqual(after.globalPolicy, before.globalPolicy);
  // An error about another provider after registering does not stop a run.
  const img2 = makeImage();
  t.teardown(img2.cleanup);
  preinstallNewAdapter(img2.dir);
  editAdfs(img2.dir, (s) => void ((s as { registerEvents?: unknown[] }).registerEvents = [{ logName: 'AD FS/Admin', level: 2, providerName: 'AD FS', message: 'The certificate of ContosoOtp expires.' }]));
  t.is((await run(['--host', img2.dir, '--config', NEW_CONFIG])).code, 0);
});

test('a node whose new adapter was not installed (the manual install confirmed, but nothing installed) never leaves the policy: refused and undone', async (t) => {
  const img = makeImage();
  t.teardown(img.cleanup);
  const common = ['--host', img.dir, '--config', NEW_CONFIG, '--servers', 'ADFS01,ADFS02'];
  const first = await run(common);
  t.like(first.data, { status: 'paused', next: { id: 'farm/drain-first-half' } });
  const before = readAdfs(img.dir);
  // The drain and the install by hand are "done" (--from past them); the adapter product is still 8.0.
  const r = await run([...common, '--from', 'farm/policy-remove']);
  t.is(r.code, 1603);
  t.like(r.data?.['failure'] as object, { step: 'farm/policy-remove', code: 'ADFS_ADAPTER_NOT_INSTALLED' });
  t.deepEqual(readAdfs(img.dir).globalPolicy, before.globalPolicy);
});

test('--what-if shows each node\'s staging with the paths and the no-MFA window; a missing package on a node stops its staging step', async (t) => {
  const img = makeImage();
  t.teardown(img.cleanup);
  const r = await run(['--host', img.dir, '--config', NEW_CONFIG, '--servers', 'ADFS01,ADFS02,ADFS03', '--package', ADAPTER_PACKAGE, '--what-if']);
  t.is(r.code, 0);
  const steps = r.data?.['steps'] as Array<{ id: string; action: string; noMfa: boolean }>;
  const stage = steps.filter((s) => s.id.includes('/stage@')).map((s) => s.id);
  t.deepEqual(stage, ['farm/stage@ADFS01', 'farm/stage@ADFS02', 'farm/stage@ADFS03']);
  t.regex(steps.find((s) => s.id === 'farm/stage@ADFS01')?.action ?? '', /register script at C:\\new\\Register-MultiFactorAuthenticationAdfsAdapter\.ps1.*new adapter config at C:\\new\\MultiFactorAuthenticationAdfsAdapter\.config/);
  t.regex(steps.find((s) => s.id === 'farm/stage@ADFS02')?.action ?? '', /adapter installer .* at .*MultiFactorAuthenticationAdfsAdapterSetup64\.msi\.json/);
  t.deepEqual(steps.filter((s) => s.noMfa).map((s) => s.id), ['farm/policy-remove', 'farm/unregister', 'farm/register', 'farm/restart@ADFS01', 'farm/swap-halves']);
  const human = await run(['--host', img.dir, '--config', NEW_CONFIG, '--servers', 'ADFS01,ADFS02,ADFS03', '--package', ADAPTER_PACKAGE, '--what-if']);
  t.is(human.code, 0);
  const missing = await run(['--host', img.dir, '--config', NEW_CONFIG, '--package', join(img.dir, 'nothing.msi')]);
  t.like(missing.data?.['failure'] as object, { step: 'farm/stage@ADFS01', code: 'ADFS_STAGING_MISSING' });
});
