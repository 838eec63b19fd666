// The one undo store: before a run replaces or creates a host file, the file's content (or its
// absence) is kept in the run's work folder, once per run, so undo puts back exactly what was
// there. The index is rewritten atomically after each keep, so it survives a crash.
import { createReadStream, existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, MfaError } from '../errors.js';
import type { Host } from '../host/ports.js';
import { parseJson } from '../util/json-file.js';
import { writeFileAtomicLocal, writeStreamAtomicLocal } from '../util/local-fs.js';

interface Entry {
  /** The host path as the run named it. */
  path?: string;
  /** The kept copy, relative to the store; null: the file did not exist. */
  copy: string | null;
}

export interface UndoStore {
  /** Keeps what the host file holds now, unless this run already kept it. */
  keep(hostPath: string): Promise<void>;
  /** Puts the file back as kept (removes it when it did not exist); a file never kept is left alone. */
  putBack(hostPath: string): Promise<void>;
  /** Whether the run kept this file. */
  has(hostPath: string): Promise<boolean>;
  /** Every host path the run kept (the places its writes went). */
  kept(): Promise<string[]>;
  /** What was kept for each path: the local copy, or null when the file did not exist. */
  entries(): Promise<Array<{ path: string; copy: string | null }>>;
}

const key = (p: string) => p.toLowerCase();

export function undoStore(host: Host, dir: string): UndoStore {
  const indexFile = join(dir, 'index.json');
  let index: Record<string, Entry> | undefined;
  async function load(): Promise<Record<string, Entry>> {
    if (!index) index = existsSync(indexFile) ? (parseJson(await fsp.readFile(indexFile, 'utf8'), indexFile) as Record<string, Entry>) : {};
    return index;
  }
  return {
    async keep(hostPath) {
      const idx = await load();
      if (idx[key(hostPath)]) return;
      await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
      const st = await host.files.stat(hostPath);
      // Kept as "did not exist", a folder would be removed, tree and all, by undo.
      if (st?.isDirectory) {
        throw new MfaError(`'${hostPath}' is a folder where the run expected a file`, { code: 'FILE_IS_FOLDER', target: hostPath, exitCode: ExitCode.fatal, remedy: 'Move the folder out of the way (or restore to another place) and run again; nothing was written there.' });
      }
      let copy: string | null = null;
      if (st) {
        copy = `${Object.keys(idx).length}.bin`;
        // Streamed: the data file may be gigabytes.
        await writeStreamAtomicLocal(join(dir, copy), chunks(await host.files.openRead(hostPath)));
      }
      idx[key(hostPath)] = { path: hostPath, copy };
      await writeFileAtomicLocal(indexFile, Buffer.from(JSON.stringify(idx)));
    },
    async putBack(hostPath) {
      const entry = (await load())[key(hostPath)];
      if (!entry) return;
      if (entry.copy === null) await host.files.remove(hostPath);
      else await host.files.writeStreamAtomic(hostPath, chunks(createReadStream(join(dir, entry.copy), { highWaterMark: 1 << 20 })));
    },
    async has(hostPath) {
      return (await load())[key(hostPath)] !== undefined;
    },
    async kept() {
      return Object.keys(await load());
    },
    async entries() {
      return Object.entries(await load()).map(([k, e]) => ({ path: e.path ?? k, copy: e.copy === null ? null : join(dir, e.copy) }));
    },
  };
}

async function* chunks(stream: NodeJS.ReadableStream): AsyncGenerator<Uint8Array> {
  for await (const c of stream) yield typeof c === 'string' ? Buffer.from(c) : (c as Uint8Array);
}
