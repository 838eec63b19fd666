// The Files port over an image folder.
import { createReadStream, promises as fsp } from 'node:fs';
import type { CopyResult, DirEntry, Files, FileStat } from '../ports.js';
import { copyFileLocal, protectLocal, writeFileAtomicLocal, writeStreamAtomicLocal } from '../../util/local-fs.js';
import { MfaError } from '../../errors.js';
import type { ImagePaths } from './paths.js';
import { isTempName, removeStaleTemps } from '../../util/temp-names.js';
import { localFreeSpace } from '../../util/free-space.js';
import { removePath } from '../../util/remove.js';

export class ImageFiles implements Files {
  constructor(
    private readonly paths: ImagePaths,
    private readonly pinnedFreeBytes?: number,
  ) {}

  async readFile(path: string): Promise<Buffer> {
    try {
      return await fsp.readFile(this.paths.local(path));
    } catch (e) {
      throw this.notFound(e, path);
    }
  }

  async stat(path: string): Promise<FileStat | undefined> {
    try {
      const s = await fsp.stat(this.paths.local(path));
      return { size: s.size, isDirectory: s.isDirectory(), mtimeMs: s.mtimeMs };
    } catch {
      return undefined;
    }
  }

  async listDir(path: string): Promise<DirEntry[] | undefined> {
    try {
      const entries = await fsp.readdir(this.paths.local(path), { withFileTypes: true });
      return entries
        .filter((e) => !isTempName(e.name))
        .map((e) => ({ name: e.name, isDirectory: e.isDirectory() }))
        .sort((a, b) => a.name.localeCompare(b.name));
    } catch {
      return undefined;
    }
  }

  async openRead(path: string): Promise<NodeJS.ReadableStream> {
    const local = this.paths.local(path);
    await fsp.access(local).catch((e: unknown) => {
      throw this.notFound(e, path);
    });
    return createReadStream(local, { highWaterMark: 1 << 20 });
  }

  writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    return writeFileAtomicLocal(this.paths.local(path), data);
  }

  writeStreamAtomic(path: string, source: AsyncIterable<Uint8Array>): Promise<CopyResult> {
    return writeStreamAtomicLocal(this.paths.local(path), source, 0o644);
  }

  async copyFile(source: string, destination: string, onProgress?: (done: number, total: number) => void): Promise<CopyResult> {
    try {
      return await copyFileLocal(this.paths.local(source), this.paths.local(destination), onProgress);
    } catch (e) {
      throw this.notFound(e, source);
    }
  }

  async mkdirp(path: string): Promise<void> {
    await fsp.mkdir(this.paths.local(path), { recursive: true });
  }

  async remove(path: string): Promise<void> {
    await removePath(this.paths.local(path));
  }

  protect(path: string): Promise<void> {
    return protectLocal(this.paths.local(path));
  }

  async removeStaleTemps(path: string): Promise<string[]> {
    return removeStaleTemps(this.paths.local(path));
  }

  async freeSpace(_path: string): Promise<number> {
    // The image has no volume of its own: host.json may pin a figure (so sample results do not
    // depend on this machine); otherwise, the free space of the folder holding the image.
    if (this.pinnedFreeBytes !== undefined) return this.pinnedFreeBytes;
    const free = await localFreeSpace(this.paths.root);
    // An image is a test or rehearsal host: where the runtime cannot tell, it is not the limit.
    return free ?? Number.MAX_SAFE_INTEGER;
  }

  private notFound(e: unknown, path: string): unknown {
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ENOENT') return new MfaError(`file not found`, { code: 'FILE_NOT_FOUND', target: path, cause: e });
    if (err?.code === 'EACCES' || err?.code === 'EPERM') {
      return new MfaError(`access denied`, { code: 'FILE_ACCESS', target: path, remedy: 'Run as an administrator, or check the file is not locked by another process.', cause: e });
    }
    return e;
  }
}
