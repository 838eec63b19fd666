// Hostile backup bundles: each is refused by restore (and verify-backup where it applies) with
// a clear error and a non-zero exit, no secret in any output, and the host and the bundle left
// byte for byte as they were (harness.ts). Issue 12's cases first, then our own.
import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addFile, cleanupPrepared, editManifest, expectRefusal, PASS, workspace, type ManifestJson, type Workspace } from './harness.js';

test.after.always(cleanupPrepared);

const PORTAL = 'C:\\inetpub\\wwwroot\\PhoneFactor';
const CONTOSO = `${PORTAL}\\App_Themes\\Contoso`;
const DATA = 'C:\\Program Files\\PhoneFactor\\Data';
const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');

interface BundleCase {
  name: string;
  bundle?: 'plain' | 'encrypted';
  tamper(ws: Workspace): void;
  /** Extra options after `restore <bundle> --host <host>` (default --include web,themes). */
  options?: (ws: Workspace) => string[];
  exit?: number;
  code: string | RegExp;
  message?: RegExp;
  /** verify-backup's exit on the same bundle (4 for a problem found, 3 when it cannot be read), or undefined to skip it. */
  verify?: { exit: number; code: string | RegExp };
  /** Also check that this host file was not created. */
  notCreated?: string;
}

const cases: BundleCase[] = [
  // Issue 12: restore writes where the bundle says.
  {
    name: 'issue 12: a second portal group rooted at C:\\Windows\\System32 (file added, hashes and seal recomputed)',
    tamper: (ws) =>
      editManifest(ws.bundle, (m) => {
        m.groups.push({ kind: 'webComponent', component: 'userPortal', site: 'Default Web Site', vdir: 'System32', original: 'C:\\Windows\\System32', webConfig: 'C:\\Windows\\System32\\web.config' });
        addFile(ws.bundle, m, 'C:\\Windows\\System32\\web.config', '<configuration/>', ['webConfig']);
      }),
    code: 'BUNDLE_PATH',
    message: /two files of the bundle would be restored to the same file/,
    notCreated: 'drive/C/Windows/System32/web.config',
  },
  {
    name: 'issue 12: a component group of a kind not installed, rooted at C:\\Windows\\System32, with a DLL tagged as its web.config',
    tamper: (ws) =>
      editManifest(ws.bundle, (m) => {
        m.groups.push({ kind: 'webComponent', component: 'webServiceSdk', site: 'Default Web Site', vdir: 'Sys', original: 'C:\\Windows\\System32', webConfig: null });
        addFile(ws.bundle, m, 'C:\\Windows\\System32\\evil.dll', 'MZ', ['webConfig']);
      }),
    code: 'BUNDLE_VERIFY_FAILED',
    message: /not the web\.config at the root of a web component group/,
    verify: { exit: 4, code: /.*/ },
    notCreated: 'drive/C/Windows/System32/evil.dll',
  },
  {
    name: 'issue 12: a theme file named with U+017F (long s) that NTFS folds onto Contoso.css',
    tamper: (ws) =>
      editManifest(ws.bundle, (m) => {
        addFile(ws.bundle, m, `${CONTOSO}\\Conto\u017fo.css`, 'body{background:url(https://attacker.example/x)}', ['theme']);
      }),
    code: 'BUNDLE_VERIFY_FAILED',
    message: /U\+017F/,
    verify: { exit: 4, code: /.*/ },
  },
  {
    name: 'issue 12: an encrypted bundle swapped for a plain one, run with the passphrase',
    tamper: (ws) => {
      editManifest(ws.bundle, (m) => {
        m['role'] = 'master';
      });
      writeFileSync(join(ws.root, 'pass.txt'), PASS);
    },
    options: (ws) => ['--passphrase-file', join(ws.root, 'pass.txt')],
    code: 'BUNDLE_NOT_ENCRYPTED',
    verify: undefined,
  },
  // Our own.
  { name: 'a stored path naming a device (CON)', tamper: (ws) => editManifest(ws.bundle, (m) => addFile(ws.bundle, m, `${DATA}\\CON`, 'x', ['data'])), code: 'BUNDLE_VERIFY_FAILED', message: /names a device/, verify: { exit: 4, code: /.*/ } },
  { name: 'a theme file named nul.txt', tamper: (ws) => editManifest(ws.bundle, (m) => addFile(ws.bundle, m, `${CONTOSO}\\nul.txt`, 'x', ['theme'])), code: 'BUNDLE_VERIFY_FAILED', message: /names a device/, verify: { exit: 4, code: /.*/ } },
  { name: 'a theme file named COM1.css', tamper: (ws) => editManifest(ws.bundle, (m) => addFile(ws.bundle, m, `${CONTOSO}\\COM1.css`, 'x', ['theme'])), code: 'BUNDLE_VERIFY_FAILED', message: /names a device/, verify: { exit: 4, code: /.*/ } },
  { name: 'a theme file whose name ends with a dot', tamper: (ws) => editManifest(ws.bundle, (m) => addFile(ws.bundle, m, `${CONTOSO}\\Contoso.css.`, 'x', ['theme'])), code: 'BUNDLE_VERIFY_FAILED', message: /dot or a space/, verify: { exit: 4, code: /.*/ } },
  { name: 'a data file whose name ends with a space', tamper: (ws) => editManifest(ws.bundle, (m) => addFile(ws.bundle, m, `${DATA}\\Phonefactor.pfdata `, 'x', ['data'])), code: 'BUNDLE_VERIFY_FAILED', message: /dot or a space/, verify: { exit: 4, code: /.*/ } },
  { name: 'an alternate data stream on a theme file', tamper: (ws) => editManifest(ws.bundle, (m) => addFile(ws.bundle, m, `${CONTOSO}\\Contoso.css:evil`, 'x', ['theme'], 'snapshot/drive/C/inetpub/wwwroot/PhoneFactor/App_Themes/Contoso/Contoso.css:evil')), code: 'BUNDLE_VERIFY_FAILED', message: /colon/, verify: { exit: 4, code: /.*/ } },
  { name: 'an 8.3 short name below a theme root', tamper: (ws) => editManifest(ws.bundle, (m) => addFile(ws.bundle, m, `${CONTOSO}\\CONTOS~1.CSS`, 'x', ['theme'])), code: 'BUNDLE_VERIFY_FAILED', message: /8\.3 short name/, verify: { exit: 4, code: /.*/ } },
  { name: 'a data file named with the Kelvin sign', tamper: (ws) => editManifest(ws.bundle, (m) => addFile(ws.bundle, m, `${DATA}\\\u212aey.dat`, 'x', ['data'])), code: 'BUNDLE_VERIFY_FAILED', message: /U\+212A/, verify: { exit: 4, code: /.*/ } },
  { name: 'a theme file named with a dotless i', tamper: (ws) => editManifest(ws.bundle, (m) => addFile(ws.bundle, m, `${CONTOSO}\\\u0131mage.png`, 'x', ['theme'])), code: 'BUNDLE_VERIFY_FAILED', message: /U\+0131/, verify: { exit: 4, code: /.*/ } },
  {
    name: 'a theme group outside its portal\'s App_Themes',
    tamper: (ws) =>
      editManifest(ws.bundle, (m) => {
        const g = m.groups.find((x) => x['kind'] === 'theme' && x['name'] === 'Contoso') as Record<string, unknown>;
        g['original'] = `${PORTAL}\\bin\\Contoso`;
      }),
    code: 'BUNDLE_VERIFY_FAILED',
    message: /does not lie in its component's App_Themes/,
    verify: { exit: 4, code: /.*/ },
  },
  {
    name: 'a theme named ".." (climbing out of App_Themes)',
    tamper: (ws) =>
      editManifest(ws.bundle, (m) => {
        const g = m.groups.find((x) => x['kind'] === 'theme' && x['name'] === 'Contoso') as Record<string, unknown>;
        g['name'] = '..';
      }),
    code: 'BUNDLE_VERIFY_FAILED',
    verify: { exit: 4, code: /.*/ },
  },
  { name: 'a group of a kind restore does not know', tamper: (ws) => editManifest(ws.bundle, (m) => m.groups.push({ kind: 'script', original: 'C:\\Windows\\Temp', run: 'evil.ps1' })), code: 'BUNDLE_VERIFY_FAILED', message: /a kind of group restore does not know/, verify: { exit: 4, code: /.*/ } },
  { name: 'a web component of an unknown kind', tamper: (ws) => editManifest(ws.bundle, (m) => m.groups.push({ kind: 'webComponent', component: 'adminConsole', site: 'Default Web Site', vdir: 'x', original: 'C:\\inetpub\\x', webConfig: null })), code: 'BUNDLE_VERIFY_FAILED', message: /names no component/, verify: { exit: 4, code: /.*/ } },
  {
    name: 'the same portal listed twice',
    tamper: (ws) =>
      editManifest(ws.bundle, (m) => {
        const g = m.groups.find((x) => x['kind'] === 'webComponent' && x['component'] === 'userPortal') as Record<string, unknown>;
        m.groups.push({ ...g, vdir: 'phonefactor', original: 'C:\\inetpub\\wwwroot\\Other' });
      }),
    code: 'BUNDLE_VERIFY_FAILED',
    message: /a second userPortal/,
    verify: { exit: 4, code: /.*/ },
  },
  { name: 'two data groups', tamper: (ws) => editManifest(ws.bundle, (m) => m.groups.push({ kind: 'data', original: 'C:\\Windows' })), code: 'BUNDLE_VERIFY_FAILED', message: /a second data group/, verify: { exit: 4, code: /.*/ } },
  {
    name: 'a file tagged both data and theme',
    tamper: (ws) =>
      editManifest(ws.bundle, (m) => {
        const f = m.files.find((x) => (x['tags'] as string[]).includes('data')) as Record<string, unknown>;
        f['tags'] = ['data', 'theme'];
      }),
    code: 'BUNDLE_VERIFY_FAILED',
    message: /more than one kind of restore/,
    verify: { exit: 4, code: /.*/ },
  },
  {
    name: 'a data file whose original climbs out of the Data folder',
    tamper: (ws) =>
      editManifest(ws.bundle, (m) => {
        const f = m.files.find((x) => (x['tags'] as string[]).includes('data')) as Record<string, unknown>;
        f['original'] = `${DATA}\\..\\..\\..\\Windows\\evil.dll`;
      }),
    code: 'BUNDLE_VERIFY_FAILED',
    verify: { exit: 4, code: /.*/ },
  },
  {
    name: 'a link inside the bundle in place of the data file',
    tamper: (ws) => {
      const m = JSON.parse(readFileSync(join(ws.bundle, 'manifest.json'), 'utf8')) as ManifestJson;
      const f = m.files.find((x) => (x['tags'] as string[]).includes('data')) as Record<string, unknown>;
      const local = join(ws.bundle, ...(f['stored'] as string).split('/'));
      rmSync(local);
      symlinkSync(join(ws.host, 'registry.reg'), local);
    },
    code: 'BUNDLE_VERIFY_FAILED',
    message: /link/,
    verify: { exit: 4, code: /.*/ },
  },
  { name: 'a truncated manifest', tamper: (ws) => truncateSync(join(ws.bundle, 'manifest.json'), 200), code: 'BUNDLE_MANIFEST_DAMAGED', verify: { exit: 3, code: 'BUNDLE_MANIFEST_DAMAGED' } },
  { name: 'a manifest of a future format', tamper: (ws) => editManifest(ws.bundle, (m) => (m['formatVersion'] = 99)), code: 'BUNDLE_FUTURE_FORMAT', verify: { exit: 3, code: 'BUNDLE_FUTURE_FORMAT' } },
  { name: 'a manifest whose stored path is 100,000 characters long', tamper: (ws) => editManifest(ws.bundle, (m) => m.files.push({ stored: `extra/${'a/'.repeat(50000)}x`, original: null, size: 0, sha256: sha(''), tags: ['snapshotState'] })), code: 'BUNDLE_VERIFY_FAILED', message: /too long/, verify: { exit: 4, code: /.*/ } },
  { name: 'a plain bundle with another digest than the one expected', tamper: (ws) => editManifest(ws.bundle, (m) => (m['role'] = 'master')), options: () => ['--expect-digest', `sha256:${'ab'.repeat(32)}`], code: 'BUNDLE_DIGEST' },
  // Encrypted bundles.
  { name: 'an encrypted bundle without its passphrase', bundle: 'encrypted', tamper: () => undefined, code: 'BUNDLE_PASSPHRASE_REQUIRED' },
  {
    name: 'an encrypted bundle with a wrong passphrase',
    bundle: 'encrypted',
    tamper: (ws) => writeFileSync(join(ws.root, 'pass.txt'), 'not the passphrase at all'),
    options: (ws) => ['--passphrase-file', join(ws.root, 'pass.txt')],
    code: 'BUNDLE_PASSPHRASE',
  },
  {
    name: 'an encrypted bundle with an edited manifest and its seal deleted',
    bundle: 'encrypted',
    tamper: (ws) => {
      editManifest(ws.bundle, (m) => (m['role'] = 'subordinate'), false);
      rmSync(join(ws.bundle, 'manifest.seal'));
      writeFileSync(join(ws.root, 'pass.txt'), PASS);
    },
    options: (ws) => ['--passphrase-file', join(ws.root, 'pass.txt')],
    code: 'BUNDLE_VERIFY_FAILED',
    message: /manifest\.seal is missing/,
  },
  {
    name: 'an encrypted bundle whose seal was replaced by a keyless SHA-256 one',
    bundle: 'encrypted',
    tamper: (ws) => {
      editManifest(ws.bundle, (m) => (m['role'] = 'subordinate'), true);
      writeFileSync(join(ws.root, 'pass.txt'), PASS);
    },
    options: (ws) => ['--passphrase-file', join(ws.root, 'pass.txt')],
    code: 'BUNDLE_VERIFY_FAILED',
    message: /HMAC-SHA256/,
  },
  {
    name: 'an encrypted bundle whose private entries were altered',
    bundle: 'encrypted',
    tamper: (ws) => {
      editManifest(ws.bundle, (m) => {
        const enc = m['encryption'] as Record<string, string>;
        const b = Buffer.from(enc['entries'] as string, 'base64');
        b[20] = (b[20] as number) ^ 1;
        enc['entries'] = b.toString('base64');
      }, false);
      writeFileSync(join(ws.root, 'pass.txt'), PASS);
    },
    options: (ws) => ['--passphrase-file', join(ws.root, 'pass.txt')],
    code: 'BUNDLE_ALTERED',
  },
  {
    name: 'an encrypted file cut by one byte (its padding no longer fits)',
    bundle: 'encrypted',
    tamper: (ws) => {
      const m = JSON.parse(readFileSync(join(ws.bundle, 'manifest.json'), 'utf8')) as ManifestJson;
      const f = m.files.find((x) => (x['tags'] as string[]).includes('data')) as Record<string, unknown>;
      const local = join(ws.bundle, ...(f['stored'] as string).split('/'));
      truncateSync(local, (f['storedSize'] as number) - 1);
      writeFileSync(join(ws.root, 'pass.txt'), PASS);
    },
    options: (ws) => ['--passphrase-file', join(ws.root, 'pass.txt')],
    code: 'BUNDLE_VERIFY_FAILED',
    message: /truncated/,
  },
  {
    name: 'an encrypted manifest that shows a plaintext hash (format 2 never does)',
    bundle: 'encrypted',
    tamper: (ws) => editManifest(ws.bundle, (m) => ((m.files[0] as Record<string, unknown>)['sha256'] = sha('guess')), false),
    code: 'BUNDLE_INVALID',
    verify: { exit: 3, code: 'BUNDLE_INVALID' },
  },
  {
    name: 'an encrypted manifest asking for an absurd scrypt cost',
    bundle: 'encrypted',
    tamper: (ws) => {
      editManifest(ws.bundle, (m) => ((m['encryption'] as { kdf: Record<string, number> }).kdf['N'] = 2 ** 30), false);
      writeFileSync(join(ws.root, 'pass.txt'), PASS);
    },
    options: (ws) => ['--passphrase-file', join(ws.root, 'pass.txt')],
    code: 'BUNDLE_ENCRYPTION',
  },
  // Passphrase files.
  {
    name: 'a passphrase file that is not valid UTF-8',
    bundle: 'encrypted',
    tamper: (ws) => writeFileSync(join(ws.root, 'pass.txt'), Buffer.concat([Buffer.from(PASS), Buffer.from([0xff, 0xfe])])),
    options: (ws) => ['--passphrase-file', join(ws.root, 'pass.txt')],
    code: 'PASSPHRASE_FILE',
    message: /not valid UTF-8/,
  },
  {
    name: 'a passphrase file of more than 1 KiB',
    bundle: 'encrypted',
    tamper: (ws) => writeFileSync(join(ws.root, 'pass.txt'), `${PASS}${' x'.repeat(600)}`),
    options: (ws) => ['--passphrase-file', join(ws.root, 'pass.txt')],
    code: 'PASSPHRASE_FILE',
    message: /longer than 1024 bytes/,
  },
  {
    name: 'a passphrase "file" that is a folder',
    bundle: 'encrypted',
    tamper: () => undefined,
    options: (ws) => ['--passphrase-file', ws.root],
    code: 'PASSPHRASE_FILE',
  },
];

