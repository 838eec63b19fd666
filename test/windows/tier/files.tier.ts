// Files: atomic replace with ReplaceFileW (content, ACL), protect, copy with hash, free space.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MfaError } from '../../../lib/errors.js';
import { host, rejectsWith, work } from './context.js';
import { test } from './harness.js';

test('files: atomic replace keeps the content written, leaves no temporary file, and keeps the ACL', async (t) => {
  const { files } = await host();
  const dir = work('files');
  const path = `${dir}\\web.config`;
  await files.writeFileAtomic(path, Buffer.from('<configuration>old</configuration>\r\n')); // created (MoveFileExW)
  const sddl = 'D:P(A;;FA;;;BA)(A;;FA;;;SY)(A;;FR;;;BU)';
  files.setDacl(path, sddl);
  const before = files.dacl(path);
  // Wine keeps a file's security descriptor only where it can store it (an extended attribute);
  // where it reads back its default instead, the ACL half of this test cannot be checked.
  const aclKept = before === sddl;
  const next = Buffer.from('\uFEFF<configuration>new ✓</configuration>\r\n', 'utf8');
  await files.writeFileAtomic(path, next); // replaced (ReplaceFileW)
  assert.deepEqual(await files.readFile(path), next);
  assert.deepEqual((await files.listDir(dir))?.map((e) => e.name), ['web.config']);
  const after = files.dacl(path);
  if (aclKept) {
    assert.equal(after, sddl, 'ReplaceFileW kept the DACL');
    t.note(`the DACL was kept: ${after}`);
  } else {
    t.note(`NOT CHECKED: Wine did not store the DACL set (${sddl}); it reads back ${before}`);
  }
});

test('files: protect leaves only Administrators and SYSTEM, not inherited', async (t) => {
  const { files } = await host();
  const dir = work('backup-bundle');
  await files.writeFileAtomic(`${dir}\\manifest.json`, Buffer.from('{}'));
  const original = files.dacl(dir);
  await files.protect(dir); // SetNamedSecurityInfoW succeeded
  const sddl = files.dacl(dir);
  if (sddl === original && !/^D:P/.test(sddl)) {
    t.note(`NOT CHECKED: SetNamedSecurityInfoW succeeded but Wine did not store the DACL; it reads back ${sddl}`);
    return;
  }
  assert.match(sddl, /^D:P/, 'protected: nothing inherited from the parent');
  const aces = sddl.slice(3).match(/\([^)]*\)/g) ?? [];
  const trustees = aces.map((a) => a.slice(1, -1).split(';')[5]).sort();
  assert.deepEqual([...new Set(trustees)], ['BA', 'SY'], sddl);
  t.note(sddl);
});

test('files: copy with a SHA-256 of what was written; free space; a missing file is an error with its path', async () => {
  const { files } = await host();
  const data = Buffer.alloc(3 << 20, 7);
  await files.writeFileAtomic(work('copy', 'source.bin'), data);
  const copied = await files.copyFile(work('copy', 'source.bin'), work('copy', 'dest', 'copy.bin'));
  assert.deepEqual(copied, { size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
  assert.ok((await files.freeSpace('C:\\')) > 0);
  assert.ok((await files.freeSpace(work('copy', 'no', 'such', 'folder'))) > 0);
  await rejectsWith(files.readFile(work('nope.txt')), (e) => e instanceof MfaError && e['code'] === 'FILE_NOT_FOUND', 'readFile');
  const e = await rejectsWith(async () => files.dacl(work('nope.txt')), (err) => err instanceof MfaError && /^WIN32_[23]$/.test(String(err['code'])), 'dacl of a missing file');
  assert.match(String(e['target']), /nope\.txt/);
});

test('files: a streamed atomic write replaces the file whole, and a failing source leaves it as it was', async () => {
  const { files } = await host();
  const path = work('stream', 'Phonefactor.pfdata');
  await files.writeFileAtomic(path, Buffer.from('old data file'));
  const chunk = Buffer.alloc(1 << 20, 0x5a);
  async function* source(n: number, fail = false): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < n; i++) yield chunk;
    if (fail) throw new Error('the source broke');
  }
  const result = await files.writeStreamAtomic(path, source(3));
  const expected = Buffer.concat([chunk, chunk, chunk]);
  assert.deepEqual(result, { size: expected.length, sha256: createHash('sha256').update(expected).digest('hex') });
  assert.deepEqual(await files.readFile(path), expected);
  await rejectsWith(files.writeStreamAtomic(path, source(2, true)), (e) => /the source broke/.test(String((e as unknown as Error).message)), 'failing source');
  assert.deepEqual(await files.readFile(path), expected, 'the target is unchanged');
  assert.deepEqual((await files.listDir(work('stream')))?.map((e) => e.name), ['Phonefactor.pfdata'], 'no temporary file left');
});
