// Discovery on an AD FS server (read-only): the registered MFA Server adapter, its type name and
// version, and the global policy's additional providers, through the PowerShell port.
import { ExitCode, MfaError } from '../errors.js';
import type { PowerShell } from '../host/ports.js';
import { readPolicy, readProviders, type RegisteredProvider } from './adfs-state.js';

export type { RegisteredProvider } from './adfs-state.js';

// The names the adapter is registered under (before v7, and v7 on): the inventory's list.
import { ADFS_PROVIDER_NAMES as ADAPTER_NAMES } from '../inventory/take-inventory.js';
export const CURRENT_ADAPTER_NAME = 'AzureMfaServerAuthentication';

export interface AdapterRegistration extends RegisteredProvider {
  /** Version=... from the type name, when present. */
  version?: string;
}

export interface AdfsDiscovery {
  providers: RegisteredProvider[];
  /** Every MFA Server adapter registration found (normally exactly one). */
  adapters: AdapterRegistration[];
  /** The global policy's AdditionalAuthenticationProvider, in order, as AD FS holds it. */
  additionalProviders: string[];
}

export function isAdapterName(name: string): boolean {
  return ADAPTER_NAMES.some((n) => n.toLowerCase() === name.toLowerCase());
}

export function typeNameVersion(typeName: string | undefined): string | undefined {
  return typeName ? /\bVersion\s*=\s*([0-9]+(?:\.[0-9]+){1,3})/i.exec(typeName)?.[1] : undefined;
}


/** Refuses a host without the AD FS cmdlets (ADFS_NOT_FOUND, exit 3). */
export async function discoverAdfs(ps: PowerShell): Promise<AdfsDiscovery> {
  if (!(await ps.hasCommand('Get-AdfsAuthenticationProvider'))) {
    throw new MfaError('this is not an AD FS server: the AD FS cmdlets (Get-AdfsAuthenticationProvider) are not available', {
      code: 'ADFS_NOT_FOUND',
      exitCode: ExitCode.badInput,
      remedy: 'Run adfs-upgrade on a server of the AD FS farm (the ADFS PowerShell module comes with the AD FS role), as an AD FS administrator.',
    });
  }
  const providers = await readProviders(ps);
  const adapters = providers.filter((p) => isAdapterName(p.name)).map((p) => {
    const a: AdapterRegistration = { ...p };
    const v = typeNameVersion(p.typeName);
    if (v) a.version = v;
    return a;
  });
  const additionalProviders = await readPolicy(ps);
  return { providers, adapters, additionalProviders };
}

/** The one adapter to upgrade; refuses none and both. */
export function theAdapter(d: AdfsDiscovery): AdapterRegistration {
  if (d.adapters.length === 0) {
    throw new MfaError(`the MFA Server AD FS adapter is not registered in this farm (neither ${ADAPTER_NAMES.join(' nor ')}); nothing to upgrade`, {
      code: 'ADFS_ADAPTER_NOT_REGISTERED',
      exitCode: ExitCode.badInput,
      remedy: 'Check Get-AdfsAuthenticationProvider. To register the adapter for the first time, run Register-MultiFactorAuthenticationAdfsAdapter.ps1 instead.',
    });
  }
  if (d.adapters.length > 1) {
    throw new MfaError(`both ${d.adapters.map((a) => a.name).join(' and ')} are registered: which one AD FS uses cannot be told safely`, {
      code: 'ADFS_ADAPTER_BOTH_REGISTERED',
      exitCode: ExitCode.badInput,
      remedy: 'Unregister the one the global policy does not use (Unregister-AdfsAuthenticationProvider -Name <name>) after checking Get-AdfsGlobalAuthenticationPolicy, then run again.',
    });
  }
  return d.adapters[0] as AdapterRegistration;
}
