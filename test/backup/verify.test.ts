// verify-backup names each missing, extra or altered file and exits non-zero on any; a bundle
// that cannot be read at all (truncated manifest, future format) is refused with exit code 3.
import test from 'ava';
import { appendFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyBackupSpec } from '../../lib/cli/commands/backup.spec.js';
import { verifyBundle } from '../../lib/backup/verify.js';
import { treeHash } from '../helpers/tree-hash.js';
import { backupOf, runCommand } from './helpers.js';

const DATA = 'snapshot/drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata';
const CONFIG = 'snapshot/drive/C/inetpub/wwwroot/MFAPortal/web.config';

function flipByte(path: string, at: number): void {
  const b = readFileSync(path);
  b[at] = (b[at] as number) ^ 0x01;
  writeFileSync(path, b);
}

test('an intact bundle verifies: exit 0, every file re-read', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const r = await runCommand(verifyBackupSpec, [ws.bundle, '--json']);
    t.is(r.code, 0);
    const report = r.events.find((e) => e['type'] === 'object')?.['data'] as { ok: boolean; problems: unknown[]; bytes: number; authenticated: boolean };
    t.true(report.ok);
    t.deepEqual(report.problems, []);
    t.true(report.authenticated);
    t.true(report.bytes > 2_000_000);
    const human = await runCommand(verifyBackupSpec, [ws.bundle]);
    t.regex(human.stdout, /Result OK/);
  } finally {
    ws.cleanup();
  }
});

test('one altered byte in the data file is named, with exit code 4, and verifying changes nothing', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    flipByte(join(ws.bundle, DATA), 1_000_000);
    const before = treeHash(ws.bundle);
    const r = await runCommand(verifyBackupSpec, [ws.bundle, '--json']);
    t.is(r.code, 4);
    const report = r.events.find((e) => e['type'] === 'object')?.['data'] as { problems: Array<{ kind: string; path: string; detail: string }> };
    t.deepEqual(report.problems.map((p) => [p.kind, p.path]), [['altered', DATA]]);
    t.regex(report.problems[0]?.detail ?? '', /SHA-256/);
    t.true(r.events.some((e) => e['type'] === 'log' && e['level'] === 'error' && String(e['message']).includes(DATA)));
    t.deepEqual(treeHash(ws.bundle), before);
  } finally {
    ws.cleanup();
  }
});

test('missing, extra, truncated and altered files are each named', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    rmSync(join(ws.bundle, CONFIG));
    writeFileSync(join(ws.bundle, 'snapshot/drive/C/inetpub/wwwroot/MFAPortal/evil.aspx'), 'x');
    mkdirSync(join(ws.bundle, 'extra/stowaway'));
    writeFileSync(join(ws.bundle, 'extra/stowaway/a.txt'), 'a');
    truncateSync(join(ws.bundle, DATA), 4096);
    appendFileSync(join(ws.bundle, 'snapshot/products.json'), ' ');
    const { report } = await verifyBundle(ws.bundle);
    const got = report.problems.map((p) => `${p.kind} ${p.path}`).sort();
    t.deepEqual(got, [
      `altered ${DATA}`,
      'altered snapshot/products.json',
      'extra extra/stowaway',
      'extra snapshot/drive/C/inetpub/wwwroot/MFAPortal/evil.aspx',
      `missing ${CONFIG}`,
    ]);
    t.regex(report.problems.find((p) => p.path === DATA)?.detail ?? '', /truncated/);
    t.regex(report.problems.find((p) => p.kind === 'missing')?.detail ?? '', /MFAPortal\\web\.config is missing/);
  } finally {
    ws.cleanup();
  }
});

test('an empty folder of the machine that disappeared from the bundle is named', async (t) => {
  const ws = await backupOf('phonefactor-5.2');
  try {
    const dir = 'snapshot/drive/C/inetpub/wwwroot/PhoneFactor/App_Themes/Contoso/images';
    rmSync(join(ws.bundle, dir), { recursive: true });
    const { report } = await verifyBundle(ws.bundle);
    t.true(report.problems.some((p) => p.kind === 'missing' && p.path === dir));
    t.true(report.problems.some((p) => p.kind === 'missing' && p.path.endsWith('contoso-logo.png')));
  } finally {
    ws.cleanup();
  }
});

