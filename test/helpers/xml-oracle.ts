// An XML reader for tests that shares no code with lib/config/xml: bytes decoded with the
// platform's TextDecoder (fatal on bad sequences) from the BOM or the first bytes (XML 1.0
// appendix F), and parsed by saxes, a strict XML 1.0 parser (it refuses characters outside the
// Char production, such as U+0001 or U+FFFE written raw, and duplicate attributes). Tests use it
// as the oracle for well-formedness and for the values a file holds.
import { SaxesParser } from 'saxes';

export type XmlEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface XmlElement {
  type: 'element';
  name: string;
  /** In document order (XML gives attribute order no meaning; callers compare as they need). */
  attrs: Array<{ name: string; value: string }>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | { type: 'text' | 'cdata' | 'comment'; value: string } | { type: 'pi'; target: string; body: string };

export interface XmlDocument {
  encoding: XmlEncoding;
  bom: boolean;
  /** The declaration's encoding pseudo-attribute, when there is one. */
  declaredEncoding: string | undefined;
  root: XmlElement;
  /** Comments and processing instructions around the root element, in order. */
  prolog: XmlNode[];
  epilog: XmlNode[];
}

export class XmlOracleError extends Error {}

/** Which encoding the bytes are in, from the BOM or the first bytes (XML 1.0 appendix F). */
export function sniffEncoding(bytes: Uint8Array): { encoding: XmlEncoding; bom: boolean } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  if (bytes[0] === 0x3c && bytes[1] === 0x00) return { encoding: 'utf-16le', bom: false };
  if (bytes[0] === 0x00 && bytes[1] === 0x3c) return { encoding: 'utf-16be', bom: false };
  return { encoding: 'utf-8', bom: false };
}

export function decodeXmlBytes(bytes: Uint8Array): { text: string; encoding: XmlEncoding; bom: boolean } {
  const { encoding, bom } = sniffEncoding(bytes);
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (e) {
    throw new XmlOracleError(`not valid ${encoding}: ${(e as Error).message}`);
  }
  if (bom) text = text.slice(1);
  return { text, encoding, bom };
}

/** Parses XML text; throws XmlOracleError when it is not well-formed XML 1.0. */
export function parseXmlText(text: string, file = 'input'): Omit<XmlDocument, 'encoding' | 'bom'> {
  const parser = new SaxesParser({ fileName: file });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const prolog: XmlNode[] = [];
  const epilog: XmlNode[] = [];
  let declaredEncoding: string | undefined;
  let error: Error | undefined;
  const add = (node: XmlNode) => {
    const top = stack[stack.length - 1];
    if (top) top.children.push(node);
    else (root ? epilog : prolog).push(node);
  };
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('xmldecl', (d) => {
    declaredEncoding = d.encoding;
  });
  parser.on('opentag', (tag) => {
    const el: XmlElement = { type: 'element', name: tag.name, attrs: Object.entries(tag.attributes).map(([name, value]) => ({ name, value: String(value) })), children: [] };
    const top = stack[stack.length - 1];
    if (top) top.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (value) => {
    if (stack.length) add({ type: 'text', value });
  });
  parser.on('cdata', (value) => add({ type: 'cdata', value }));
  parser.on('comment', (value) => add({ type: 'comment', value }));
  parser.on('processinginstruction', (pi) => add({ type: 'pi', target: pi.target, body: pi.body }));
  parser.on('doctype', () => {
    error ??= new Error('a DOCTYPE is present');
  });
  try {
    parser.write(text).close();
  } catch (e) {
    error ??= e as Error;
  }
  if (error) throw new XmlOracleError(`${file}: not well-formed XML: ${error.message}`);
  if (!root) throw new XmlOracleError(`${file}: no root element`);
  return { declaredEncoding, root, prolog, epilog };
}

export function parseXmlBytes(bytes: Uint8Array, file = 'input'): XmlDocument {
  const { text, encoding, bom } = decodeXmlBytes(bytes);
  return { encoding, bom, ...parseXmlText(text, file) };
}

export function attr(el: XmlElement, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

export function elements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.type === 'element' && (name === undefined || c.name === name));
}

/** The element's character data: text and CDATA sections joined, as the XML infoset has it. */
export function textOf(el: XmlElement): string {
  return el.children.map((c) => (c.type === 'text' || c.type === 'cdata' ? c.value : '')).join('');
}
