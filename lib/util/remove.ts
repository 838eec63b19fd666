// Removing files and folders on every runtime the bundle supports (docs/api-floor.md): fs.rm
// arrived in Node 14.14, and rmdir's recursive option (12.10) is deprecated where rm exists.
import { promises as fsp } from 'node:fs';

type RemoveTree = (path: string, options: { recursive: boolean; force: boolean }) => Promise<void>;
const removeTree = (fsp as unknown as { rm?: RemoveTree }).rm;

/** Removes a file, a link or a folder with everything in it; a path that is not there is fine. */
export async function removePath(path: string): Promise<void> {
  if (removeTree) return removeTree.call(fsp, path, { recursive: true, force: true });
  let isDir: boolean;
  try {
    isDir = (await fsp.lstat(path)).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    if (isDir) await fsp.rmdir(path, { recursive: true });
    else await fsp.unlink(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
