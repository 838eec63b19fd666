// A standalone backup holds the host lock and keeps a journal beside the bundle while it runs:
// it stops the server's services for the data copy, and a backup killed in between must leave
// the next run able to start them again and remove its unfinished .partial folder. The journal is
// removed when the backup ends; one left behind is a killed backup's, cleaned up by the next run.
import { existsSync, promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { beginJournal } from '../engine/engine.js';
import { Journal } from '../engine/journal.js';
import { withHostLock } from '../engine/locked-run.js';
import { serviceOps } from '../engine/service-ops.js';
import type { Host } from '../host/ports.js';
import type { Reporter } from '../reporting/reporter.js';
import { removePath } from '../util/remove.js';
import { takeBackup, type BackupOptions, type BackupResult } from './take-backup.js';

const iso = () => new Date().toISOString();

export async function journaledBackup(host: Host, reporter: Reporter, options: BackupOptions, toolVersion: string): Promise<BackupResult> {
  const out = resolve(options.out);
  return withHostLock(host, reporter, { command: 'backup', kind: 'backup' }, async (lock) => {
    await fsp.mkdir(dirname(out), { recursive: true });
    const journal = new Journal(`${out}.journal.jsonl`);
    if (existsSync(journal.path)) await removePath(journal.path);
    await beginJournal(journal, { kind: 'backup', spec: { out }, policy: 'undo', host, localNode: (await host.info()).computerName, toolVersion, lock });
    journal.append({ type: 'temp', time: iso(), path: `${out}.partial` });
    let ok = false;
    try {
      const result = await takeBackup(host, { ...options, out, services: serviceOps(host, reporter, journal) });
      ok = true;
      return result;
    } finally {
      journal.append({ type: 'temp-removed', time: iso(), path: `${out}.partial` });
      journal.append({ type: 'end', time: iso(), outcome: ok ? 'completed' : 'failed', exitCode: ok ? 0 : 1603 });
      // Ended cleanly (services started again by takeBackup, the partial folder gone): nothing to keep.
      await removePath(journal.path);
      lock.release();
    }
  });
}
