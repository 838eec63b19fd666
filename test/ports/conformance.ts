// The port conformance suite: one set of cases every backend of the host ports must pass, run
// against the image backend by `npm test` (test/ports/image.test.ts) and against the Windows
// backend in node.exe under Wine by `npm run test:windows` (test/windows/tier/conformance.tier.ts).
// What the rest of the tool relies on is written down here once, so the backends cannot drift.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Host, RegValue } from '../../lib/host/ports.js';

export interface ConformanceFixture {
  host: Host;
  /** A scratch folder on the host (a Windows path) the cases may fill and empty. */
  scratch: string;
  /** A registry key under HKLM\SOFTWARE the cases may create and delete, in both views. */
  regKey: string;
  /** A package the installer can read (a local path), with what it says about itself. */
  pkg?: { path: string; productCode: string; version: string };
}

export interface ConformanceCase {
  name: string;
  run(f: ConformanceFixture): Promise<void>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const join = (...p: string[]) => p.join('\\');

async function* chunks(parts: Buffer[], failAfter?: number): AsyncGenerator<Uint8Array> {
  let i = 0;
  for (const p of parts) {
    if (failAfter !== undefined && i++ >= failAfter) throw new Error('the source failed');
    yield p;
  }
}

export const CASES: ConformanceCase[] = [
  {
    name: 'files: an atomic write creates and replaces; reads give the bytes back; remove is idempotent',
    async run({ host, scratch }) {
      const f = host.files;
      const path = join(scratch, 'atomic', 'web.config');
      const first = Buffer.from('\ufeff<configuration>\r\n  <appSettings />\r\n</configuration>\r\n', 'utf8');
      await f.writeFileAtomic(path, first);
      assert.deepEqual(await f.readFile(path), first);
      const second = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<configuration/>', 'utf16le')]);
      await f.writeFileAtomic(path, second);
      assert.deepEqual(await f.readFile(path), second);
      const st = await f.stat(path);
      assert.equal(st?.size, second.length);
      assert.equal(st?.isDirectory, false);
      const listed = await f.listDir(join(scratch, 'atomic'));
      assert.deepEqual(listed, [{ name: 'web.config', isDirectory: false }], 'no temporary file is listed or left');
      await f.remove(path);
      assert.equal(await f.stat(path), undefined);
      await f.remove(path);
      assert.equal(await f.listDir(join(scratch, 'no such folder')), undefined);
    },
  },
  {
    name: 'files: a streamed atomic write reports the size and SHA-256 of what it wrote; a failing source leaves the target as it was',
    async run({ host, scratch }) {
      const f = host.files;
      const path = join(scratch, 'stream', 'PhoneFactor.pfdata');
      const parts = [Buffer.alloc(70_000, 1), Buffer.alloc(5, 2), Buffer.alloc(130_001, 3)];
      const whole = Buffer.concat(parts);
      const r = await f.writeStreamAtomic(path, chunks(parts));
      assert.deepEqual(r, { size: whole.length, sha256: sha256(whole) });
      assert.equal(sha256(await f.readFile(path)), sha256(whole));
      await assert.rejects(f.writeStreamAtomic(path, chunks([Buffer.from('new')], 0)));
      assert.equal(sha256(await f.readFile(path)), sha256(whole), 'the original is untouched');
      assert.deepEqual((await f.listDir(join(scratch, 'stream')))?.map((e) => e.name), ['PhoneFactor.pfdata']);
    },
  },
  {
    name: 'files: copy reports what it wrote; folders are made with their parents and removed with what they hold',
    async run({ host, scratch }) {
      const f = host.files;
      const from = join(scratch, 'copy', 'a.bin');
      const data = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
      await f.writeFileAtomic(from, data);
      const to = join(scratch, 'copy', 'deep', 'er', 'b.bin');
      await f.mkdirp(join(scratch, 'copy', 'deep', 'er'));
      const r = await f.copyFile(from, to);
      assert.deepEqual(r, { size: data.length, sha256: sha256(data) });
      assert.equal((await f.stat(join(scratch, 'copy', 'deep')))?.isDirectory, true);
      await f.remove(join(scratch, 'copy', 'deep'));
      assert.equal(await f.stat(to), undefined);
    },
  },
  {
    name: "files: a killed writer's temporary file is removed; a live writer's is kept",
    async run({ host, scratch }) {
      const f = host.files;
      const dir = join(scratch, 'temps');
      // A pid that no process has (above the kernels' limits) and this process's own.
      const dead = join(dir, '.web.config.4194999-0a1b2c3d.mfa-tmp');
      const live = join(dir, `.web.config.${process.pid}-0a1b2c3d.mfa-tmp`);
      await f.writeFileAtomic(dead, Buffer.from('half'));
      await f.writeFileAtomic(live, Buffer.from('being written'));
      await f.writeFileAtomic(join(dir, 'web.config'), Buffer.from('kept'));
      const removed = await f.removeStaleTemps(dir);
      assert.equal(removed.length, 1);
      assert.match(removed[0] as string, /4194999-0a1b2c3d\.mfa-tmp$/);
      assert.equal(await f.stat(dead), undefined);
      assert.notEqual(await f.stat(live), undefined);
      assert.notEqual(await f.stat(join(dir, 'web.config')), undefined);
      await f.remove(dir);
    },
  },
  {
    name: 'registry: every value kind round-trips; the two views are separate; a missing key or value reads as undefined',
    async run({ host, regKey }) {
      const r = host.registry;
      const values: Array<[string, RegValue]> = [
        ['', { type: 'REG_SZ', data: 'the default value' }],
        ['InstallPath', { type: 'REG_SZ', data: 'C:\\Program Files\\Multi-Factor Authentication Server\\' }],
        ['Expand', { type: 'REG_EXPAND_SZ', data: '%SystemRoot%\\Temp' }],
        ['Multi', { type: 'REG_MULTI_SZ', data: ['a', 'b c', 'é'] }],
        ['Dword', { type: 'REG_DWORD', data: 0xfffffffe }],
        ['Qword', { type: 'REG_QWORD', data: 0x1_0000_0001n }],
        ['Binary', { type: 'REG_BINARY', data: new Uint8Array([0, 1, 254, 255]) }],
      ];
      for (const [name, value] of values) await r.setValue(regKey, name, value, '32');
      for (const [name, value] of values) assert.deepEqual(await r.getValue(regKey, name, '32'), value, `${name} in the 32-bit view`);
      assert.equal(await r.keyExists(regKey, '64'), false, 'the 64-bit view has no such key');
      assert.equal(await r.getValue(regKey, 'InstallPath', '64'), undefined);
      await r.setValue(`${regKey}\\Sub\\Deeper`, 'X', { type: 'REG_DWORD', data: 1 }, '64');
      assert.deepEqual(await r.listSubkeys(regKey, '64'), ['Sub']);
      assert.deepEqual(((await r.listValues(regKey, '32')) ?? []).map((v) => v.name).sort(), values.map(([n]) => n).sort());
      await r.deleteValue(regKey, 'Dword', '32');
      assert.equal(await r.getValue(regKey, 'Dword', '32'), undefined);
      await r.deleteKey(regKey, '32');
      await r.deleteKey(regKey, '64');
      assert.equal(await r.keyExists(regKey, '32'), false);
      assert.equal(await r.listValues(regKey, '32'), undefined);
      await r.deleteKey(regKey, '32');
    },
  },
  {
    name: 'installer: a package says who it is; an unknown product cannot be uninstalled (1605)',
    async run({ host, pkg }) {
      const products = await host.installer.listProducts();
      for (const p of products) assert.match(p.productCode, /^\{[0-9A-F-]{36}\}$/i);
      if (!pkg) return;
      const id = await host.installer.readPackage(pkg.path);
      assert.equal(id.productCode.toUpperCase(), pkg.productCode.toUpperCase());
      assert.equal(id.version, pkg.version);
      assert.ok(id.platform === 'x86' || id.platform === 'x64');
      const r = await host.installer.uninstall('{00000000-1111-2222-3333-444444444444}');
      assert.equal(r.exitCode, 1605);
    },
  },
  {
    name: 'services: a missing service reads as undefined; stopping it is a typed error',
    async run({ host }) {
      assert.equal(await host.services.get('NoSuchServiceMfaConformance'), undefined);
      await assert.rejects(host.services.stop('NoSuchServiceMfaConformance'), (e: unknown) => (e as { code?: string }).code === 'WIN32_1060');
    },
  },
];
