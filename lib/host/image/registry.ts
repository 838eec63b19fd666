// The Registry port over an image's registry.reg, saved back (UTF-16LE, atomically) on each write.
import { promises as fsp } from 'node:fs';
import { writeFileAtomicLocal } from '../../util/local-fs.js';
import type { RegNamedValue, RegValue, Registry, RegistryView } from '../ports.js';
import { decodeRegBytes, encodeRegText } from './reg-file.js';
import { RegistryTree } from './registry-tree.js';

export class ImageRegistry implements Registry {
  private tree: RegistryTree | undefined;
  constructor(private readonly file: string) {}

  /** Forgets what was read, so the next call reads the file again. */
  reload(): void {
    this.tree = undefined;
  }

  private async load(): Promise<RegistryTree> {
    if (!this.tree) {
      const bytes = await fsp.readFile(this.file).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      });
      this.tree = bytes ? RegistryTree.fromText(decodeRegBytes(bytes), this.file) : new RegistryTree();
    }
    return this.tree;
  }

  private async save(): Promise<void> {
    if (this.tree) await writeFileAtomicLocal(this.file, encodeRegText(this.tree.toText()));
  }

  async getValue(key: string, name: string, view: RegistryView = '64'): Promise<RegValue | undefined> {
    return (await this.load()).getKey(key, view)?.findValue(name)?.value;
  }

  async listValues(key: string, view: RegistryView = '64'): Promise<RegNamedValue[] | undefined> {
    const node = (await this.load()).getKey(key, view);
    return node?.values.map((v) => ({ name: v.name, value: v.value }));
  }

  async listSubkeys(key: string, view: RegistryView = '64'): Promise<string[] | undefined> {
    const node = (await this.load()).getKey(key, view);
    return node ? [...node.subkeys.values()].map((k) => k.name) : undefined;
  }

  async keyExists(key: string, view: RegistryView = '64'): Promise<boolean> {
    return (await this.load()).getKey(key, view) !== undefined;
  }

  async setValue(key: string, name: string, value: RegValue, view: RegistryView = '64'): Promise<void> {
    (await this.load()).ensureKey(key, view).setValue(name, value);
    await this.save();
  }

  async deleteValue(key: string, name: string, view: RegistryView = '64'): Promise<void> {
    const node = (await this.load()).getKey(key, view);
    if (!node?.findValue(name)) return;
    node.deleteValue(name);
    await this.save();
  }

  async deleteKey(key: string, view: RegistryView = '64'): Promise<void> {
    const tree = await this.load();
    if (!tree.getKey(key, view)) return;
    tree.deleteKey(key, view);
    await this.save();
  }

  /**
   * Removes the key if it is empty, then its parents while they are empty, as Windows Installer
   * removes the keys it created; stops three levels down (never a hive or HKLM\SOFTWARE itself).
   */
  async deleteEmptyKeys(key: string, view: RegistryView = '64'): Promise<void> {
    const tree = await this.load();
    let path = key;
    let changed = false;
    while (path.split('\\').filter(Boolean).length > 3) {
      const node = tree.getKey(path, view);
      if (!node || node.values.length > 0 || node.subkeys.size > 0) break;
      tree.deleteKey(path, view);
      changed = true;
      path = path.replace(/\\[^\\]+$/, '');
    }
    if (changed) await this.save();
  }

  /** The .reg text of a key in one view, as `reg export` writes it (for backups). */
  async exportText(key: string, view: RegistryView = '64'): Promise<string> {
    return (await this.load()).toText(key, view);
  }
}