for (const c of cases) {
  test(`restore refuses ${c.name}`, async (t) => {
    const ws = await workspace('phonefactor-5.2', { bundle: c.bundle ?? 'plain' });
    try {
      c.tamper(ws);
      const options = c.options?.(ws) ?? [];
      const passOpts = options;
      await expectRefusal(t, {
        argv: ['restore', ws.bundle, '--host', ws.host, '--include', 'web,themes', ...passOpts],
        watch: [ws.host, ws.bundle],
        exit: c.exit ?? 3,
        code: c.code,
        ...(c.message ? { message: c.message } : {}),
        secrets: [PASS],
      });
      if (c.verify) {
        await expectRefusal(t, { argv: ['verify-backup', ws.bundle, ...passOpts], watch: [ws.host, ws.bundle], exit: c.verify.exit, code: c.verify.code, ...(c.message && c.verify.exit === 4 ? { message: c.message } : {}), secrets: [PASS] });
      }
      if (c.notCreated) t.false(existsSync(join(ws.host, c.notCreated)), `${c.notCreated} was created`);
      // No undo folder left beside the bundle by a refused restore.
      t.deepEqual((await import('node:fs')).readdirSync(ws.root).filter((n) => n.includes('restore-undo')), []);
    } finally {
      ws.cleanup();
    }
  });
}

test('backup refuses a passphrase file that is /dev/zero, too short, or not UTF-8, and writes nothing', async (t) => {
  const ws = await workspace('mfa-7.0');
  try {
    const short = join(ws.root, 'short.txt');
    writeFileSync(short, 'abc\n');
    const bad = join(ws.root, 'bad.txt');
    writeFileSync(bad, Buffer.from([0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x80]));
    for (const [file, code, message] of [['/dev/zero', 'PASSPHRASE_FILE', /longer than 1024 bytes/], [short, 'PASSPHRASE_WEAK', /shorter than 8/], [bad, 'PASSPHRASE_FILE', /not valid UTF-8/]] as const) {
      if (file === '/dev/zero' && process.platform === 'win32') continue;
      await expectRefusal(t, { argv: ['backup', '--out', join(ws.root, 'out'), '--host', ws.host, '--passphrase-file', file], watch: [ws.host], exit: 3, code, message });
      t.false(existsSync(join(ws.root, 'out')));
      t.false(existsSync(join(ws.root, 'out.partial')));
    }
  } finally {
    ws.cleanup();
  }
});
