// restore: onto a copy of a sample host, the data file ends byte-identical to the original;
// services are stopped around it and left as found; web.configs and themes when asked; a bundle
// that fails verification is refused before anything is touched; a failed restore is undone.
import test from 'ava';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { restoreSpec } from '../../lib/cli/commands/backup.spec.js';
import { restoreBundle } from '../../lib/backup/restore.js';
import { MfaError } from '../../lib/errors.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { treeHash } from '../helpers/tree-hash.js';
import { backupOf, fileSha, notServices, runCommand, SAMPLES, withFiles } from './helpers.js';

const DATA: Record<string, string> = {
  'phonefactor-5.2': 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata',
  'mfa-7.0': 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata',
  'mfa-8.0-adfs': 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata',
};
const states = (hostDir: string) => Object.fromEntries((JSON.parse(readFileSync(join(hostDir, 'services.json'), 'utf8')) as Array<{ name: string; state: string }>).map((s) => [s.name, s.state]));

for (const sample of SAMPLES) {
  test(`${sample}: a restore onto a copy of the host leaves the data file byte-identical to the original`, async (t) => {
    const ws = await backupOf(sample);
    try {
      const original = fileSha(join('examples/hosts', sample, DATA[sample] as string));
      const dataPath = join(ws.host, DATA[sample] as string);
      // The users changed (or the file was damaged) after the backup.
      writeFileSync(dataPath, Buffer.alloc(4096, 0x42));
      const servicesBefore = states(ws.host);
      const r = await runCommand(restoreSpec, [ws.bundle, '--host', ws.host, '--json']);
      t.is(r.code, 0, r.stdout);
      t.is(fileSha(dataPath), original);
      t.deepEqual(treeHash(ws.host, notServices), treeHash(join('examples/hosts', sample), notServices));
      t.deepEqual(states(ws.host), servicesBefore);
      const result = r.events.find((e) => e['type'] === 'object')?.['data'] as { filesRestored: number; undoDir: string; actions: Array<{ kind: string; target: string }> };
      t.is(result.filesRestored, 1);
      t.deepEqual(result.actions.filter((a) => a.kind.endsWith('Service')).map((a) => a.kind)[0], 'stopService');
      // The replaced file is kept aside.
      t.truthy(result.undoDir);
      const undo = JSON.parse(readFileSync(join(result.undoDir, 'undo.json'), 'utf8')) as { restored: Array<{ target: string; previousContent: string }> };
      t.deepEqual(readFileSync(join(result.undoDir, undo.restored[0]?.previousContent as string)), Buffer.alloc(4096, 0x42));
    } finally {
      ws.cleanup();
    }
  });
}

test('the services are stopped while the data file is replaced, and started again', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const image = await openImageHost(ws.host);
    let statesAtWrite: Record<string, string> | undefined;
    const host = withFiles(image, {
      writeStreamAtomic: async (path: string, source: AsyncIterable<Uint8Array>) => {
        if (/\.pfdata$/i.test(path)) statesAtWrite = Object.fromEntries((await image.services.list()).map((s) => [s.name, s.state]));
        return image.files.writeStreamAtomic(path, source);
      },
    });
    await restoreBundle(host, ws.bundle);
    t.is(statesAtWrite?.['MultiFactorAuth'], 'stopped');
    t.is(statesAtWrite?.['MultiFactorAuthAdSync'], 'stopped');
    t.is(states(ws.host)['MultiFactorAuth'], 'running');
  } finally {
    ws.cleanup();
  }
});

test('--include web,themes puts back web.configs and theme folders; without it they are left alone', async (t) => {
  const ws = await backupOf('phonefactor-5.2');
  try {
    const portal = join(ws.host, 'drive/C/inetpub/wwwroot/PhoneFactor');
    const originalConfig = readFileSync(join(portal, 'web.config'));
    writeFileSync(join(portal, 'web.config'), '<configuration/>');
    rmSync(join(portal, 'App_Themes/Contoso'), { recursive: true });
    const plain = await runCommand(restoreSpec, [ws.bundle, '--host', ws.host, '--json']);
    t.is(plain.code, 0);
    t.is(readFileSync(join(portal, 'web.config'), 'utf8'), '<configuration/>');
    t.false(existsSync(join(portal, 'App_Themes/Contoso')));

    const r = await runCommand(restoreSpec, [ws.bundle, '--host', ws.host, '--include', 'web,themes', '--json']);
    t.is(r.code, 0, r.stdout);
    t.deepEqual(readFileSync(join(portal, 'web.config')), originalConfig);
    t.deepEqual(treeHash(join(portal, 'App_Themes')), treeHash('examples/hosts/phonefactor-5.2/drive/C/inetpub/wwwroot/PhoneFactor/App_Themes'));
    t.deepEqual(treeHash(ws.host, notServices), treeHash('examples/hosts/phonefactor-5.2', notServices));
  } finally {
    ws.cleanup();
  }
});

