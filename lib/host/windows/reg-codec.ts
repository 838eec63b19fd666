// Registry key paths and value bytes, between the Registry port's types and what the addon
// passes (a root name, a path, a kind number and raw bytes). Pure: tested on every OS.
import { MfaError } from '../../errors.js';
import type { RegValue, RegistryView } from '../ports.js';
import type { RegRoot, RegViewBits } from './addon.js';

export const REG = {
  NONE: 0,
  SZ: 1,
  EXPAND_SZ: 2,
  BINARY: 3,
  DWORD: 4,
  DWORD_BIG_ENDIAN: 5,
  LINK: 6,
  MULTI_SZ: 7,
  QWORD: 11,
} as const;

const ROOTS: Record<string, RegRoot> = {
  HKEY_LOCAL_MACHINE: 'HKLM',
  HKLM: 'HKLM',
  HKEY_CURRENT_USER: 'HKCU',
  HKCU: 'HKCU',
  HKEY_CLASSES_ROOT: 'HKCR',
  HKCR: 'HKCR',
  HKEY_USERS: 'HKU',
  HKU: 'HKU',
  HKEY_CURRENT_CONFIG: 'HKCC',
  HKCC: 'HKCC',
};

export interface KeyPath {
  root: RegRoot;
  /** Below the root, without leading or trailing backslashes; '' for the root itself. */
  path: string;
}

/** "HKEY_LOCAL_MACHINE\\SOFTWARE\\X" or "HKLM\\SOFTWARE\\X\\" -> { root: 'HKLM', path: 'SOFTWARE\\X' }. */
export function parseKeyPath(key: string): KeyPath {
  const parts = key.replace(/\//g, '\\').split('\\').filter((p) => p !== '');
  const root = ROOTS[(parts[0] ?? '').toUpperCase()];
  if (!root) {
    throw new MfaError(`'${key}' is not a registry key path: it must start with HKLM, HKCU, HKCR, HKU or HKCC (or their HKEY_ names)`, {
      code: 'REG_BAD_KEY',
      target: key,
      exitCode: 3,
    });
  }
  const path = parts.slice(1).join('\\');
  if (path.length > 32767) throw new MfaError(`registry key path is too long`, { code: 'REG_BAD_KEY', target: key, exitCode: 3 });
  return { root, path };
}

export function viewBits(view: RegistryView | undefined): RegViewBits {
  if (view === undefined || view === '64') return 64;
  if (view === '32') return 32;
  throw new TypeError(`registry view must be '64' or '32', not ${JSON.stringify(view)}`);
}

function utf16(data: Uint8Array): string {
  const even = data.length - (data.length % 2);
  return Buffer.from(data.buffer, data.byteOffset, even).toString('utf16le');
}

/** What the registry holds, typed as the port has it. Strings end at their first NUL, as Windows readers see them. */
export function decodeValue(type: number, data: Uint8Array): RegValue {
  switch (type) {
    case REG.SZ:
    case REG.EXPAND_SZ: {
      const text = utf16(data);
      const end = text.indexOf('\0');
      return { type: type === REG.SZ ? 'REG_SZ' : 'REG_EXPAND_SZ', data: end < 0 ? text : text.slice(0, end) };
    }
    case REG.MULTI_SZ: {
      const items: string[] = [];
      for (const item of utf16(data).split('\0')) {
        if (item === '') break; // an empty string ends the list
        items.push(item);
      }
      return { type: 'REG_MULTI_SZ', data: items };
    }
    case REG.DWORD: {
      const b = Buffer.alloc(4);
      Buffer.from(data.buffer, data.byteOffset, Math.min(4, data.length)).copy(b);
      if (data.length === 4) return { type: 'REG_DWORD', data: b.readUInt32LE(0) };
      return { type: 'REG_OTHER', kind: type, data: Uint8Array.from(data) };
    }
    case REG.QWORD: {
      if (data.length === 8) return { type: 'REG_QWORD', data: Buffer.from(data.buffer, data.byteOffset, 8).readBigUInt64LE(0) };
      return { type: 'REG_OTHER', kind: type, data: Uint8Array.from(data) };
    }
    case REG.BINARY:
      return { type: 'REG_BINARY', data: Uint8Array.from(data) };
    case REG.NONE:
      return { type: 'REG_NONE', data: Uint8Array.from(data) };
    default:
      return { type: 'REG_OTHER', kind: type, data: Uint8Array.from(data) };
  }
}

function badValue(message: string, target: string): MfaError {
  return new MfaError(message, { code: 'REG_BAD_VALUE', target, exitCode: 3 });
}

/** The kind number and bytes to store for a value (strings NUL-terminated, as Windows writes them). */
export function encodeValue(value: RegValue, target = 'registry value'): { type: number; data: Buffer } {
  switch (value.type) {
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      if (typeof value.data !== 'string') throw new TypeError(`${value.type} data must be a string`);
      if (value.data.includes('\0')) throw badValue(`${value.type} data must not contain NUL characters`, target);
      return { type: value.type === 'REG_SZ' ? REG.SZ : REG.EXPAND_SZ, data: Buffer.from(`${value.data}\0`, 'utf16le') };
    case 'REG_MULTI_SZ':
      if (!Array.isArray(value.data) || value.data.some((s) => typeof s !== 'string')) throw new TypeError('REG_MULTI_SZ data must be an array of strings');
      if (value.data.some((s) => s === '' || s.includes('\0'))) throw badValue('REG_MULTI_SZ strings must be non-empty and free of NUL characters (an empty string would end the list)', target);
      return { type: REG.MULTI_SZ, data: Buffer.from(`${value.data.map((s) => `${s}\0`).join('')}\0`, 'utf16le') };
    case 'REG_DWORD': {
      const n = value.data;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) throw new TypeError('REG_DWORD data must be an integer that fits 32 bits');
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n >>> 0, 0);
      return { type: REG.DWORD, data: b };
    }
    case 'REG_QWORD': {
      const n = value.data;
      if (typeof n !== 'bigint' || n < -(1n << 63n) || n >= 1n << 64n) throw new TypeError('REG_QWORD data must be a bigint that fits 64 bits');
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt.asUintN(64, n), 0);
      return { type: REG.QWORD, data: b };
    }
    case 'REG_BINARY':
    case 'REG_NONE':
      if (!(value.data instanceof Uint8Array)) throw new TypeError(`${value.type} data must be a Uint8Array`);
      return { type: value.type === 'REG_BINARY' ? REG.BINARY : REG.NONE, data: Buffer.from(value.data) };
    case 'REG_OTHER':
      if (!Number.isInteger(value.kind) || value.kind < 0 || value.kind > 0x7fffffff) throw new TypeError('REG_OTHER kind must be an integer from 0 to 2147483647');
      if (!(value.data instanceof Uint8Array)) throw new TypeError('REG_OTHER data must be a Uint8Array');
      return { type: value.kind, data: Buffer.from(value.data) };
    default:
      throw new TypeError(`unknown registry value type ${JSON.stringify((value as { type: unknown }).type)}`);
  }
}
