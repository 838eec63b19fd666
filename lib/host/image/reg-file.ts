// The text format `reg export` writes ("Windows Registry Editor Version 5.00"), parsed into a
// list of operations and written back. reg.exe writes UTF-16LE with a BOM and CRLF; UTF-8 is
// also read. Every value kind round-trips: strings, dword, hex(b) qword, hex(2) expand,
// hex(7) multi, hex binary, hex(0) none, any other hex(n), "@" defaults and deletions.
// REGEDIT4 files (regedit's older format) are read by their own rules: the file is ANSI text,
// and the bytes of hex(1), hex(2) and hex(7) are ANSI strings, one byte per character (not
// UTF-16). The ANSI code page is not in the file; Windows-1252 (Western Windows) is used.
// Long hex data is wrapped exactly as reg.exe/regedit wrap it, so an export is written back
// byte for byte.
import { badInput } from '../../errors.js';
import type { RegValue } from '../ports.js';

export const REG_HEADER = 'Windows Registry Editor Version 5.00';
const REGEDIT4 = 'REGEDIT4';

export type RegOp =
  | { op: 'key'; path: string; line: number }
  | { op: 'deleteKey'; path: string; line: number }
  | { op: 'value'; key: string; name: string; value: RegValue; line: number }
  | { op: 'deleteValue'; key: string; name: string; line: number };

/** Windows-1252's 0x80-0x9F (the rest of the code page is Latin-1); undefined bytes map to C1 controls, as Windows does. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
const CP1252_BACK = new Map(CP1252_HIGH.map((c, i) => [c, 0x80 + i]));

/** ANSI (Windows-1252) bytes to text, one character per byte. */
export function decodeAnsi(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b >= 0x80 && b <= 0x9f ? (CP1252_HIGH[b - 0x80] as number) : b);
  return out;
}

/** Text to ANSI (Windows-1252) bytes; undefined when a character has no byte there. */
export function encodeAnsi(text: string): Buffer | undefined {
  const out = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const b = CP1252_BACK.get(c) ?? (c <= 0xff && !(c >= 0x80 && c <= 0x9f) ? c : undefined);
    if (b === undefined) return undefined;
    out[i] = b;
  }
  return out;
}

function startsRegedit4(b: Buffer): boolean {
  return /^\s*REGEDIT4\s*(\r?\n|$)/.test(b.subarray(0, 64).toString('latin1'));
}

/**
 * Decodes a .reg file's bytes: UTF-16LE/BE with BOM, UTF-8 with BOM; without a BOM, a REGEDIT4
 * file is ANSI, and another file is UTF-8 when it is valid UTF-8, else ANSI (Notepad's "ANSI").
 */
export function decodeRegBytes(bytes: Uint8Array, file = 'registry export'): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf16 = b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff));
  if (utf16 && b.length % 2 !== 0) {
    throw badInput(`the file is UTF-16 but has an odd number of bytes (${b.length}): it is truncated or corrupt`, file, { code: 'REG_ENCODING', remedy: 'Export the key again with reg export, or restore the file from the backup.' });
  }
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString('utf16le');
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    const swapped = Buffer.from(b.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  if (startsRegedit4(b)) return decodeAnsi(b);
  const utf8 = b.toString('utf8');
  return Buffer.from(utf8, 'utf8').equals(b) ? utf8 : decodeAnsi(b);
}

