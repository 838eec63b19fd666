// The plan for each path, and what blocks it.
import test from 'ava';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { makePlan } from '../../lib/upgrade/make-plan.js';
import type { UpgradePlan } from '../../lib/upgrade/plan-types.js';
import { runCli } from '../helpers/run-cli.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';

const PKG = 'examples/packages';

async function plan(sample: string, extra: Partial<Parameters<typeof makePlan>[1]> = {}, dir?: string): Promise<UpgradePlan> {
  return makePlan(await openImageHost(dir ?? `examples/hosts/${sample}`), { packagesDir: PKG, vdirNames: 'keep', role: 'standalone', ...extra });
}

const kinds = (p: UpgradePlan) => p.steps.map((s) => s.id);

test('PhoneFactor 5.2: backup, runtimes, uninstall portal/mobile app/SDK/agent in order, install server, reinstall SDK first, merge, themes', async (t) => {
  const p = await plan('phonefactor-5.2');
  t.is(p.path, 'phonefactor-agent');
  t.deepEqual(p.blockers, []);
  t.deepEqual(kinds(p), [
    '01-backup',
    '02-install-vcredist-x86',
    '03-install-vcredist-x64',
    '04-uninstall-userPortal',
    '05-uninstall-mobileAppWebService',
    '06-uninstall-webServiceSdk',
    '07-uninstall-server',
    '08-install-server',
    '09-wait-conversion',
    '10-manual-activate',
    '11-install-webServiceSdk',
    '12-install-userPortal',
    '13-merge-config-userPortal',
    '14-restore-themes',
    '15-keep-theme',
    '16-install-mobileAppWebService',
    '17-merge-config-mobileAppWebService',
  ]);
  const portal = p.steps.find((s) => s.id === '12-install-userPortal');
  t.like(portal, { kind: 'install', properties: { TARGETVDIR: 'PhoneFactor', TARGETSITE: 'Default Web Site' } });
  const themes = p.steps.find((s) => s.kind === 'restore-themes');
  t.like(themes, { themes: ['Contoso'] });
  // Keeping the vdir names: no SDK URL rewrite.
  t.deepEqual(p.steps.find((s) => s.id === '17-merge-config-mobileAppWebService' && s.kind === 'merge-config') && (p.steps[16] as { sdkVdir: unknown }).sdkVdir, []);
  for (const s of p.steps) {
    t.true(s.title.length > 0 && s.description.length > 0 && s.undo.length > 0, s.id);
  }
});

test('PhoneFactor 5.2 with the new vdir names: SDK URL rewritten, users told the new portal URL', async (t) => {
  const p = await plan('phonefactor-5.2', { vdirNames: 'new' });
  const merge = p.steps.find((s) => s.id.endsWith('merge-config-mobileAppWebService'));
  t.like(merge, { kind: 'merge-config', vdir: 'MultiFactorAuthMobileAppWebService', sdkVdir: [{ from: 'PhoneFactorWebServiceSdk', to: 'MultiFactorAuthWebServiceSdk' }] });
  t.like(p.steps.find((s) => /^\d+-install-userPortal$/.test(s.id)), { properties: { TARGETVDIR: 'MultiFactorAuth' } });
  t.true(p.steps.some((s) => s.kind === 'manual' && /new User Portal URL/.test(s.title)));
  t.true(p.warnings.some((w) => /WebServiceSdkUrl in the AD FS adapter config/.test(w)));
});

test('MFA 7.0: in place, x86 runtime only, the renamed portal vdir kept', async (t) => {
  const p = await plan('mfa-7.0');
  t.is(p.path, 'mfa-server');
  t.deepEqual(kinds(p), ['01-backup', '02-install-vcredist-x86', '03-install-server', '04-wait-conversion', '05-manual-activate', '06-install-userPortal', '07-merge-config-userPortal', '08-keep-theme']);
  t.like(p.steps[5], { properties: { TARGETVDIR: 'MFAPortal' }, previous: { vdir: 'MFAPortal', site: 'Default Web Site' } });
  t.false(p.steps.some((s) => s.kind === 'uninstall'));
});

test('MFA 8.0 on AD FS: the adapter is its own procedure', async (t) => {
  const p = await plan('mfa-8.0-adfs');
  t.deepEqual(kinds(p), ['01-backup', '02-install-server', '03-wait-conversion', '04-manual-activate', '05-manual-adfs']);
  t.true(p.warnings.some((w) => /PendingFileRenameOperations/.test(w)));
});

test('blockers: no server package, an older package, an unknown version, a missing component package', async (t) => {
  const empty = tempDir();
  t.teardown(empty.cleanup);
  const none = await makePlan(await openImageHost('examples/hosts/mfa-7.0'), { packagesDir: empty.dir, vdirNames: 'keep' });
  t.true(none.blockers.some((b) => /no MFA Server installer/.test(b.message)));

  const pk = tempDir();
  t.teardown(pk.cleanup);
  cpSync(PKG, pk.dir, { recursive: true });
  const serverPkg = join(pk.dir, 'MultiFactorAuthenticationServerSetup64.msi.json');
  writeFileSync(serverPkg, readFileSync(serverPkg, 'utf8').replace('"version": "8.1.1.2"', '"version": "6.5.0.0"'));
  const older = await makePlan(await openImageHost('examples/hosts/mfa-7.0'), { packagesDir: pk.dir, vdirNames: 'keep' });
  t.true(older.blockers.some((b) => /6\.5\.0\.0, older than the installed 7\.0\.2\.1/.test(b.message)));

  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const products = JSON.parse(readFileSync(join(dir, 'products.json'), 'utf8')) as Array<{ version: string }>;
  (products[0] as { version: string }).version = '9.0.0.0';
  writeFileSync(join(dir, 'products.json'), JSON.stringify(products));
  const unknown = await plan('mfa-7.0', {}, dir);
  t.true(unknown.blockers.some((b) => /not a version this tool knows/.test(b.message)));

  const noPortal = tempDir();
  t.teardown(noPortal.cleanup);
  cpSync(PKG, noPortal.dir, { recursive: true });
  writeFileSync(join(noPortal.dir, 'MultiFactorAuthenticationUserPortalSetup64.msi.json'), '{}');
  // A package that cannot be read blocks the plan (exit 7) instead of failing it half-read.
  const unreadable = await makePlan(await openImageHost('examples/hosts/mfa-7.0'), { packagesDir: noPortal.dir, vdirNames: 'keep' });
  t.true(unreadable.blockers.some((b) => /MultiFactorAuthenticationUserPortalSetup64\.msi\.json: is not a package manifest/.test(b.message)));
});

