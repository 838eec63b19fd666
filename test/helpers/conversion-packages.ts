// The sample packages as the upgrade tests use them. MFA Server converts its data file on the
// service's first start and logs "Completed performing tasks to upgrade from <n> to <m>"; the image
// installer does that for packages whose service declares a "dataConversion". Where the sample
// MFA Server package does not declare one yet, a copy of the packages lays the completion line
// down in the service log as the install's own file (the wait reads the log from where it stood
// before the install, so the line counts); otherwise the samples are used as they are.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SAMPLE_PACKAGES = 'examples/packages';
const SERVER = 'MultiFactorAuthenticationServerSetup64.msi.json';

interface Manifest {
  services?: Array<{ dataConversion?: unknown }>;
  files?: Array<Record<string, unknown>>;
}

let made: string | undefined;

export function packagesThatConvert(): string {
  const m = JSON.parse(readFileSync(join(SAMPLE_PACKAGES, SERVER), 'utf8')) as Manifest;
  if (m.services?.some((s) => s.dataConversion !== undefined)) return SAMPLE_PACKAGES;
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'mfa-pkg-'));
  cpSync(SAMPLE_PACKAGES, dir, { recursive: true });
  m.files = [...(m.files ?? []), { target: '[INSTALLDIR]Logs\\MultiFactorAuthSvc.log', content: 'I Service starting\r\nI Completed performing tasks to upgrade from 23 to 25\r\n' }];
  writeFileSync(join(dir, SERVER), JSON.stringify(m, null, 2));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  made = dir;
  return dir;
}