/** Encodes a REGEDIT4 text as regedit wrote it: ANSI; undefined when a character has no ANSI byte. */
export function encodeRegedit4Text(text: string): Buffer | undefined {
  return encodeAnsi(text);
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

/** Turns "hex(N):bytes" data into a typed value, as Windows would read it (REGEDIT4: strings are ANSI bytes). */
function hexValue(kind: number, bytes: Uint8Array, file: string, line: number, regedit4 = false): RegValue {
  const strings = regedit4 ? decodeAnsi : utf16Strings;
  switch (kind) {
    case 0:
      return { type: 'REG_NONE', data: bytes };
    case 3:
      return { type: 'REG_BINARY', data: bytes };
    case 2: {
      const s = strings(bytes);
      return { type: 'REG_EXPAND_SZ', data: s.replace(/\0+$/, '') };
    }
    case 1: {
      const s = strings(bytes);
      return { type: 'REG_SZ', data: s.replace(/\0+$/, '') };
    }
    case 7: {
      // The exact inverse of how they are written (each string and then the list end with NUL),
      // so data with empty strings in it survives a round trip; a missing final NUL is tolerated.
      const all = strings(bytes);
      const s = all.endsWith('\0\0') ? all.slice(0, -2) : all.endsWith('\0') ? all.slice(0, -1) : all;
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
  const regedit4 = header === REGEDIT4;
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
    ops.push({ op: 'value', key: current, name, value: parseData(data, file, line, regedit4), line });
  }
  return ops;
}

/** Whether the text is a REGEDIT4 file (its first non-blank line). */
export function isRegedit4(text: string): boolean {
  const first = text.split(/\r\n|\n|\r/).find((l) => l.trim() !== '');
  return first?.trim() === REGEDIT4;
}

function parseData(data: string, file: string, line: number, regedit4: boolean): RegValue {
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
    return hexValue(kind, parseHexBytes(hex[2] as string, file, line), file, line, regedit4);
  }
  throw badInput(`unknown value data '${data.slice(0, 40)}'`, file, { line, code: 'REG_PARSE', remedy: 'Value data must be "text", dword:XXXXXXXX or hex[(n)]:bytes.' });
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Where reg.exe and regedit break hex data: once a line reaches this column after a comma. */
const HEX_WRAP_COLUMN = 77;

/**
 * Formats hex bytes exactly as reg.exe and regedit do: the column starts at the prefix's length
 * (`"name"=hex(2):`); after each byte but the last comes a comma, and when the column has then
 * reached 77 the line ends with "\" and the next starts with two spaces. (The last byte never
 * ends a line with a comma, so it may sit alone on a line.)
 */
export function formatHex(prefix: string, bytes: Uint8Array): string {
  if (bytes.length === 0) return prefix;
  let out = prefix;
  let col = prefix.length;
  for (let i = 0; i < bytes.length; i++) {
    out += (bytes[i] as number).toString(16).padStart(2, '0');
    if (i === bytes.length - 1) break;
    out += ',';
    col += 3;
    if (col >= HEX_WRAP_COLUMN) {
      out += '\\\r\n  ';
      col = 2;
    }
  }
  return out;
}

/** A string's bytes for hex(1)/(2)/(7): UTF-16LE, or ANSI in a REGEDIT4 file. */
function stringBytes(s: string, regedit4: boolean): Uint8Array {
  if (!regedit4) return Buffer.from(s, 'utf16le');
  const b = encodeAnsi(s);
  if (!b) throw badInput('a string value holds a character a REGEDIT4 (ANSI) file cannot store', 'registry export', { code: 'REG_ENCODING', remedy: 'Export as "Windows Registry Editor Version 5.00" (UTF-16) instead.' });
  return b;
}

function utf16z(s: string, regedit4 = false): Uint8Array {
  return stringBytes(`${s}\0`, regedit4);
}

export function formatValueData(value: RegValue, prefix: string, regedit4 = false): string {
  switch (value.type) {
    case 'REG_SZ':
      // A string with a line break cannot be written as a quoted line: write hex(1) instead.
      return /[\r\n]/.test(value.data) ? formatHex(`${prefix}hex(1):`, utf16z(value.data, regedit4)) : `${prefix}${quote(value.data)}`;
    case 'REG_DWORD':
      return `${prefix}dword:${(value.data >>> 0).toString(16).padStart(8, '0')}`;
    case 'REG_QWORD': {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt.asUintN(64, value.data));
      return formatHex(`${prefix}hex(b):`, b);
    }
    case 'REG_EXPAND_SZ':
      return formatHex(`${prefix}hex(2):`, utf16z(value.data, regedit4));
    case 'REG_MULTI_SZ':
      return formatHex(`${prefix}hex(7):`, stringBytes(`${value.data.map((s) => `${s}\0`).join('')}\0`, regedit4));
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

/** Writes keys in the given order as reg.exe does (CRLF, blank line after each key); `regedit4` writes that format's header and ANSI strings. */
export function formatRegText(keys: RegExportKey[], options: { regedit4?: boolean } = {}): string {
  const regedit4 = options.regedit4 === true;
  let out = `${regedit4 ? REGEDIT4 : REG_HEADER}\r\n\r\n`;
  for (const key of keys) {
    out += `[${key.path}]\r\n`;
    for (const { name, value } of key.values) {
      out += `${formatValueData(value, `${name === '' ? '@' : quote(name)}=`, regedit4)}\r\n`;
    }
    out += '\r\n';
  }
  return out;
}
