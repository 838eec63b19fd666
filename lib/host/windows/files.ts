// The Files port on this machine. Reads use Node's file system; atomic replace goes through
// ReplaceFileW (which keeps the replaced file's ACL, attributes and creation time) and protect
// sets a protected DACL granting only Administrators and SYSTEM.
import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MfaError } from '../../errors.js';
import { copyFileLocal, writeStreamAtomicLocal } from '../../util/local-fs.js';
import type { CopyResult, DirEntry, FileStat, Files } from '../ports.js';
import type { NativeAddon } from './addon.js';
import { callNative, win32Code } from './native-error.js';
import { localFreeSpace } from '../../util/free-space.js';
import { removePath } from '../../util/remove.js';

/** ReplaceFileW failures a virus scanner or indexer holding the file causes for a moment. */
const TRANSIENT = new Set([5, 32, 1175, 1176]);

function fsError(e: unknown, path: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return new MfaError('file not found', { code: 'FILE_NOT_FOUND', target: path, cause: e });
  if (err?.code === 'EACCES' || err?.code === 'EPERM') {
    return new MfaError('access denied', { code: 'FILE_ACCESS', target: path, remedy: 'Run as an administrator, or check the file is not locked by another process.', cause: e });
  }
  if (err?.code === 'EBUSY') return new MfaError('the file is in use', { code: 'FILE_BUSY', target: path, remedy: 'Stop the process holding it (an IIS worker, the MFA service) and retry.', cause: e });
  return e;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class WindowsFiles implements Files {
  constructor(private readonly addon: NativeAddon) {}

  async readFile(path: string): Promise<Buffer> {
    try {
      return await fsp.readFile(path);
    } catch (e) {
      throw fsError(e, path);
    }
  }

  async stat(path: string): Promise<FileStat | undefined> {
    try {
      const s = await fsp.stat(path);
      return { size: s.size, isDirectory: s.isDirectory(), mtimeMs: s.mtimeMs };
    } catch {
      return undefined;
    }
  }

  async listDir(path: string): Promise<DirEntry[] | undefined> {
    try {
      const entries = await fsp.readdir(path, { withFileTypes: true });
      return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory() })).sort((a, b) => a.name.localeCompare(b.name));
    } catch {
      return undefined;
    }
  }

  async openRead(path: string): Promise<NodeJS.ReadableStream> {
    await fsp.access(path).catch((e: unknown) => {
      throw fsError(e, path);
    });
    return createReadStream(path, { highWaterMark: 1 << 20 });
  }

  async writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    await fsp.mkdir(dirname(path), { recursive: true });
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
    const h = await fsp.open(tmp, 'wx');
    try {
      await h.writeFile(data);
      await h.sync();
    } catch (e) {
      await h.close().catch(() => undefined);
      await removePath(tmp);
      throw fsError(e, path);
    }
    await h.close();
    await this.replaceWith(tmp, path);
  }

  async writeStreamAtomic(path: string, source: AsyncIterable<Uint8Array>): Promise<CopyResult> {
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
    let result: CopyResult;
    try {
      // Written beside and flushed; the temporary file keeps no ACL of its own worth keeping.
      result = await writeStreamAtomicLocal(tmp, source);
    } catch (e) {
      throw fsError(e, path);
    }
    await this.replaceWith(tmp, path);
    return result;
  }

  /** Puts a flushed temporary file in place: ReplaceFileW keeps the target's ACL; a new file is moved. */
  private async replaceWith(tmp: string, path: string): Promise<void> {
    try {
      const exists = await fsp.stat(path).then(() => true, () => false);
      if (!exists) {
        callNative(() => this.addon.moveFile(tmp, path));
        return;
      }
      for (let attempt = 1; ; attempt++) {
        try {
          callNative(() => this.addon.replaceFile(path, tmp));
          return;
        } catch (e) {
          if (attempt >= 5 || !TRANSIENT.has(win32Code(e) ?? 0)) throw e;
          await sleep(100 * attempt);
        }
      }
    } catch (e) {
      await removePath(tmp).catch(() => undefined);
      throw e;
    }
  }

  async copyFile(source: string, destination: string, onProgress?: (bytesDone: number, bytesTotal: number) => void): Promise<CopyResult> {
    try {
      return await copyFileLocal(source, destination, onProgress);
    } catch (e) {
      throw fsError(e, source);
    }
  }

  async mkdirp(path: string): Promise<void> {
    await fsp.mkdir(path, { recursive: true });
  }

  async remove(path: string): Promise<void> {
    await removePath(path);
  }

  async protect(path: string): Promise<void> {
    callNative(() => this.addon.protectPath(path));
  }

  async freeSpace(path: string): Promise<number> {
    // The nearest folder that exists stands for the volume.
    let dir = path;
    for (;;) {
      try {
        const free = await localFreeSpace(dir);
        if (free === undefined) throw new MfaError('this Node runtime cannot measure free disk space', { code: 'FREE_SPACE_UNKNOWN', target: path, remedy: 'Check the free space by hand (at least the size of the backup plus 200 MB).' });
        return free;
      } catch (e) {
        const up = dirname(dir);
        if (up === dir) throw fsError(e, path);
        dir = up;
      }
    }
  }

  /** The DACL of a file or folder as SDDL (to check what protect or a replace left). */
  dacl(path: string): string {
    return callNative(() => this.addon.getDacl(path));
  }

  /** Sets a DACL from SDDL (tests and repairs). */
  setDacl(path: string, sddl: string): void {
    callNative(() => this.addon.setDacl(path, sddl));
  }
}
