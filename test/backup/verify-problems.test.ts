// What verify-backup names, one kind of damage a case: a manifest rewritten (and resealed with a
// keyless seal, as anyone could) to list unsafe or inconsistent entries, and bundle contents
// changed on disk. Each case must produce its problem with the kind, path and detail written out
// here, and no verified report. The bundle is taken once and copied per case.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundleKeys } from '../../lib/backup/crypto.js';
import { ENCRYPTED_SUFFIX, type Manifest, type ManifestFile } from '../../lib/backup/format.js';
import { openBundle } from '../../lib/backup/read-bundle.js';
import { verifyBundle } from '../../lib/backup/verify.js';
import type { MfaError } from '../../lib/errors.js';
import { backupOf, encryptAs, forgeManifest, manifestOf, shaOf } from './helpers.js';

const WEB = 'snapshot/drive/C/inetpub/wwwroot/MFAPortal/web.config';
const DATA = 'snapshot/drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata';

let template: Promise<{ bundle: string; cleanup(): void }> | undefined;
const base = () => (template ??= backupOf('mfa-7.0'));

async function copy(t: { teardown(fn: () => void): void }): Promise<string> {
  const { bundle } = await base();
  const root = mkdtempSync(join(tmpdir(), 'mfa-verify-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  cpSync(bundle, join(root, 'bundle'), { recursive: true });
  return join(root, 'bundle');
}

const fileOf = (m: Manifest, stored: string) => m.files.find((f) => f.stored === stored) as ManifestFile;

test.after.always(async () => (await template)?.cleanup());

type Problem = { kind: string; path: string; detail: string };
const original = (stored: string) => readFileSync(join('examples/hosts/mfa-7.0', ...stored.split('/').slice(1)));
const LOGS = 'snapshot/drive/C/Program Files/Multi-Factor Authentication Server/Logs';
const THEMES = 'snapshot/drive/C/inetpub/wwwroot/MFAPortal/App_Themes';

/** Each kind of damage, and every problem verify names for it (nothing more, nothing less). */
const cases: Array<{ name: string; damage(bundle: string): void; want: Problem; also?: Problem[] }> = [
  { name: 'a stored path that climbs out', damage: (b) => forgeManifest(b, (m) => m.files.push({ ...fileOf(m, WEB), tags: [], stored: 'snapshot/../x' })), want: { kind: 'unsafe', path: 'snapshot/../x', detail: 'the bundle path climbs out with ".."' }, also: [{ kind: 'unsafe', path: 'manifest.json', detail: `snapshot/../x: names the same file on Windows as ${WEB}` }] },
  { name: 'a stored path with a control character, printed as ?', damage: (b) => forgeManifest(b, (m) => m.files.push({ ...fileOf(m, WEB), tags: [], stored: 'snapshot/a\u0007b' })), want: { kind: 'unsafe', path: 'snapshot/a?b', detail: 'the bundle path has a character Windows does not allow in a name' }, also: [{ kind: 'unsafe', path: 'manifest.json', detail: `snapshot/a?b: names the same file on Windows as ${WEB}` }] },
  { name: 'an entry listed twice, in another case', damage: (b) => forgeManifest(b, (m) => m.files.push({ ...fileOf(m, WEB), tags: [], stored: WEB.toUpperCase().replace('SNAPSHOT', 'snapshot') })), want: { kind: 'manifest', path: WEB.toUpperCase().replace('SNAPSHOT', 'snapshot'), detail: 'is listed twice in the manifest (or names the same file on Windows as another entry)' }, also: [{ kind: 'unsafe', path: 'manifest.json', detail: `${WEB.toUpperCase().replace('SNAPSHOT', 'snapshot')}: names the same file on Windows as ${WEB}` }] },
  {
    name: 'an entry outside snapshot/ and extra/, its file there too (never expected, so named as extra)',
    damage: (b) => {
      forgeManifest(b, (m) => m.files.push({ ...fileOf(m, WEB), tags: [], stored: 'elsewhere/web.config', original: null }));
      mkdirSync(join(b, 'elsewhere'));
      writeFileSync(join(b, 'elsewhere', 'web.config'), original(WEB));
    },
    want: { kind: 'unsafe', path: 'elsewhere/web.config', detail: 'lies outside snapshot/ and extra/' },
    also: [{ kind: 'extra', path: 'elsewhere', detail: 'is a folder the manifest does not list' }],
  },
  {
    name: 'a folder entry outside snapshot/, its folder there too',
    damage: (b) => {
      forgeManifest(b, (m) => m.directories.push({ stored: 'elsewhere/d', original: 'C:\\d' }));
      mkdirSync(join(b, 'elsewhere', 'd'), { recursive: true });
    },
    want: { kind: 'unsafe', path: 'elsewhere/d', detail: 'is a folder outside snapshot/' },
    also: [{ kind: 'extra', path: 'elsewhere', detail: 'is a folder the manifest does not list' }],
  },
  {
    name: 'a listed folder that is missing, and the file in it',
    damage: (b) => rmSync(join(b, ...LOGS.split('/')), { recursive: true }),
    want: { kind: 'missing', path: LOGS, detail: 'the folder C:\\Program Files\\Multi-Factor Authentication Server\\Logs is missing' },
    also: [{ kind: 'missing', path: `${LOGS}/MultiFactorAuthSvc.log`, detail: 'C:\\Program Files\\Multi-Factor Authentication Server\\Logs\\MultiFactorAuthSvc.log is missing from the bundle' }],
  },
  {
    name: 'a listed folder that is now a file',
    damage: (b) => {
      rmSync(join(b, ...LOGS.split('/')), { recursive: true });
      writeFileSync(join(b, ...LOGS.split('/')), 'x');
    },
    want: { kind: 'altered', path: LOGS, detail: 'should be a folder' },
    also: [{ kind: 'missing', path: `${LOGS}/MultiFactorAuthSvc.log`, detail: 'C:\\Program Files\\Multi-Factor Authentication Server\\Logs\\MultiFactorAuthSvc.log is missing from the bundle' }],
  },
  { name: 'a file at the top of the bundle the manifest does not list', damage: (b) => writeFileSync(join(b, 'README.txt'), 'x'), want: { kind: 'extra', path: 'README.txt', detail: 'is a file the manifest does not list' } },
  { name: 'a machine file without its original path', damage: (b) => forgeManifest(b, (m) => void (fileOf(m, WEB).original = null)), want: { kind: 'unsafe', path: WEB, detail: 'is a machine file without an original path' }, also: [{ kind: 'unsafe', path: 'manifest.json', detail: `${WEB}: tagged webConfig but has no original path` }] },
  { name: 'an original path that is not absolute', damage: (b) => forgeManifest(b, (m) => void (fileOf(m, WEB).original = 'inetpub\\web.config')), want: { kind: 'unsafe', path: WEB, detail: 'has an original path that is not an absolute local Windows path without ".." or forbidden characters' }, also: [{ kind: 'unsafe', path: 'manifest.json', detail: `${WEB}: tagged webConfig but is not the web.config at the root of a web component group` }] },
  { name: 'an original path elsewhere than its place in the snapshot', damage: (b) => forgeManifest(b, (m) => void (fileOf(m, WEB).original = 'C:\\Windows\\System32\\drivers\\etc\\hosts')), want: { kind: 'unsafe', path: WEB, detail: 'does not lie where its original path belongs in the snapshot' }, also: [{ kind: 'unsafe', path: 'manifest.json', detail: `${WEB}: tagged webConfig but is not the web.config at the root of a web component group` }] },
  { name: 'a folder entry with an unsafe path', damage: (b) => forgeManifest(b, (m) => m.directories.push({ stored: 'snapshot/CON', original: 'C:\\CON' })), want: { kind: 'unsafe', path: 'snapshot/CON', detail: 'the bundle path names a device (CON, NUL, COM1, ...)' } },
  { name: 'a file the manifest does not list', damage: (b) => writeFileSync(join(b, 'snapshot', 'planted.dll'), 'x'), want: { kind: 'extra', path: 'snapshot/planted.dll', detail: 'is a file the manifest does not list' } },
  {
    name: 'a folder the manifest does not list (named once, not its contents)',
    damage: (b) => {
      mkdirSync(join(b, 'snapshot', 'planted', 'deeper'), { recursive: true });
      writeFileSync(join(b, 'snapshot', 'planted', 'deeper', 'x.dll'), 'x');
    },
    want: { kind: 'extra', path: 'snapshot/planted', detail: 'is a folder the manifest does not list' },
  },
  {
    name: 'a listed file that is now a folder',
    damage: (b) => {
      rmSync(join(b, ...WEB.split('/')));
      mkdirSync(join(b, ...WEB.split('/')));
    },
    want: { kind: 'altered', path: WEB, detail: 'should be a file' },
  },
  { name: 'a listed file that is missing', damage: (b) => rmSync(join(b, ...WEB.split('/'))), want: { kind: 'missing', path: WEB, detail: 'C:\\inetpub\\wwwroot\\MFAPortal\\web.config is missing from the bundle' } },
  { name: 'a truncated file', damage: (b) => writeFileSync(join(b, ...DATA.split('/')), 'short'), want: { kind: 'altered', path: DATA, detail: `is 5 bytes, the manifest says ${readFileSync(join('examples/hosts/mfa-7.0', ...DATA.split('/').slice(1))).length} (truncated)` } },
  { name: 'a longer file', damage: (b) => writeFileSync(join(b, ...WEB.split('/')), Buffer.alloc(readFileSync(join('examples/hosts/mfa-7.0', ...WEB.split('/').slice(1))).length + 1, 0x20)), want: { kind: 'altered', path: WEB, detail: `is ${readFileSync(join('examples/hosts/mfa-7.0', ...WEB.split('/').slice(1))).length + 1} bytes, the manifest says ${readFileSync(join('examples/hosts/mfa-7.0', ...WEB.split('/').slice(1))).length}` } },
  { name: 'a link in the bundle', damage: (b) => symlinkSync('/etc/passwd', join(b, 'snapshot', 'link')), want: { kind: 'link', path: 'snapshot/link', detail: 'is a link: a bundle holds plain files and folders only, and links are never followed' } },
  { name: 'a missing seal', damage: (b) => rmSync(join(b, 'manifest.seal')), want: { kind: 'altered', path: 'manifest.json', detail: 'manifest.seal is missing' } },
  {
    name: 'an empty folder the manifest lists, gone',
    damage: (b) => forgeManifest(b, (m) => m.directories.push({ stored: `${THEMES}/Empty`, original: 'C:\\inetpub\\wwwroot\\MFAPortal\\App_Themes\\Empty' })),
    want: { kind: 'missing', path: `${THEMES}/Empty`, detail: 'the folder C:\\inetpub\\wwwroot\\MFAPortal\\App_Themes\\Empty is missing' },
  },
  ...(process.platform === 'win32'
    ? []
    : [
        {
          name: 'a pipe where a listed file should be (never read, so named)',
          damage: (b: string) => {
            rmSync(join(b, ...WEB.split('/')));
            execFileSync('mkfifo', [join(b, ...WEB.split('/'))]);
          },
          want: { kind: 'altered', path: WEB, detail: 'should be a file' },
        },
      ]),
];

for (const c of cases) {
  test(`verify names ${c.name}`, async (t) => {
    const bundle = await copy(t);
    c.damage(bundle);
    const { report } = await verifyBundle(bundle);
    t.false(report.ok);
    t.deepEqual(report.problems, [c.want, ...(c.also ?? [])]);
  });
}

test('an intact copy verifies, its report naming the bundle, its files and bytes', async (t) => {
  const bundle = await copy(t);
  const { report } = await verifyBundle(bundle);
  const m = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as Manifest;
  t.true(report.ok, JSON.stringify(report.problems));
  t.is(report.files, m.files.length);
  t.is(report.bytes, m.files.reduce((n, f) => n + (f.size ?? 0), 0));
  t.is(report.computerName, m.host.computerName);
  t.false(report.encrypted);
  t.true(report.authenticated);
});

test('an empty folder the manifest lists is expected: present, the bundle verifies', async (t) => {
  const bundle = await copy(t);
  forgeManifest(bundle, (m) => m.directories.push({ stored: `${THEMES}/Empty`, original: 'C:\\inetpub\\wwwroot\\MFAPortal\\App_Themes\\Empty' }));
  mkdirSync(join(bundle, ...THEMES.split('/'), 'Empty'));
  const { report } = await verifyBundle(bundle);
  t.deepEqual(report.problems, []);
});

test('an unfinished backup (<out>.partial) is verified only by the writer that asks for it', async (t) => {
  const bundle = await copy(t);
  const partial = `${bundle}.partial`;
  cpSync(bundle, partial, { recursive: true });
  const e = (await t.throwsAsync(verifyBundle(partial))) as MfaError;
  t.is(e.code, 'BUNDLE_PARTIAL');
  t.true((await verifyBundle(partial, { allowPartial: true })).report.ok);
});

// An encrypted bundle: what verify can tell without the passphrase (the stored bytes against their
// recorded size and hash) and what only the key shows (authentication, the plaintext's hash).
const PASS = 'a long enough passphrase';
let encTemplate: Promise<{ bundle: string; cleanup(): void }> | undefined;
test.after.always(async () => (await encTemplate)?.cleanup());

async function encryptedCopy(t: { teardown(fn: () => void): void }): Promise<{ bundle: string; keys: BundleKeys }> {
  const { bundle } = await (encTemplate ??= backupOf('mfa-7.0', { passphrase: PASS }));
  const root = mkdtempSync(join(tmpdir(), 'mfa-verify-enc-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  cpSync(bundle, join(root, 'bundle'), { recursive: true });
  const { keys } = await openBundle(join(root, 'bundle'), { passphrase: PASS });
  return { bundle: join(root, 'bundle'), keys: keys as BundleKeys };
}

const ENC_WEB = `${WEB}${ENCRYPTED_SUFFIX}`;
const ENC_DATA = `${DATA}${ENCRYPTED_SUFFIX}`;
const local = (bundle: string, stored: string) => join(bundle, ...stored.split('/'));

test('encrypted, without the passphrase: a truncated file by its size, a changed byte by its stored hash; the bytes read are the stored ones', async (t) => {
  const { bundle } = await encryptedCopy(t);
  // Problems come in the manifest's order of files.
  const listed = manifestOf(bundle).files.map((f) => f.stored);
  const intact = (await verifyBundle(bundle)).report;
  t.true(intact.ok);
  t.false(intact.authenticated, 'an encrypted seal is checked only with the key');
  t.is(intact.bytes, manifestOf(bundle).files.reduce((n, f) => n + (f.storedSize ?? 0), 0));
  const data = readFileSync(local(bundle, ENC_DATA));
  writeFileSync(local(bundle, ENC_DATA), data.subarray(0, data.length - 1));
  const web = readFileSync(local(bundle, ENC_WEB));
  web[40] = (web[40] as number) ^ 1;
  writeFileSync(local(bundle, ENC_WEB), web);
  const LOG = 'snapshot/drive/C/Program Files/Multi-Factor Authentication Server/Logs/MultiFactorAuthSvc.log.enc';
  const log = readFileSync(local(bundle, LOG));
  writeFileSync(local(bundle, LOG), Buffer.concat([log, Buffer.from([0])]));
  const { report } = await verifyBundle(bundle);
  t.deepEqual(report.problems, [
    { kind: 'altered', path: ENC_DATA, detail: `is ${data.length - 1} bytes, the manifest says ${data.length} (truncated)` },
    { kind: 'altered', path: LOG, detail: `is ${log.length + 1} bytes, the manifest says ${log.length}` },
    { kind: 'altered', path: ENC_WEB, detail: 'its encrypted bytes do not match the manifest' },
  ].sort((a, b) => listed.indexOf(a.path) - listed.indexOf(b.path)));
});

test('encrypted, with the passphrase: the plaintext bytes are counted, and a file changed by someone without the key fails authentication even when its recorded hash was updated', async (t) => {
  const { bundle, keys } = await encryptedCopy(t);
  const intact = (await verifyBundle(bundle, { passphrase: PASS })).report;
  t.true(intact.ok);
  t.true(intact.authenticated);
  const opened = await openBundle(bundle, { passphrase: PASS });
  t.is(intact.bytes, opened.manifest.files.reduce((n, f) => n + (f.size ?? 0), 0));
  t.true(intact.bytes < manifestOf(bundle).files.reduce((n, f) => n + (f.storedSize ?? 0), 0), 'padding and headers are not counted');
  const web = readFileSync(local(bundle, ENC_WEB));
  web[40] = (web[40] as number) ^ 1;
  writeFileSync(local(bundle, ENC_WEB), web);
  forgeManifest(bundle, (m) => void (fileOf(m, ENC_WEB).storedSha256 = shaOf(web)), keys);
  const { report } = await verifyBundle(bundle, { passphrase: PASS });
  t.deepEqual(report.problems, [{ kind: 'altered', path: ENC_WEB, detail: 'fails authentication: it was altered, truncated or swapped' }]);
  // The keys themselves (as the backup's own check passes them) do the same.
  const byKeys = (await verifyBundle(bundle, { keys })).report;
  t.true(byKeys.authenticated);
  t.deepEqual(byKeys.problems, report.problems);
});

test('encrypted, with the passphrase: a file re-encrypted by a key holder with other content of the same size decrypts to other content than was backed up (its hash never printed)', async (t) => {
  const { bundle, keys } = await encryptedCopy(t);
  const plain = original(WEB);
  const other = Buffer.from(plain.toString('latin1').replace('configuration', 'konfiguration'), 'latin1');
  t.is(other.length, plain.length);
  const stored = encryptAs(keys, ENC_WEB, other);
  writeFileSync(local(bundle, ENC_WEB), stored);
  forgeManifest(
    bundle,
    (m) => {
      fileOf(m, ENC_WEB).storedSha256 = shaOf(stored);
      fileOf(m, ENC_WEB).storedSize = stored.length;
    },
    keys,
  );
  const { report } = await verifyBundle(bundle, { passphrase: PASS });
  t.true(report.authenticated);
  t.deepEqual(report.problems, [{ kind: 'altered', path: ENC_WEB, detail: 'decrypts to other content than was backed up' }]);
  t.false(JSON.stringify(report).includes(shaOf(other)));
});
