// verify-upgrade on an upgraded sample, and on hosts broken afterwards one way at a time: each
// break fails its own check (exit 4, with what to do), the rest stay healthy. HTTP answers come
// from the image's IIS state (no site on the port: refused; no application: 404; a web.config
// that does not load: 500); the live backend's probe is checked against a real local server.
import test from 'ava';
import { createServer } from 'node:http';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeNetwork } from '../../lib/host/node-network.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { runCli } from '../helpers/run-cli.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';

const PKG = 'examples/packages';

interface Check {
  id: string;
  status: string;
  evidence: string;
  remedy?: string;
}

/** One upgraded PhoneFactor 5.2 host, copied for each test. */
const upgraded = (async () => {
  const h = tempCopy('phonefactor-5.2');
  const w = tempDir();
  const r = await runCli(['upgrade', '--host', h.dir, '--packages', PKG, '--backup', w.dir, '--role', 'standalone', '--unattended', '--json', '--retry-delay', '0']);
  if (r.code !== 5) throw new Error(`the upgrade exited ${r.code}`);
  return { host: h.dir, work: w.dir };
})();

async function copy(t: { teardown(fn: () => void): void }): Promise<{ host: string; work: string }> {
  const src = await upgraded;
  const d = tempDir();
  t.teardown(d.cleanup);
  cpSync(src.host, join(d.dir, 'host'), { recursive: true });
  cpSync(src.work, join(d.dir, 'work'), { recursive: true });
  return { host: join(d.dir, 'host'), work: join(d.dir, 'work') };
}

async function verify(h: { host: string; work: string }, ...extra: string[]) {
  const r = await runCli(['verify-upgrade', '--host', h.host, '--backup', h.work, '--json', ...extra]);
  const checks = r.events.filter((e) => e['typeName'] === 'MfaUpgrade.HealthCheck').map((e) => e['data'] as Check);
  return { code: r.code, checks, byId: Object.fromEntries(checks.map((c) => [c.id, c])), r };
}

const failed = (checks: Check[]) => checks.filter((c) => c.status === 'fail').map((c) => c.id).sort();

test('the upgraded sample is healthy (exit 0): every check passes, the unused SDK URL is not judged', async (t) => {
  const v = await verify(await copy(t));
  t.is(v.code, 0);
  t.deepEqual(failed(v.checks), []);
  for (const id of ['products', 'services', 'placement', 'conversion', 'iis-userPortal', 'carried-userPortal', 'http-userPortal', 'http-webServiceSdk', 'http-mobileAppWebService', 'sdk-url-mobileAppWebService']) t.is(v.byId[id]?.status, 'pass', id);
  t.regex(v.byId['sdk-url-userPortal']?.evidence ?? '', /not used: USE_WEB_SERVICE_SDK is false/);
  t.regex(v.byId['http-userPortal']?.evidence ?? '', /^https:\/\/localhost\/PhoneFactor\/: HTTP 200$/);
  const human = await runCli(['verify-upgrade', '--host', (await copy(t)).host, '--backup', (await upgraded).work]);
  t.regex(human.stdout, /Healthy\./);
});

