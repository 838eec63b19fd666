// The backup's own sequence, each refusal checked whole (code, words, target, exit code, what to
// do) and the host and the bundle folder checked unchanged: an existing or appearing bundle
// folder, too little free space (the estimate computed here from the host's own files, plain and
// encrypted), a bundle that fails its own verification, an error after services would not start
// again; and the facts a bundle records (the result, adfs.json, host.json, the service keys).
import test from 'ava';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { localBundleFs, type BundleFs } from '../../lib/backup/sink.js';
import { takeBackup } from '../../lib/backup/take-backup.js';
import { ExitCode, MfaError } from '../../lib/errors.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import type { Network } from '../../lib/host/ports.js';
import type { LogLevel, Reporter } from '../../lib/reporting/reporter.js';
import { strictHostDifferences, strictHostState } from '../helpers/host-state.js';
import { manifestOf, TEST_SCRYPT, withFiles, withPort, withPowerShell, workspace, type Sample } from './helpers.js';

const MiB = 1024 * 1024;
const ENC_EXTRA = 8 + 12 + 16;

function recorder(): Reporter & { lines: Array<[LogLevel, string]> } {
  const lines: Array<[LogLevel, string]> = [];
  return { lines, log: (l, m) => void lines.push([l, m]), progress: () => undefined, object: () => undefined };
}

/** The local disk, with a chosen free space, and a hook when a file is created. */
function diskWith(free: () => Promise<number | undefined>, onCreate: (path: string) => void = () => undefined): BundleFs {
  return {
    async create(path) {
      onCreate(path.split(sep).join('/'));
      return localBundleFs.create(path);
    },
    freeSpace: free,
    mkdir: (dir) => localBundleFs.mkdir(dir),
  };
}

/** A disk that stores one file with its first byte flipped (a write the disk got wrong). */
function flipping(match: RegExp): BundleFs {
  return {
    async create(path) {
      const sink = await localBundleFs.create(path);
      if (!match.test(path.split(sep).join('/'))) return sink;
      let first = true;
      return {
        async write(data) {
          if (first && data.length > 0) {
            first = false;
            const copy = Buffer.from(data);
            copy[0] = (copy[0] as number) ^ 0xff;
            return sink.write(copy);
          }
          return sink.write(data);
        },
        sync: () => sink.sync(),
        close: () => sink.close(),
      };
    },
    freeSpace: (dir) => localBundleFs.freeSpace(dir),
    mkdir: (dir) => localBundleFs.mkdir(dir),
  };
}

function refusal(e: unknown): { code: string; message: string; target: string | undefined; exitCode: number; remedy: string | undefined } {
  const m = e as MfaError;
  return { code: m.code, message: m.message, target: m.target, exitCode: m.exitCode, remedy: m.remedy };
}

/** Every local file of the host a backup copies, by the host's own listing: the size estimate's oracle. */
async function hostFileSizes(sample: Sample): Promise<{ ws: ReturnType<typeof workspace>; sizes: number[] }> {
  const ws = workspace(sample);
  const probe = join(ws.root, 'probe');
  // Which files: those a backup lists with their original path; their sizes: the host's own.
  const image = await openImageHost(ws.host);
  await takeBackup(image, { out: probe });
  const sizes = manifestOf(probe).files.flatMap((f) => (f.original === null ? [] : [statSync(image.paths.local(f.original)).size]));
  return { ws, sizes };
}

/** Padmé, as docs/backup-bundle.md states it, computed here rather than with the writer's own function. */
function padme(n: number): number {
  if (n <= 4096) return 4096;
  const e = Math.floor(Math.log2(n));
  const s = Math.floor(Math.log2(e)) + 1;
  const lastBits = Math.max(e - s, 12);
  const mask = 2 ** lastBits - 1;
  return Math.floor((n + mask) / 2 ** lastBits) * 2 ** lastBits;
}

