// Win32 and Windows Installer failures from the addon, as MfaErrors a user can act on.
// The addon throws Errors carrying { code: number, api: string, target: string }.
import { MfaError } from '../../errors.js';

export interface NativeFailure extends Error {
  code: number;
  api: string;
  target: string;
}

export function isNativeFailure(e: unknown): e is NativeFailure {
  return e instanceof Error && typeof (e as Partial<NativeFailure>).code === 'number' && typeof (e as Partial<NativeFailure>).api === 'string';
}

const REMEDIES: Record<number, string> = {
  2: 'It does not exist: check the name or path.',
  3: 'The path does not exist: check the folder.',
  5: 'Access was denied: run from an elevated prompt (Run as administrator).',
  32: 'Another process has the file open (an IIS worker, the MFA service, a virus scanner): stop it or retry.',
  1060: 'No service of that name is installed on this machine.',
  1175: 'The file could not be replaced; the original is unchanged: check what holds it open and retry.',
  1176: 'The new file could not be moved in; the original is unchanged: retry.',
  1177: 'The new file could not be moved in and the original is kept under a backup name beside it: restore it before retrying.',
  1314: 'The account lacks a privilege this needs: run as an administrator.',
  1460: 'It did not reach the state in time: check the service in the Services console and its log, then retry.',
  1603: 'Windows Installer reported a fatal error: read the verbose log.',
  1605: 'That product is not installed on this machine.',
  1618: 'Another installation is in progress: wait for it to finish, then retry.',
  1619: 'The installation package could not be opened: check the path and that the file is a valid .msi.',
  1620: 'The file is not a valid Windows Installer package.',
  1053: 'The service did not answer in time.',
  1056: 'The service is already running.',
  1062: 'The service has not been started.',
  1307: 'That owner cannot be set: run as an administrator.',
};

/** 'MSI_1605' for Windows Installer calls, 'WIN32_5' for the rest. */
export function errorCode(api: string, code: number): string {
  return `${/^Msi/.test(api) ? 'MSI' : 'WIN32'}_${code}`;
}

/** Turns an addon failure into an MfaError; anything else (TypeError, our own errors) passes through. */
export function fromNative(e: unknown): unknown {
  if (!isNativeFailure(e)) return e;
  return new MfaError(e.message, {
    code: errorCode(e.api, e.code),
    ...(e.target ? { target: e.target } : {}),
    ...(REMEDIES[e.code] ? { remedy: REMEDIES[e.code] } : {}),
    cause: e,
  });
}

/** Runs a synchronous addon call, mapping its failure. */
export function callNative<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fromNative(e);
  }
}

/** Awaits an asynchronous addon call, mapping its failure. */
export async function awaitNative<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fromNative(e);
  }
}

/** The Win32 code behind an MfaError made here, if any. */
export function win32Code(e: unknown): number | undefined {
  if (e instanceof MfaError) {
    const m = /^(?:WIN32|MSI)_(\d+)$/.exec(e.code);
    return m ? Number(m[1]) : undefined;
  }
  return isNativeFailure(e) ? e.code : undefined;
}
