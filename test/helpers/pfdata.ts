// The image's data file header as docs/package-manifest.md ("dataConversion") writes it down, read
// here at its fixed offsets without lib/host/image/data-conversion.ts: the oracle for what a
// conversion left.
export interface PfdataState {
  /** The original bytes after the 32-byte header (the whole file when there is none). */
  body: Buffer;
  header?: { schema: number; from: number; state: number; pollsLeft: number };
}

export function pfdataState(bytes: Buffer): PfdataState {
  if (bytes.length < 32 || bytes.subarray(0, 16).toString('latin1') !== 'MFA-IMAGE-PFDATA') return { body: bytes };
  return { body: bytes.subarray(32), header: { schema: bytes.readUInt32LE(16), from: bytes.readUInt32LE(20), state: bytes.readUInt32LE(24), pollsLeft: bytes.readUInt32LE(28) } };
}

/** The line MFA Server writes to MultiFactorAuthSvc.log when a conversion completes (docs/procedure.md §1). */
export function completionLines(log: string): Array<{ from: number; to: number }> {
  return [...log.matchAll(/Completed performing tasks to upgrade from (\d+) to (\d+)/g)].map((m) => ({ from: Number(m[1]), to: Number(m[2]) }));
}
