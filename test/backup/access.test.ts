// The bundle as the upgrade executor reads it (BackupAccess): the original bytes of a file by
// its Windows path, the files under a folder, a cached package to reinstall from, a restore.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBundleAccess } from '../../lib/backup/bundle-access.js';
import { Output } from '../../lib/cli/output.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { treeHash } from '../helpers/tree-hash.js';
import { backupOf, workspace } from './helpers.js';

const quiet = () => new Output({ json: true, verbose: false, write: () => undefined, writeErr: () => undefined });

test('take, verify, readOriginal, listOriginal, cachedPackage, restore', async (t) => {
  const ws = workspace('phonefactor-5.2');
  try {
    const access = createBundleAccess();
    const { bundle, digest } = await access.take(await openImageHost(ws.host), join(ws.root, 'bundle'), quiet());
    t.regex(digest, /^sha256:[0-9a-f]{64}$/);
    t.is(bundle, join(ws.root, 'bundle'));
    await access.verify(bundle);
    const cfg = 'C:\\inetpub\\wwwroot\\PhoneFactor\\web.config';
    t.deepEqual(await access.readOriginal(bundle, cfg), readFileSync(join(ws.host, 'drive/C/inetpub/wwwroot/PhoneFactor/web.config')));
    t.deepEqual(await access.readOriginal(bundle, cfg.toUpperCase()), await access.readOriginal(bundle, cfg), 'Windows paths are case-insensitive');
    t.is(await access.readOriginal(bundle, 'C:\\nowhere.txt'), undefined);
    t.deepEqual(await access.listOriginal(bundle, 'C:\\inetpub\\wwwroot\\PhoneFactor\\App_Themes\\Contoso'), ['Contoso.css', 'images\\contoso-logo.png']);
    const pkg = await access.cachedPackage(bundle, '{A2C4E6F8-1B3D-4E5F-8A9B-C0D1E2F3A4B5}');
    t.is(pkg?.name, 'PhoneFactor User Portal');
    t.is(pkg?.version, '5.2.1.12');
    t.true(pkg?.path.startsWith(bundle));
    t.is(await access.cachedPackage(bundle, '{00000000-0000-0000-0000-000000000000}'), undefined);

    writeFileSync(join(ws.host, 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata'), 'lost');
    await access.restore(await openImageHost(ws.host), bundle, { web: false, themes: false }, quiet());
    const ignore = (rel: string) => rel === 'services.json';
    t.deepEqual(treeHash(ws.host, ignore), treeHash('examples/hosts/phonefactor-5.2', ignore));
  } finally {
    ws.cleanup();
  }
});

test('verify and readOriginal refuse an altered bundle', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const stored = join(ws.bundle, 'snapshot/drive/C/inetpub/wwwroot/MFAPortal/web.config');
    writeFileSync(stored, readFileSync(stored, 'utf8').replace('configuration', 'konfiguration'));
    const access = createBundleAccess();
    await t.throwsAsync(access.verify(ws.bundle), { message: /fails verification.*MFAPortal\/web\.config/ });
    await t.throwsAsync(access.readOriginal(ws.bundle, 'C:\\inetpub\\wwwroot\\MFAPortal\\web.config'), { message: /was altered/ });
  } finally {
    ws.cleanup();
  }
});

test('an encrypted bundle is read with the passphrase given to the access', async (t) => {
  const ws = await backupOf('mfa-7.0', { passphrase: 'a long enough passphrase' });
  try {
    const access = createBundleAccess({ passphrase: 'a long enough passphrase' });
    await access.verify(ws.bundle);
    const bytes = await access.readOriginal(ws.bundle, 'C:\\inetpub\\wwwroot\\MFAPortal\\web.config');
    t.deepEqual(bytes, readFileSync(join(ws.host, 'drive/C/inetpub/wwwroot/MFAPortal/web.config')));
  } finally {
    ws.cleanup();
  }
});
