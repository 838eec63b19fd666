// Setting one web.config setting's value in place, or the markup of a setting to insert.
import type { XmlDocument } from '../xml/document.js';
import type { TextEdit } from '../xml/edit.js';
import { escapeAttributeValue } from '../xml/entities.js';
import { appendChildren, type Markup } from '../xml/insert.js';
import { attributeText, contentText, setAttributeEdit, setContentEdit, type RawSource } from '../xml/value-edits.js';
import type { Setting } from './settings.js';

/** Where a carried value came from, so its raw form can be reused. */
export interface ValueSource {
  doc: XmlDocument;
  setting: Setting;
}

function raw(source: ValueSource | undefined): RawSource | undefined {
  if (!source) return undefined;
  const s = source.setting;
  const r: RawSource = { doc: source.doc, value: s.value };
  if (s.valueAttr) r.attr = s.valueAttr;
  if (s.valueElement && !s.xml) r.element = s.valueElement;
  return r;
}

export function valueMarkup(setting: Pick<Setting, 'kind' | 'key' | 'xml'>, value: string, serializeAs: string, source: ValueSource | undefined): Markup {
  const src = raw(source);
  if (setting.kind === 'appSetting') {
    return () => `<add key="${escapeAttributeValue(setting.key, '"')}" value="${attributeText(value, '"', src)}" />`;
  }
  return (indent, unit, eol) => {
    const content = contentText(value, eol, src ? { source: src, rawXml: setting.xml } : { rawXml: setting.xml });
    return (
      `<setting name="${escapeAttributeValue(setting.key, '"')}" serializeAs="${escapeAttributeValue(serializeAs, '"')}">${eol}` +
      `${indent}${unit}<value>${content}</value>${eol}` +
      `${indent}</setting>`
    );
  };
}

/** The edit setting `target` (in doc) to value; undefined when it already reads so. */
export function setValueEdit(doc: XmlDocument, target: Setting, value: string, source: ValueSource | undefined, secret: boolean): TextEdit | undefined {
  if (target.value === value) return undefined;
  const src = raw(source);
  const options = src ? { source: src, rawXml: target.xml } : { rawXml: target.xml };
  if (target.kind === 'appSetting') {
    if (target.valueAttr) return { ...setAttributeEdit(target.valueAttr, value, src), secret };
    // <add key="X"/>: the value attribute goes right after the key attribute.
    const key = target.element.attributes.find((x) => x.name === 'key');
    const at = key ? key.valueEnd + 1 : target.element.start + 1 + target.element.name.length;
    return { start: at, end: at, text: ` value="${attributeText(value, '"', src)}"`, secret };
  }
  const v = target.valueElement;
  if (!v) return { ...appendChildren(doc, target.element, [(_i, _u, eol) => `<value>${contentText(value, eol, options)}</value>`]), secret };
  return { ...setContentEdit(doc, v, value, options), secret };
}
