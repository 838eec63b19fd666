// Windows Installer style versions: up to four dot-separated numbers.

export function parseVersion(v: string): number[] | undefined {
  if (!/^\d+(\.\d+){0,3}$/.test(v.trim())) return undefined;
  return v.trim().split('.').map(Number);
}

/** Negative, zero or positive like a comparator; missing parts count as 0. Unparsable sorts first. */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a) ?? [];
  const pb = parseVersion(b) ?? [];
  for (let i = 0; i < 4; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function majorOf(v: string): number | undefined {
  return parseVersion(v)?.[0];
}