test('an existing bundle folder (or a file, or a dangling link) is refused before anything is looked at: its words, nothing stopped, nothing written', async (t) => {
  for (const kind of ['folder', 'file', 'dangling link'] as const) {
    const ws = workspace('mfa-7.0');
    t.teardown(ws.cleanup);
    if (kind === 'folder') {
      mkdirSync(ws.bundle);
      writeFileSync(join(ws.bundle, 'keep.txt'), 'an earlier bundle');
    } else if (kind === 'file') writeFileSync(ws.bundle, 'a file');
    else symlinkSync(join(ws.root, 'nowhere'), ws.bundle);
    const image = await openImageHost(ws.host);
    const stopped: string[] = [];
    const realStop = image.services.stop.bind(image.services);
    image.services.stop = async (name: string) => {
      stopped.push(name);
      return realStop(name);
    };
    const before = strictHostState(ws.host);
    const listing = readdirSync(ws.root).sort();
    const e = await t.throwsAsync(takeBackup(image, { out: ws.bundle }));
    t.deepEqual(refusal(e), {
      code: 'BUNDLE_EXISTS',
      message: 'the bundle folder already exists: a backup never overwrites an earlier one',
      target: ws.bundle,
      exitCode: ExitCode.badInput,
      remedy: 'Choose a new --out folder.',
    }, kind);
    t.deepEqual(stopped, [], `${kind}: no service stopped`);
    t.deepEqual(strictHostDifferences(ws.host, before), [], kind);
    t.deepEqual(readdirSync(ws.root).sort(), listing, `${kind}: no .partial, nothing else`);
    if (kind === 'folder') t.is(readFileSync(join(ws.bundle, 'keep.txt'), 'utf8'), 'an earlier bundle');
  }
});

test('a bundle folder that appears while the backup runs is not replaced: BUNDLE_EXISTS in its own words, the folder as it appeared, no .partial', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const before = strictHostState(ws.host);
  const disk = diskWith(() => localBundleFs.freeSpace(ws.root), (path) => {
    if (path.endsWith('/manifest.seal')) {
      mkdirSync(ws.bundle);
      writeFileSync(join(ws.bundle, 'theirs.txt'), 'someone else');
    }
  });
  const e = await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle, fs: disk }));
  t.deepEqual(refusal(e), {
    code: 'BUNDLE_EXISTS',
    message: 'the bundle folder appeared while the backup ran',
    target: ws.bundle,
    exitCode: ExitCode.badInput,
    remedy: 'Choose a new --out folder.',
  });
  t.deepEqual(readdirSync(ws.bundle), ['theirs.txt']);
  t.is(readFileSync(join(ws.bundle, 'theirs.txt'), 'utf8'), 'someone else');
  t.false(existsSync(`${ws.bundle}.partial`));
  t.deepEqual(strictHostDifferences(ws.host, before), []);
});

for (const encrypted of [false, true]) {
  const label = encrypted ? 'encrypted' : 'plain';
  test(`free space (${label}): the estimate is the host files' ${encrypted ? 'padded, encrypted ' : ''}sizes plus 16 MiB; one byte less is DISK_FULL before anything is written, exactly enough is a backup`, async (t) => {
    const { ws, sizes } = await hostFileSizes('mfa-7.0');
    t.teardown(ws.cleanup);
    // Stored sizes are what lands on disk: the plain size, or Padmé-padded plus an 8-byte magic,
    // a 12-byte nonce and a 16-byte tag (docs/backup-bundle.md).
    const needed = sizes.reduce((n, s) => n + (encrypted ? padme(s) + ENC_EXTRA : s), 0) + 16 * MiB;
    const passphrase = encrypted ? { passphrase: 'correct horse battery staple' } : {};
    const before = strictHostState(ws.host);
    const asked: string[] = [];
    const short = diskWith(async () => needed - 1, (p) => asked.push(p));
    const e = await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle, fs: short, scrypt: TEST_SCRYPT, ...passphrase }));
    const { formatBytes } = await import('../../lib/util/format-bytes.js');
    t.deepEqual(refusal(e), {
      code: 'DISK_FULL',
      message: `the disk holding the bundle has ${formatBytes(needed - 1)} free and the backup needs about ${formatBytes(needed)}`,
      target: dirname(ws.bundle),
      exitCode: ExitCode.fatal,
      remedy: 'Free space there or choose another --out; nothing was changed.',
    });
    t.deepEqual(asked, [], 'no file was created');
    t.false(existsSync(`${ws.bundle}.partial`));
    t.deepEqual(strictHostDifferences(ws.host, before), []);

    const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle, fs: diskWith(async () => needed), scrypt: TEST_SCRYPT, ...passphrase });
    t.true(r.verification.ok);
    t.is(r.encrypted, encrypted);
    if (encrypted) {
      const stored = r.manifest.files.filter((f) => f.original !== null).map((f) => f.storedSize);
      t.deepEqual(stored, sizes.map((s) => padme(s) + ENC_EXTRA), 'the oracle\'s stored sizes are the bundle\'s');
    }
  });
}

