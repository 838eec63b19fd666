// Reading attribute values and element text through their spans, as .NET reads them.
import { configFileError } from './errors.js';
import type { XmlDocument } from './document.js';
import { decodeAttributeValue, decodeText, EntityError } from './entities.js';
import { attribute, describeElement, type XmlAttribute, type XmlElement } from './scan.js';

/** Names where the bad reference is (element, attribute, line), never the value's text. */
function entityFailure(doc: XmlDocument, e: EntityError, base: number, where: string): never {
  const line = doc.lineAt(base + e.offset);
  throw configFileError(`malformed XML in ${where}: ${e.message}`, doc.file, {
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
    if (e instanceof EntityError) entityFailure(doc, e, attr.valueStart, `the value of attribute ${attr.name} of <${attr.owner}>`);
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
  if (raw.indexOf('<') === -1) return decode(doc, raw, el.startTagEnd, el);
  let out = '';
  let pos = 0;
  while (pos < raw.length) {
    const lt = raw.indexOf('<', pos);
    const end = lt === -1 ? raw.length : lt;
    out += decode(doc, raw.slice(pos, end), el.startTagEnd + pos, el);
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

function decode(doc: XmlDocument, raw: string, base: number, el: XmlElement): string {
  try {
    return decodeText(raw);
  } catch (e) {
    if (e instanceof EntityError) entityFailure(doc, e, base, `the text of ${describeElement(el)}`);
    throw e;
  }
}
