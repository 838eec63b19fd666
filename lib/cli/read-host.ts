// Opening a host for a read-only command: it takes no lock, but says when a run holds the host
// or has left it half way, since what it reads may be mid-change.
import { hostLockNotice } from '../engine/host-lock.js';
import { openHost } from '../host/open.js';
import type { Host } from '../host/ports.js';
import type { Reporter } from '../reporting/reporter.js';

export async function openHostForReading(folder: string | undefined, out: Reporter): Promise<Host> {
  const host = await openHost(folder);
  const notice = hostLockNotice(host);
  if (notice) out.log('warning', notice);
  return host;
}
