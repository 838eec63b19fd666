// RAM against Microsoft's sizing table for regularly authenticating users (procedure.md §4).
import type { Check } from './types.js';

const TABLE: Array<[number, number]> = [
  [10_000, 4],
  [50_000, 8],
  [100_000, 12],
  [200_000, 16],
];

export function recommendedGb(users: number): number {
  return TABLE.find(([max]) => users <= max)?.[1] ?? 32;
}

export const checkSizing: Check = async ({ host, users }) => {
  const info = await host.info();
  const base = { id: 'memory', title: 'Memory for the number of users' };
  if (info.memoryMB === undefined) return { ...base, status: 'warn', evidence: 'the amount of memory could not be read', remedy: 'Check the memory by hand against the sizing table (4 GB up to 10,000 users ... 32 GB above 200,000).' };
  const gb = info.memoryMB / 1024;
  if (users === undefined) {
    return { ...base, status: 'pass', evidence: `${gb.toFixed(1)} GB installed; pass --users N to check it against the sizing table` };
  }
  const need = recommendedGb(users);
  const evidence = `${gb.toFixed(1)} GB installed; ${users.toLocaleString('en-US')} regularly authenticating users call for ${need} GB`;
  if (gb + 0.05 < need) return { ...base, status: 'warn', evidence, remedy: `Add memory to reach ${need} GB before the upgrade (the data file upgrade after install is memory-hungry).` };
  return { ...base, status: 'pass', evidence };
};
