// The text format `reg export` writes ("Windows Registry Editor Version 5.00"), parsed into a
// list of operations and written back. reg.exe writes UTF-16LE with a BOM and CRLF; UTF-8 is
// also read. Every value kind round-trips: strings, dword, hex(b) qword, hex(2) expand,
// hex(7) multi, hex binary, hex(0) none, any other hex(n), "@" defaults and deletions.
import { badInput } from '../../errors.js';
import type { RegValue } from '../ports.js';

export const REG_HEADER = 'Windows Registry Editor Version 5.00';
const REGEDIT4 = 'REGEDIT4';

export type RegOp =
  | { op: 'key'; path: string; line: number }
  | { op: 'deleteKey'; path: string; line: number }
  | { op: 'value'; key: string; name: string; value: RegValue; line: number }
  | { op: 'deleteValue'; key: string; name: string; line: number };

/** Decodes a .reg file's bytes: UTF-16LE/BE with BOM, UTF-8 with or without BOM. */
export function decodeRegBytes(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString('utf16le');
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    const swapped = Buffer.from(b.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  return b.toString('utf8');
}

/** Encodes as reg.exe does: UTF-16LE with BOM. */
export function encodeRegText(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

interface LogicalLine {
  text: string;
  line: number;
}

/** A value line whose data is hex: only those continue (a quoted string may end in a backslash). */
const HEX_VALUE_LINE = /^\s*(@|"(?:[^"\\]|\\.)*")\s*=\s*hex(\([0-9a-fA-F]+\))?:/;

/** Joins continuation lines (a trailing backslash after hex data) into logical lines. */
function logicalLines(text: string): LogicalLine[] {
  const physical = text.split(/\r\n|\n|\r/);
  const out: LogicalLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    const start = i;
    let line = physical[i] as string;
    while (HEX_VALUE_LINE.test(line) && /\\\s*$/.test(line) && i + 1 < physical.length) {
      line = line.replace(/\\\s*$/, '') + (physical[++i] as string).trimStart();
    }
    out.push({ text: line, line: start + 1 });
  }
  return out;
}

/** Reads a quoted .reg string starting at text[pos] === '"'; returns the value and the index after it. */
function readQuoted(text: string, pos: number, file: string, line: number): { value: string; end: number } {
  let value = '';
  let i = pos + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) break;
      // reg.exe escapes only backslash and quote; keep anything else literally.
      value += next === '\\' || next === '"' ? next : `\\${next}`;
      i += 2;
      continue;
    }
    if (c === '"') return { value, end: i + 1 };
    value += c;
    i++;
  }
  throw badInput('unterminated quoted string', file, { line, code: 'REG_PARSE' });
}

function parseHexBytes(s: string, file: string, line: number): Uint8Array {
  const trimmed = s.replace(/\s+/g, '');
  if (trimmed === '') return new Uint8Array(0);
  const parts = trimmed.split(',').filter((p, idx, arr) => !(p === '' && idx === arr.length - 1));
  const out = new Uint8Array(parts.length);
  parts.forEach((p, idx) => {
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) throw badInput(`bad hex byte '${p}'`, file, { line, code: 'REG_PARSE' });
    out[idx] = parseInt(p, 16);
  });
  return out;
}

function utf16Strings(bytes: Uint8Array): string {
  const b = Buffer.from(bytes);
  return b.subarray(0, b.length - (b.length % 2)).toString('utf16le');
}

/** Turns "hex(N):bytes" data into a typed value, as Windows would read it. */
function hexValue(kind: number, bytes: Uint8Array, file: string, line: number): RegValue {
  switch (kind) {
    case 0:
      return { type: 'REG_NONE', data: bytes };
    case 3:
      return { type: 'REG_BINARY', data: bytes };
    case 2: {
      const s = utf16Strings(bytes);
      return { type: 'REG_EXPAND_SZ', data: s.replace(/\0+$/, '') };
    }
    case 1: {
      const s = utf16Strings(bytes);
      return { type: 'REG_SZ', data: s.replace(/\0+$/, '') };
    }
    case 7: {
      const s = utf16Strings(bytes).replace(/\0\0$/, '').replace(/\0$/, '');
      return { type: 'REG_MULTI_SZ', data: s === '' ? [] : s.split('\0') };
    }
    case 4: {
      if (bytes.length !== 4) throw badInput(`hex(4) needs 4 bytes, got ${bytes.length}`, file, { line, code: 'REG_PARSE' });
      return { type: 'REG_DWORD', data: Buffer.from(bytes).readUInt32LE(0) };
    }
    case 11: {
      if (bytes.length !== 8) throw badInput(`hex(b) (QWORD) needs 8 bytes, got ${bytes.length}`, file, { line, code: 'REG_PARSE' });
      return { type: 'REG_QWORD', data: Buffer.from(bytes).readBigUInt64LE(0) };
    }
    default:
      return { type: 'REG_OTHER', kind, data: bytes };
  }
}

