// Whether a process id still runs: lock files name their writer, and a dead writer's lock is stale.

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another account.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
