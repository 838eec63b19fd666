// What a backup writes about the machine (lib/backup/take-backup.ts), checked against the sample
// host's own files rather than the backup's code: the manifest's header (format, time, host,
// role, server, how the data file was made consistent), every machine file's size and SHA-256,
// the snapshot's state files, the PhoneFactor key of each registry view (or why not), and the
// AD FS state. The AD FS sample has one server service running and AD Sync stopped.
import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from '../../lib/backup/format.js';
import type { LogLevel, Reporter } from '../../lib/reporting/reporter.js';
import { backupOf } from './helpers.js';

const SAMPLE = 'examples/hosts/mfa-8.0-adfs';
const NOW = () => new Date('2025-01-02T03:04:05.000Z');
const local = (original: string) => join(SAMPLE, 'drive', original[0] as string, ...original.slice(3).split('\\'));

test('mfa-8.0-adfs: the manifest tells the machine, the role, the server and how its data file was copied; each machine file is the host file', async (t) => {
  const lines: Array<[LogLevel, string]> = [];
  const output: Reporter = { log: (l, m) => void lines.push([l, m]), progress: () => undefined, object: () => undefined };
  const ws = await backupOf('mfa-8.0-adfs', { role: 'master', now: NOW, output });
  t.teardown(ws.cleanup);
  const m = JSON.parse(readFileSync(join(ws.bundle, 'manifest.json'), 'utf8')) as Manifest;
  const hostJson = JSON.parse(readFileSync(join(SAMPLE, 'host.json'), 'utf8')) as Record<string, unknown>;
  const products = JSON.parse(readFileSync(join(SAMPLE, 'products.json'), 'utf8')) as Array<{ name: string; version: string; installLocation: string }>;
  const server = products.find((p) => p.name === 'Multi-Factor Authentication Server') as { version: string; installLocation: string };
  t.is(m.format, 'mfa-upgrade/backup-bundle');
  t.is(m.formatVersion, 2);
  t.is(m.tool.name, 'mfa-upgrade');
  t.is(m.createdAt, '2025-01-02T03:04:05.000Z');
  t.like(m.host, { computerName: hostJson['computerName'], os: hostJson['os'], kind: 'image' });
  t.is(m.role, 'master');
  t.like(m.server, { product: 'Multi-Factor Authentication Server', version: server.version, dataFile: 'C:\\Program Files\\Multi-Factor Authentication Server\\Data\\PhoneFactor.pfdata' });
  t.deepEqual([...(m.server?.services ?? [])].sort(), ['MultiFactorAuth', 'MultiFactorAuthAdSync']);
  t.deepEqual(m.consistency, { method: 'services-stopped', stopped: ['MultiFactorAuth'] });
  t.is(m.encryption, null);
  t.false(lines.some(([, msg]) => /role of this server/.test(msg)), 'a known role is not questioned');

  const machine = m.files.filter((f) => f.original !== null && f.stored.startsWith('snapshot/drive/'));
  t.true(machine.some((f) => f.tags.includes('data')));
  for (const f of machine) {
    const bytes = readFileSync(local(f.original as string));
    t.is(f.size, bytes.length, f.stored);
    t.is(f.sha256, createHash('sha256').update(bytes).digest('hex'), f.stored);
  }
  t.is(m.files.filter((f) => f.tags.includes('data')).length, 1);
});

test('mfa-8.0-adfs: the snapshot holds the machine state as its files say, the PhoneFactor key of each view or why not, and the AD FS state (an empty export carried as empty)', async (t) => {
  const ws = await backupOf('mfa-8.0-adfs', { now: NOW });
  t.teardown(ws.cleanup);
  const m = JSON.parse(readFileSync(join(ws.bundle, 'manifest.json'), 'utf8')) as Manifest;
  const read = (rel: string) => JSON.parse(readFileSync(join(ws.bundle, rel), 'utf8')) as unknown;
  const hostJson = JSON.parse(readFileSync(join(SAMPLE, 'host.json'), 'utf8')) as Record<string, unknown>;
  t.deepEqual(read('snapshot/host.json'), hostJson);
  const services = JSON.parse(readFileSync(join(SAMPLE, 'services.json'), 'utf8')) as Array<Record<string, unknown>>;
  t.deepEqual(read('snapshot/services.json'), services.map((s) => ({ name: s['name'], displayName: s['displayName'], state: s['state'], startType: s['startType'], path: s['path'] })));
  const codes = (x: unknown) => (x as Array<{ productCode: string }>).map((p) => p.productCode.toUpperCase()).sort();
  t.deepEqual(codes(read('snapshot/products.json')), codes(JSON.parse(readFileSync(join(SAMPLE, 'products.json'), 'utf8'))));
  for (const [rel, tag] of [['snapshot/registry.reg', 'snapshotState'], ['snapshot/products.json', 'snapshotState'], ['snapshot/services.json', 'snapshotState'], ['snapshot/host.json', 'snapshotState'], ['snapshot/adfs.json', 'snapshotState']] as const) {
    t.deepEqual(m.files.find((f) => f.stored === rel)?.tags, [tag], rel);
  }
  for (const view of ['64', '32']) {
    const stored = `extra/registry/PhoneFactor.${view}-bit.reg`;
    const entry = m.files.find((f) => f.stored === stored);
    const why = m.notTaken.find((n) => n.item === `registry export of HKLM\\SOFTWARE\\Positive Networks\\PhoneFactor (${view}-bit view)`);
    t.true((entry !== undefined) !== (why !== undefined), `${view}-bit: exported or said why not, never both`);
    if (entry) {
      t.deepEqual(entry.tags, ['registryExport']);
      t.true(readFileSync(join(ws.bundle, stored)).length > 0);
    } else t.is(why?.reason, 'the key does not exist in that view');
  }
  // The sample's AD FS holds no configuration data for the adapter: the export is stored as the
  // empty file AD FS wrote, and the snapshot's AD FS state carries none.
  t.deepEqual(m.files.filter((f) => f.tags.includes('adfsExport')).map((f) => [f.stored, f.size]), [['extra/adfs/AzureMfaServerAuthentication.config', 0]]);
  const adfs = read('snapshot/adfs.json') as { providers: Array<{ name: string; configurationData?: string }>; globalPolicy: { additionalAuthenticationProvider: string[] } };
  const state = JSON.parse(readFileSync(join(SAMPLE, 'adfs.json'), 'utf8')) as { providers: Array<{ name: string }>; globalPolicy?: { additionalAuthenticationProvider?: string[] } };
  t.deepEqual(adfs.providers.map((p) => p.name), state.providers.map((p) => p.name));
  t.true(adfs.providers.every((p) => p.configurationData === undefined));
  if (state.globalPolicy?.additionalAuthenticationProvider) t.deepEqual(adfs.globalPolicy.additionalAuthenticationProvider, state.globalPolicy.additionalAuthenticationProvider);
  t.false(existsSync(`${ws.bundle}.partial`));
});
