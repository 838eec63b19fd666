// Paths from a bundle never escape: crafted manifests ('..', absolute paths, drive letters,
// alternate data streams, entries outside their restore root, theme names that climb) and links
// (inside the bundle, or on the target) are refused by verify-backup and restore, and nothing
// outside is read or written.
import test from 'ava';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { restoreSpec, verifyBackupSpec } from '../../lib/cli/commands/backup.spec.js';
import { relativeWindowsPathProblem, storedPathProblem, type Manifest } from '../../lib/backup/format.js';
import { restoreBundle } from '../../lib/backup/restore.js';
import { verifyBundle } from '../../lib/backup/verify.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { treeHash } from '../helpers/tree-hash.js';
import { backupOf, runCommand } from './helpers.js';

const DATA_STORED = 'snapshot/drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata';
const DATA_ORIGINAL = 'C:\\Program Files\\Multi-Factor Authentication Server\\Data\\PhoneFactor.pfdata';

/** Rewrites the manifest and its checksum seal, as an attacker who knows the format would. */
function craft(bundle: string, edit: (m: Manifest) => void): void {
  const mpath = join(bundle, 'manifest.json');
  const m = JSON.parse(readFileSync(mpath, 'utf8')) as Manifest;
  edit(m);
  const bytes = Buffer.from(JSON.stringify(m, null, 2));
  writeFileSync(mpath, bytes);
  writeFileSync(join(bundle, 'manifest.seal'), JSON.stringify({ algorithm: 'sha256', value: createHash('sha256').update(bytes).digest('hex') }));
}

const dataEntry = (m: Manifest) => m.files.find((f) => f.stored === DATA_STORED) as Manifest['files'][number];

async function expectRefused(t: import('ava').ExecutionContext, ws: { root: string; host: string; bundle: string }, pattern: RegExp): Promise<void> {
  const { report } = await verifyBundle(ws.bundle);
  t.false(report.ok);
  t.true(report.problems.some((p) => (p.kind === 'unsafe' || p.kind === 'link') && pattern.test(`${p.path} ${p.detail}`)), JSON.stringify(report.problems));
  const v = await runCommand(verifyBackupSpec, [ws.bundle, '--json']);
  t.is(v.code, 4);
  // Everything but the bundle itself (which may hold the crafted link).
  const notBundle = (rel: string) => rel === 'bundle' || rel.startsWith(`bundle${sep}`);
  const before = treeHash(ws.root, notBundle);
  const r = await runCommand(restoreSpec, [ws.bundle, '--host', ws.host, '--include', 'web,themes', '--json']);
  t.is(r.code, 3);
  t.deepEqual(treeHash(ws.root, notBundle), before);
}

test('a stored path climbing out with ".." is refused; the file outside is never read or written', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    writeFileSync(join(ws.root, 'outside.pfdata'), readFileSync(join(ws.bundle, DATA_STORED)));
    craft(ws.bundle, (m) => {
      dataEntry(m).stored = '../outside.pfdata';
    });
    rmSync(join(ws.bundle, DATA_STORED));
    await expectRefused(t, ws, /\.\.\/outside\.pfdata the bundle path climbs out/);
  } finally {
    ws.cleanup();
  }
});

for (const [label, stored, why] of [
  ['absolute', '/etc/passwd', /is absolute/],
  ['drive letter', 'C:/Windows/System32/evil.dll', /drive letter/],
  ['backslashes', 'snapshot\\..\\..\\evil', /backslash/],
  ['alternate data stream', `${DATA_STORED}:hidden`, /colon/],
] as const) {
  test(`a stored path with ${label} is refused`, async (t) => {
    const ws = await backupOf('mfa-7.0');
    try {
      craft(ws.bundle, (m) => {
        dataEntry(m).stored = stored;
      });
      await expectRefused(t, ws, why);
    } finally {
      ws.cleanup();
    }
  });
}

test('an original path with ".." (climbing out of the Data folder on restore) is refused', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    craft(ws.bundle, (m) => {
      dataEntry(m).original = 'C:\\Program Files\\Multi-Factor Authentication Server\\Data\\..\\..\\..\\Windows\\System32\\evil.dll';
    });
    await expectRefused(t, ws, /climbs out with "\.\."/);
  } finally {
    ws.cleanup();
  }
});

