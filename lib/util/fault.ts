// Fault injection for the crash tests: MFA_UPGRADE_KILL_AT=<point>[#n] kills this process with
// SIGKILL at the n-th time it passes the named point (step boundaries, mid-copy). Unset, it costs
// one environment lookup.
const target = process.env['MFA_UPGRADE_KILL_AT'];
const counts = new Map<string, number>();

export function faultPoint(name: string): void {
  if (!target) return;
  const [point, nth] = target.split('#');
  if (point !== name) return;
  const seen = (counts.get(name) ?? 0) + 1;
  counts.set(name, seen);
  if (seen >= Number(nth ?? '1')) process.kill(process.pid, 'SIGKILL');
}