test('free space that cannot be measured (or whose measure fails) is said, with the estimate, and the backup goes on', async (t) => {
  for (const [name, free] of [['unknown', async () => undefined], ['failing', async () => Promise.reject(new Error('EPERM'))]] as const) {
    const { ws, sizes } = await hostFileSizes('phonefactor-5.2');
    t.teardown(ws.cleanup);
    const output = recorder();
    const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle, fs: diskWith(free), output });
    t.true(r.verification.ok, name);
    const { formatBytes } = await import('../../lib/util/format-bytes.js');
    const needed = sizes.reduce((n, s) => n + s, 0) + 16 * MiB;
    t.true(output.lines.some(([l, m]) => l === 'warning' && m === `The free space of ${ws.root} cannot be measured here; the backup needs about ${formatBytes(needed)}.`), name);
  }
});

test('a bundle that does not verify after writing (a disk that changed a byte) is not kept: BACKUP_VERIFY_FAILED naming the file, no bundle, no .partial', async (t) => {
  for (const encrypted of [false, true]) {
    const ws = workspace('phonefactor-5.2');
    t.teardown(ws.cleanup);
    const before = strictHostState(ws.host);
    const e = await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle, fs: flipping(/\/snapshot\/services\.json(\.enc)?$/), scrypt: TEST_SCRYPT, ...(encrypted ? { passphrase: 'correct horse battery staple' } : {}) }));
    const r = refusal(e);
    const stored = encrypted ? 'snapshot/services.json.enc' : 'snapshot/services.json';
    t.is(r.code, 'BACKUP_VERIFY_FAILED');
    t.true(r.message.startsWith(`the bundle did not verify after writing: ${stored} `), r.message);
    t.false(r.message.includes(';'), 'one file was damaged: one problem');
    t.is(r.target, `${ws.bundle}.partial`);
    t.is(r.exitCode, ExitCode.fatal);
    t.is(r.remedy, 'Check the disk the bundle is written to, then back up again.');
    t.false(existsSync(ws.bundle));
    t.false(existsSync(`${ws.bundle}.partial`));
    t.deepEqual(strictHostDifferences(ws.host, before), [], 'services running again');
  }
});

test('two files damaged on the way to the disk: each named in the refusal, in bundle order, one problem after another', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const r = refusal(await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle, fs: flipping(/\/snapshot\/(services|products)\.json$/) })));
  t.is(r.code, 'BACKUP_VERIFY_FAILED');
  const problems = r.message.replace(/^the bundle did not verify after writing: /, '').split('; ');
  t.deepEqual(problems.map((p) => p.split(' ')[0]), ['snapshot/products.json', 'snapshot/services.json'], r.message);
});

test('an encrypted backup verifies itself with its key: the ciphertext authenticated, the plaintext re-hashed', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const output = recorder();
  const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle, scrypt: TEST_SCRYPT, passphrase: 'correct horse battery staple', output });
  t.true(r.verification.ok);
  t.true(r.verification.encrypted);
  t.true(r.verification.authenticated, 'the seal (an HMAC) was checked, which needs the key');
  t.is(r.verification.bundle, ws.bundle);
});

