// The Windows backend's atomic replace, with the addon's ReplaceFileW / MoveFileExW played by
// POSIX renames and its failures injected by wrapping that object (never a seam in the DLL):
// whatever 1175/1176/1177 leave behind, the original or the new content survives and the error
// says where. The same injections run against the real addon under Wine (test/windows/tier).
import test from 'ava';
import { promises as fsp, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MfaError } from '../../lib/errors.js';
import type { NativeAddon, RawFileSecurity } from '../../lib/host/windows/addon.js';
import { WindowsFiles } from '../../lib/host/windows/files.js';

function win32Error(code: number, api: string, target: string): Error {
  return Object.assign(new Error(`${api} failed for ${target}: (${code})`), { code, api, target });
}

/** What the addon does, done with POSIX calls; `security` is what getSecurity reports per path. */
function posixAddon(security: (path: string) => string = () => 'D:P(A;;FA;;;BA)(A;;FA;;;SY)'): NativeAddon {
  const addon: Partial<NativeAddon> = {
    replaceFile(target, replacement, backup) {
      if (!existsSync(target)) throw win32Error(2, 'ReplaceFileW', target);
      renameSync(target, backup);
      renameSync(replacement, target);
    },
    moveFile(from, to, replaceExisting) {
      if (!replaceExisting && existsSync(to)) throw win32Error(183, 'MoveFileExW', to);
      renameSync(from, to);
    },
    getSecurity(path): RawFileSecurity {
      return { owner: 'S-1-5-32-544', dacl: security(path), directory: false, reparsePoint: false };
    },
  };
  return addon as NativeAddon;
}

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'mfa-replace-'));
}

const ORIGINAL = Buffer.from('<configuration>original</configuration>');
const NEW = Buffer.from('<configuration>new</configuration>');

async function setup(addon: NativeAddon): Promise<{ files: WindowsFiles; dir: string; path: string }> {
  const dir = folder();
  const path = join(dir, 'web.config');
  await fsp.writeFile(path, ORIGINAL);
  return { files: new WindowsFiles(addon), dir, path };
}

test('a replace puts the new content in and leaves neither the temporary file nor the backup', async (t) => {
  const { files, dir, path } = await setup(posixAddon());
  await files.writeFileAtomic(path, NEW);
  t.deepEqual(readFileSync(path), NEW);
  t.deepEqual(readdirSync(dir), ['web.config']);
  // A new file is moved in, never over something that appeared meanwhile.
  await files.writeFileAtomic(join(dir, 'fresh.txt'), NEW);
  t.deepEqual(readFileSync(join(dir, 'fresh.txt')), NEW);
});

test('1177 (the original moved to the backup name, the new file not in place): the original is put back and the error says so', async (t) => {
  const real = posixAddon();
  const addon: NativeAddon = {
    ...real,
    replaceFile(target, _replacement, backup) {
      renameSync(target, backup); // what Windows did before failing
      throw win32Error(1177, 'ReplaceFileW', target);
    },
  };
  const { files, dir, path } = await setup(addon);
  const e = await t.throwsAsync(files.writeFileAtomic(path, NEW), { instanceOf: MfaError });
  t.is(e?.code, 'WIN32_1177');
  t.regex(e?.message ?? '', /the original was put back from .*\.bak/);
  t.deepEqual(readFileSync(path), ORIGINAL);
  t.deepEqual(readdirSync(dir), ['web.config'], 'no temporary file, no backup left');
});

test('1177 and the original cannot be moved back: both files are kept and the error names them', async (t) => {
  const real = posixAddon();
  const addon: NativeAddon = {
    ...real,
    replaceFile(target, _replacement, backup) {
      renameSync(target, backup);
      throw win32Error(1177, 'ReplaceFileW', target);
    },
    moveFile(from, to, replaceExisting) {
      if (from.endsWith('.bak')) throw win32Error(5, 'MoveFileExW', to);
      real.moveFile(from, to, replaceExisting);
    },
  };
  const { files, dir, path } = await setup(addon);
  const e = await t.throwsAsync(files.writeFileAtomic(path, NEW), { instanceOf: MfaError });
  const names = readdirSync(dir);
  const backup = names.find((n) => n.endsWith('.bak'));
  const tmp = names.find((n) => n.endsWith('.mfa-tmp'));
  t.truthy(backup && tmp, names.join(', '));
  t.deepEqual(readFileSync(join(dir, backup!)), ORIGINAL);
  t.deepEqual(readFileSync(join(dir, tmp!)), NEW);
  t.true((e?.message ?? '').includes(join(dir, backup!)) && (e?.message ?? '').includes(join(dir, tmp!)), e?.message);
  t.regex(e?.remedy ?? '', /Rename .*\.bak to web\.config/);
});

