// Where MFA Server lives after an upgrade, held to what was found before: InstallPath unchanged
// (the installer reuses it, so the new version lands in the old folder) and the data file the
// backup found still there, not a fresh empty one. The install step's postcondition and
// verify-upgrade both ask this.
import type { Host } from '../../host/ports.js';
import { PHONEFACTOR_KEY, readInstallPath } from '../../inventory/take-inventory.js';

/** A data file far smaller than the one backed up is a fresh empty one, not the converted old one. */
const FRESH_DATA_FILE_RATIO = 4;
const SMALL_DATA_FILE = 64 * 1024;

export interface PlacementProblem {
  what: string;
  target: string;
  remedy: string;
}

export async function currentInstallPath(host: Host): Promise<string | null> {
  return (await readInstallPath(host.registry, '32')) ?? (await readInstallPath(host.registry, '64'));
}

export async function installPathProblem(host: Host, before: string): Promise<PlacementProblem | undefined> {
  const now = await currentInstallPath(host);
  if ((now ?? '').toLowerCase() === before.toLowerCase()) return undefined;
  return { what: `InstallPath under ${PHONEFACTOR_KEY} was ${before} before the install and is ${now ?? 'gone'} now: MFA Server did not land in the old folder`, target: PHONEFACTOR_KEY, remedy: 'Do not start the service; run --rollback, then check the registry value and plan again.' };
}

export async function dataFileProblem(host: Host, data: { path: string; size: number }): Promise<PlacementProblem | undefined> {
  const st = await host.files.stat(data.path);
  if (!st || st.isDirectory) return { what: `the data file ${data.path} the backup found is not there after the install`, target: data.path, remedy: 'Run --rollback (it puts the backed-up data file back), then check where MFA Server was installed.' };
  if (data.size >= SMALL_DATA_FILE && st.size * FRESH_DATA_FILE_RATIO < data.size) {
    return { what: `the data file ${data.path} is ${st.size} bytes after the install, far smaller than the ${data.size} bytes backed up: it looks like a fresh, empty one`, target: data.path, remedy: 'Stop MultiFactorAuth before it is used, run --rollback, and restore the data file from the backup.' };
  }
  return undefined;
}