test('an error after a service would not start again says both, and what to do first', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const image = await openImageHost(ws.host);
  const realStart = image.services.start.bind(image.services);
  const failure = new MfaError('service \'pfsvc\' failed to start (1053)', { code: 'WIN32_1053', target: 'pfsvc', remedy: 'Look in the System event log.' });
  image.services.start = async (name: string) => {
    if (name === 'pfsvc') throw failure;
    return realStart(name);
  };
  // The disk fills on the snapshot's products.json, which is written after the data file.
  const disk: BundleFs = {
    async create(path) {
      if (path.split(sep).join('/').endsWith('/snapshot/products.json')) {
        const err = new Error('ENOSPC: no space left on device, open') as NodeJS.ErrnoException;
        err.code = 'ENOSPC';
        throw err;
      }
      return localBundleFs.create(path);
    },
    freeSpace: (dir) => localBundleFs.freeSpace(dir),
    mkdir: (dir) => localBundleFs.mkdir(dir),
  };
  const e = (await t.throwsAsync(takeBackup(image, { out: ws.bundle, fs: disk }))) as MfaError;
  const products = join(`${ws.bundle}.partial`, 'snapshot', 'products.json');
  t.deepEqual(refusal(e), {
    code: 'DISK_FULL',
    message: 'the disk holding the bundle is full; and pfsvc could not be started again',
    target: products,
    exitCode: ExitCode.fatal,
    remedy: 'Start pfsvc (Start-Service) first. Free space there or choose another --out on a volume with room; nothing on the host was changed and the unfinished bundle was removed.',
  });
  t.is((e.cause as MfaError).code, 'DISK_FULL', 'the disk error is kept as the cause');
  t.false(existsSync(`${ws.bundle}.partial`));
});

test('a service that would not start again is reported with the service\'s own words (an MfaError in full, any other error as it prints)', async (t) => {
  for (const [name, failure, message] of [
    ['MfaError', new MfaError('failed to start (1053)', { code: 'WIN32_1053', target: 'pfsvc', remedy: 'Look in the System event log.' }), 'pfsvc: failed to start (1053)\n  What to do: Look in the System event log.'],
    ['Error', new Error('the RPC server is unavailable'), 'Error: the RPC server is unavailable'],
  ] as const) {
    const ws = workspace('phonefactor-5.2');
    t.teardown(ws.cleanup);
    const image = await openImageHost(ws.host);
    const realStart = image.services.start.bind(image.services);
    image.services.start = async (svc: string) => {
      if (svc === 'pfsvc') throw failure;
      return realStart(svc);
    };
    const r = await takeBackup(image, { out: ws.bundle });
    t.deepEqual(r.restartFailures, [{ service: 'pfsvc', message }], name);
    t.true(r.verification.ok, name);
  }
});

test('the result: the bundle, its files, the bytes of the host files, plain or encrypted, the digest of the manifest, how long it took', async (t) => {
  for (const encrypted of [false, true]) {
    const { ws, sizes } = await hostFileSizes('mfa-7.0');
    t.teardown(ws.cleanup);
    const t0 = Date.now();
    const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle, scrypt: TEST_SCRYPT, ...(encrypted ? { passphrase: 'correct horse battery staple' } : {}) });
    const elapsed = Date.now() - t0;
    t.is(r.bundle, ws.bundle);
    t.is(r.encrypted, encrypted);
    t.is(r.bytes, sizes.reduce((n, s) => n + s, 0));
    t.is(r.files, manifestOf(ws.bundle).files.length);
    const { createHash } = await import('node:crypto');
    t.is(r.digest, `sha256:${createHash('sha256').update(readFileSync(join(ws.bundle, 'manifest.json'))).digest('hex')}`);
    t.true(r.durationMs >= 0 && r.durationMs <= elapsed, `${r.durationMs} within ${elapsed}`);
    t.deepEqual(r.restartFailures, []);
  }
});

test('the manifest keeps what the collection could not take (a cached package that is gone), as the collection said it', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const products = JSON.parse(readFileSync(join(ws.host, 'products.json'), 'utf8')) as Array<{ name: string; version: string; localPackage: string }>;
  const portal = products.find((p) => p.name === 'Multi-Factor Authentication User Portal');
  if (!portal) throw new Error('the sample has no User Portal product');
  const image = await openImageHost(ws.host);
  await image.files.remove(portal.localPackage);
  const r = await takeBackup(image, { out: ws.bundle });
  t.deepEqual(r.manifest.notTaken.filter((n) => n.item.startsWith('cached package')), [{ item: `cached package of ${portal.name} ${portal.version}`, reason: `${portal.localPackage} does not exist` }]);
  t.false(r.manifest.files.some((f) => f.original?.toLowerCase() === portal.localPackage.toLowerCase()));
});

