// Reading attribute values and element text through their spans, as .NET reads them.
import { badInput } from '../../errors.js';
import type { XmlDocument } from './document.js';
import { decodeAttributeValue, decodeText, EntityError } from './entities.js';
import { attribute, type XmlAttribute, type XmlElement } from './scan.js';

function entityFailure(doc: XmlDocument, e: EntityError, base: number): never {
  const line = doc.lineAt(base + e.offset);
  throw badInput(`malformed XML: ${e.message}`, doc.file, {
    code: 'XML_MALFORMED',
    line,
    remedy: `Fix the XML at line ${line} (write a literal & as &amp;) and run again.`,
  });
}

export function rawValue(doc: XmlDocument, attr: XmlAttribute): string {
  return doc.text.slice(attr.valueStart, attr.valueEnd);
}

export function attrValue(doc: XmlDocument, attr: XmlAttribute): string {
  try {
    return decodeAttributeValue(rawValue(doc, attr));
  } catch (e) {
    if (e instanceof EntityError) entityFailure(doc, e, attr.valueStart);
    throw e;
  }
}

export function attr(doc: XmlDocument, el: XmlElement, name: string): string | undefined {
  const a = attribute(el, name);
  return a ? attrValue(doc, a) : undefined;
}

/** The raw text between the start and end tags. */
export function rawContent(doc: XmlDocument, el: XmlElement): string {
  return doc.text.slice(el.startTagEnd, el.endTagStart);
}

/** Character data of an element without child elements: text and CDATA, comments skipped. */
export function elementText(doc: XmlDocument, el: XmlElement): string {
  const raw = rawContent(doc, el);
  if (raw.indexOf('<') === -1) return decode(doc, raw, el.startTagEnd);
  let out = '';
  let pos = 0;
  while (pos < raw.length) {
    const lt = raw.indexOf('<', pos);
    const end = lt === -1 ? raw.length : lt;
    out += decode(doc, raw.slice(pos, end), el.startTagEnd + pos);
    if (lt === -1) break;
    if (raw.startsWith('<![CDATA[', lt)) {
      const close = raw.indexOf(']]>', lt);
      out += raw.slice(lt + 9, close).replace(/\r\n?/g, '\n');
      pos = close + 3;
    } else if (raw.startsWith('<!--', lt)) {
      pos = raw.indexOf('-->', lt) + 3;
    } else if (raw.startsWith('<?', lt)) {
      pos = raw.indexOf('?>', lt) + 2;
    } else {
      throw new Error(`elementText called on <${el.name}>, which has child elements`);
    }
  }
  return out;
}

function decode(doc: XmlDocument, raw: string, base: number): string {
  try {
    return decodeText(raw);
  } catch (e) {
    if (e instanceof EntityError) entityFailure(doc, e, base);
    throw e;
  }
}
