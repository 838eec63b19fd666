// Bytes <-> text for config files, keeping what an editor must give back unchanged: the byte
// order mark, the encoding (UTF-8, UTF-16LE/BE, Latin-1) and the line-ending style.
// Decoding is checked by re-encoding: a file that would not come back byte for byte (invalid
// UTF-8, an odd UTF-16 length) is refused rather than silently "repaired".
import { configFileError } from './errors.js';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'latin1';

export interface TextFormat {
  encoding: TextEncodingName;
  bom: boolean;
  /** The line ending most lines use; new lines we insert use it. */
  eol: '\r\n' | '\n';
}

export interface DecodedText {
  text: string;
  format: TextFormat;
}

/** The encoding named in `<?xml ... encoding="..."?>`, lower-cased, when present. */
export function declaredEncoding(text: string): string | undefined {
  const m = /^<\?xml\s[^?]*?\bencoding\s*=\s*(["'])([A-Za-z0-9._-]+)\1/.exec(text);
  return m?.[2]?.toLowerCase();
}

function sniff(bytes: Uint8Array): { encoding: TextEncodingName; bom: boolean } | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return { encoding: 'utf-8', bom: true };
  if (a === 0xff && b === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (a === 0xfe && b === 0xff) return { encoding: 'utf-16be', bom: true };
  // No BOM: XML 1.0 appendix F, "<?" or "<" followed by NUL tells UTF-16's byte order.
  if (a === 0x3c && b === 0x00 && d === 0x00 && c !== 0x00) return { encoding: 'utf-16le', bom: false };
  if (a === 0x00 && b === 0x3c && c === 0x00) return { encoding: 'utf-16be', bom: false };
  return undefined;
}

function rawDecode(bytes: Uint8Array, encoding: TextEncodingName): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (encoding) {
    case 'utf-8':
      return buf.toString('utf8');
    case 'latin1':
      return buf.toString('latin1');
    case 'utf-16le':
      return buf.toString('utf16le');
    case 'utf-16be':
      return Buffer.from(buf).swap16().toString('utf16le');
  }
}

function rawEncode(text: string, encoding: TextEncodingName): Buffer {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'latin1':
      return Buffer.from(text, 'latin1');
    case 'utf-16le':
      return Buffer.from(text, 'utf16le');
    case 'utf-16be':
      return Buffer.from(text, 'utf16le').swap16();
  }
}

const BOMS: Record<TextEncodingName, number[]> = {
  'utf-8': [0xef, 0xbb, 0xbf],
  'utf-16le': [0xff, 0xfe],
  'utf-16be': [0xfe, 0xff],
  latin1: [],
};

const LATIN1_NAMES = new Set(['iso-8859-1', 'latin1', 'l1', 'iso_8859-1', 'us-ascii', 'ascii']);

export function detectEol(text: string): '\r\n' | '\n' {
  const lf = text.indexOf('\n');
  if (lf === -1) return '\r\n'; // one-line files: Windows tools' default
  return text.charCodeAt(lf - 1) === 13 ? '\r\n' : '\n';
}

/**
 * Decodes a config file. `file` names it in errors. The declaration decides only when there is
 * no BOM and no UTF-16 pattern (as XML's own detection does).
 */
export function decodeText(bytes: Uint8Array, file: string): DecodedText {
  const sniffed = sniff(bytes);
  let encoding: TextEncodingName;
  let bom = false;
  if (sniffed) {
    encoding = sniffed.encoding;
    bom = sniffed.bom;
  } else {
    // The declaration is ASCII in every encoding we accept, so a Latin-1 peek reads it.
    const peek = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 200)).toString('latin1');
    const declared = declaredEncoding(peek);
    if (declared === undefined || declared === 'utf-8' || declared === 'utf8') encoding = 'utf-8';
    else if (LATIN1_NAMES.has(declared)) encoding = 'latin1';
    else if (declared.startsWith('utf-16') || declared === 'unicode') {
      throw configFileError(`the file declares encoding "${declared}" but has no UTF-16 byte order mark and is not UTF-16`, file, {
        code: 'TEXT_ENCODING',
        line: 1,
        remedy: 'Save the file again with its real encoding (Notepad: "Save As", Encoding "UTF-8"), or fix the encoding in its first line.',
      });
    } else {
      throw configFileError(`the file declares encoding "${declared}", which this tool does not edit`, file, {
        code: 'TEXT_ENCODING',
        line: 1,
        remedy: 'Save the file as UTF-8 or UTF-16 (web.config files are UTF-8 by default) and run again.',
      });
    }
  }
  const bomLength = bom ? BOMS[encoding].length : 0;
  if ((encoding === 'utf-16le' || encoding === 'utf-16be') && (bytes.byteLength - bomLength) % 2 !== 0) {
    throw configFileError(`the file is UTF-16 but has an odd number of bytes (${bytes.byteLength}): it is truncated or corrupt`, file, {
      code: 'TEXT_ENCODING',
      remedy: 'Restore the file from the backup taken before the upgrade.',
    });
  }
  const body = bytes.subarray(bomLength);
  const text = rawDecode(body, encoding);
  if (!rawEncode(text, encoding).equals(body)) {
    const bad = firstDifference(rawEncode(text, encoding), body);
    throw configFileError(`the file is not valid ${encoding.toUpperCase()} (bad byte sequence at byte ${bad + bomLength})`, file, {
      code: 'TEXT_ENCODING',
      line: lineAt(text, text.indexOf('\uFFFD')),
      remedy: 'Save the file again as UTF-8 (or with the encoding its first line declares) and run again.',
    });
  }
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    // A lone surrogate decodes and re-encodes unchanged, but no tool can write it as UTF-8 or
    // show it: it is refused like an invalid UTF-8 sequence.
    const lone = loneSurrogate(text);
    if (lone !== -1) {
      throw configFileError(`the file is not valid ${encoding.toUpperCase()}: a lone surrogate at byte ${bomLength + lone * 2}`, file, {
        code: 'TEXT_ENCODING',
        line: lineAt(text, lone),
        remedy: 'Save the file again as UTF-8 or UTF-16 from an editor that shows the damage (or restore it from the backup) and run again.',
      });
    }
  }
  return { text, format: { encoding, bom, eol: detectEol(text) } };
}

/** Offset of the first UTF-16 surrogate that is not part of a pair, or -1. */
export function loneSurrogate(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

export function encodeText(text: string, format: TextFormat): Buffer {
  const body = rawEncode(text, format.encoding);
  if (!format.bom) return body;
  return Buffer.concat([Buffer.from(BOMS[format.encoding]), body]);
}

/** Characters a Latin-1 file cannot hold make the edit fail before anything is written. */
export function encodable(text: string, format: TextFormat): boolean {
  // eslint-disable-next-line no-control-regex
  return format.encoding !== 'latin1' || /^[\u0000-\u00ff]*$/.test(text);
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** 1-based line of a text offset. */
export function lineAt(text: string, offset: number): number {
  if (offset < 0) return 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