test('registry.reg holds the service keys of the server\'s services and of W3SVC, WAS and adfssrv, and no other service', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const keys = ['MultiFactorAuth', 'W3SVC', 'WAS', 'Spooler', 'W3SVCX', 'XWAS'];
  const text = keys.map((k) => `[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\${k}]\r\n"DisplayName"="${k} here"\r\n\r\n`).join('');
  appendFileSync(join(ws.host, 'registry.reg'), Buffer.from(text, 'utf16le'));
  // Services whose names only contain a well-known one are not well known.
  const servicesPath = join(ws.host, 'services.json');
  const list = JSON.parse(readFileSync(servicesPath, 'utf8')) as Array<Record<string, unknown>>;
  for (const name of ['W3SVCX', 'XWAS', 'Spooler']) list.push({ name, displayName: name, state: 'stopped', startType: 'manual', path: 'C:\\Windows\\x.exe' });
  writeFileSync(servicesPath, JSON.stringify(list));
  const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
  t.true(r.verification.ok);
  const reg = readFileSync(join(ws.bundle, 'snapshot', 'registry.reg')).toString(readFileSync(join(ws.bundle, 'snapshot', 'registry.reg'))[0] === 0xff ? 'utf16le' : 'utf8');
  const services = [...reg.matchAll(/^\[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\([^\]\\]+)\]/gm)].map((m) => m[1]).sort();
  t.deepEqual(services, ['MultiFactorAuth', 'W3SVC', 'WAS']);
  t.true(reg.includes('"DisplayName"="W3SVC here"'));
});

test('adfs.json: adminName only where AD FS shows one other than the name, the exported configuration only on the registered adapter', async (t) => {
  const ws = workspace('mfa-8.0-adfs');
  t.teardown(ws.cleanup);
  const path = join(ws.host, 'adfs.json');
  const state = JSON.parse(readFileSync(path, 'utf8')) as { providers: Array<Record<string, string>> };
  const config = Buffer.from('<config><LogLevel>Info</LogLevel></config>');
  state.providers = [
    { name: 'FormsAuthentication', adminName: 'FormsAuthentication', typeName: 'Forms' },
    { name: 'CertificateAuthentication', typeName: 'Certificate' },
    { name: 'AzureMfaServerAuthentication', adminName: 'Azure Multi-Factor Authentication Server', typeName: 'pfadfs.AuthenticationAdapter, MultiFactorAuthAdfsAdapter, Version=8.0.0.3', configurationData: config.toString('base64') },
    { name: 'OtherAdapter', adminName: 'Other', typeName: 'Other, Other', configurationData: Buffer.from('<other/>').toString('base64') },
  ];
  writeFileSync(path, JSON.stringify(state));
  const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
  t.true(r.verification.ok);
  const adfs = JSON.parse(readFileSync(join(ws.bundle, 'snapshot', 'adfs.json'), 'utf8')) as { providers: unknown[] };
  t.deepEqual(adfs.providers, [
    { name: 'FormsAuthentication', typeName: 'Forms' },
    { name: 'CertificateAuthentication', typeName: 'Certificate' },
    { name: 'AzureMfaServerAuthentication', adminName: 'Azure Multi-Factor Authentication Server', typeName: 'pfadfs.AuthenticationAdapter, MultiFactorAuthAdfsAdapter, Version=8.0.0.3', configurationData: config.toString('base64') },
    { name: 'OtherAdapter', adminName: 'Other', typeName: 'Other, Other' },
  ]);
  t.deepEqual(readFileSync(join(ws.bundle, 'extra', 'adfs', 'AzureMfaServerAuthentication.config')), config);
});

test('a host that is not an AD FS server gets no adfs.json', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
  t.false(existsSync(join(ws.bundle, 'snapshot', 'adfs.json')));
  t.false(r.manifest.files.some((f) => f.stored.startsWith('snapshot/adfs')));
});

