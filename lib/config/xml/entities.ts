// XML character data: reading values as .NET's XmlReader sees them, and writing values back so
// they read the same. Only the five predefined entities and character references exist here:
// documents that declare entities are refused before we get this far.

import { ConfigFileError } from './errors.js';

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export class EntityError extends Error {
  constructor(
    message: string,
    /** Offset inside the decoded raw string. */
    readonly offset: number,
  ) {
    super(message);
  }
}

/** XML 1.0's Char production: what a document (and a character reference) may hold. */
export function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** Offset of the first character XML cannot hold (control characters, U+FFFE/U+FFFF, a lone surrogate), or -1. */
export function firstNonXmlChar(text: string): number {
  // eslint-disable-next-line no-control-regex
  const re = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/;
  const m = re.exec(text);
  if (!m) return -1;
  // The lookbehind-free form for a lone low surrogate matched one character early.
  return m[0].length === 2 && m[0].charCodeAt(1) >= 0xdc00 && m[0].charCodeAt(1) <= 0xdfff ? m.index + 1 : m.index;
}

// Messages never quote the reference: it is part of a value, which may be a password.
function decodeReferences(raw: string): string {
  if (raw.indexOf('&') === -1) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (match, name: string, offset: number) => {
    if (!match.endsWith(';')) throw new EntityError(`an '&' that starts no entity reference (write a literal & as &amp;)`, offset);
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      if (!/^#(x[0-9a-fA-F]{1,8}|[0-9]{1,10})$/.test(name) || !Number.isInteger(code) || !isXmlChar(code)) {
        throw new EntityError('a character reference to a character XML does not allow', offset);
      }
      return String.fromCodePoint(code);
    }
    const v = PREDEFINED[name];
    if (v === undefined) throw new EntityError('an unknown entity reference (only &lt; &gt; &amp; &quot; &apos; exist without a DTD)', offset);
    return v;
  });
}

/** A value with a character no XML 1.0 document can carry, even as a reference, is never written. */
function assertWritable(value: string): void {
  if (firstNonXmlChar(value) !== -1) {
    throw new ConfigFileError('a value to write holds a character that XML cannot store (a control character, U+FFFE/U+FFFF or a lone surrogate)', {
      code: 'XML_CHAR',
      target: 'the value to write',
      remedy: 'Remove the character from the value (it came from an option or a file that is not valid XML); nothing was written.',
    });
  }
}

/** An attribute's value from its raw text between the quotes (XML 1.0 §3.3.3 normalization). */
export function decodeAttributeValue(raw: string): string {
  return decodeReferences(raw.replace(/\r\n|[\r\n\t]/g, ' '));
}

/** Character data (no markup inside) with line ends normalized as XML parsers do. */
export function decodeText(raw: string): string {
  return decodeReferences(raw.indexOf('\r') === -1 ? raw : raw.replace(/\r\n?/g, '\n'));
}

/**
 * Escapes a value for an attribute delimited by `quote`. Tabs and line breaks become character
 * references: written raw, a reader would turn them into spaces.
 */
export function escapeAttributeValue(value: string, quote: '"' | "'"): string {
  assertWritable(value);
  return value.replace(quote === '"' ? /[&<"\t\n\r]/g : /[&<'\t\n\r]/g, (c) => ATTR_ESCAPES[c] as string);
}

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Escapes a value as element text; line breaks are written with the file's own line ending. */
export function escapeText(value: string, eol: string): string {
  assertWritable(value);
  return value.replace(/[&<>\r\n]/g, (c) => (c === '\n' ? eol : c === '\r' ? '&#13;' : c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}
