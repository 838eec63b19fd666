// The defence of an unencrypted bundle, whose seal is a SHA-256 anyone can recompute: backup
// prints the digest of manifest.json ("sha256:<hex>"), and the manifest pins every file by its
// SHA-256; a run given --expect-digest refuses any bundle whose manifest has another digest, so a
// changed or swapped bundle cannot pass. The PowerShell module keeps the digest on its backup
// object and passes it on.
import { createHash } from 'node:crypto';
import { ExitCode, MfaError } from '../errors.js';

export function digestOf(manifestBytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(manifestBytes).digest('hex')}`;
}

/** Accepts "sha256:<hex>" or the bare hex, in either case; refuses anything else (exit 2). */
export function parseDigest(text: string): string {
  const m = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(text.trim());
  if (!m) {
    throw new MfaError('--expect-digest takes the digest backup printed (sha256: and 64 hex digits)', {
      code: 'USAGE',
      exitCode: ExitCode.usage,
      remedy: 'Copy the Digest line backup printed (or the Digest property of the PowerShell backup object).',
    });
  }
  return `sha256:${(m[1] as string).toLowerCase()}`;
}

export function sameDigest(expected: string, actual: string): boolean {
  let want: string;
  try {
    want = parseDigest(expected);
  } catch {
    return false;
  }
  return want === actual;
}