test('an AD FS export of exactly 16 MiB is taken (the limit is what is larger)', async (t) => {
  const ws = workspace('mfa-8.0-adfs');
  t.teardown(ws.cleanup);
  const path = join(ws.host, 'adfs.json');
  const state = JSON.parse(readFileSync(path, 'utf8')) as { providers: Array<Record<string, string>> };
  const config = Buffer.alloc(16 * MiB, 0x41);
  for (const p of state.providers) if (p['name'] === 'AzureMfaServerAuthentication') p['configurationData'] = config.toString('base64');
  writeFileSync(path, JSON.stringify(state));
  const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
  t.deepEqual(r.manifest.files.filter((f) => f.tags.includes('adfsExport')).map((f) => [f.stored, f.size]), [['extra/adfs/AzureMfaServerAuthentication.config', 16 * MiB]]);
  t.false(r.manifest.notTaken.some((n) => n.item.startsWith('adapter configuration exported')));
});

test('host.json: what the machine reports, each outside name reachable only when it answered (a failed probe is unreachable), and no reachability where there is no network port', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const image = await openImageHost(ws.host);
  const hostJson = JSON.parse(readFileSync(join(ws.host, 'host.json'), 'utf8')) as Record<string, unknown>;
  const network: Network = {
    canConnect: async (name) => {
      if (name === 'pfd2.phonefactor.net') throw new Error('the probe failed');
      return name === 'pfd.phonefactor.net';
    },
    httpProbe: (url, timeoutMs) => image.network.httpProbe(url, timeoutMs),
  };
  await takeBackup(withPort(image, 'network', network), { out: ws.bundle });
  t.deepEqual(JSON.parse(readFileSync(join(ws.bundle, 'snapshot', 'host.json'), 'utf8')), { ...hostJson, reachable: { 'pfd.phonefactor.net': true, 'pfd2.phonefactor.net': false, 'css.phonefactor.net': false } });

  const none = join(ws.root, 'none');
  await takeBackup(withPort(await openImageHost(ws.host), 'network', undefined), { out: none });
  const { reachable: _r, ...rest } = hostJson;
  t.deepEqual(JSON.parse(readFileSync(join(none, 'snapshot', 'host.json'), 'utf8')), rest);
});

test('the AD FS export goes to a file of this process under the Windows Temp folder, is removed, and is said', async (t) => {
  const ws = workspace('mfa-8.0-adfs');
  t.teardown(ws.cleanup);
  // Every Windows has its Temp folder; the sample image does not carry the empty folder.
  mkdirSync(join(ws.host, 'drive/C/Windows/Temp'), { recursive: true });
  const before = strictHostState(ws.host);
  const exports: string[] = [];
  const image = await openImageHost(ws.host);
  const host = withPowerShell(image, (command, parameters, inner) => {
    if (command === 'Export-AdfsAuthenticationProviderConfigurationData') exports.push(String(parameters?.['FilePath']));
    return inner(command, parameters);
  });
  const output = recorder();
  await takeBackup(host, { out: ws.bundle, output });
  t.is(exports.length, 1);
  t.regex(exports[0] ?? '', new RegExp(`^C:\\\\Windows\\\\Temp\\\\mfa-upgrade-adfs-export-${process.pid}-\\d+\\.config$`));
  t.falsy(await image.files.stat(exports[0] ?? ''), 'the exported file is removed');
  t.deepEqual(strictHostDifferences(ws.host, before), [], 'nothing left on the host');
  t.true(output.lines.some(([l, m]) => l === 'verbose' && m === 'Exported the AzureMfaServerAuthentication configuration from AD FS'), JSON.stringify(output.lines));
});

test('an adapter installed but not registered in AD FS: nothing exported, the manifest says why in words', async (t) => {
  const ws = workspace('mfa-8.0-adfs');
  t.teardown(ws.cleanup);
  const path = join(ws.host, 'adfs.json');
  const state = JSON.parse(readFileSync(path, 'utf8')) as { providers: Array<Record<string, string>> };
  state.providers = state.providers.filter((p) => p['name'] !== 'AzureMfaServerAuthentication');
  writeFileSync(path, JSON.stringify(state));
  const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
  t.deepEqual(r.manifest.notTaken.filter((n) => n.item.startsWith('adapter configuration')), [
    { item: 'adapter configuration exported from AD FS', reason: 'no MFA Server provider (WindowsAzureMultiFactorAuthentication or AzureMfaServerAuthentication) is registered in AD FS on this host, or it is not an AD FS server' },
  ]);
  t.false(existsSync(join(ws.bundle, 'extra', 'adfs')));
});

