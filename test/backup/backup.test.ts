// What a bundle holds, on each sample host: the Data folder, web.configs, themes, the AD FS
// adapter config and its AD FS export, the PhoneFactor key of both views, a snapshot that is an
// image host of the machine (its inventory equals the original's), and a manifest of it all.
import test from 'ava';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION } from '../../lib/backup/format.js';
import { takeBackup } from '../../lib/backup/take-backup.js';
import { decodeRegBytes } from '../../lib/host/image/reg-file.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { takeInventory } from '../../lib/inventory/take-inventory.js';
import { runChecks } from '../../lib/readiness/run-checks.js';
import { backupSpec } from '../../lib/cli/commands/backup.spec.js';
import type { Reporter } from '../../lib/reporting/reporter.js';
import { treeHash } from '../helpers/tree-hash.js';
import { backupOf, fileSha, manifestOf, runCommand, SAMPLES, withFiles, withPowerShell, workspace } from './helpers.js';


for (const sample of SAMPLES) {
  test(`${sample}: every file of the manifest is the host's file, byte for byte, with its original path, size and SHA-256`, async (t) => {
    const ws = await backupOf(sample);
    try {
      const m = manifestOf(ws.bundle);
      t.is(m.format, BUNDLE_FORMAT);
      t.is(m.formatVersion, BUNDLE_FORMAT_VERSION);
      t.is(m.tool.name, 'mfa-upgrade');
      t.truthy(m.tool.version);
      t.false(Number.isNaN(Date.parse(m.createdAt)));
      t.is(m.host.computerName, JSON.parse(readFileSync(join(ws.host, 'host.json'), 'utf8')).computerName);
      const image = await openImageHost(ws.host);
      for (const f of m.files) {
        const stored = join(ws.bundle, ...f.stored.split('/'));
        t.is(statSync(stored).size, f.size as number, f.stored);
        t.is(fileSha(stored), f.sha256 as string, f.stored);
        if (f.original !== null) t.is(fileSha(image.paths.local(f.original)), f.sha256 as string, f.original);
      }
      t.true(ws.result.verification.ok);
    } finally {
      ws.cleanup();
    }
  });

  test(`${sample}: the snapshot is an image host whose inventory equals the original's (except its location)`, async (t) => {
    const ws = await backupOf(sample);
    try {
      const original = await takeInventory(await openImageHost(ws.host));
      const snapshot = await takeInventory(await openImageHost(join(ws.bundle, 'snapshot')));
      t.deepEqual({ ...snapshot, host: { ...snapshot.host, location: '-' } }, { ...original, host: { ...original.host, location: '-' } });
      // The readiness checks read the same facts there too (the rehearsal's starting point).
      const checks = async (dir: string) => {
        const host = await openImageHost(dir);
        return runChecks({ host, inventory: await takeInventory(host), targetMajor: 8 });
      };
      t.deepEqual(await checks(join(ws.bundle, 'snapshot')), await checks(ws.host));
    } finally {
      ws.cleanup();
    }
  });

  test(`${sample}: the data file is stored once, and the snapshot's data file is that entry`, async (t) => {
    const ws = await backupOf(sample);
    try {
      const m = manifestOf(ws.bundle);
      const data = m.files.filter((f) => f.tags.includes('data'));
      t.true(data.length >= 1);
      const inv = await takeInventory(await openImageHost(ws.host));
      const entry = data.find((f) => f.original?.toLowerCase() === inv.server?.dataFile.path.toLowerCase());
      t.truthy(entry);
      t.true(entry?.stored.startsWith('snapshot/drive/C/'));
      t.is(m.files.filter((f) => f.sha256 === entry?.sha256).length, 1, 'one stored copy');
      t.deepEqual(m.groups.find((g) => g.kind === 'data'), { kind: 'data', original: inv.server?.dataFile.path.replace(/\\[^\\]+$/, '') });
      const snapInv = await takeInventory(await openImageHost(join(ws.bundle, 'snapshot')));
      const local = (await openImageHost(join(ws.bundle, 'snapshot'))).paths.local(snapInv.server?.dataFile.path as string);
      t.is(local, join(ws.bundle, ...(entry?.stored.split('/') ?? [])));
    } finally {
      ws.cleanup();
    }
  });

  test(`${sample}: backing up leaves the host as it was (services included) and never shows a .partial`, async (t) => {
    const ws = workspace(sample);
    try {
      const before = treeHash(ws.host);
      await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
      t.deepEqual(treeHash(ws.host), before);
      t.false(existsSync(`${ws.bundle}.partial`));
      t.true(existsSync(join(ws.bundle, 'manifest.json')));
    } finally {
      ws.cleanup();
    }
  });
}

