// What verify-backup names, one kind of damage a case: a manifest rewritten (and resealed with a
// keyless seal, as anyone could) to list unsafe or inconsistent entries, and bundle contents
// changed on disk. Each case must produce its problem with the kind, path and detail written out
// here, and no verified report. The bundle is taken once and copied per case.
import test from 'ava';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest, ManifestFile } from '../../lib/backup/format.js';
import { verifyBundle } from '../../lib/backup/verify.js';
import { backupOf, forgeManifest } from './helpers.js';

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

const cases: Array<{ name: string; damage(bundle: string): void; want: { kind: string; path: string; detail: string } }> = [
  { name: 'a stored path that climbs out', damage: (b) => forgeManifest(b, (m) => m.files.push({ ...fileOf(m, WEB), stored: 'snapshot/../x' })), want: { kind: 'unsafe', path: 'snapshot/../x', detail: 'the bundle path climbs out with ".."' } },
  { name: 'a stored path with a control character, printed as ?', damage: (b) => forgeManifest(b, (m) => m.files.push({ ...fileOf(m, WEB), stored: 'snapshot/a\u0007b' })), want: { kind: 'unsafe', path: 'snapshot/a?b', detail: 'the bundle path has a character Windows does not allow in a name' } },
  { name: 'an entry listed twice, in another case', damage: (b) => forgeManifest(b, (m) => m.files.push({ ...fileOf(m, WEB), stored: WEB.toUpperCase().replace('SNAPSHOT', 'snapshot') })), want: { kind: 'manifest', path: WEB.toUpperCase().replace('SNAPSHOT', 'snapshot'), detail: 'is listed twice in the manifest (or names the same file on Windows as another entry)' } },
  { name: 'an entry outside snapshot/ and extra/', damage: (b) => forgeManifest(b, (m) => m.files.push({ ...fileOf(m, WEB), stored: 'elsewhere/web.config', original: null })), want: { kind: 'unsafe', path: 'elsewhere/web.config', detail: 'lies outside snapshot/ and extra/' } },
  { name: 'a machine file without its original path', damage: (b) => forgeManifest(b, (m) => void (fileOf(m, WEB).original = null)), want: { kind: 'unsafe', path: WEB, detail: 'is a machine file without an original path' } },
  { name: 'an original path that is not absolute', damage: (b) => forgeManifest(b, (m) => void (fileOf(m, WEB).original = 'inetpub\\web.config')), want: { kind: 'unsafe', path: WEB, detail: 'has an original path that is not an absolute local Windows path without ".." or forbidden characters' } },
  { name: 'an original path elsewhere than its place in the snapshot', damage: (b) => forgeManifest(b, (m) => void (fileOf(m, WEB).original = 'C:\\Windows\\System32\\drivers\\etc\\hosts')), want: { kind: 'unsafe', path: WEB, detail: 'does not lie where its original path belongs in the snapshot' } },
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
];

for (const c of cases) {
  test(`verify names ${c.name}`, async (t) => {
    const bundle = await copy(t);
    c.damage(bundle);
    const { report } = await verifyBundle(bundle);
    t.false(report.ok);
    t.deepEqual(report.problems.filter((p) => p.path === c.want.path && p.kind === c.want.kind), [c.want], JSON.stringify(report.problems).slice(0, 1500));
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
