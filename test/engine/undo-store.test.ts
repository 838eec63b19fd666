// The undo store on an image host: what a run keeps before it replaces or creates a host file, and
// what putting it back does. Checked on the image's files as bytes (what an administrator would
// find on the disk), not through the store's own answers.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { undoStore } from '../../lib/engine/undo-store.js';
import { openImageHost } from '../../lib/host/image/image-host.js';
import type { Host } from '../../lib/host/ports.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';

async function rig(t: { teardown(fn: () => void): void }): Promise<{ host: Host; dir: string; local(name: string): string }> {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  mkdirSync(join(h.dir, 'drive/C/Engine'), { recursive: true });
  return { host: await openImageHost(h.dir), dir: join(w.dir, 'undo'), local: (name) => join(h.dir, 'drive/C/Engine', name) };
}

test('an existing file is kept once, at its first keep: later keeps in the run do not replace the copy; putBack restores its bytes', async (t) => {
  const r = await rig(t);
  // Larger than the stream's chunks, with every byte value: streamed, never re-encoded.
  const original = Buffer.concat([randomBytes(3 * 1024 * 1024 + 17), Buffer.from([0, 0xff, 0xfe, 0x0d, 0x0a])]);
  writeFileSync(r.local('PhoneFactor.pfdata'), original);
  const store = undoStore(r.host, r.dir);
  await store.keep('C:\\Engine\\PhoneFactor.pfdata');
  writeFileSync(r.local('PhoneFactor.pfdata'), 'converted once');
  await store.keep('C:\\ENGINE\\phonefactor.PFDATA');
  writeFileSync(r.local('PhoneFactor.pfdata'), 'converted twice');
  await store.putBack('c:\\engine\\PhoneFactor.pfdata');
  t.true(readFileSync(r.local('PhoneFactor.pfdata')).equals(original));
});

test('several kept files each come back with their own bytes; a file the run created is removed; one never kept is left alone', async (t) => {
  const r = await rig(t);
  writeFileSync(r.local('a.config'), '<a/>');
  writeFileSync(r.local('b.config'), '<b attr="1"/>');
  writeFileSync(r.local('untouched.txt'), 'mine');
  const store = undoStore(r.host, r.dir);
  await store.keep('C:\\Engine\\a.config');
  await store.keep('C:\\Engine\\b.config');
  await store.keep('C:\\Engine\\new.txt');
  writeFileSync(r.local('a.config'), 'A');
  writeFileSync(r.local('b.config'), 'B');
  writeFileSync(r.local('new.txt'), 'N');
  writeFileSync(r.local('untouched.txt'), 'changed by someone else');
  for (const p of ['C:\\Engine\\a.config', 'C:\\Engine\\b.config', 'C:\\Engine\\new.txt', 'C:\\Engine\\untouched.txt']) await store.putBack(p);
  t.is(readFileSync(r.local('a.config'), 'utf8'), '<a/>');
  t.is(readFileSync(r.local('b.config'), 'utf8'), '<b attr="1"/>');
  t.false(existsSync(r.local('new.txt')));
  t.is(readFileSync(r.local('untouched.txt'), 'utf8'), 'changed by someone else');
});

test('has() and entries() say what was kept (paths as the run named them, without regard to case); the index outlives the process', async (t) => {
  const r = await rig(t);
  writeFileSync(r.local('web.config'), '<configuration/>');
  const store = undoStore(r.host, r.dir);
  t.false(await store.has('C:\\Engine\\web.config'));
  t.deepEqual(await store.entries(), []);
  await store.keep('C:\\Engine\\web.config');
  await store.keep('C:\\Engine\\Missing.txt');
  t.true(await store.has('c:\\engine\\WEB.CONFIG'));
  t.false(await store.has('C:\\Engine\\other.config'));
  // A new store over the same folder: what --resume or --rollback in a new process sees.
  const again = undoStore(r.host, r.dir);
  const entries = await again.entries();
  t.deepEqual(entries.map((e) => e.path), ['C:\\Engine\\web.config', 'C:\\Engine\\Missing.txt']);
  t.is(entries[1]?.copy, null, 'a file that did not exist has no copy');
  const copy = entries[0]?.copy;
  t.is(typeof copy, 'string');
  t.true(existsSync(copy as string));
  t.is(readFileSync(copy as string, 'utf8'), '<configuration/>');
  t.true(await again.has('C:\\Engine\\MISSING.txt'));
  t.deepEqual((await again.kept()).length, 2);
});

test('a folder where the run expected a file is refused by keep (nothing recorded), so no undo can remove the folder as a file that did not exist', async (t) => {
  const r = await rig(t);
  mkdirSync(r.local('web.config'));
  writeFileSync(join(r.local('web.config'), 'inside.txt'), 'keep me');
  const store = undoStore(r.host, r.dir);
  const err = await t.throwsAsync(store.keep('C:\\Engine\\web.config'));
  t.is((err as { code?: string }).code, 'FILE_IS_FOLDER');
  t.regex(err?.message ?? '', /'C:\\Engine\\web\.config' is a folder/);
  t.is((err as { remedy?: string }).remedy, 'Move the folder out of the way (or restore to another place) and run again; nothing was written there.');
  t.false(await store.has('C:\\Engine\\web.config'));
  await store.putBack('C:\\Engine\\web.config');
  t.is(readFileSync(join(r.local('web.config'), 'inside.txt'), 'utf8'), 'keep me');
});
