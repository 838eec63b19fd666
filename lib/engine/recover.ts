// A run killed outright (SIGKILL, power loss) leaves its lock and an open journal. For a backup or
// a restore the next changing run finishes that run's cleanup from its journal before it starts:
// the services it stopped are started again and its temporary files removed.
import type { Host } from '../host/ports.js';
import type { Reporter } from '../reporting/reporter.js';
import { removePath } from '../util/remove.js';
import { removeStaleTemps } from '../util/temp-names.js';
import { dirname, join } from 'node:path';
import type { LockInfo } from './host-lock.js';
import { Journal } from './journal.js';
import { serviceOps } from './service-ops.js';

const iso = () => new Date().toISOString();

export async function finishKilledRun(host: Host, reporter: Reporter, dead: LockInfo): Promise<void> {
  const state = dead.journal ? new Journal(dead.journal).state() : undefined;
  if (!dead.journal || !state) {
    reporter.log('warning', `A ${dead.kind} run (process ${dead.pid}) was killed before it kept a journal; nothing of it to clean up.`);
    // At most the journal it was creating, half-written beside where it belongs.
    if (dead.journal) for (const f of await removeStaleTemps(dirname(dead.journal))) reporter.log('verbose', `Removed ${f}, left by that run.`);
    return;
  }
  const journal = new Journal(dead.journal);
  if (state.ended) return;
  reporter.log('warning', `A ${dead.kind} run (process ${dead.pid}, since ${dead.since}) was killed; finishing its cleanup from ${journal.path}.`);
  const sink = { append: (r: Parameters<Journal['append']>[0]) => journal.append(r) };
  const owed = [...state.owedStarts].reverse();
  if (owed.length) await serviceOps(host, reporter, sink).start(owed);
  for (const t of state.temps) {
    await removePath(t);
    journal.append({ type: 'temp-removed', time: iso(), path: t });
  }
  // Half-written copies of its own (the undo store's), beside its journal.
  for (const dir of [dirname(journal.path), join(dirname(journal.path), 'undo')]) await removeStaleTemps(dir);
  journal.append({ type: 'end', time: iso(), outcome: 'cleaned-up', exitCode: 1603 });
}
