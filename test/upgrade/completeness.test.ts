// Never silently partial, preflight and postconditions, broken on purpose on hosts changed the
// way real servers differ from the samples: marker files missing, a web.config that cannot be
// read, a product no IIS application serves, a lookalike product, a cached package gone, an
// installer that does not remove what it should, a data file replaced by an empty one. Each
// either ends with every family product handled or blocks (exit 7) with the host unchanged.
import test from 'ava';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { strictHostDifferences, strictHostState } from '../helpers/host-state.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';

const PKG = join(process.cwd(), 'examples', 'packages');
const TARGET = '8.1.1.2';

interface Product {
  productCode: string;
  name: string;
  version: string;
  localPackage?: string;
}

/** The oracle: products.json as Windows Installer would list it, read without lib/. */
function products(host: string): Product[] {
  return JSON.parse(readFileSync(join(host, 'products.json'), 'utf8')) as Product[];
}

function editProducts(host: string, edit: (p: Product[]) => Product[]): void {
  writeFileSync(join(host, 'products.json'), JSON.stringify(edit(products(host)), null, 2));
}

const plan = (host: string, ...extra: string[]) => runCli(['plan', '--host', host, '--packages', PKG, '--json', ...extra]);
const upgrade = (host: string, work: string, ...extra: string[]) => runCli(['upgrade', '--host', host, '--packages', PKG, '--backup', work, '--unattended', '--retry-delay', '0', '--json', '--role', 'standalone', ...extra]);

function planOf(events: Array<Record<string, unknown>>): { blockers: Array<{ message: string; remedy: string }>; steps: Array<{ id: string; kind: string; productCode?: string }> } {
  return events.find((e) => e['typeName'] === 'MfaUpgrade.UpgradePlan')?.['data'] as ReturnType<typeof planOf>;
}

test('components recognisable only by their settings or their default vdir name (no marker file) are upgraded, not left at 5.x', async (t) => {
  const h = tempCopy('phonefactor-5.2');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const www = join(h.dir, 'drive/C/inetpub/wwwroot');
  unlinkSync(join(www, 'PhoneFactorPhoneAppWebService/PfPaWs.asmx')); // left: its pfpaws_ setting
  unlinkSync(join(www, 'PhoneFactorWebServiceSdk/PfWsSdk.asmx'));
  unlinkSync(join(www, 'PhoneFactorWebServiceSdk/web.config')); // left: its documented default vdir name
  const r = await upgrade(h.dir, w.dir);
  t.is(r.code, 5, r.stdout.slice(-1500));
  const family = products(h.dir).filter((p) => /phone\s*factor|multi-?factor/i.test(p.name));
  t.deepEqual(family.filter((p) => p.version !== TARGET).map((p) => p.name), [], 'every family product is at the target version');
  t.true(family.some((p) => /Mobile App Web Service/.test(p.name)));
  t.true(family.some((p) => /Web Service SDK/.test(p.name)));
});

