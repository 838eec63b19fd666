// Where a document holds secrets, as spans of its text: every attribute value and leaf text
// that redaction calls secret (by its own name, an ancestor's, or a key/name attribute that
// names a secret), or that embeds one (a connection string's Password=). Diffs print whole
// lines, so these are masked wherever a line around an edit shows them.
import { IDENTITY_ATTRIBUTES, isSecretNode, redactEmbedded } from '../redact.js';
import type { XmlDocument } from './document.js';
import type { Span } from './edit.js';
import type { XmlElement } from './scan.js';
import { attrValue, elementText, rawContent } from './values.js';

export function secretSpans(doc: XmlDocument): Span[] {
  const out: Span[] = [];
  const stack: Array<{ el: XmlElement; names: string[]; ids: Array<string | undefined> }> = [{ el: doc.tree.root, names: [], ids: [] }];
  while (stack.length > 0) {
    const { el, names: parentNames, ids: parentIds } = stack.pop() as (typeof stack)[number];
    const idAttr = el.attributes.find((a) => IDENTITY_ATTRIBUTES.test(a.name.replace(/^.*:/, '')));
    const names = [...parentNames, el.localName];
    const ids = [...parentIds, idAttr ? attrValue(doc, idAttr) : undefined];
    for (const a of el.attributes) {
      const value = attrValue(doc, a);
      if (isSecretNode(names, ids, a.name.replace(/^.*:/, '')) || redactEmbedded(value) !== value) out.push({ start: a.valueStart, end: a.valueEnd });
    }
    if (!el.selfClosing && el.children.length === 0) {
      const text = el.hasText ? elementText(doc, el) : '';
      if ((isSecretNode(names, ids) && rawContent(doc, el) !== '') || redactEmbedded(text) !== text) out.push({ start: el.startTagEnd, end: el.endTagStart });
    }
    for (const c of el.children) stack.push({ el: c, names, ids });
  }
  return out.sort((a, b) => a.start - b.start);
}