test('phonefactor-5.2: web.configs of all three components, both themes (Contoso and Default), the registry key of each view', async (t) => {
  const ws = await backupOf('phonefactor-5.2');
  try {
    const m = manifestOf(ws.bundle);
    const configs = m.files.filter((f) => f.tags.includes('webConfig')).map((f) => f.original).sort();
    t.deepEqual(configs, [
      'C:\\inetpub\\wwwroot\\PhoneFactorPhoneAppWebService\\web.config',
      'C:\\inetpub\\wwwroot\\PhoneFactorWebServiceSdk\\web.config',
      'C:\\inetpub\\wwwroot\\PhoneFactor\\web.config',
    ]);
    const themes = m.groups.filter((g) => g.kind === 'theme').map((g) => (g as { name: string }).name).sort();
    t.deepEqual(themes, ['Contoso', 'Default']);
    t.true(m.files.some((f) => f.original === 'C:\\inetpub\\wwwroot\\PhoneFactor\\App_Themes\\Contoso\\images\\contoso-logo.png' && f.tags.includes('theme')));
    t.true(m.directories.some((d) => d.original === 'C:\\inetpub\\wwwroot\\PhoneFactor\\App_Themes\\Default'));
    t.true(existsSync(join(ws.bundle, 'snapshot/drive/C/inetpub/wwwroot/PhoneFactor/App_Themes/Default')));
    // The 5.2 agent is 32-bit: its key lives in the WOW64 view only.
    const reg32 = decodeRegBytes(readFileSync(join(ws.bundle, 'extra/registry/PhoneFactor.32-bit.reg')));
    t.regex(reg32, /^Windows Registry Editor Version 5\.00\r\n/);
    t.regex(reg32, /\[HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Positive Networks\\PhoneFactor\]/);
    t.regex(reg32, /"InstallPath"="C:\\\\Program Files\\\\PhoneFactor\\\\"/);
    t.false(existsSync(join(ws.bundle, 'extra/registry/PhoneFactor.64-bit.reg')));
    t.true(m.notTaken.some((n) => /64-bit view/.test(n.item) && /does not exist/.test(n.reason)));
    // Install folder: non-binary files and the current log, no program binaries.
    t.true(m.files.some((f) => f.original === 'C:\\Program Files\\PhoneFactor\\Logs\\pfsvc.log'));
    t.false(m.files.some((f) => /\.exe$/i.test(f.original ?? '')));
    // The cached packages of the four PhoneFactor products.
    t.is(m.files.filter((f) => f.tags.includes('cachedPackage')).length, 4);
    t.is(m.role, 'unknown');
    t.deepEqual(m.consistency, { method: 'services-stopped', stopped: ['pfsvc'] });
  } finally {
    ws.cleanup();
  }
});

test('mfa-7.0: applicationHost.config and the configSource file it points to are in the snapshot', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const m = manifestOf(ws.bundle);
    const iis = m.files.filter((f) => f.tags.includes('iisConfig')).map((f) => f.original).sort();
    t.deepEqual(iis, ['C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config', 'C:\\Windows\\System32\\inetsrv\\config\\sites.config']);
    t.deepEqual(m.consistency.stopped, ['MultiFactorAuthAdSync', 'MultiFactorAuth']);
  } finally {
    ws.cleanup();
  }
});