test('a portal web.config that cannot be read blocks the plan (exit 7), naming it; the upgrade changes nothing', async (t) => {
  const h = tempCopy('phonefactor-5.2');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  writeFileSync(join(h.dir, 'drive/C/inetpub/wwwroot/PhoneFactor/web.config'), '<configuration><appSettings><add key="A" value="1"></appSettings>');
  const before = strictHostState(h.dir);
  const p = await plan(h.dir);
  t.is(p.code, 7);
  t.true(planOf(p.events).blockers.some((b) => /User Portal's web\.config cannot be read/.test(b.message) && /--skip-component userPortal/.test(b.remedy)));
  const u = await upgrade(h.dir, w.dir);
  t.is(u.code, 7);
  t.deepEqual(strictHostDifferences(h.dir, before), []);
});

test('a component product no IIS application serves blocks the plan; --skip-component leaves it, recorded as left to do', async (t) => {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  // A Mobile App Web Service of its own UpgradeCode (the package's), installed but in no IIS application.
  const orphan: Product = { ...(products(h.dir).find((p) => /User Portal/.test(p.name)) as Product), productCode: '{7E1A0C55-3B2D-4C8E-9F01-A2B3C4D5E6F7}', upgradeCode: '{AE4B6C83-9D5A-4FBE-C7B2-3A8D4F9E5C6A}', name: 'Multi-Factor Authentication Mobile App Web Service', localPackage: 'C:\\Windows\\Installer\\nothere.msi' } as Product;
  editProducts(h.dir, (ps) => [...ps, orphan]);
  const before = strictHostState(h.dir);
  const p = await plan(h.dir);
  t.is(p.code, 7);
  t.true(planOf(p.events).blockers.some((b) => b.message.includes(orphan.productCode) && /no IIS application serves it/.test(b.message)));
  t.is((await upgrade(h.dir, w.dir)).code, 7);
  t.deepEqual(strictHostDifferences(h.dir, before), []);
  const skipped = await upgrade(h.dir, w.dir, '--skip-component', 'mobileAppWebService');
  t.is(skipped.code, 5, skipped.stdout.slice(-1500));
  const result = skipped.events.find((e) => e['typeName'] === 'MfaUpgrade.UpgradeResult')?.['data'] as { leftToDo: Array<{ id: string }> };
  t.true(result.leftToDo.some((s) => /manual-skipped-mobileAppWebService/.test(s.id)), 'reported as left to do, never as done');
  t.is(products(h.dir).find((p) => p.productCode === orphan.productCode)?.version, orphan.version);
});

test('a product that only looks like MFA (role unknown) blocks the plan naming it, until --ignore-product', async (t) => {
  const h = tempCopy('mfa-7.0');
  t.teardown(h.cleanup);
  const lookalike: Product = { productCode: '{0F0E0D0C-0B0A-4908-8706-050403020100}', name: 'PhoneFactor Legacy Reporting Pack', version: '1.0.0.0' };
  editProducts(h.dir, (ps) => [...ps, { ...lookalike, upgradeCode: null, publisher: 'Contoso', installLocation: '', context: 'machine' } as Product]);
  const p = await plan(h.dir);
  t.is(p.code, 7);
  t.true(planOf(p.events).blockers.some((b) => b.message.includes(lookalike.productCode) && b.remedy.includes(`--ignore-product ${lookalike.productCode}`)));
  const ignored = await plan(h.dir, '--ignore-product', lookalike.productCode);
  t.is(ignored.code, 0, JSON.stringify(planOf(ignored.events)?.blockers));
});

test('preflight: a cached package that is gone blocks before any change (exit 7), naming the product', async (t) => {
  const h = tempCopy('phonefactor-5.2');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const portal = products(h.dir).find((p) => /User Portal/.test(p.name)) as Product;
  unlinkSync(join(h.dir, 'drive', (portal.localPackage as string).replace(/^C:\\/, 'C/').split('\\').join('/')));
  const before = strictHostState(h.dir);
  const u = await upgrade(h.dir, w.dir);
  t.is(u.code, 7);
  t.true(planOf(u.events).blockers.some((b) => b.message.includes('PhoneFactor User Portal') && /cached package/.test(b.message)));
  t.deepEqual(strictHostDifferences(h.dir, before), [], 'not even the VC++ runtimes were installed');
});

function packagesWith(edit: (manifest: Record<string, unknown>) => void): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'mfa-pkg-'));
  cpSync(PKG, root, { recursive: true });
  const file = join(root, 'MultiFactorAuthenticationServerSetup64.msi.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(m);
  writeFileSync(file, JSON.stringify(m, null, 2));
  return { dir: root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

test('postcondition: a server package that does not remove the old server (no Upgrade table) fails its step; nothing after it runs', async (t) => {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  const pkg = packagesWith((m) => delete m['upgrades']);
  t.teardown(() => (h.cleanup(), w.cleanup(), pkg.cleanup()));
  const r = await runCli(['upgrade', '--host', h.dir, '--packages', pkg.dir, '--backup', w.dir, '--unattended', '--retry-delay', '0', '--json', '--role', 'standalone']);
  t.is(r.code, 1603);
  t.like(r.events.find((e) => e['type'] === 'error'), { code: 'POSTCONDITION_FAILED' });
  t.regex(String(r.events.find((e) => e['type'] === 'error')?.['message']), /still installed beside/);
  t.is(products(h.dir).find((p) => /User Portal/.test(p.name))?.version, '7.0.2.1', 'the portal was not touched after the failed step');
  const rolled = await runCli(['upgrade', '--host', h.dir, '--backup', w.dir, '--rollback', '--json']);
  t.is(rolled.code, 0, rolled.stdout.slice(-1500));
  t.deepEqual(products(h.dir).filter((p) => /Multi-Factor Authentication Server/.test(p.name)).map((p) => p.version), ['7.0.2.1']);
});

test('postcondition: a server that comes back with a fresh empty data file fails the install step', async (t) => {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  const pkg = packagesWith((m) => (m['files'] as unknown[]).push({ target: '[INSTALLDIR]Data\\PhoneFactor.pfdata', content: 'empty' }));
  t.teardown(() => (h.cleanup(), w.cleanup(), pkg.cleanup()));
  const r = await runCli(['upgrade', '--host', h.dir, '--packages', pkg.dir, '--backup', w.dir, '--unattended', '--retry-delay', '0', '--json', '--role', 'standalone']);
  t.is(r.code, 1603);
  t.like(r.events.find((e) => e['type'] === 'error'), { code: 'POSTCONDITION_FAILED' });
  t.regex(String(r.events.find((e) => e['type'] === 'error')?.['message']), /looks like a fresh, empty one/);
});