test('1176 with a backup name (nothing moved) is retried a few times, then fails with the original unchanged', async (t) => {
  const real = posixAddon();
  let calls = 0;
  const flaky: NativeAddon = {
    ...real,
    replaceFile(target, replacement, backup) {
      if (++calls <= 2) throw win32Error(1176, 'ReplaceFileW', target);
      real.replaceFile(target, replacement, backup);
    },
  };
  const first = await setup(flaky);
  await first.files.writeFileAtomic(first.path, NEW);
  t.is(calls, 3);
  t.deepEqual(readFileSync(first.path), NEW);
  t.deepEqual(readdirSync(first.dir), ['web.config']);

  calls = 0;
  const stuck: NativeAddon = {
    ...real,
    replaceFile(target) {
      calls++;
      throw win32Error(1176, 'ReplaceFileW', target);
    },
  };
  const second = await setup(stuck);
  const e = await t.throwsAsync(second.files.writeFileAtomic(second.path, NEW), { instanceOf: MfaError });
  t.is(e?.code, 'WIN32_1176');
  t.is(calls, 5);
  t.deepEqual(readFileSync(second.path), ORIGINAL);
  t.deepEqual(readdirSync(second.dir), ['web.config']);
});

test('a code that is not transient is not retried, and the original stays', async (t) => {
  const real = posixAddon();
  let calls = 0;
  const addon: NativeAddon = {
    ...real,
    replaceFile(target) {
      calls++;
      throw win32Error(1177, 'ReplaceFileW', target); // said 1177, but nothing moved: the files decide
    },
  };
  const { files, dir, path } = await setup(addon);
  await t.throwsAsync(files.writeFileAtomic(path, NEW), { instanceOf: MfaError });
  t.is(calls, 1);
  t.deepEqual(readFileSync(path), ORIGINAL);
  t.deepEqual(readdirSync(dir), ['web.config']);
});

test('the original gone and not in the backup (1176 without a backup name): the new content is moved in, never deleted', async (t) => {
  const real = posixAddon();
  const addon: NativeAddon = {
    ...real,
    replaceFile(target) {
      renameSync(target, `${target}.lost-elsewhere`);
      throw win32Error(1176, 'ReplaceFileW', target);
    },
  };
  const { files, path } = await setup(addon);
  const e = await t.throwsAsync(files.writeFileAtomic(path, NEW), { instanceOf: MfaError });
  t.regex(e?.message ?? '', /holds the new content, the original is gone/);
  t.deepEqual(readFileSync(path), NEW);
});

test('a replace that did not keep the DACL is undone: the original (with its DACL) is back', async (t) => {
  let replaced = false;
  const real = posixAddon(() => (replaced ? 'D:(A;;FA;;;WD)' : 'D:P(A;;FA;;;BA)(A;;FA;;;SY)'));
  const addon: NativeAddon = {
    ...real,
    replaceFile(target, replacement, backup) {
      real.replaceFile(target, replacement, backup);
      replaced = true;
    },
    moveFile(from, to, replaceExisting) {
      real.moveFile(from, to, replaceExisting);
      if (from.endsWith('.bak')) replaced = false;
    },
  };
  const { files, dir, path } = await setup(addon);
  const e = await t.throwsAsync(files.writeFileAtomic(path, NEW), { instanceOf: MfaError });
  t.is(e?.code, 'FILE_ACCESS');
  t.deepEqual(readFileSync(path), ORIGINAL);
  t.deepEqual(readdirSync(dir), ['web.config']);
});

test('when the DACL cannot be read before the replace, nothing is replaced and no temporary file stays', async (t) => {
  const real = posixAddon();
  const addon: NativeAddon = {
    ...real,
    getSecurity(path) {
      throw win32Error(5, 'CreateFileW', path);
    },
  };
  const { files, dir, path } = await setup(addon);
  const e = await t.throwsAsync(files.writeFileAtomic(path, NEW), { instanceOf: MfaError });
  t.is(e?.code, 'WIN32_5');
  t.deepEqual(readFileSync(path), ORIGINAL);
  t.deepEqual(readdirSync(dir), ['web.config']);
});
