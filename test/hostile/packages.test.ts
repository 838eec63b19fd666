// Hostile package folders: a manifest target climbing out of its install folder, payloads that
// are links, missing or outside the folder, targets outside any declared root, malformed
// manifests, a package swapped while planning. `plan` names each as a blocker and `upgrade`
// refuses with exit 7 before anything runs: the host, the packages and the work folder are left
// as they were (no backup, no journal).
import test from 'ava';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectRefusal, workspace } from './harness.js';

const SERVER = 'MultiFactorAuthenticationServerSetup64.msi.json';
const PORTAL = 'MultiFactorAuthenticationUserPortalSetup64.msi.json';

type Manifest = Record<string, unknown> & { files?: Array<Record<string, unknown>>; folders?: unknown; iisApplications?: Array<Record<string, unknown>>; properties?: Record<string, string> };

function edit(dir: string, name: string, fn: (m: Manifest) => void): void {
  const p = join(dir, name);
  const m = JSON.parse(readFileSync(p, 'utf8')) as Manifest;
  fn(m);
  writeFileSync(p, JSON.stringify(m, null, 2));
}

interface PackageCase {
  name: string;
  sample: string;
  tamper(pkgs: string, root: string): void;
  message: RegExp;
}

const cases: PackageCase[] = [
  { name: 'issue 12: a file target [INSTALLDIR]..\\..\\..\\..\\x.txt', sample: 'phonefactor-5.2', tamper: (p) => edit(p, SERVER, (m) => m.files?.push({ target: '[INSTALLDIR]..\\..\\..\\..\\x.txt', content: 'x' })), message: /climbs out with "\.\."/ },
  {
    name: 'issue 12: a payload that is a link to a file outside the packages',
    sample: 'mfa-7.0',
    tamper: (p, root) => {
      writeFileSync(join(root, 'outside.txt'), 'secret from elsewhere');
      const src = join(p, 'payload', 'server', 'MultiFactorAuthSvc.exe');
      rmSync(src);
      symlinkSync(join(root, 'outside.txt'), src);
    },
    message: /holds a link: payload.server.MultiFactorAuthSvc\.exe/,
  },
  { name: 'a target outside every declared root', sample: 'mfa-7.0', tamper: (p) => edit(p, SERVER, (m) => m.files?.push({ target: 'C:\\Windows\\System32\\evil.dll', content: 'MZ' })), message: /lies under none of the roots/ },
  { name: 'a folder outside every declared root', sample: 'mfa-7.0', tamper: (p) => edit(p, SERVER, (m) => ((m.folders as string[]).push('C:\\Windows\\Tasks'))), message: /folder 'C:\\Windows\\Tasks' lies under none of the roots/ },
  { name: 'a target that uses a property below its root', sample: 'mfa-7.0', tamper: (p) => edit(p, SERVER, (m) => m.files?.push({ target: '[INSTALLDIR][OTHERDIR]x.txt', content: 'x' })), message: /uses a property below its root/ },
  { name: 'a target naming a device', sample: 'mfa-7.0', tamper: (p) => edit(p, SERVER, (m) => m.files?.push({ target: '[INSTALLDIR]Logs\\CON', content: 'x' })), message: /names a device/ },
  { name: 'a target with an alternate data stream', sample: 'mfa-7.0', tamper: (p) => edit(p, SERVER, (m) => m.files?.push({ target: '[INSTALLDIR]MultiFactorAuthSvc.exe:hidden', content: 'x' })), message: /colon/ },
  { name: 'a payload source climbing out of the folder', sample: 'mfa-7.0', tamper: (p) => edit(p, SERVER, (m) => m.files?.push({ target: '[INSTALLDIR]x.txt', source: '../../etc/hostname' })), message: /does not stay inside the packages folder/ },
  { name: 'a payload that is missing', sample: 'mfa-7.0', tamper: (p) => rmSync(join(p, 'payload', 'server', 'MultiFactorAuthAdSyncSvc.exe')), message: /payload 'payload\/server\/MultiFactorAuthAdSyncSvc\.exe' is missing/ },
  {
    name: 'a payload folder that is a link',
    sample: 'mfa-7.0',
    tamper: (p, root) => {
      cpSync(join(p, 'payload', 'portal'), join(root, 'elsewhere'), { recursive: true });
      rmSync(join(p, 'payload', 'portal'), { recursive: true });
      symlinkSync(join(root, 'elsewhere'), join(p, 'payload', 'portal'));
    },
    message: /holds a link: payload.portal/,
  },
  {
    name: 'a package manifest that is itself a link',
    sample: 'mfa-7.0',
    tamper: (p, root) => {
      cpSync(join(p, PORTAL), join(root, 'portal.json'));
      rmSync(join(p, PORTAL));
      symlinkSync(join(root, 'portal.json'), join(p, PORTAL));
    },
    message: /holds a link: MultiFactorAuthenticationUserPortalSetup64\.msi\.json/,
  },
  { name: 'a manifest whose files field is not a list', sample: 'mfa-7.0', tamper: (p) => edit(p, PORTAL, (m) => (m.files = 5 as unknown as [])), message: /field 'files' is not a list/ },
  { name: 'a manifest that is not JSON', sample: 'mfa-7.0', tamper: (p) => writeFileSync(join(p, PORTAL), '{"format": "mfa-upgrade/package-manifest@1", '), message: /malformed JSON/ },
  { name: 'an IIS folder made of a property that holds a path', sample: 'mfa-7.0', tamper: (p) => edit(p, PORTAL, (m) => (m.properties = { ...(m.properties ?? {}), TARGETVDIR: '..\\..\\Windows' })), message: /holds a path instead of a folder name/ },
  { name: 'a file with two contents', sample: 'mfa-7.0', tamper: (p) => edit(p, SERVER, (m) => m.files?.push({ target: '[INSTALLDIR]x.txt', content: 'x', source: 'payload/server/MultiFactorAuthSvc.exe' })), message: /exactly one of content, contentBase64 or source/ },
];