test('adfs.json: a provider AD FS reports with no type name (a built-in one, as Get-AdfsAuthenticationProvider shows it) gets an empty one', async (t) => {
  const ws = workspace('mfa-8.0-adfs');
  t.teardown(ws.cleanup);
  const host = withPowerShell(await openImageHost(ws.host), async (command, parameters, inner) => {
    const out = await inner(command, parameters);
    if (command !== 'Get-AdfsAuthenticationProvider') return out;
    return [...out, { Name: 'Untyped', AdminName: 'Untyped' }];
  });
  await takeBackup(host, { out: ws.bundle });
  const adfs = JSON.parse(readFileSync(join(ws.bundle, 'snapshot', 'adfs.json'), 'utf8')) as { providers: unknown[] };
  t.deepEqual(adfs.providers.at(-1), { name: 'Untyped', typeName: '' });
});

test('host.json: the free space is that of the system drive C:, not of another drive', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const asked: string[] = [];
  const host = withFiles(await openImageHost(ws.host), {
    freeSpace: async (p: string) => {
      asked.push(p);
      return p === 'C:\\' ? 123456789 : 1;
    },
  });
  await takeBackup(host, { out: ws.bundle });
  t.is((JSON.parse(readFileSync(join(ws.bundle, 'snapshot', 'host.json'), 'utf8')) as Record<string, unknown>)['freeDiskBytes'], 123456789);
  t.true(asked.includes('C:\\'));
});

test('the services are stopped with the reason said, and the manifest lists them', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const output = recorder();
  const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle, output });
  t.deepEqual(output.lines.filter(([, m]) => m.startsWith('Stopping ')), [['info', 'Stopping pfsvc (so the data file is copied in a consistent state)']]);
  t.deepEqual(r.manifest.consistency, { method: 'services-stopped', stopped: ['pfsvc'] });
});

test('an error with no remedy of its own after two services would not start again: both named, in the order they were tried, and the one thing to do', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const image = await openImageHost(ws.host);
  const tried: string[] = [];
  image.services.start = async (name: string) => {
    tried.push(name);
    throw new Error(`${name} did not start`);
  };
  const disk: BundleFs = {
    async create(path) {
      if (path.split(sep).join('/').endsWith('/snapshot/products.json')) throw Object.assign(new Error('i/o error'), { code: 'EIO' });
      return localBundleFs.create(path);
    },
    freeSpace: (dir) => localBundleFs.freeSpace(dir),
    mkdir: (dir) => localBundleFs.mkdir(dir),
  };
  const e = refusal(await t.throwsAsync(takeBackup(image, { out: ws.bundle, fs: disk })));
  t.is(tried.length, 2, tried.join(', '));
  t.is(e.code, 'BUNDLE_WRITE');
  t.is(e.message, `cannot write the bundle: i/o error; and ${tried.join(', ')} could not be started again`);
  t.is(e.remedy, `Start ${tried.join(', ')} (Start-Service) first.`);
  t.false(existsSync(`${ws.bundle}.partial`));
});

test('an encrypted bundle records the scrypt cost it was made with', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle, scrypt: TEST_SCRYPT, passphrase: 'correct horse battery staple' });
  const kdf = r.manifest.encryption?.kdf;
  t.deepEqual({ N: kdf?.N, r: kdf?.r, p: kdf?.p }, TEST_SCRYPT);
});

test('a passphrase too short for a new bundle is refused naming --passphrase-file, before anything is stopped or written', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const before = strictHostState(ws.host);
  const e = refusal(await t.throwsAsync(takeBackup(await openImageHost(ws.host), { out: ws.bundle, passphrase: 'short' })));
  t.is(e.code, 'PASSPHRASE_WEAK');
  t.is(e.target, '--passphrase-file');
  t.false(existsSync(ws.bundle));
  t.deepEqual(strictHostDifferences(ws.host, before), []);
});
