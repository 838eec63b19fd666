// Typed reads: a DWORD or a string (REG_SZ or REG_EXPAND_SZ), or undefined when absent or of
// another kind; and the machine's SystemRoot, which several readers expand paths with.
import type { Registry, RegistryView } from './ports.js';

export async function readDword(registry: Registry, key: string, name: string, view: RegistryView = '64'): Promise<number | undefined> {
  const v = await registry.getValue(key, name, view);
  return v?.type === 'REG_DWORD' ? v.data : undefined;
}

export async function readString(registry: Registry, key: string, name: string, view: RegistryView = '64'): Promise<string | undefined> {
  const v = await registry.getValue(key, name, view);
  return v?.type === 'REG_SZ' || v?.type === 'REG_EXPAND_SZ' ? v.data : undefined;
}

/** %SystemRoot% as the machine records it (C:\\Windows when it does not say). */
export async function systemRoot(registry: Registry): Promise<string> {
  return (await readString(registry, 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', 'SystemRoot')) || 'C:\\Windows';
}
