// The Web Service SDK's virtual directory changed name between PhoneFactor and MFA Server
// (procedure.md §2 step 7): every carried URL that goes through the old vdir must follow it.
import { ExitCode, MfaError } from '../../errors.js';

export const OLD_DEFAULT_SDK_VDIR = 'PhoneFactorWebServiceSdk';
export const NEW_DEFAULT_SDK_VDIR = 'MultiFactorAuthWebServiceSdk';

export interface VdirMapping {
  from: string;
  to: string;
}

const VDIR = /^[A-Za-z0-9._~!$&'()*+,;=@-]+(\/[A-Za-z0-9._~!$&'()*+,;=@-]+)*$/;

/** Parses --sdk-vdir values: "OLD=NEW", or "default" for PhoneFactorWebServiceSdk=MultiFactorAuthWebServiceSdk. */
export function parseVdirMappings(values: string[]): VdirMapping[] {
  return values.map((v) => {
    if (v.toLowerCase() === 'default') return { from: OLD_DEFAULT_SDK_VDIR, to: NEW_DEFAULT_SDK_VDIR };
    const eq = v.indexOf('=');
    const from = v.slice(0, eq).trim().replace(/^\/|\/$/g, '');
    const to = v.slice(eq + 1).trim().replace(/^\/|\/$/g, '');
    if (eq === -1 || !VDIR.test(from) || !VDIR.test(to)) {
      throw new MfaError(`--sdk-vdir '${v}' is not OLD=NEW (virtual directory names, e.g. PhoneFactorWebServiceSdk=MultiFactorAuthWebServiceSdk) or 'default'`, {
        code: 'USAGE',
        exitCode: ExitCode.usage,
        remedy: "Write --sdk-vdir default, or --sdk-vdir OldName=NewName with the names IIS shows.",
      });
    }
    return { from, to };
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Compiled once per vdir name: a merge tests every value of a file.
const segmentPatterns = new Map<string, RegExp>();

function segmentPattern(vdir: string): RegExp {
  const key = vdir.toLowerCase();
  let re = segmentPatterns.get(key);
  if (!re) {
    re = new RegExp(`(?<=(?:^|[^/])/)${escapeRegExp(vdir)}(?=[/?#]|$)`, 'gi');
    segmentPatterns.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

/**
 * Rewrites the vdir where it is a whole URL path segment ("/OLD/" or "/OLD" at the end or
 * before ?/#); IIS compares paths case-insensitively, so does this. Host names and file paths
 * that merely contain the name are left alone.
 */
export function rewriteVdir(value: string, mappings: VdirMapping[]): { value: string; applied: VdirMapping | undefined } {
  if (mappings.length === 0 || value.indexOf('/') === -1) return { value, applied: undefined };
  for (const m of mappings) {
    const out = value.replace(segmentPattern(m.from), () => m.to);
    if (out !== value) return { value: out, applied: m };
  }
  return { value, applied: undefined };
}

/** Does the value go through the vdir (used to warn when no mapping was given)? */
export function mentionsVdir(value: string, vdir: string): boolean {
  return value.indexOf('/') !== -1 && segmentPattern(vdir).test(value);
}
