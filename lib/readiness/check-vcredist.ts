// Visual C++ 2015 Update 1 or later, x86 and x64 (procedure.md §3): build 14.0.23506 or newer.
import type { RegistryView } from '../host/ports.js';
import type { Check, CheckResult, ReadinessContext } from './types.js';
import { readDword, readString } from '../host/registry-values.js';

const RUNTIMES = 'HKLM\\SOFTWARE\\Microsoft\\VisualStudio\\14.0\\VC\\Runtimes';
export const VC_MIN = { major: 14, minor: 0, bld: 23506 };

export function vcAtLeastUpdate1(major: number, minor: number, bld: number): boolean {
  if (major !== VC_MIN.major) return major > VC_MIN.major;
  if (minor !== VC_MIN.minor) return minor > VC_MIN.minor;
  return bld >= VC_MIN.bld;
}

async function checkArch(ctx: ReadinessContext, arch: 'x86' | 'x64', view: RegistryView): Promise<CheckResult> {
  const key = `${RUNTIMES}\\${arch}`;
  const base = { id: `vcredist-${arch}`, title: `Visual C++ 2015 Update 1 or later (${arch})` };
  const remedy = `Install the Visual C++ 2015-2022 Redistributable (${arch}) before any MFA component; the MFA Server installer brings it, the portal and mobile app installers do not ("Microsoft Visual C++ 2015 Redistributable Update 1 or higher is required").`;
  const [major, minor, bld] = await Promise.all(['Major', 'Minor', 'Bld'].map((n) => readDword(ctx.host.registry, key, n, view)));
  const version = await readString(ctx.host.registry, key, 'Version', view);
  const where = `${view === '32' ? key.replace('SOFTWARE\\', 'SOFTWARE\\WOW6432Node\\') : key}`;
  // A missing runtime whose redistributable is among the packages is work for the plan, not a stop.
  const atHand = ctx.redistributables?.includes(arch) === true;
  const missing = (evidence: string): CheckResult =>
    atHand
      ? { ...base, status: 'warn', evidence: `${evidence}; the packages folder has the ${arch} redistributable, and the upgrade installs it first`, remedy }
      : { ...base, status: ctx.targetMajor >= 7 ? 'fail' : 'warn', evidence, remedy };
  if (major === undefined || minor === undefined || bld === undefined) {
    if (ctx.targetMajor < 7) return { ...base, status: 'pass', evidence: `not installed (${where}); only MFA Server 7 and later need it` };
    return missing(`not installed: ${where} has no Major/Minor/Bld`);
  }
  const found = `${major}.${minor}.${bld}${version ? ` (${version})` : ''}`;
  if (!vcAtLeastUpdate1(major, minor, bld)) return missing(`${found} at ${where} is older than 14.0.23506 (Update 1)`);
  return { ...base, status: 'pass', evidence: `${found} at ${where}` };
}

export const checkVcX86: Check = (ctx) => checkArch(ctx, 'x86', '32');
export const checkVcX64: Check = (ctx) => checkArch(ctx, 'x64', '64');
