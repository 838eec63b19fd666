// The edit that gives one setting a new value, touching only the value's own span. When the value
// is carried unchanged from the old file, its raw text is reused where it reads the same in the
// new place, so "&#10;" stays "&#10;" and "&quot;" stays "&quot;".
import type { XmlDocument } from '../xml/document.js';
import type { Markup } from '../xml/insert.js';
import { appendChildren } from '../xml/insert.js';
import type { TextEdit } from '../xml/edit.js';
import { escapeAttributeValue, escapeText } from '../xml/entities.js';
import { rawContent, rawValue } from '../xml/values.js';
import type { Setting } from './settings.js';

/** Where a carried value came from, so its raw form can be reused. */
export interface ValueSource {
  doc: XmlDocument;
  setting: Setting;
}

function convertEol(text: string, eol: string): string {
  return text.replace(/\r\n?|\n/g, eol);
}

function attributeText(value: string, quote: '"' | "'", source: ValueSource | undefined): string {
  if (source?.setting.valueAttr && source.setting.value === value) {
    const raw = rawValue(source.doc, source.setting.valueAttr);
    if (!raw.includes(quote)) return raw;
  }
  return escapeAttributeValue(value, quote);
}

function elementTextFor(setting: Pick<Setting, 'xml'>, value: string, eol: string, source: ValueSource | undefined, keepCdata: boolean): string {
  if (setting.xml) return convertEol(value, eol);
  if (source?.setting.valueElement && !source.setting.xml && source.setting.value === value) {
    const raw = rawContent(source.doc, source.setting.valueElement);
    return convertEol(raw, eol);
  }
  if (keepCdata && !value.includes(']]>')) return `<![CDATA[${convertEol(value, eol)}]]>`;
  return escapeText(value, eol);
}

export function valueMarkup(setting: Pick<Setting, 'kind' | 'key' | 'xml'>, value: string, serializeAs: string, source: ValueSource | undefined): Markup {
  if (setting.kind === 'appSetting') {
    return () => `<add key="${escapeAttributeValue(setting.key, '"')}" value="${attributeText(value, '"', source)}" />`;
  }
  return (indent, unit, eol) =>
    `<setting name="${escapeAttributeValue(setting.key, '"')}" serializeAs="${escapeAttributeValue(serializeAs, '"')}">${eol}` +
    `${indent}${unit}<value>${elementTextFor(setting, value, eol, source, false)}</value>${eol}` +
    `${indent}</setting>`;
}

/** The edit setting `target` (in doc) to value; undefined when it already reads so. */
export function setValueEdit(doc: XmlDocument, target: Setting, value: string, source: ValueSource | undefined, secret: boolean): TextEdit | undefined {
  if (target.value === value) return undefined;
  const eol = doc.format.eol;
  if (target.kind === 'appSetting') {
    const a = target.valueAttr;
    if (a) return { start: a.valueStart, end: a.valueEnd, text: attributeText(value, a.quote, source), secret };
    // <add key="X"/>: the value attribute goes right after the key attribute.
    const key = target.element.attributes.find((x) => x.name === 'key');
    const at = key ? key.valueEnd + 1 : target.element.start + 1 + target.element.name.length;
    return { start: at, end: at, text: ` value="${attributeText(value, '"', source)}"`, secret };
  }
  const v = target.valueElement;
  if (!v) return { ...appendChildren(doc, target.element, [() => `<value>${elementTextFor(target, value, eol, source, false)}</value>`]), secret };
  if (v.selfClosing) return { start: v.start, end: v.end, text: `<${v.name}>${elementTextFor(target, value, eol, source, false)}</${v.name}>`, secret };
  const current = rawContent(doc, v);
  const keepCdata = /^<!\[CDATA\[[\s\S]*\]\]>$/.test(current) && current.indexOf(']]>') === current.length - 3;
  return { start: v.startTagEnd, end: v.endTagStart, text: elementTextFor(target, value, eol, source, keepCdata), secret };
}
