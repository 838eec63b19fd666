// Free bytes on the volume holding a local folder. fs.statfs arrived in Node 18.15; the runtime
// for old Windows (Node 12, docs/api-floor.md) has none, and there the Windows backend asks the
// addon instead. Undefined means "cannot tell here", never "plenty".
import { promises as fsp } from 'node:fs';

interface StatFs {
  bavail: number;
  bsize: number;
}
type StatFsFn = (path: string) => Promise<StatFs>;

export async function localFreeSpace(dir: string): Promise<number | undefined> {
  const statfs = (fsp as unknown as { statfs?: StatFsFn }).statfs;
  if (typeof statfs !== 'function') return undefined;
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}
