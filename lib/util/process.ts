// Whether a process id still runs: lock files name their writer, and a dead writer's lock is stale.
import { readFileSync } from 'node:fs';

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another account.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Something that tells this incarnation of a process id from a later process that reuses the
 * id: its start time in clock ticks since boot on Linux (/proc/<pid>/stat, field 22). Undefined
 * where it cannot be read (then the id alone is compared).
 */
export function processIdentity(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}
