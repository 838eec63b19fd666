// Windows Installer keeps a rollback script and the files it replaced in C:\Config.Msi, so an
// installation cut off by a crash is rolled back the next time Windows Installer runs. This is
// the same for an image host: before an operation changes anything, the state files are copied
// to drive/C/Config.Msi, and every file it replaces or removes is saved there first (flushed), so
// the next operation finds an interrupted one and undoes it before doing its own work.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicLocal } from '../../util/local-fs.js';
import type { ImageFiles } from './files.js';
import { removePath } from '../../util/remove.js';

interface SavedFile {
  path: string;
  /** The saved copy's name, or null when the file did not exist before. */
  copy: string | null;
}

export class RollbackStore {
  private readonly dir: string;
  private readonly saved = new Set<string>();
  private n = 0;

  constructor(
    private readonly root: string,
    private readonly files: ImageFiles,
    private readonly stateFiles: string[],
  ) {
    this.dir = join(root, 'drive', 'C', 'Config.Msi');
  }

  async pending(): Promise<boolean> {
    return fsp.stat(join(this.dir, 'begun')).then(() => true, () => false);
  }

  async begin(): Promise<void> {
    await removePath(this.dir);
    await fsp.mkdir(join(this.dir, 'state'), { recursive: true });
    await fsp.mkdir(join(this.dir, 'files'), { recursive: true });
    for (const f of this.stateFiles) {
      const bytes = await fsp.readFile(join(this.root, f)).catch(() => undefined);
      if (bytes) await writeFileAtomicLocal(join(this.dir, 'state', f), bytes);
    }
    // Written last: without it, a half-made store is not a transaction to roll back.
    await writeFileAtomicLocal(join(this.dir, 'begun'), Buffer.from(`${process.pid}\n`));
    this.saved.clear();
    this.n = 0;
  }

  /** Saves what a file holds (or that it is absent) before the operation first changes it. */
  async save(path: string): Promise<void> {
    const key = path.toLowerCase();
    if (this.saved.has(key)) return;
    this.saved.add(key);
    let copy: string | null = null;
    if (await this.files.stat(path)) {
      copy = String(this.n++);
      await writeFileAtomicLocal(join(this.dir, 'files', copy), await this.files.readFile(path));
    }
    const fd = openSync(join(this.dir, 'files.jsonl'), 'a');
    try {
      writeSync(fd, `${JSON.stringify({ path, copy } satisfies SavedFile)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Puts every saved file and the state files back, newest first, and clears the store. */
  async rollback(): Promise<void> {
    const text = await fsp.readFile(join(this.dir, 'files.jsonl'), 'utf8').catch(() => '');
    const entries: SavedFile[] = [];
    for (const line of text.split('\n')) {
      try {
        if (line.trim()) entries.push(JSON.parse(line) as SavedFile);
      } catch {
        // A torn last line: its file was not touched yet.
      }
    }
    for (const e of entries.reverse()) {
      if (e.copy === null) await this.files.remove(e.path);
      else await this.files.writeFileAtomic(e.path, await fsp.readFile(join(this.dir, 'files', e.copy)));
    }
    for (const f of this.stateFiles) {
      const bytes = await fsp.readFile(join(this.dir, 'state', f)).catch(() => undefined);
      if (bytes) await writeFileAtomicLocal(join(this.root, f), bytes);
      else await removePath(join(this.root, f));
    }
    await this.commit();
  }

  async commit(): Promise<void> {
    await removePath(this.dir);
  }
}
