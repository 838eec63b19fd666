// A pending reboot makes installers fail or defer work; Windows records it in three places.
import type { Check } from './types.js';

const SESSION_MANAGER = 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager';
const CBS = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending';
const WU = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired';

export const checkReboot: Check = async ({ host }) => {
  const reasons: string[] = [];
  const renames = await host.registry.getValue(SESSION_MANAGER, 'PendingFileRenameOperations');
  if (renames && !(renames.type === 'REG_MULTI_SZ' && renames.data.length === 0)) reasons.push(`${SESSION_MANAGER}\\PendingFileRenameOperations is set`);
  if (await host.registry.keyExists(CBS)) reasons.push(`${CBS} exists`);
  if (await host.registry.keyExists(WU)) reasons.push(`${WU} exists`);
  const base = { id: 'pending-reboot', title: 'No reboot pending' };
  if (reasons.length) return { ...base, status: 'warn', evidence: reasons.join('; '), remedy: 'Restart the server before upgrading, so the installers do not fail or defer work to a reboot.' };
  return { ...base, status: 'pass', evidence: 'no pending file renames, servicing or Windows Update reboot' };
};