for (const c of cases) {
  test(`plan and upgrade block: ${c.name}`, async (t) => {
    const ws = await workspace(c.sample);
    try {
      const pkgs = join(ws.root, 'packages');
      cpSync('examples/packages', pkgs, { recursive: true });
      c.tamper(pkgs, ws.root);
      await expectRefusal(t, { argv: ['plan', '--host', ws.host, '--packages', pkgs], watch: [ws.host, pkgs], exit: 7, code: 'PLAN_BLOCKED', message: c.message, blockers: true });
      const work = join(ws.root, 'work');
      await expectRefusal(t, { argv: ['upgrade', '--host', ws.host, '--packages', pkgs, '--backup', work, '--unattended', '--retry-delay', '0'], watch: [ws.host, pkgs], exit: 7, code: 'PLAN_BLOCKED', message: /the plan is blocked/ });
      t.false(existsSync(work) && readdirSync(work).length > 0, 'no backup or journal was written');
    } finally {
      ws.cleanup();
    }
  });
}

test('a package swapped for another product while the plan is made is a blocker', async (t) => {
  const { inspectPackageFolder } = await import('../../lib/upgrade/package-check.js');
  const { readPackages } = await import('../../lib/upgrade/packages.js');
  const { openImageHost } = await import('../../lib/host/image/image-host.js');
  const dir = mkdtempSync(join(tmpdir(), 'mfa-pkgs-'));
  try {
    cpSync('examples/packages', dir, { recursive: true });
    const host = await openImageHost('examples/hosts/mfa-7.0');
    const packages = await readPackages(host, dir);
    t.deepEqual((await inspectPackageFolder(host, dir, packages)).blockers, [], 'the sample packages are sound');
    edit(dir, SERVER, (m) => (m['version'] = '8.1.9.9'));
    const report = await inspectPackageFolder(host, dir, packages);
    t.true(report.blockers.some((b) => /is not the product the plan assumes: it now reads .* 8\.1\.9\.9/.test(b.message)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
