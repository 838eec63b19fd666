// What every reader must do with any input: succeed, or refuse with an MfaError that names a
// code and a target and exits non-zero (never 1603 "internal", never a bare Error, a stack
// overflow or a TypeError). A violation is a finding.
import { MfaError } from '../../lib/errors.js';

export class Finding extends Error {}

export function refusedCleanly(e: unknown): void {
  if (!(e instanceof MfaError)) {
    throw new Finding(`not an MfaError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  if (e.code === 'INTERNAL' || e.exitCode === 0) throw new Finding(`an MfaError that is not a refusal: ${e.code} exit ${e.exitCode}`);
  if (!e.message) throw new Finding(`an MfaError without a message: ${e.code}`);
}

/** Runs fn; a refusal is fine, anything else is a finding. Returns the result or undefined. */
export function cleanly<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Finding) throw e;
    refusedCleanly(e);
    return undefined;
  }
}

export async function cleanlyAsync<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Finding) throw e;
    refusedCleanly(e);
    return undefined;
  }
}
