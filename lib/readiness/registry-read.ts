// Typed reads for the checks: a DWORD or a string, or undefined.
import type { Registry, RegistryView } from '../host/ports.js';

export async function readDword(registry: Registry, key: string, name: string, view: RegistryView = '64'): Promise<number | undefined> {
  const v = await registry.getValue(key, name, view);
  return v?.type === 'REG_DWORD' ? v.data : undefined;
}

export async function readString(registry: Registry, key: string, name: string, view: RegistryView = '64'): Promise<string | undefined> {
  const v = await registry.getValue(key, name, view);
  return v?.type === 'REG_SZ' || v?.type === 'REG_EXPAND_SZ' ? v.data : undefined;
}
