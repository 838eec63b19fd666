// File operations on this machine's own file system, with the reliability rules applied:
// atomic replace (write beside, flush, rename, flush the folder) and copies that hash and flush
// what they write. Used by the image host and for the tool's own files (bundles, journals).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CopyResult } from '../host/ports.js';
import { faultPoint } from './fault.js';
import { tempBeside } from './temp-names.js';
import { removePath } from './remove.js';

/** Flushes a folder's entries (the rename that made a file visible); refused by some file systems, harmlessly. */
export async function fsyncDir(dir: string): Promise<void> {
  // Directory fsync makes the rename durable; some file systems refuse it, which is harmless.
  try {
    const h = await fsp.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    /* not supported here */
  }
}


/** Replaces path with data atomically, keeping the old file's mode (a new file gets newMode). */
export async function writeFileAtomicLocal(path: string, data: Uint8Array, newMode = 0o644): Promise<void> {
  await fsp.mkdir(dirname(path), { recursive: true });
  const tmp = tempBeside(path);
  const mode = await fsp.stat(path).then((s) => s.mode & 0o7777, () => undefined);
  const h = await fsp.open(tmp, 'wx', mode ?? newMode);
  try {
    await h.writeFile(data);
    faultPoint('atomic-write');
    await h.sync();
  } catch (e) {
    await h.close().catch(() => undefined);
    await removePath(tmp);
    throw e;
  }
  await h.close();
  try {
    await fsp.rename(tmp, path);
  } catch (e) {
    await removePath(tmp);
    throw e;
  }
  await fsyncDir(dirname(path));
}

/**
 * Writes a stream to path atomically: into a temporary file beside it, hashing as it passes,
 * flushed, then renamed. If the source fails, the temporary file goes and the target is untouched.
 */
export async function writeStreamAtomicLocal(path: string, source: AsyncIterable<Uint8Array>, mode = 0o600): Promise<CopyResult> {
  await fsp.mkdir(dirname(path), { recursive: true });
  const tmp = tempBeside(path);
  const hash = createHash('sha256');
  const out = await fsp.open(tmp, 'wx', mode);
  let size = 0;
  try {
    for await (const chunk of source) {
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      hash.update(buf);
      let off = 0;
      while (off < buf.length) off += (await out.write(buf, off, buf.length - off)).bytesWritten;
      size += buf.length;
      faultPoint('copy-chunk');
    }
    await out.sync();
    await out.close();
  } catch (e) {
    await out.close().catch(() => undefined);
    await removePath(tmp);
    throw e;
  }
  await fsp.rename(tmp, path);
  await fsyncDir(dirname(path));
  return { size, sha256: hash.digest('hex') };
}

/** Copies source to destination atomically, hashing what is written (see writeStreamAtomicLocal). */
export async function copyFileLocal(
  source: string,
  destination: string,
  onProgress?: (bytesDone: number, bytesTotal: number) => void,
): Promise<CopyResult> {
  const { size: total, mode } = await fsp.stat(source);
  let done = 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    for await (const chunk of createReadStream(source, { highWaterMark: 1 << 20 })) {
      done += (chunk as Buffer).length;
      yield chunk as Buffer;
      onProgress?.(done, total);
    }
  }
  return writeStreamAtomicLocal(destination, chunks(), mode & 0o7777);
}

/** SHA-256 of a file, streamed. */
export async function sha256File(path: string, onProgress?: (bytesDone: number) => void): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onProgress?.(size);
  }
  return { size, sha256: hash.digest('hex') };
}

/** Owner-only access off Windows: 0700 for folders, 0600 for files, applied to the whole tree. */
export async function protectLocal(path: string): Promise<void> {
  const st = await fsp.lstat(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    await fsp.chmod(path, 0o700);
    for (const entry of await fsp.readdir(path)) await protectLocal(join(path, entry));
  } else {
    await fsp.chmod(path, 0o600);
  }
}