test('an altered manifest (a hash rewritten to match an altered file) fails its seal', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const mpath = join(ws.bundle, 'manifest.json');
    const m = JSON.parse(readFileSync(mpath, 'utf8')) as { files: Array<{ stored: string; sha256: string }> };
    writeFileSync(join(ws.bundle, CONFIG), 'replaced');
    const { createHash } = await import('node:crypto');
    const f = m.files.find((x) => x.stored === CONFIG) as { sha256: string; size?: number };
    f.sha256 = createHash('sha256').update('replaced').digest('hex');
    f.size = 8;
    writeFileSync(mpath, `${JSON.stringify(m, null, 2)}\n`);
    const { report } = await verifyBundle(ws.bundle);
    t.false(report.ok);
    t.deepEqual(report.problems.map((p) => [p.kind, p.path]), [['altered', 'manifest.json']]);
    t.regex(report.problems[0]?.detail ?? '', /does not match its checksum/);
  } finally {
    ws.cleanup();
  }
});

test('a truncated manifest, a missing manifest, a folder that is not a bundle: refused with exit code 3', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const mpath = join(ws.bundle, 'manifest.json');
    const full = readFileSync(mpath);
    writeFileSync(mpath, full.subarray(0, Math.floor(full.length / 2)));
    const r = await runCommand(verifyBackupSpec, [ws.bundle, '--json']);
    t.is(r.code, 3);
    const err = r.events.find((e) => e['type'] === 'error');
    t.is(err?.['code'], 'BUNDLE_MANIFEST_DAMAGED');
    t.regex(String(err?.['message']), /truncated or damaged/);
    rmSync(mpath);
    const r2 = await runCommand(verifyBackupSpec, [ws.bundle, '--json']);
    t.is(r2.code, 3);
    t.is(r2.events.find((e) => e['type'] === 'error')?.['code'], 'BUNDLE_NO_MANIFEST');
    const r3 = await runCommand(verifyBackupSpec, [join(ws.root, 'nowhere'), '--json']);
    t.is(r3.code, 3);
    t.is(r3.events.find((e) => e['type'] === 'error')?.['code'], 'BUNDLE_NOT_FOUND');
    const r4 = await runCommand(verifyBackupSpec, [`${ws.bundle}.partial`, '--json']);
    t.is(r4.code, 3);
  } finally {
    ws.cleanup();
  }
});

test('a manifest of a future format version is refused with the version that wrote it', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const mpath = join(ws.bundle, 'manifest.json');
    const m = JSON.parse(readFileSync(mpath, 'utf8')) as Record<string, unknown>;
    m['formatVersion'] = 3;
    m['tool'] = { name: 'mfa-upgrade', version: '9.0.0' };
    writeFileSync(mpath, JSON.stringify(m));
    const r = await runCommand(verifyBackupSpec, [ws.bundle, '--json']);
    t.is(r.code, 3);
    const err = r.events.find((e) => e['type'] === 'error');
    t.is(err?.['code'], 'BUNDLE_FUTURE_FORMAT');
    t.regex(String(err?.['message']), /format version 3, written by mfa-upgrade 9\.0\.0/);
    t.regex(String(err?.['remedy']), /9\.0\.0 or later/);
  } finally {
    ws.cleanup();
  }
});

test('a malformed manifest field is named', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    const mpath = join(ws.bundle, 'manifest.json');
    const m = JSON.parse(readFileSync(mpath, 'utf8')) as { files: Array<Record<string, unknown>> };
    (m.files[2] as Record<string, unknown>)['sha256'] = 'zz';
    writeFileSync(mpath, JSON.stringify(m));
    const e = await t.throwsAsync(verifyBundle(ws.bundle));
    t.regex(e?.message ?? '', /files\[2\]\.sha256 is not a SHA-256/);
  } finally {
    ws.cleanup();
  }
});

test('a link inside the bundle is named and never followed', async (t) => {
  const ws = await backupOf('mfa-7.0');
  try {
    rmSync(join(ws.bundle, CONFIG));
    const outside = join(ws.root, 'outside.txt');
    writeFileSync(outside, 'outside');
    symlinkSync(outside, join(ws.bundle, CONFIG));
    const { report } = await verifyBundle(ws.bundle);
    t.true(report.problems.some((p) => p.kind === 'link' && p.path === CONFIG));
    t.false(report.ok);
  } finally {
    ws.cleanup();
  }
});

test('progress: bytes-based percent events with one id, never going back, ending completed', async (t) => {
  const ws = await backupOf('phonefactor-5.2');
  try {
    const r = await runCommand(verifyBackupSpec, [ws.bundle, '--json']);
    const progress = r.events.filter((e) => e['type'] === 'progress');
    t.true(progress.length >= 3);
    t.true(progress.every((p) => p['id'] === 2 && p['activity'] === 'Verifying backup'));
    const percents = progress.map((p) => p['percent'] as number);
    t.deepEqual(percents, [...percents].sort((a, b) => a - b));
    t.is(progress.at(-1)?.['completed'], true);
    t.is(percents.at(-1), 100);
    t.regex(String(progress[1]?.['status']), /of 3\.\d MB/);
  } finally {
    ws.cleanup();
  }
});
