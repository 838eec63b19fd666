// 200 MB free where MFA Server is installed (procedure.md §4).
import type { Check } from './types.js';
import { formatBytes } from '../util/format-bytes.js';

export const MIN_FREE_BYTES = 200 * 1024 * 1024;

export const checkDisk: Check = async ({ host, inventory }) => {
  const path = inventory.server?.installPath ?? 'C:\\';
  const free = await host.files.freeSpace(path);
  const base = { id: 'disk', title: '200 MB free disk space' };
  const evidence = `${formatBytes(free)} free on the volume of ${path}`;
  if (free < MIN_FREE_BYTES) return { ...base, status: 'fail', evidence, remedy: 'Free at least 200 MB (plus room for the backup if it is written to the same volume).' };
  return { ...base, status: 'pass', evidence };
};
