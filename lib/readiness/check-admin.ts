// Installing, stopping services and writing under Program Files need an elevated administrator.
import type { Check } from './types.js';

export const checkAdmin: Check = async ({ host }) => {
  const info = await host.info();
  const base = { id: 'administrator', title: 'Running as an administrator' };
  if (info.isAdministrator === true) return { ...base, status: 'pass', evidence: 'the process is elevated' };
  if (info.isAdministrator === false) return { ...base, status: 'fail', evidence: 'the process is not elevated', remedy: 'Run PowerShell as administrator (or the ConfigMgr program as SYSTEM).' };
  return { ...base, status: 'warn', evidence: 'elevation could not be determined', remedy: 'Make sure the session runs as administrator.' };
};