/** Parses .reg text into operations, in file order. Errors name the file and line. */
export function parseRegText(text: string, file: string): RegOp[] {
  const lines = logicalLines(text);
  const first = lines.findIndex((l) => l.text.trim() !== '');
  const header = first === -1 ? '' : (lines[first] as LogicalLine).text.trim();
  if (header !== REG_HEADER && header !== REGEDIT4) {
    throw badInput(`not a registry export: the first line must be '${REG_HEADER}', found '${header.slice(0, 60)}'`, file, {
      line: first === -1 ? 1 : (lines[first] as LogicalLine).line,
      code: 'REG_PARSE',
      remedy: "Export the key with 'reg export <key> <file>' or write the header line first.",
    });
  }
  const ops: RegOp[] = [];
  let current: string | undefined;
  for (const { text: raw, line } of lines.slice(first + 1)) {
    const t = raw.trim();
    if (t === '' || t.startsWith(';')) continue;
    if (t.startsWith('[')) {
      if (!t.endsWith(']')) throw badInput('key line without closing bracket', file, { line, code: 'REG_PARSE' });
      const inner = t.slice(1, -1);
      if (inner.startsWith('-')) {
        ops.push({ op: 'deleteKey', path: inner.slice(1), line });
        current = undefined;
      } else {
        if (inner === '') throw badInput('empty key name', file, { line, code: 'REG_PARSE' });
        ops.push({ op: 'key', path: inner, line });
        current = inner;
      }
      continue;
    }
    if (current === undefined) throw badInput('value outside of a key', file, { line, code: 'REG_PARSE' });
    let name: string;
    let rest: string;
    if (t.startsWith('@')) {
      name = '';
      rest = t.slice(1).trimStart();
    } else if (t.startsWith('"')) {
      const q = readQuoted(t, 0, file, line);
      name = q.value;
      rest = t.slice(q.end).trimStart();
    } else {
      throw badInput(`cannot read this line: '${t.slice(0, 60)}'`, file, { line, code: 'REG_PARSE' });
    }
    if (!rest.startsWith('=')) throw badInput(`expected '=' after the value name '${name}'`, file, { line, code: 'REG_PARSE' });
    const data = rest.slice(1).trim();
    if (data === '-') {
      ops.push({ op: 'deleteValue', key: current, name, line });
      continue;
    }
    ops.push({ op: 'value', key: current, name, value: parseData(data, file, line), line });
  }
  return ops;
}

function parseData(data: string, file: string, line: number): RegValue {
  if (data.startsWith('"')) {
    const q = readQuoted(data, 0, file, line);
    if (data.slice(q.end).trim() !== '') throw badInput('text after a quoted string', file, { line, code: 'REG_PARSE' });
    return { type: 'REG_SZ', data: q.value };
  }
  const dword = /^dword:([0-9a-fA-F]{1,8})$/.exec(data);
  if (dword) return { type: 'REG_DWORD', data: parseInt(dword[1] as string, 16) };
  const hex = /^hex(?:\(([0-9a-fA-F]+)\))?:(.*)$/s.exec(data);
  if (hex) {
    const kind = hex[1] === undefined ? 3 : parseInt(hex[1], 16);
    return hexValue(kind, parseHexBytes(hex[2] as string, file, line), file, line);
  }
  throw badInput(`unknown value data '${data.slice(0, 40)}'`, file, { line, code: 'REG_PARSE', remedy: 'Value data must be "text", dword:XXXXXXXX or hex[(n)]:bytes.' });
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Formats hex bytes the way regedit wraps them: lines of at most 80 columns, continued with "\". */
function formatHex(prefix: string, bytes: Uint8Array): string {
  const parts = Array.from(bytes, (b) => b.toString(16).padStart(2, '0'));
  if (parts.length === 0) return prefix;
  let out = prefix;
  let col = prefix.length;
  parts.forEach((p, i) => {
    const piece = i < parts.length - 1 ? `${p},` : p;
    if (col + piece.length > 77 && i > 0) {
      out += '\\\r\n  ';
      col = 2;
    }
    out += piece;
    col += piece.length;
  });
  return out;
}

function utf16z(s: string): Uint8Array {
  return Buffer.from(`${s}\0`, 'utf16le');
}

export function formatValueData(value: RegValue, prefix: string): string {
  switch (value.type) {
    case 'REG_SZ':
      // A string with a line break cannot be written as a quoted line: write hex(1) instead.
      return /[\r\n]/.test(value.data) ? formatHex(`${prefix}hex(1):`, utf16z(value.data)) : `${prefix}${quote(value.data)}`;
    case 'REG_DWORD':
      return `${prefix}dword:${(value.data >>> 0).toString(16).padStart(8, '0')}`;
    case 'REG_QWORD': {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt.asUintN(64, value.data));
      return formatHex(`${prefix}hex(b):`, b);
    }
    case 'REG_EXPAND_SZ':
      return formatHex(`${prefix}hex(2):`, utf16z(value.data));
    case 'REG_MULTI_SZ':
      return formatHex(`${prefix}hex(7):`, Buffer.from(`${value.data.map((s) => `${s}\0`).join('')}\0`, 'utf16le'));
    case 'REG_BINARY':
      return formatHex(`${prefix}hex:`, value.data);
    case 'REG_NONE':
      return formatHex(`${prefix}hex(0):`, value.data);
    case 'REG_OTHER':
      return formatHex(`${prefix}hex(${value.kind.toString(16)}):`, value.data);
  }
}

export interface RegExportKey {
  path: string;
  values: Array<{ name: string; value: RegValue }>;
}

/** Writes keys in the given order as reg.exe does (CRLF, blank line after each key). */
export function formatRegText(keys: RegExportKey[]): string {
  let out = `${REG_HEADER}\r\n\r\n`;
  for (const key of keys) {
    out += `[${key.path}]\r\n`;
    for (const { name, value } of key.values) {
      out += `${formatValueData(value, `${name === '' ? '@' : quote(name)}=`)}\r\n`;
    }
    out += '\r\n';
  }
  return out;
}