test('web.configs and themes go to the component where it now lives (a renamed vdir)', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    // Move the portal to another folder and vdir, as a reinstall under the new default name would.
    const cfgDir = join(ws.host, 'drive/C/Windows/System32/inetsrv/config');
    const sites = readFileSync(join(cfgDir, 'sites.config'), 'utf8');
    t.true(sites.includes('MFAPortal'));
    writeFileSync(join(cfgDir, 'sites.config'), sites.replaceAll('MFAPortal', 'MultiFactorAuth'));
    const fs = await import('node:fs');
    fs.renameSync(join(ws.host, 'drive/C/inetpub/wwwroot/MFAPortal'), join(ws.host, 'drive/C/inetpub/wwwroot/MultiFactorAuth'));
    writeFileSync(join(ws.host, 'drive/C/inetpub/wwwroot/MultiFactorAuth/web.config'), readFileSync('examples/hosts/mfa-7.0/drive/C/inetpub/wwwroot/MFAPortal/web.config', 'utf8').replace('<appSettings>', '<appSettings><!-- new -->'));
    await restoreBundle(await openImageHost(ws.host), ws.bundle, { include: { web: true, themes: true } });
    t.deepEqual(readFileSync(join(ws.host, 'drive/C/inetpub/wwwroot/MultiFactorAuth/web.config')), readFileSync('examples/hosts/mfa-7.0/drive/C/inetpub/wwwroot/MFAPortal/web.config'));
    t.false(existsSync(join(ws.host, 'drive/C/inetpub/wwwroot/MFAPortal')));
  } finally {
    ws.cleanup();
  }
});

test('--what-if lists the actions and changes nothing', async (t) => {
  const ws = await backupOf('phonefactor-5.2');
  try {
    writeFileSync(join(ws.host, DATA['phonefactor-5.2'] as string), 'changed');
    const before = treeHash(ws.root);
    const r = await runCommand(restoreSpec, [ws.bundle, '--host', ws.host, '--what-if', '--include', 'web,themes', '--json']);
    t.is(r.code, 0);
    const obj = r.events.find((e) => e['type'] === 'object');
    t.is(obj?.['typeName'], 'MfaUpgrade.RestorePlan');
    const actions = (obj?.['data'] as { actions: Array<{ kind: string; target: string; what?: string }> }).actions;
    t.deepEqual(actions[0], { kind: 'stopService', target: 'pfsvc' });
    t.true(actions.some((a) => a.kind === 'replaceFile' && a.what === 'data' && a.target === 'C:\\Program Files\\PhoneFactor\\Data\\Phonefactor.pfdata'));
    t.is(actions.filter((a) => a.what === 'webConfig').length, 3);
    t.deepEqual(actions.at(-1), { kind: 'startService', target: 'pfsvc' });
    t.deepEqual(treeHash(ws.root), before);
    const human = await runCommand(restoreSpec, [ws.bundle, '--host', ws.host, '--what-if']);
    t.regex(human.stdout, /What if: restoring/);
  } finally {
    ws.cleanup();
  }
});

test('a bundle that fails verification is refused before anything is touched (exit 3)', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const stored = join(ws.bundle, 'snapshot', DATA['mfa-7.0'] as string);
    const b = readFileSync(stored);
    b[10] = (b[10] as number) ^ 0xff;
    writeFileSync(stored, b);
    writeFileSync(join(ws.host, DATA['mfa-7.0'] as string), 'current');
    const before = treeHash(ws.root);
    const r = await runCommand(restoreSpec, [ws.bundle, '--host', ws.host, '--json']);
    t.is(r.code, 3);
    const err = r.events.find((e) => e['type'] === 'error');
    t.is(err?.['code'], 'BUNDLE_VERIFY_FAILED');
    t.regex(String(err?.['message']), /PhoneFactor\.pfdata/);
    t.deepEqual(treeHash(ws.root), before);
  } finally {
    ws.cleanup();
  }
});

