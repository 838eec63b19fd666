// Copies a sample host into a temporary folder so a test may change it freely.
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempCopy(sample: string): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'mfa-test-'));
  const dir = join(root, sample);
  cpSync(join('examples/hosts', sample), dir, { recursive: true });
  // A sample holds these only while something runs an install in it: a test changing the sample
  // in place, whose half-made state every test copying it beside would inherit (a flake).
  for (const transient of ['msiexec.lock', 'drive/C/Config.Msi']) {
    if (existsSync(join(dir, transient))) {
      rmSync(root, { recursive: true, force: true });
      throw new Error(`examples/hosts/${sample} holds ${transient}: a test is changing the sample in place; run installs on tempCopy(), never on examples/hosts`);
    }
  }
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
