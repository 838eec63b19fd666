// The operating system against the seeds' matrix (getting-started-mfa-server.md, "Software"):
// Windows Server 2008 or later on a server OS, Windows 7 or later on a client OS. Read from the
// registry (os-info.ts).
import { readOs } from './os-info.js';
import type { Check } from './types.js';

export const checkOs: Check = async ({ host }) => {
  const base = { id: 'os', title: 'Windows Server 2008 or later (Windows 7 or later on a client OS)' };
  const os = await readOs(host);
  if (!os) return { ...base, status: 'warn', evidence: 'the Windows version could not be read from HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', remedy: 'Check by hand (winver): MFA Server needs Windows Server 2008 or later, or Windows 7 or later.' };
  const [major, minor, name] = os.server ? [6, 0, 'Windows Server 2008'] : [6, 1, 'Windows 7'];
  const ok = os.major > major || (os.major === major && os.minor >= minor);
  if (!ok) return { ...base, status: 'fail', evidence: `${os.evidence}: older than ${name} (${major}.${minor})`, remedy: `Move MFA Server to ${os.server ? 'Windows Server 2008 or later' : 'Windows 7 or later'} (Microsoft's requirement); an in-place upgrade on this OS is not supported.` };
  return { ...base, status: 'pass', evidence: `${os.evidence}: ${os.server ? 'server' : 'client'} OS, ${name} or later` };
};
