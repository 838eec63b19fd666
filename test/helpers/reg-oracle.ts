// A .reg reader for tests, written apart from lib/host/image/reg-file.ts so a host comparison does
// not see the registry through the code it checks. It applies the file in order (keys, values,
// [-key] and "v"=- deletions) and gives every value as type + data, the way RegQueryValueEx
// would report it. Key and value names compare case-insensitively, as Windows does.
export interface RegOracleValue {
  /** REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ, REG_DWORD, REG_QWORD, REG_BINARY, REG_NONE, or REG_TYPE(n). */
  type: string;
  /** A readable, exact rendering of the data (strings JSON-quoted, numbers in hex, bytes in hex). */
  data: string;
}

export interface RegOracleKey {
  /** The path as written the last time the key was created (Windows keeps a key's first spelling). */
  path: string;
  values: Map<string, { name: string; value: RegOracleValue }>;
}

const TYPE_NAMES: Record<number, string> = { 0: 'REG_NONE', 1: 'REG_SZ', 2: 'REG_EXPAND_SZ', 3: 'REG_BINARY', 4: 'REG_DWORD', 7: 'REG_MULTI_SZ', 11: 'REG_QWORD' };
const ROOTS: Record<string, string> = { HKLM: 'HKEY_LOCAL_MACHINE', HKCU: 'HKEY_CURRENT_USER', HKCR: 'HKEY_CLASSES_ROOT', HKU: 'HKEY_USERS', HKCC: 'HKEY_CURRENT_CONFIG' };

function decode(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  return new TextDecoder('utf-8').decode(bytes);
}

function canonicalKey(path: string): string {
  const parts = path.split('\\');
  const root = (parts[0] ?? '').toUpperCase();
  parts[0] = ROOTS[root] ?? root;
  return parts.join('\\');
}

function hex(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
}

function strings(bytes: number[], ansi: boolean): string {
  const u8 = Uint8Array.from(bytes);
  return ansi ? new TextDecoder('latin1').decode(u8) : new TextDecoder('utf-16le').decode(u8.subarray(0, u8.length - (u8.length % 2)));
}

function typed(kind: number, bytes: number[], ansi: boolean): RegOracleValue {
  const name = TYPE_NAMES[kind] ?? `REG_TYPE(${kind})`;
  switch (kind) {
    case 1:
    case 2:
      return { type: name, data: JSON.stringify(strings(bytes, ansi).replace(/\0+$/, '')) };
    case 7: {
      const s = strings(bytes, ansi).replace(/\0\0$/, '').replace(/\0$/, '');
      return { type: name, data: JSON.stringify(s === '' ? [] : s.split('\0')) };
    }
    case 4:
      if (bytes.length === 4) return { type: name, data: `0x${hex([...bytes].reverse())}` };
      break;
    case 11:
      if (bytes.length === 8) return { type: name, data: `0x${hex([...bytes].reverse())}` };
      break;
  }
  return { type: name, data: hex(bytes) };
}

function unquote(s: string): { text: string; rest: string } | undefined {
  if (!s.startsWith('"')) return undefined;
  let out = '';
  for (let i = 1; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      const n = s[++i] as string;
      out += n === '\\' || n === '"' ? n : `\\${n}`;
    } else if (c === '"') return { text: out, rest: s.slice(i + 1) };
    else out += c;
  }
  return undefined;
}

/** The registry a .reg file leaves, keyed by upper-cased full key path. Throws on a line it cannot read. */
export function readRegOracle(bytes: Uint8Array): Map<string, RegOracleKey> {
  const text = decode(bytes);
  const physical = text.split(/\r\n|\n|\r/);
  const header = (physical[0] ?? '').trim();
  if (header !== 'Windows Registry Editor Version 5.00' && header !== 'REGEDIT4') throw new Error(`not a .reg file: '${header.slice(0, 40)}'`);
  const ansi = header === 'REGEDIT4';
  const keys = new Map<string, RegOracleKey>();
  let current: RegOracleKey | undefined;
  for (let i = 1; i < physical.length; i++) {
    let line = physical[i] as string;
    // A value line ending in a backslash continues on the next line (hex data only).
    while (/^\s*(@|")/.test(line) && /=\s*hex/.test(line) && /\\\s*$/.test(line) && i + 1 < physical.length) line = line.replace(/\\\s*$/, '') + (physical[++i] as string).trim();
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith(';')) continue;
    if (trimmed.startsWith('[')) {
      const del = trimmed.startsWith('[-');
      const path = canonicalKey(trimmed.slice(del ? 2 : 1, trimmed.lastIndexOf(']')));
      const id = path.toUpperCase();
      if (del) {
        for (const k of [...keys.keys()]) if (k === id || k.startsWith(`${id}\\`)) keys.delete(k);
        current = undefined;
        continue;
      }
      // Creating a key creates its parents.
      const parts = path.split('\\');
      for (let n = 1; n <= parts.length; n++) {
        const p = parts.slice(0, n).join('\\');
        if (!keys.has(p.toUpperCase())) keys.set(p.toUpperCase(), { path: p, values: new Map() });
      }
      current = keys.get(id);
      continue;
    }
    if (!current) throw new Error(`line ${i + 1}: a value outside any key`);
    let name: string;
    let rest: string;
    if (trimmed.startsWith('@')) {
      name = '';
      rest = trimmed.slice(1);
    } else {
      const q = unquote(trimmed);
      if (!q) throw new Error(`line ${i + 1}: unreadable value name`);
      name = q.text;
      rest = q.rest;
    }
    rest = rest.trim();
    if (!rest.startsWith('=')) throw new Error(`line ${i + 1}: no '='`);
    const data = rest.slice(1).trim();
    if (data === '-') {
      current.values.delete(name.toUpperCase());
      continue;
    }
    let value: RegOracleValue;
    const q = unquote(data);
    if (q) value = { type: 'REG_SZ', data: JSON.stringify(q.text) };
    else if (/^dword:[0-9a-fA-F]{8}$/.test(data)) value = { type: 'REG_DWORD', data: `0x${data.slice(6).toLowerCase()}` };
    else {
      const m = /^hex(?:\(([0-9a-fA-F]+)\))?:(.*)$/.exec(data);
      if (!m) throw new Error(`line ${i + 1}: unreadable data '${data.slice(0, 40)}'`);
      const kind = m[1] === undefined ? 3 : parseInt(m[1], 16);
      const body = (m[2] as string).replace(/\s+/g, '').replace(/,$/, '');
      const bytesOf = body === '' ? [] : body.split(',').map((b) => {
        if (!/^[0-9a-fA-F]{1,2}$/.test(b)) throw new Error(`line ${i + 1}: bad hex byte '${b}'`);
        return parseInt(b, 16);
      });
      value = typed(kind, bytesOf, ansi);
    }
    current.values.set(name.toUpperCase(), { name, value });
  }
  return keys;
}
