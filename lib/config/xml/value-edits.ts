// The edits that give one attribute or one element's text a new value, touching only that
// value's span. When a value is carried unchanged from another file, its raw text is reused if
// it reads the same in the new place, so "&#10;" stays "&#10;" and "&quot;" stays "&quot;".
import type { XmlDocument } from './document.js';
import type { TextEdit } from './edit.js';
import { escapeAttributeValue, escapeText } from './entities.js';
import type { XmlAttribute, XmlElement } from './scan.js';
import { rawContent, rawValue } from './values.js';

/** The same value as written in another document, reusable when it reads the same. */
export interface RawSource {
  doc: XmlDocument;
  /** The decoded value there. */
  value: string;
  attr?: XmlAttribute;
  element?: XmlElement;
}

export function convertEol(text: string, eol: string): string {
  return text.replace(/\r\n?|\n/g, eol);
}

export function attributeText(value: string, quote: '"' | "'", source?: RawSource): string {
  if (source?.attr && source.value === value) {
    const raw = rawValue(source.doc, source.attr);
    if (!raw.includes(quote)) return raw;
  }
  return escapeAttributeValue(value, quote);
}

/** Element content for a text value; `rawXml` writes the value as markup (serializeAs="Xml"). */
export function contentText(value: string, eol: string, options: { source?: RawSource; cdata?: boolean; rawXml?: boolean } = {}): string {
  if (options.rawXml) return convertEol(value, eol);
  // The target's own CDATA form wins over the source's raw form: it is the file being kept. A
  // CDATA section cannot hold a CR (every parser reads it as LF): such a value is escaped (&#13;).
  if (options.cdata && !value.includes(']]>') && !value.includes('\r')) return `<![CDATA[${convertEol(value, eol)}]]>`;
  const s = options.source;
  if (s?.element && s.value === value) return convertEol(rawContent(s.doc, s.element), eol);
  return escapeText(value, eol);
}

export function setAttributeEdit(attr: XmlAttribute, value: string, source?: RawSource): TextEdit {
  return { start: attr.valueStart, end: attr.valueEnd, text: attributeText(value, attr.quote, source) };
}

/** Replaces an element's content (or expands `<x/>` to `<x>...</x>`); keeps a lone CDATA section a CDATA section. */
export function setContentEdit(doc: XmlDocument, el: XmlElement, value: string, options: { source?: RawSource; rawXml?: boolean } = {}): TextEdit {
  const eol = doc.format.eol;
  if (el.selfClosing) return { start: el.start, end: el.end, text: `${doc.text.slice(el.start, el.end).replace(/\s*\/>$/, '>')}${contentText(value, eol, options)}</${el.name}>` };
  const current = rawContent(doc, el);
  const cdata = /^<!\[CDATA\[[\s\S]*\]\]>$/.test(current) && current.indexOf(']]>') === current.length - 3;
  return { start: el.startTagEnd, end: el.endTagStart, text: contentText(value, eol, { ...options, cdata }) };
}
