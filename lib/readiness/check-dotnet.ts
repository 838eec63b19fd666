// .NET Framework 4.5+ from the Release DWORD (procedure.md §4); MFA Server 7+ needs 4.5.
import type { Check } from './types.js';
import { readDword } from '../host/registry-values.js';

const NDP = 'HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full';
const RELEASES: Array<[number, string]> = [
  [461808, '4.7.2'], [461308, '4.7.1'], [460798, '4.7'], [394802, '4.6.2'], [394254, '4.6.1'],
  [393295, '4.6'], [379893, '4.5.2'], [378675, '4.5.1'], [378389, '4.5'],
];

/** The .NET version a Release value stands for ('4.7.2 or later' above the table's top). */
export function dotnetVersion(release: number): string | undefined {
  const hit = RELEASES.find(([min]) => release >= min);
  if (!hit) return undefined;
  return release > 461808 ? '4.7.2 or later' : hit[1];
}

export const checkDotnet: Check = async ({ host, targetMajor }) => {
  const release = await readDword(host.registry, NDP, 'Release');
  const needs45 = targetMajor >= 7;
  const base = { id: 'dotnet', title: `.NET Framework ${needs45 ? '4.5' : '4.0'} or later` };
  if (release === undefined) {
    const install = await readDword(host.registry, NDP, 'Install');
    if (install === 1 && !needs45) return { ...base, status: 'pass', evidence: `.NET 4.0 is installed (${NDP}\\Install = 1, no Release value)` };
    return { ...base, status: 'fail', evidence: `no Release value under ${NDP}: .NET 4.5 or later is not installed`, remedy: 'Install .NET Framework 4.5 or later (4.7.2 recommended), then reboot.' };
  }
  const version = dotnetVersion(release);
  if (needs45 && !version) {
    return { ...base, status: 'fail', evidence: `Release = ${release}, below 4.5 (378389)`, remedy: 'Install .NET Framework 4.5 or later, then reboot.' };
  }
  return { ...base, status: 'pass', evidence: `Release = ${release} (.NET ${version ?? '4.0'})` };
};
