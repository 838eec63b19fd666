// The bundle as the upgrade executor reads it (BackupAccess): the original bytes of a file by
// its Windows path, the files under a folder, a cached package to reinstall from, a restore.
import test from 'ava';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBundleAccess } from '../../lib/backup/bundle-access.js';
import { Output } from '../../lib/cli/output.js';
import { MfaError } from '../../lib/errors.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { treeHash } from '../helpers/tree-hash.js';
import { backupOf, forgeManifest, manifestOf, workspace } from './helpers.js';

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

test('a bundle the run took is trusted only as taken: its manifest rewritten and resealed with a keyless seal is refused; an access told the digest refuses it too, one told nothing accepts it', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const access = createBundleAccess();
  const { bundle, digest } = await access.take(await openImageHost(ws.host), join(ws.root, 'bundle'), quiet(), undefined, undefined, 'master');
  const manifest = manifestOf(bundle);
  t.is(manifest.role, 'master');
  t.falsy(manifest.encryption);
  await createBundleAccess({ expectDigest: digest }).verify(bundle);
  forgeManifest(bundle, (m) => m.warnings.push('forged'));
  const notOurs = /the bundle is not the one backed up/;
  await t.throwsAsync(access.verify(bundle), { message: notOurs });
  await t.throwsAsync(access.readOriginal(bundle, 'C:\\inetpub\\wwwroot\\MFAPortal\\web.config'), { message: notOurs });
  await t.throwsAsync(createBundleAccess({ expectDigest: digest }).verify(bundle), { message: notOurs });
  await createBundleAccess().verify(bundle);
});

test('what an administrator is told: a bundle failing verification (every problem named), an altered copy, a missing seal', async (t) => {
  const ws = await backupOf('mfa-7.0');
  t.teardown(ws.cleanup);
  const cfg = 'snapshot/drive/C/inetpub/wwwroot/MFAPortal/web.config';
  writeFileSync(join(ws.bundle, cfg), readFileSync(join(ws.bundle, cfg), 'utf8').replace('configuration', 'konfiguration'));
  const failed = (await t.throwsAsync(createBundleAccess().verify(ws.bundle))) as MfaError;
  t.is(failed.code, 'BUNDLE_VERIFY_FAILED');
  t.is(failed.exitCode, 3);
  t.is(failed.target, ws.bundle);
  t.regex(failed.message, new RegExp(`^the backup bundle fails verification: ${cfg.replace(/\./g, '\\.')} \\S`));
  t.is(failed.remedy, 'Run mfa-upgrade verify-backup on it for the list; take a new backup.');
  writeFileSync(join(ws.bundle, 'snapshot/extra.txt'), 'x');
  const two = (await t.throwsAsync(createBundleAccess().verify(ws.bundle))) as MfaError;
  t.is(two.message.split('; ').length, 2, two.message);
  const altered = (await t.throwsAsync(createBundleAccess().readOriginal(ws.bundle, 'C:\\inetpub\\wwwroot\\MFAPortal\\web.config'))) as MfaError;
  t.is(altered.message, "the backup's copy of C:\\inetpub\\wwwroot\\MFAPortal\\web.config was altered");
  t.is(altered.code, 'BUNDLE_ALTERED');
  t.is(altered.remedy, 'Run mfa-upgrade verify-backup on the bundle.');
  rmSync(join(ws.bundle, 'manifest.seal'));
  const unsealed = (await t.throwsAsync(createBundleAccess().readOriginal(ws.bundle, 'C:\\inetpub\\wwwroot\\MFAPortal\\web.config'))) as MfaError;
  t.is(unsealed.message, "the bundle's manifest does not match its seal: manifest.seal is missing");
  t.is(unsealed.code, 'BUNDLE_ALTERED');
  t.is(unsealed.remedy, 'Run mfa-upgrade verify-backup on it; use an intact copy.');
});

test('an encrypted bundle taken through the access: its cached packages are refused for install (saying what to do), and it restores with the passphrase the access holds', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const access = createBundleAccess({ passphrase: 'a long enough passphrase' });
  const { bundle } = await access.take(await openImageHost(ws.host), join(ws.root, 'bundle'), quiet());
  t.truthy((JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { encryption: unknown }).encryption);
  const refused = (await t.throwsAsync(access.cachedPackage(bundle, '{a2c4e6f8-1b3d-4e5f-8a9b-c0d1e2f3a4b5}'))) as MfaError;
  t.is(refused.code, 'BUNDLE_ENCRYPTED_PACKAGE');
  t.is(refused.message, 'the cached packages of an encrypted bundle cannot be installed from it directly');
  t.is(refused.remedy, 'Reinstall the product from its original installer, or use an unencrypted bundle for upgrades.');
  const data = join(ws.host, 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata');
  const before = readFileSync(data);
  writeFileSync(data, 'lost');
  await access.restore(await openImageHost(ws.host), bundle, { web: false, themes: false }, quiet());
  t.deepEqual(readFileSync(data), before);
});

test('a service that will not start again after the backup fails the take, naming the service and saying the backup is complete', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const image = await openImageHost(ws.host);
  const realStart = image.services.start.bind(image.services);
  image.services.start = async (name: string) => {
    if (name === 'pfsvc') throw new MfaError(`service '${name}' failed to start (1053)`, { code: 'WIN32_1053', target: name });
    return realStart(name);
  };
  const e = (await t.throwsAsync(createBundleAccess().take(image, join(ws.root, 'bundle'), quiet()))) as MfaError;
  t.is(e.message, 'pfsvc could not be started again after the backup');
  t.is(e.code, 'SERVICE_START_FAILED');
  t.is(e.target, 'pfsvc');
  t.is(e.remedy, 'Start the service, then run the upgrade again (the backup is complete).');
});

test('a manifest listing its files in another order (as a forged or hand-edited one may): listOriginal still answers in order, and the cached package is still found through snapshot/products.json', async (t) => {
  const ws = await backupOf('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const order = manifestOf(ws.bundle).files.map((f) => f.stored);
  forgeManifest(ws.bundle, (m) => m.files.reverse());
  t.deepEqual(manifestOf(ws.bundle).files.map((f) => f.stored), [...order].reverse());
  const access = createBundleAccess();
  await access.verify(ws.bundle);
  const themes = 'C:\\inetpub\\wwwroot\\PhoneFactor\\App_Themes';
  // Ordinal order of the relative paths, written out by hand.
  t.deepEqual(await access.listOriginal(ws.bundle, themes), ['Contoso\\Contoso.css', 'Contoso\\images\\contoso-logo.png', 'Default\\Default.css']);
  const pkg = await access.cachedPackage(ws.bundle, '{A2C4E6F8-1B3D-4E5F-8A9B-C0D1E2F3A4B5}');
  t.is(pkg?.name, 'PhoneFactor User Portal');
  t.is(pkg?.version, '5.2.1.12');
});
