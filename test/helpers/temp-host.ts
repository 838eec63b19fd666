// Copies a sample host into a temporary folder so a test may change it freely.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempCopy(sample: string): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'mfa-test-'));
  const dir = join(root, sample);
  cpSync(join('examples/hosts', sample), dir, { recursive: true });
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
