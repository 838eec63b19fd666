// How the bundle writer puts bytes on this machine's disk. A seam of its own (not a host port:
// the bundle is local), so tests can make a write fail the way a full disk does, or give the
// volume any free space.
import { promises as fsp } from 'node:fs';
import { localFreeSpace } from '../util/free-space.js';

export interface FileSink {
  write(data: Uint8Array): Promise<void>;
  /** Flushes the file to stable storage. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface BundleFs {
  /** Creates a new file (never an existing one), readable by its owner only. */
  create(path: string): Promise<FileSink>;
  /** Creates a folder and any missing parents (existing ones are kept), for its owner only. */
  mkdir(dir: string): Promise<void>;
  /** Free bytes on the volume holding a folder; undefined where this runtime cannot tell. */
  freeSpace(dir: string): Promise<number | undefined>;
}

export const localBundleFs: BundleFs = {
  async create(path: string): Promise<FileSink> {
    const h = await fsp.open(path, 'wx', 0o600);
    return {
      async write(data: Uint8Array) {
        let off = 0;
        while (off < data.length) off += (await h.write(data, off, data.length - off)).bytesWritten;
      },
      sync: () => h.sync(),
      close: () => h.close(),
    };
  },
  async mkdir(dir: string): Promise<void> {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  },
  freeSpace: localFreeSpace,
};