test('a restore that fails half-way puts back what it replaced and starts the services', async (t) => {
  const ws = await backupOf('phonefactor-5.2');
  try {
    const portal = join(ws.host, 'drive/C/inetpub/wwwroot/PhoneFactor');
    writeFileSync(join(ws.host, DATA['phonefactor-5.2'] as string), 'current data');
    writeFileSync(join(portal, 'web.config'), '<configuration>current</configuration>');
    const before = treeHash(ws.host);
    const image = await openImageHost(ws.host);
    let writes = 0;
    const full = (): never => {
      const e = new Error('ENOSPC: no space left on device') as NodeJS.ErrnoException;
      e.code = 'ENOSPC';
      throw e;
    };
    const host = withFiles(image, {
      // The data file and one web.config go through; the next write fails (a full host disk).
      writeStreamAtomic: async (path: string, source: AsyncIterable<Uint8Array>) => (++writes === 3 ? full() : image.files.writeStreamAtomic(path, source)),
      writeFileAtomic: async (path: string, data: Uint8Array) => (++writes === 3 ? full() : image.files.writeFileAtomic(path, data)),
    });
    const e = await t.throwsAsync(restoreBundle(host, ws.bundle, { include: { web: true, themes: true } }));
    t.regex(e?.message ?? '', /ENOSPC|no space/);
    t.regex(e?.message ?? '', /put back/);
    image.services.reload();
    t.deepEqual(treeHash(ws.host), before);
    t.is(states(ws.host)['pfsvc'], 'running');
  } finally {
    ws.cleanup();
  }
});

test('a target without MFA Server is refused: it must be reinstalled and activated first', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    writeFileSync(join(ws.host, 'products.json'), '[]');
    const before = treeHash(ws.host);
    const e = await t.throwsAsync(restoreBundle(await openImageHost(ws.host), ws.bundle), { instanceOf: MfaError });
    t.is((e as MfaError).code, 'RESTORE_NO_SERVER');
    t.regex((e as MfaError).remedy ?? '', /Reinstall and activate MFA Server/);
    t.deepEqual(treeHash(ws.host), before);
  } finally {
    ws.cleanup();
  }
});

test('--include takes web and themes only', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const r = await runCommand(restoreSpec, [ws.bundle, '--host', ws.host, '--include', 'registry', '--json']);
    t.is(r.code, 2);
  } finally {
    ws.cleanup();
  }
});

test('restore progress: bytes-based events with the restore id', async (t) => {
  const ws = await backupOf('phonefactor-5.2');
  try {
    const r = await runCommand(restoreSpec, [ws.bundle, '--host', ws.host, '--json']);
    const progress = r.events.filter((e) => e['type'] === 'progress' && e['id'] === 3);
    t.true(progress.length >= 2);
    t.is(progress.at(-1)?.['completed'], true);
    t.is(progress.at(-1)?.['percent'], 100);
  } finally {
    ws.cleanup();
  }
});

test('an empty custom theme folder is backed up and created again by --include themes', async (t) => {
  const { workspace } = await import('./helpers.js');
  const { takeBackup } = await import('../../lib/backup/take-backup.js');
  const ws = workspace('phonefactor-5.2');
  try {
    const empty = join(ws.host, 'drive/C/inetpub/wwwroot/PhoneFactor/App_Themes/Fabrikam');
    (await import('node:fs')).mkdirSync(empty);
    const r = await takeBackup(await openImageHost(ws.host), { out: ws.bundle });
    t.true(r.manifest.groups.some((g) => g.kind === 'theme' && g.name === 'Fabrikam'));
    rmSync(empty, { recursive: true });
    const res = await restoreBundle(await openImageHost(ws.host), ws.bundle, { include: { web: false, themes: true } });
    t.true(res.actions.some((a) => a.kind === 'createFolder' && a.target.endsWith('App_Themes\\Fabrikam')));
    t.true(existsSync(empty));
  } finally {
    ws.cleanup();
  }
});
