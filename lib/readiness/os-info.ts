// The Windows version and edition, read from the registry as Windows records them
// (HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion): the OS check, and the IIS check's remedies
// (which name commands that exist on that version) read it.
import type { Host } from '../host/ports.js';
import { readDword, readString } from '../host/registry-values.js';

export const CURRENT_VERSION_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';

export interface OsInfo {
  productName: string | undefined;
  major: number;
  minor: number;
  build: string | undefined;
  /** Server or client edition: InstallationType where Windows records it, else the product name. */
  server: boolean;
  /** Where it was read, for evidence. */
  evidence: string;
}

export async function readOs(host: Host): Promise<OsInfo | undefined> {
  const reg = host.registry;
  const productName = await readString(reg, CURRENT_VERSION_KEY, 'ProductName');
  const build = await readString(reg, CURRENT_VERSION_KEY, 'CurrentBuildNumber');
  // Windows 10 / Server 2016 and later keep CurrentVersion at "6.3" for old programs and record
  // the real numbers in CurrentMajorVersionNumber / CurrentMinorVersionNumber.
  const major10 = await readDword(reg, CURRENT_VERSION_KEY, 'CurrentMajorVersionNumber');
  const minor10 = await readDword(reg, CURRENT_VERSION_KEY, 'CurrentMinorVersionNumber');
  let major: number | undefined;
  let minor: number | undefined;
  if (major10 !== undefined) {
    major = major10;
    minor = minor10 ?? 0;
  } else {
    const m = /^(\d+)\.(\d+)/.exec((await readString(reg, CURRENT_VERSION_KEY, 'CurrentVersion')) ?? '');
    if (m) {
      major = Number(m[1]);
      minor = Number(m[2]);
    }
  }
  if (major === undefined || minor === undefined) return undefined;
  const installationType = await readString(reg, CURRENT_VERSION_KEY, 'InstallationType');
  const server = installationType !== undefined ? !/^client$/i.test(installationType.trim()) : /server/i.test(productName ?? '');
  const evidence = `${productName ?? 'Windows'} ${major}.${minor}${build ? ` build ${build}` : ''} (${CURRENT_VERSION_KEY})`;
  return { productName, major, minor, build, server, evidence };
}

export function atLeast(os: OsInfo, major: number, minor: number): boolean {
  return os.major > major || (os.major === major && os.minor >= minor);
}

/** Windows Server 2008 R2 and older: no Install-WindowsFeature, no Web-Asp-Net45. */
export function before2012(os: OsInfo): boolean {
  return !atLeast(os, 6, 2);
}
