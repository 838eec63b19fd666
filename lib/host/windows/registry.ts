// The Registry port over the addon (RegOpenKeyExW & co. with KEY_WOW64_64KEY / KEY_WOW64_32KEY).
import type { RegNamedValue, RegValue, Registry, RegistryView } from '../ports.js';
import type { NativeAddon } from './addon.js';
import { callNative } from './native-error.js';
import { decodeValue, encodeValue, parseKeyPath, viewBits } from './reg-codec.js';

export class WindowsRegistry implements Registry {
  constructor(private readonly addon: NativeAddon) {}

  async getValue(key: string, name: string, view?: RegistryView): Promise<RegValue | undefined> {
    const { root, path } = parseKeyPath(key);
    const raw = callNative(() => this.addon.regRead(root, path, viewBits(view), name));
    return raw ? decodeValue(raw.type, raw.data) : undefined;
  }

  async listValues(key: string, view?: RegistryView): Promise<RegNamedValue[] | undefined> {
    const { root, path } = parseKeyPath(key);
    const raw = callNative(() => this.addon.regValues(root, path, viewBits(view)));
    return raw?.map((v) => ({ name: v.name, value: decodeValue(v.type, v.data) }));
  }

  async listSubkeys(key: string, view?: RegistryView): Promise<string[] | undefined> {
    const { root, path } = parseKeyPath(key);
    return callNative(() => this.addon.regSubkeys(root, path, viewBits(view)));
  }

  async keyExists(key: string, view?: RegistryView): Promise<boolean> {
    const { root, path } = parseKeyPath(key);
    return callNative(() => this.addon.regExists(root, path, viewBits(view)));
  }

  async setValue(key: string, name: string, value: RegValue, view?: RegistryView): Promise<void> {
    const { root, path } = parseKeyPath(key);
    const { type, data } = encodeValue(value, `${key} [${name}]`);
    callNative(() => this.addon.regWrite(root, path, viewBits(view), name, type, data));
  }

  async deleteValue(key: string, name: string, view?: RegistryView): Promise<void> {
    const { root, path } = parseKeyPath(key);
    callNative(() => this.addon.regDeleteValue(root, path, viewBits(view), name));
  }

  async deleteKey(key: string, view?: RegistryView): Promise<void> {
    const { root, path } = parseKeyPath(key);
    callNative(() => this.addon.regDeleteKey(root, path, viewBits(view)));
  }
}