const breaks: Array<[string, (h: { host: string; work: string }) => Promise<void> | void, string[]]> = [
  ['MultiFactorAuth stopped', async (h) => {
    await (await openImageHost(h.host)).services.stop('MultiFactorAuth');
  }, ['services']],
  ['the portal web.config damaged', (h) => {
    const f = join(h.host, 'drive/C/inetpub/wwwroot/PhoneFactor/web.config');
    writeFileSync(f, readFileSync(f, 'utf8').replace('</system.web>', '</system.web'));
  }, ['http-userPortal', 'iis-userPortal']],
  ['a carried key removed by hand', (h) => {
    const f = join(h.host, 'drive/C/inetpub/wwwroot/PhoneFactor/web.config');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/\s*<sessionState [^>]*\/>/, ''));
  }, ['carried-userPortal']],
  ['the mobile app application gone from IIS', (h) => {
    const f = join(h.host, 'drive/C/Windows/System32/inetsrv/config/applicationHost.config');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/\s*<application path="\/PhoneFactorPhoneAppWebService"[\s\S]*?<\/application>/, ''));
  }, ['iis-mobileAppWebService']],
  ['the portal refusing connections', (h) => {
    const f = join(h.host, 'host.json');
    writeFileSync(f, JSON.stringify({ ...JSON.parse(readFileSync(f, 'utf8')), http: { 'https://localhost/PhoneFactor/': 'refused' } }));
  }, ['http-userPortal']],
  ['the data file replaced by a fresh one', (h) => {
    writeFileSync(join(h.host, 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata'), Buffer.alloc(1024));
  }, ['placement']],
  ['the server product at another version', (h) => {
    const f = join(h.host, 'products.json');
    const list = JSON.parse(readFileSync(f, 'utf8')) as Array<{ name: string; version: string }>;
    (list.find((p) => p.name === 'Multi-Factor Authentication Server') as { version: string }).version = '8.0.0.3';
    writeFileSync(f, JSON.stringify(list));
  }, ['products']],
  ['the mobile app calling an SDK vdir this host does not have', (h) => {
    const f = join(h.host, 'drive/C/inetpub/wwwroot/PhoneFactorPhoneAppWebService/web.config');
    writeFileSync(f, readFileSync(f, 'utf8').replace('https://pf01.contoso.com/PhoneFactorWebServiceSdk/PfWsSdk.asmx', 'https://pf01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx'));
  }, ['carried-mobileAppWebService', 'sdk-url-mobileAppWebService']],
];

for (const [what, breakIt, expected] of breaks) {
  test(`broken afterwards (${what}): exit 4, its checks fail with what to do, nothing else`, async (t) => {
    const h = await copy(t);
    await breakIt(h);
    const v = await verify(h);
    t.is(v.code, 4);
    t.deepEqual(failed(v.checks), [...expected].sort());
    for (const id of expected) t.true((v.byId[id]?.remedy ?? '').length > 10, id);
  });
}

test('without the journal: the packages give the target versions; with neither, products are a warning; --no-http sends nothing', async (t) => {
  const h = await copy(t);
  const withPackages = await runCli(['verify-upgrade', '--host', h.host, '--packages', PKG, '--json']);
  const checks = withPackages.events.filter((e) => e['typeName'] === 'MfaUpgrade.HealthCheck').map((e) => e['data'] as Check);
  t.is(checks.find((c) => c.id === 'products')?.status, 'pass');
  t.is(withPackages.code, 0);
  const alone = await runCli(['verify-upgrade', '--host', h.host, '--no-http', '--json']);
  const a = alone.events.filter((e) => e['typeName'] === 'MfaUpgrade.HealthCheck').map((e) => e['data'] as Check);
  t.is(a.find((c) => c.id === 'products')?.status, 'warn');
  t.false(a.some((c) => c.id.startsWith('http-')));
  // A PhoneFactor 5.2 host that was never upgraded: the packages say its products are behind.
  const old = await runCli(['verify-upgrade', '--host', 'examples/hosts/phonefactor-5.2', '--packages', PKG, '--json']);
  t.is(old.code, 4);
});

test('the live Network port\'s HTTP probe, against a real local server: statuses as they come, no redirect followed, refused and timed out', async (t) => {
  const server = createServer((req, res) => {
    if (req.url === '/auth') res.writeHead(401).end();
    else if (req.url === '/moved') res.writeHead(302, { Location: '/gone' }).end();
    else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end(), 2000);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  t.deepEqual(await nodeNetwork.httpProbe(`http://127.0.0.1:${port}/auth`, 5000), { status: 401 });
  t.deepEqual(await nodeNetwork.httpProbe(`http://127.0.0.1:${port}/moved`, 5000), { status: 302 });
  t.deepEqual(await nodeNetwork.httpProbe(`http://127.0.0.1:${port}/x`, 5000), { status: 404 });
  t.regex((await nodeNetwork.httpProbe(`http://127.0.0.1:${port}/slow`, 200)).error ?? '', /no answer within 200 ms/);
  server.close();
  await new Promise((r) => setTimeout(r, 50));
  t.deepEqual(await nodeNetwork.httpProbe(`http://127.0.0.1:${port}/auth`, 2000), { error: 'connection refused' });
  t.regex((await nodeNetwork.httpProbe('ftp://x/', 100)).error ?? '', /not an HTTP\(S\) URL/);
});