test('a readiness failure the plan cannot fix blocks it; VC++ failures with their packages present do not', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  const host = await openImageHost(dir);
  await host.registry.deleteValue('HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full', 'Release');
  const p = await plan('phonefactor-5.2', {}, dir);
  t.deepEqual(p.blockers.map((b) => b.message), ['.NET Framework 4.5 or later: no Release value under HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full: .NET 4.5 or later is not installed']);
});

test('a web-only server: components path, with the SDK rename given by hand', async (t) => {
  const { dir, cleanup } = tempCopy('phonefactor-5.2');
  t.teardown(cleanup);
  // Take the agent and the SDK off this box: what is left is a DMZ web server.
  const products = JSON.parse(readFileSync(join(dir, 'products.json'), 'utf8')) as Array<{ name: string }>;
  writeFileSync(join(dir, 'products.json'), JSON.stringify(products.filter((p) => !/Agent|SDK/.test(p.name))));
  const apphost = join(dir, 'drive/C/Windows/System32/inetsrv/config/applicationHost.config');
  writeFileSync(apphost, readFileSync(apphost, 'utf8').replace(/\s*<application path="\/PhoneFactorWebServiceSdk"[\s\S]*?<\/application>/, ''));
  const p = await plan('x', { sdkVdir: [{ from: 'PhoneFactorWebServiceSdk', to: 'MultiFactorAuthWebServiceSdk' }] }, dir);
  t.is(p.path, 'components');
  t.deepEqual(p.blockers, []);
  t.deepEqual(kinds(p), ['01-backup', '02-install-vcredist-x86', '03-install-vcredist-x64', '04-uninstall-userPortal', '05-uninstall-mobileAppWebService', '06-install-userPortal', '07-merge-config-userPortal', '08-restore-themes', '09-keep-theme', '10-install-mobileAppWebService', '11-merge-config-mobileAppWebService']);
  t.like(p.steps[10], { sdkVdir: [{ from: 'PhoneFactorWebServiceSdk', to: 'MultiFactorAuthWebServiceSdk' }] });
});

test('removing the Mobile App Web Service from 8.0 on', async (t) => {
  const p = await plan('phonefactor-5.2', { removeMobileApp: true });
  t.false(p.steps.some((s) => /^\d+-install-mobileAppWebService$/.test(s.id)));
  t.false(p.steps.some((s) => /merge-config-mobileAppWebService/.test(s.id)));
  t.true(p.steps.some((s) => /^\d+-uninstall-mobileAppWebService$/.test(s.id)));
});

test('a package that does not show its vdir property blocks a kept custom vdir, unless --vdir-property names it', async (t) => {
  const pk = tempDir();
  t.teardown(pk.cleanup);
  cpSync(PKG, pk.dir, { recursive: true });
  const portal = join(pk.dir, 'MultiFactorAuthenticationUserPortalSetup64.msi.json');
  writeFileSync(portal, readFileSync(portal, 'utf8').replace('"TARGETVDIR": "MultiFactorAuth"', '"OTHERPROP": "x"'));
  const host = await openImageHost('examples/hosts/mfa-7.0');
  const blocked = await makePlan(host, { packagesDir: pk.dir, vdirNames: 'keep' });
  t.true(blocked.blockers.some((b) => /does not show which property sets its virtual directory/.test(b.message)));
  const named = await makePlan(host, { packagesDir: pk.dir, vdirNames: 'keep', vdirProperty: 'TARGETVDIR' });
  t.deepEqual(named.blockers, []);
});

test('plan command: exit 0 with a readable plan, 7 when blocked, usage errors', async (t) => {
  const ok = await runCli(['plan', '--host', 'examples/hosts/mfa-7.0', '--packages', PKG, '--role', 'standalone']);
  t.is(ok.code, 0);
  t.regex(ok.stdout, /03-install-server\s+Install Multi-Factor Authentication Server 8\.1\.1\.2/);
  const json = await runCli(['plan', '--host', 'examples/hosts/mfa-7.0', '--packages', PKG, '--json']);
  t.is((json.events.find((e) => e['type'] === 'object') as { typeName: string }).typeName, 'MfaUpgrade.UpgradePlan');
  const empty = tempDir();
  t.teardown(empty.cleanup);
  t.is((await runCli(['plan', '--host', 'examples/hosts/mfa-7.0', '--packages', empty.dir])).code, 7);
  t.is((await runCli(['plan', '--host', 'examples/hosts/mfa-7.0'])).code, 2);
  t.is((await runCli(['plan', '--host', 'examples/hosts/mfa-7.0', '--packages', PKG, '--vdir-names', 'old'])).code, 2);
  t.is((await runCli(['plan', '--host', 'examples/hosts/mfa-7.0', '--packages', PKG, '--role', 'primary'])).code, 2);
});