test('mfa-8.0-adfs: the adapter config, its scripts, and the configuration exported from AD FS through the PowerShell port', async (t) => {
  const ws = workspace('mfa-8.0-adfs');
  try {
    // Give the registered provider configuration data, as AD FS would hold after registration.
    const adfsPath = join(ws.host, 'adfs.json');
    const adfs = JSON.parse(readFileSync(adfsPath, 'utf8')) as { providers: Array<{ name: string; configurationData?: string }> };
    const exported = '<Config><WebServiceSdkUrl>https://mfa/x</WebServiceSdkUrl></Config>';
    (adfs.providers.find((p) => p.name === 'AzureMfaServerAuthentication') as { configurationData?: string }).configurationData = Buffer.from(exported).toString('base64');
    (await import('node:fs')).writeFileSync(adfsPath, JSON.stringify(adfs, null, 2));
    const before = treeHash(ws.host);
    const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
    const m = r.manifest;
    t.true(m.files.some((f) => f.tags.includes('adfsAdapterConfig') && /MultiFactorAuthenticationAdfsAdapter\.config$/.test(f.original ?? '')));
    t.is(m.files.filter((f) => f.tags.includes('adfsAdapterScript')).length, 2);
    const exp = m.files.find((f) => f.tags.includes('adfsExport'));
    t.is(exp?.stored, 'extra/adfs/AzureMfaServerAuthentication.config');
    t.is(readFileSync(join(ws.bundle, 'extra/adfs/AzureMfaServerAuthentication.config'), 'utf8'), exported);
    t.false(m.notTaken.some((n) => /AD FS/.test(n.item)));
    // The snapshot's AD FS state carries it, and the export file left nothing behind on the host.
    const snapAdfs = JSON.parse(readFileSync(join(ws.bundle, 'snapshot/adfs.json'), 'utf8')) as { providers: Array<{ name: string; configurationData?: string }> };
    t.is(snapAdfs.providers.find((p) => p.name === 'AzureMfaServerAuthentication')?.configurationData, Buffer.from(exported).toString('base64'));
    t.deepEqual(treeHash(ws.host), before);
  } finally {
    ws.cleanup();
  }
});

test('mfa-8.0-adfs: where the PowerShell port cannot export, the bundle says the export was not taken and why', async (t) => {
  const ws = workspace('mfa-8.0-adfs');
  try {
    const image = await openImageHost(ws.host);
    const { MfaError } = await import('../../lib/errors.js');
    const host = withPowerShell(image, async (command, parameters) => {
      if (/^export-/i.test(command)) throw new MfaError(`${command} is not available on an image host yet`, { code: 'PS_NOT_SUPPORTED', target: command });
      return image.powershell.invoke(command, parameters);
    });
    const r = await takeBackup(host, { out: ws.bundle });
    const n = r.manifest.notTaken.find((x) => /exported from AD FS/.test(x.item));
    t.truthy(n);
    t.regex(n?.reason ?? '', /PS_NOT_SUPPORTED/);
    t.false(r.manifest.files.some((f) => f.tags.includes('adfsExport')));
    t.true(r.verification.ok);
  } finally {
    ws.cleanup();
  }
});

test('a backup never overwrites an earlier bundle, and refuses a folder it did not write as a .partial', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const before = treeHash(ws.bundle);
    const again = await runCommand(backupSpec, ['--out', ws.bundle, '--host', ws.host, '--json']);
    t.is(again.code, 3);
    t.is(again.events.find((e) => e['type'] === 'error')?.['code'], 'BUNDLE_EXISTS');
    t.deepEqual(treeHash(ws.bundle), before);
    const other = join(ws.root, 'other');
    (await import('node:fs')).mkdirSync(`${other}.partial`);
    (await import('node:fs')).writeFileSync(join(`${other}.partial`, 'precious.txt'), 'x');
    const r = await runCommand(backupSpec, ['--out', other, '--host', ws.host, '--json']);
    t.is(r.code, 3);
    t.true(existsSync(join(`${other}.partial`, 'precious.txt')));
  } finally {
    ws.cleanup();
  }
});

test('a stale .partial left by an interrupted backup is cleared and the backup completes', async (t) => {
  const ws = workspace('mfa-7.0');
  try {
    const fs = await import('node:fs');
    fs.mkdirSync(`${ws.bundle}.partial`);
    fs.writeFileSync(join(`${ws.bundle}.partial`, '.mfa-upgrade-backup.lock'), '999999999\n');
    fs.writeFileSync(join(`${ws.bundle}.partial`, 'half-written.bin'), 'x');
    const r = await runCommand(backupSpec, ['--out', ws.bundle, '--host', ws.host, '--json']);
    t.is(r.code, 0);
    t.false(existsSync(`${ws.bundle}.partial`));
    t.false(existsSync(join(ws.bundle, 'half-written.bin')));
  } finally {
    ws.cleanup();
  }
});