test('a file tagged as data that lies outside the Data folder (where restore would put it) is refused', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const evil = 'C:\\Windows\\System32\\evil.dll';
    mkdirSync(join(ws.bundle, 'snapshot/drive/C/Windows/System32'), { recursive: true });
    writeFileSync(join(ws.bundle, 'snapshot/drive/C/Windows/System32/evil.dll'), 'MZ');
    craft(ws.bundle, (m) => {
      m.files.push({ stored: 'snapshot/drive/C/Windows/System32/evil.dll', original: evil, size: 2, sha256: createHash('sha256').update('MZ').digest('hex'), tags: ['data'] });
    });
    await expectRefused(t, ws, /tagged data but lies under no data root/);
    t.false(existsSync(join(ws.host, 'drive/C/Windows/System32/evil.dll')));
  } finally {
    ws.cleanup();
  }
});

test('a stored path that does not match its original (a data entry pointing at another stored file) is refused', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    craft(ws.bundle, (m) => {
      const reg = m.files.find((f) => f.stored === 'snapshot/registry.reg') as Manifest['files'][number];
      const d = dataEntry(m);
      m.files = m.files.filter((f) => f !== reg);
      d.stored = 'snapshot/registry.reg';
      d.size = reg.size;
      d.sha256 = reg.sha256;
    });
    rmSync(join(ws.bundle, DATA_STORED));
    await expectRefused(t, ws, /does not lie where its original path/);
  } finally {
    ws.cleanup();
  }
});

test('a theme whose name climbs out of App_Themes is refused', async (t) => {
  const ws = await backupOf('phonefactor-5.2');
  try {
    craft(ws.bundle, (m) => {
      const g = m.groups.find((x) => x.kind === 'theme') as { name: string };
      g.name = '..\\..\\..\\Windows';
    });
    await expectRefused(t, ws, /theme group .*its name is not a plain folder name/);
  } finally {
    ws.cleanup();
  }
});

test('a link inside the bundle (a folder pointing elsewhere, holding a matching file) is refused and not followed', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const dataDir = join(ws.bundle, 'snapshot/drive/C/Program Files/Multi-Factor Authentication Server/Data');
    const elsewhere = join(ws.root, 'elsewhere');
    renameSync(dataDir, elsewhere);
    symlinkSync(elsewhere, dataDir);
    await expectRefused(t, ws, /is a link/);
  } finally {
    ws.cleanup();
  }
});

test('a link on the target that leads out of the image: the restore fails, puts back what it did, and writes nothing outside', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const dataDir = join(ws.host, 'drive/C/Program Files/Multi-Factor Authentication Server/Data');
    const outside = join(ws.root, 'outside-data');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep.txt'), 'keep');
    rmSync(dataDir, { recursive: true });
    symlinkSync(outside, dataDir);
    const before = treeHash(outside);
    const e = await t.throwsAsync(restoreBundle(await openImageHost(ws.host), ws.bundle));
    t.regex(e?.message ?? '', /outside the image host/);
    t.deepEqual(treeHash(outside), before);
    const states = JSON.parse(readFileSync(join(ws.host, 'services.json'), 'utf8')) as Array<{ name: string; state: string }>;
    t.is(states.find((s) => s.name === 'MultiFactorAuth')?.state, 'running');
  } finally {
    ws.cleanup();
  }
});

test('property: a stored path the checker accepts always stays inside the bundle', (t) => {
  const seg = fc.oneof(fc.constantFrom('..', '.', '', 'C:', 'a', 'b.txt', '\\', 'x:y', '..\\..', '/'), fc.string({ maxLength: 6 }));
  fc.assert(
    fc.property(fc.array(seg, { minLength: 1, maxLength: 6 }), fc.boolean(), (segs, leadingSlash) => {
      const stored = `${leadingSlash ? '/' : ''}${segs.join('/')}`;
      if (storedPathProblem(stored) !== undefined) return true;
      const root = resolve('/bundle-root');
      const full = resolve(root, ...stored.split('/'));
      return full.startsWith(root + sep) && !stored.split('/').includes('..');
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test('property: a relative Windows path the checker accepts never climbs, never names a drive or a stream', (t) => {
  const seg = fc.oneof(fc.constantFrom('..', '.', '', 'C:', 'D:\\', 'web.config', 'CON', 'nul.txt', 'a:b', 'x. ', 'App_Themes'), fc.string({ maxLength: 5 }));
  fc.assert(
    fc.property(fc.array(seg, { minLength: 1, maxLength: 5 }), fc.constantFrom('\\', '/'), (segs, sepChar) => {
      const rel = segs.join(sepChar);
      if (relativeWindowsPathProblem(rel) !== undefined) return true;
      const parts = rel.split(/[\\/]/);
      return !parts.includes('..') && !parts.includes('.') && !rel.includes(':') && !/^[\\/]/.test(rel) && parts.every((p) => p !== '');
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
