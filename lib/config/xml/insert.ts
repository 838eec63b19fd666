// Inserting new child elements the way a careful person would by hand: on their own lines,
// indented like their siblings, with the file's own line ending, and nothing else touched.
import type { XmlDocument } from './document.js';
import type { TextEdit } from './edit.js';
import type { XmlElement } from './scan.js';

/** Markup for one element; `indent` prefixes its second and later lines. */
export type Markup = (indent: string, unit: string, eol: string) => string;

/** The white space before offset on its line, when only white space precedes it. */
export function lineIndent(text: string, offset: number): string | undefined {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const lead = text.slice(start, offset);
  return /^[ \t]*$/.test(lead) ? lead : undefined;
}

function indentsOf(doc: XmlDocument, parent: XmlElement): { parent: string; child: string; unit: string } {
  const parentIndent = lineIndent(doc.text, parent.start) ?? '';
  let child: string | undefined;
  for (let i = parent.children.length - 1; i >= 0 && child === undefined; i--) child = lineIndent(doc.text, (parent.children[i] as XmlElement).start);
  let unit: string | undefined;
  if (child !== undefined && child.startsWith(parentIndent) && child.length > parentIndent.length) unit = child.slice(parentIndent.length);
  unit ??= guessUnit(doc, parent) ?? (parentIndent.includes('\t') ? '\t' : '  ');
  return { parent: parentIndent, child: child ?? parentIndent + unit, unit };
}

/** The step between an ancestor's indentation and its children's, nearest first. */
function guessUnit(doc: XmlDocument, from: XmlElement): string | undefined {
  for (let el: XmlElement | undefined = from; el; el = el.parent) {
    const own = lineIndent(doc.text, el.start);
    for (const c of el.children) {
      const ci = lineIndent(doc.text, c.start);
      if (own !== undefined && ci !== undefined && ci.startsWith(own) && ci.length > own.length) return ci.slice(own.length);
    }
  }
  return undefined;
}

/** Appends elements as the last children of parent (after any trailing comments). */
export function appendChildren(doc: XmlDocument, parent: XmlElement, markups: Markup[]): TextEdit {
  const eol = doc.format.eol;
  const ind = indentsOf(doc, parent);
  const body = markups.map((m) => ind.child + m(ind.child, ind.unit, eol));
  if (parent.selfClosing) {
    // <appSettings /> becomes <appSettings> ... </appSettings>, attributes kept as written.
    const tagText = doc.text.slice(parent.start, parent.end).replace(/\s*\/>$/, '>');
    return { start: parent.start, end: parent.end, text: `${tagText}${eol}${body.join(eol)}${eol}${ind.parent}</${parent.name}>` };
  }
  const endLineIndent = lineIndent(doc.text, parent.endTagStart);
  const contentHasNewline = doc.text.slice(parent.startTagEnd, parent.endTagStart).includes('\n');
  if (endLineIndent !== undefined && contentHasNewline) {
    const at = parent.endTagStart - endLineIndent.length;
    return { start: at, end: at, text: body.join(eol) + eol };
  }
  return { start: parent.endTagStart, end: parent.endTagStart, text: eol + body.join(eol) + eol + ind.parent };
}

/** Inserts one element right after `after` (a child of parent), or as parent's first child. */
export function insertChildAfter(doc: XmlDocument, parent: XmlElement, after: XmlElement | undefined, markup: Markup): TextEdit {
  const eol = doc.format.eol;
  const ind = indentsOf(doc, parent);
  const text = markup(ind.child, ind.unit, eol);
  if (after) return { start: after.end, end: after.end, text: eol + ind.child + text };
  const first = parent.children[0];
  if (first) {
    const lead = lineIndent(doc.text, first.start);
    if (lead !== undefined) {
      const at = first.start - lead.length;
      return { start: at, end: at, text: ind.child + text + eol };
    }
    return { start: first.start, end: first.start, text: text + eol + ind.child };
  }
  return appendChildren(doc, parent, [markup]);
}
