// The tool's temporary files (the "write beside, then rename" of every atomic write) carry the
// writer's process id in their name, so a later run can tell one a killed run left behind (its
// writer is gone) from one being written now, and remove it.
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { isProcessAlive } from './process.js';
import { removePath } from './remove.js';

const TEMP = /^\..+\.(\d+)-[0-9a-f]{8}\.mfa-tmp$/;

/** The temporary name beside a file: `.<name>.<pid>-<random>.mfa-tmp`. */
export function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.mfa-tmp`);
}

export function isTempName(name: string): boolean {
  return TEMP.test(name);
}

/** Removes the temporary files in a local folder whose writer is no longer running; returns their paths. */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isProcessAlive(pid)) continue;
    await removePath(join(dir, name));
    removed.push(join(dir, name));
  }
  return removed;
}
