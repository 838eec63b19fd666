// XML character data: reading values as .NET's XmlReader sees them, and writing values back so
// they read the same. Only the five predefined entities and character references exist here:
// documents that declare entities are refused before we get this far.

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

function decodeReferences(raw: string): string {
  if (raw.indexOf('&') === -1) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (match, name: string, offset: number) => {
    if (!match.endsWith(';')) throw new EntityError(`'&' not followed by an entity reference`, offset);
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      if (!Number.isInteger(code) || code < 0 || code > 0x10ffff || !/^#(x[0-9a-fA-F]+|[0-9]+)$/.test(name)) {
        throw new EntityError(`bad character reference '${match}'`, offset);
      }
      return String.fromCodePoint(code);
    }
    const v = PREDEFINED[name];
    if (v === undefined) throw new EntityError(`unknown entity '&${name};' (only &lt; &gt; &amp; &quot; &apos; exist without a DTD)`, offset);
    return v;
  });
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
  return value.replace(/[&<>\r\n]/g, (c) => (c === '\n' ? eol : c === '\r' ? '&#13;' : c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}
