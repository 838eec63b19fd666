// Another installation running would make every install return 1618.
import type { Check } from './types.js';

const IN_PROGRESS = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Installer\\InProgress';

export const checkInstallerBusy: Check = async ({ host }) => {
  const base = { id: 'installer-busy', title: 'No other installation running' };
  if (await host.registry.keyExists(IN_PROGRESS)) {
    return { ...base, status: 'fail', evidence: `${IN_PROGRESS} exists: Windows Installer is in the middle of another installation`, remedy: 'Wait for the other installation (Windows Update, SCCM) to finish, or restart; the upgrade retries 1618 a few times, but not for long.' };
  }
  return { ...base, status: 'pass', evidence: 'Windows Installer reports no installation in progress' };
};