test('the command: --json object, --what-if lists the files and changes nothing', async (t) => {
  const ws = workspace('phonefactor-5.2');
  try {
    const before = treeHash(ws.host);
    const w = await runCommand(backupSpec, ['--out', ws.bundle, '--host', ws.host, '--what-if', '--json']);
    t.is(w.code, 0);
    const plan = w.events.find((e) => e['type'] === 'object');
    t.is(plan?.['typeName'], 'MfaUpgrade.BackupPlan');
    t.deepEqual((plan?.['data'] as { toStop: string[] }).toStop, ['pfsvc']);
    t.false(existsSync(ws.bundle));
    t.deepEqual(treeHash(ws.host), before);

    const r = await runCommand(backupSpec, ['--out', ws.bundle, '--host', ws.host, '--json']);
    t.is(r.code, 0);
    const obj = r.events.find((e) => e['type'] === 'object');
    t.is(obj?.['typeName'], 'MfaUpgrade.BackupBundle');
    const data = obj?.['data'] as { verified: boolean; files: number; dataFile: string; encrypted: boolean };
    t.true(data.verified);
    t.false(data.encrypted);
    t.is(data.dataFile, 'C:\\Program Files\\PhoneFactor\\Data\\Phonefactor.pfdata');
    t.deepEqual(r.events.at(-1), { type: 'result', exitCode: 0 });

    const human = await runCommand(backupSpec, ['--out', join(ws.root, 'b2'), '--host', ws.host]);
    t.is(human.code, 0);
    t.regex(human.stdout, /Verified\s+yes/);
    t.regex(human.stdout, /copied with pfsvc stopped/);
  } finally {
    ws.cleanup();
  }
});

test('the bundle is readable by its owner only (0700 folders, 0600 files)', async (t) => {
  if (process.platform === 'win32') return t.pass();
  const ws = await backupOf('phonefactor-5.2');
  try {
    const walk = (dir: string): void => {
      t.is(statSync(dir).mode & 0o777, 0o700, dir);
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else t.is(statSync(p).mode & 0o777, 0o600, p);
      }
    };
    walk(ws.bundle);
  } finally {
    ws.cleanup();
  }
});

test('unknown --role values are refused', async (t) => {
  const r = await runCommand(backupSpec, ['--out', '/nonexistent/x', '--role', 'primary', '--json']);
  t.is(r.code, 2);
  t.false(isDeepStrictEqual(r.events, []));
});

test('mfa-8.0-adfs: an export that writes no file, or a file larger than an adapter configuration can be, is not taken, saying which; the bundle is complete without it and the host keeps no export file', async (t) => {
  for (const [name, stat, reason] of [
    ['no file', () => undefined, /^ADFS_EXPORT_EMPTY: the export wrote no file$/],
    ['a folder', () => ({ isDirectory: true, size: 0 }), /^ADFS_EXPORT_EMPTY: the export wrote no file$/],
    ['17 MiB', () => ({ isDirectory: false, size: 17 * 1024 * 1024 }), /^ADFS_EXPORT_TOO_LARGE: the export is 17(\.0)? MB, more than an adapter configuration can be$/],
  ] as const) {
    const ws = workspace('mfa-8.0-adfs');
    t.teardown(ws.cleanup);
    const image = await openImageHost(ws.host);
    const exports: string[] = [];
    const ps = withPowerShell(image, async (command, parameters) => {
      if (/^export-/i.test(command)) exports.push(String(parameters?.['FilePath']));
      return image.powershell.invoke(command, parameters);
    });
    const host = withFiles(ps, {
      stat: async (path: string) => (exports.includes(path) ? (stat() as Awaited<ReturnType<typeof image.files.stat>>) : image.files.stat(path)),
    });
    const warnings: string[] = [];
    const output: Reporter = { log: (level, m) => void (level === 'warning' && warnings.push(m)), progress: () => undefined, object: () => undefined };
    const r = await takeBackup(host, { out: ws.bundle, output });
    const n = r.manifest.notTaken.find((x) => x.item === 'adapter configuration exported from AD FS (AzureMfaServerAuthentication)');
    t.regex(n?.reason ?? '(not listed)', reason, name);
    t.false(r.manifest.files.some((f) => f.tags.includes('adfsExport')), name);
    t.true(warnings.some((w) => w.startsWith('The AzureMfaServerAuthentication configuration was not exported from AD FS (')), name);
    t.true(r.verification.ok, name);
    t.is(exports.length, 1, name);
    t.false(existsSync(image.paths.local(exports[0] as string)), `${name}: the export file is removed from the host`);
  }
});
