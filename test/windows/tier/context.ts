// What the tier tests share: the host (opened once, through the public entry point) and paths.
import { openWindowsHost, type WindowsHost } from '../../../lib/host/windows/index.js';
import { env } from './harness.js';

let opened: Promise<WindowsHost> | undefined;

export function host(): Promise<WindowsHost> {
  opened ??= openWindowsHost() as Promise<WindowsHost>;
  return opened;
}

/** A fixture package, by file name (scripts/windows-tier/run.mjs builds them). */
export function msi(name: string): string {
  return `${env('MFA_TIER_MSI_DIR')}\\${name}`;
}

/** A scratch folder inside the Wine prefix's C: drive. */
export function work(...parts: string[]): string {
  return [env('MFA_TIER_WORK'), ...parts].join('\\');
}

export const AGENT = {
  file: 'PhoneFactorAgent-5.2.msi',
  productCode: '{6F3C1B2A-4D5E-4A71-9C0B-2E8D7F6A5B41}',
  upgradeCode: '{0B7E4C21-93D6-4F58-A1E2-7C5D8B9F0A36}',
};
export const PORTAL = { file: 'PhoneFactorUserPortal-5.2.msi', productCode: '{A2C4E6F8-1B3D-4E5F-8A9B-C0D1E2F3A4B5}' };
export const MOBILE_APP = { file: 'PhoneFactorMobileApp-5.2.msi', productCode: '{B3D5F7A9-2C4E-4F60-9B1C-D2E3F4A5B6C7}' };
export const SDK = { file: 'PhoneFactorWebServiceSdk-5.2.msi', productCode: '{C4E6A8B0-3D5F-4071-8C2D-E3F4A5B6C7D8}' };
export const SERVER_UPGRADE_CODE = '{8C2F4A61-7B3E-4D9C-A5F0-1E6B2D7C3A48}';
export const SERVER_80 = { file: 'MultiFactorAuthenticationServerSetup64-8.0.msi', productCode: '{2D689BCF-9D1F-4C5F-8540-F3F2829466B4}' };
export const SERVER_81 = { file: 'MultiFactorAuthenticationServerSetup64-8.1.msi', productCode: '{3C5E7A9B-1D2F-4E6A-8B0C-5F7A9C1E3B26}' };

/** Rejects unless the promise rejects with an error whose fields match. */
export async function rejectsWith(p: Promise<unknown> | (() => unknown), check: (e: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    const err = e as Record<string, unknown>;
    if (!check(err)) throw new Error(`${what}: unexpected error ${String((e as Error)?.name)} ${JSON.stringify({ message: (e as Error)?.message, ...err })}`);
    return err;
  }
  throw new Error(`${what}: expected an error, got none`);
}
