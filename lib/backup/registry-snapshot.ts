// The registry keys a backup keeps, read through the Registry port (the same code on a live
// Windows host and an image) into a tree, and written as reg.exe would export them.
import { encodeRegText } from '../host/image/reg-file.js';
import { RegistryTree } from '../host/image/registry-tree.js';
import type { Registry, RegistryView } from '../host/ports.js';

export interface KeyToKeep {
  key: string;
  views: RegistryView[];
  /** False: the key's own values only (keys with large unrelated subtrees, like Windows NT\CurrentVersion). */
  recursive: boolean;
}

import { PHONEFACTOR_KEY } from '../inventory/take-inventory.js';

/**
 * What discovery, readiness checks and an upgrade rehearsal read: the PhoneFactor key, .NET,
 * the VC++ runtimes, IIS, the system root, pending-reboot and installer-busy markers.
 */
export const KEYS_THAT_MATTER: KeyToKeep[] = [
  { key: 'HKLM\\SOFTWARE\\Positive Networks', views: ['64', '32'], recursive: true },
  { key: 'HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4', views: ['64'], recursive: true },
  { key: 'HKLM\\SOFTWARE\\Microsoft\\VisualStudio\\14.0\\VC\\Runtimes', views: ['64', '32'], recursive: true },
  { key: 'HKLM\\SOFTWARE\\Microsoft\\InetStp', views: ['64'], recursive: true },
  { key: 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', views: ['64'], recursive: false },
  { key: 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager', views: ['64'], recursive: false },
  { key: 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment', views: ['64'], recursive: false },
  { key: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\RebootPending', views: ['64'], recursive: true },
  { key: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired', views: ['64'], recursive: true },
  { key: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Installer\\InProgress', views: ['64'], recursive: true },
];

/** Keys for the products and services found on the machine (Add/Remove Programs entries, service keys). */
export function keysFor(productCodes: string[], serviceNames: string[]): KeyToKeep[] {
  return [
    ...productCodes.map((c) => ({ key: `HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\${c}`, views: ['64', '32'] as RegistryView[], recursive: true })),
    ...serviceNames.map((s) => ({ key: `HKLM\\SYSTEM\\CurrentControlSet\\Services\\${s}`, views: ['64'] as RegistryView[], recursive: true })),
  ];
}

async function copyKey(registry: Registry, tree: RegistryTree, key: string, view: RegistryView, recursive: boolean, depth: number): Promise<void> {
  const values = await registry.listValues(key, view);
  if (values === undefined) return;
  const node = tree.ensureKey(key, view);
  for (const v of values) node.setValue(v.name, v.value);
  if (!recursive || depth > 32) return;
  for (const sub of (await registry.listSubkeys(key, view)) ?? []) {
    // In the 64-bit view, HKLM\SOFTWARE\WOW6432Node is the 32-bit view: taken separately where wanted.
    if (view === '64' && /^HKLM\\SOFTWARE$/i.test(key) && /^wow6432node$/i.test(sub)) continue;
    await copyKey(registry, tree, `${key}\\${sub}`, view, true, depth + 1);
  }
}

/** Reads the keys into one tree (both views of each where asked). */
export async function readKeys(registry: Registry, keys: KeyToKeep[]): Promise<RegistryTree> {
  const tree = new RegistryTree();
  for (const k of keys) for (const view of k.views) await copyKey(registry, tree, k.key, view, k.recursive, 0);
  return tree;
}

/** The .reg bytes (UTF-16LE with BOM, as reg.exe writes) of a whole tree, or of one key in one view. */
export function regBytes(tree: RegistryTree, key?: string, view: RegistryView = '64'): Buffer | undefined {
  if (key !== undefined && !tree.getKey(key, view)) return undefined;
  return encodeRegText(tree.toText(key, view));
}
