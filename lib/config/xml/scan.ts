// A position-tracking XML scanner: the element tree of a document with the exact text span of
// every element, start tag, attribute value (and its quote) and element content, so edits can
// replace a value and leave every other byte alone. fast-xml-parser validates and reads; it
// cannot say where a node lies, which is what this is for. It refuses what it does not
// understand rather than guessing, and never expands entities (DOCTYPE declarations are refused).

export interface XmlAttribute {
  /** As written, with any prefix. */
  name: string;
  /** Offset of the attribute name. */
  start: number;
  /** The value's span, inside the quotes. */
  valueStart: number;
  valueEnd: number;
  quote: '"' | "'";
}

export interface XmlElement {
  /** As written, with any prefix. */
  name: string;
  localName: string;
  /** Offset of '<'. */
  start: number;
  /** Offset just after the start tag's '>'. */
  startTagEnd: number;
  selfClosing: boolean;
  /** Offset of the end tag's '</' (equals startTagEnd when self-closing). */
  endTagStart: number;
  /** Offset just after the element. */
  end: number;
  attributes: XmlAttribute[];
  children: XmlElement[];
  /** Non-whitespace text or a CDATA section lies directly inside. */
  hasText: boolean;
  parent: XmlElement | undefined;
}

export interface XmlTree {
  root: XmlElement;
  /** Span of `<?xml ...?>` when the document starts with one. */
  declaration: { start: number; end: number } | undefined;
}

export class XmlScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly code = 'XML_MALFORMED',
  ) {
    super(message);
  }
}

const LT = 60; // <
const GT = 62; // >
const SLASH = 47;
const EQ = 61;
const BANG = 33;
const QMARK = 63;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function nameEnd(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === GT || c === SLASH || c === EQ || c === LT) break;
    i++;
  }
  return i;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

function hasNonSpace(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpace(text.charCodeAt(i))) return true;
  return false;
}

function localOf(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Refuses any DOCTYPE that declares something: entities (billion laughs) or an external DTD. */
function doctypeEnd(text: string, lt: number): number {
  let i = lt + 9;
  const gt = text.indexOf('>', i);
  const bracket = text.indexOf('[', i);
  const head = text.slice(i, gt === -1 ? undefined : bracket !== -1 && bracket < gt ? bracket : gt);
  if (bracket !== -1 && (gt === -1 || bracket < gt)) {
    const entity = /<!ENTITY/i.test(text.slice(bracket, text.indexOf(']', bracket) + 1 || undefined));
    throw new XmlScanError(
      entity
        ? 'the document declares entities in a DOCTYPE (entity expansion, e.g. "billion laughs"); it was not expanded'
        : 'the document has a DOCTYPE with an internal subset; configuration files never need one',
      lt,
      'XML_DOCTYPE',
    );
  }
  if (/\b(SYSTEM|PUBLIC)\b/.test(head)) {
    throw new XmlScanError('the document refers to an external DTD or entity (SYSTEM/PUBLIC); nothing was fetched', lt, 'XML_DOCTYPE');
  }
  if (gt === -1) throw new XmlScanError('unterminated DOCTYPE', lt);
  i = gt + 1;
  return i;
}

/**
 * Walks the prolog only (declaration, comments, PIs) and refuses a DOCTYPE that declares
 * anything. Run before any parser sees the text, so no entity is ever expanded.
 */
export function checkProlog(text: string): void {
  let pos = 0;
  for (;;) {
    const lt = text.indexOf('<', pos);
    if (lt === -1) return;
    if (text.startsWith('<?', lt)) pos = text.indexOf('?>', lt + 2) + 2;
    else if (text.startsWith('<!--', lt)) pos = text.indexOf('-->', lt + 4) + 3;
    else if (text.startsWith('<!DOCTYPE', lt)) pos = doctypeEnd(text, lt);
    else return;
    if (pos < 2) return; // unterminated: the scanner reports it
  }
}

export function scanXml(text: string): XmlTree {
  const n = text.length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let declaration: XmlTree['declaration'];
  let pos = 0;
  while (pos < n) {
    const lt = text.indexOf('<', pos);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > pos && hasNonSpace(text, pos, textEnd)) {
      const top = stack[stack.length - 1];
      if (!top) throw new XmlScanError('text outside the root element', pos);
      top.hasText = true;
    }
    if (lt === -1) break;
    const c = text.charCodeAt(lt + 1);
    if (c === BANG) {
      if (text.startsWith('<!--', lt)) {
        const end = text.indexOf('-->', lt + 4);
        if (end === -1) throw new XmlScanError('unterminated comment', lt);
        pos = end + 3;
      } else if (text.startsWith('<![CDATA[', lt)) {
        const top = stack[stack.length - 1];
        if (!top) throw new XmlScanError('CDATA section outside the root element', lt);
        const end = text.indexOf(']]>', lt + 9);
        if (end === -1) throw new XmlScanError('unterminated CDATA section', lt);
        top.hasText = true;
        pos = end + 3;
      } else if (text.startsWith('<!DOCTYPE', lt)) {
        if (root || stack.length) throw new XmlScanError('DOCTYPE after the root element started', lt);
        pos = doctypeEnd(text, lt);
      } else {
        throw new XmlScanError('unexpected markup declaration', lt);
      }
    } else if (c === QMARK) {
      const end = text.indexOf('?>', lt + 2);
      if (end === -1) throw new XmlScanError('unterminated processing instruction', lt);
      if (lt === 0 && /^<\?xml\s/.test(text.slice(0, 6))) declaration = { start: 0, end: end + 2 };
      pos = end + 2;
    } else if (c === SLASH) {
      const ne = nameEnd(text, lt + 2);
      const name = text.slice(lt + 2, ne);
      const gt = skipSpace(text, ne);
      if (text.charCodeAt(gt) !== GT) throw new XmlScanError(`malformed end tag </${name}`, lt);
      const top = stack.pop();
      if (!top) throw new XmlScanError(`end tag </${name}> without a start tag`, lt);
      if (top.name !== name) throw new XmlScanError(`end tag </${name}> does not match <${top.name}>`, lt);
      top.endTagStart = lt;
      top.end = gt + 1;
      pos = gt + 1;
    } else {
      pos = startTag(text, lt, stack, (el) => {
        if (root) throw new XmlScanError(`a second root element <${el.name}>`, lt);
        root = el;
      });
    }
  }
  const open = stack[stack.length - 1];
  if (open) throw new XmlScanError(`<${open.name}> is never closed`, open.start);
  if (!root) throw new XmlScanError('no root element', 0);
  return { root, declaration };
}

function startTag(text: string, lt: number, stack: XmlElement[], onRoot: (el: XmlElement) => void): number {
  const ne = nameEnd(text, lt + 1);
  if (ne === lt + 1) throw new XmlScanError("'<' not followed by a name (write it as &lt;)", lt);
  const name = text.slice(lt + 1, ne);
  const parent = stack[stack.length - 1];
  const el: XmlElement = {
    name,
    localName: localOf(name),
    start: lt,
    startTagEnd: -1,
    selfClosing: false,
    endTagStart: -1,
    end: -1,
    attributes: [],
    children: [],
    hasText: false,
    parent,
  };
  let i = ne;
  for (;;) {
    const afterSpace = skipSpace(text, i);
    const c = text.charCodeAt(afterSpace);
    if (c === GT) {
      i = afterSpace + 1;
      break;
    }
    if (c === SLASH && text.charCodeAt(afterSpace + 1) === GT) {
      el.selfClosing = true;
      i = afterSpace + 2;
      break;
    }
    if (afterSpace >= text.length) throw new XmlScanError(`unterminated start tag <${name}`, lt);
    if (afterSpace === i) throw new XmlScanError(`attributes of <${name}> must be separated by white space`, i);
    const an = nameEnd(text, afterSpace);
    if (an === afterSpace) throw new XmlScanError(`unexpected character in <${name}>`, afterSpace);
    const eq = skipSpace(text, an);
    if (text.charCodeAt(eq) !== EQ) throw new XmlScanError(`attribute ${text.slice(afterSpace, an)} of <${name}> has no value`, afterSpace);
    const q = skipSpace(text, eq + 1);
    const quote = text[q];
    if (quote !== '"' && quote !== "'") throw new XmlScanError(`attribute ${text.slice(afterSpace, an)} of <${name}> has an unquoted value`, q);
    const close = text.indexOf(quote, q + 1);
    if (close === -1) throw new XmlScanError(`attribute ${text.slice(afterSpace, an)} of <${name}> has no closing quote`, q);
    const lessThan = text.indexOf('<', q + 1);
    if (lessThan !== -1 && lessThan < close) throw new XmlScanError(`'<' inside the value of attribute ${text.slice(afterSpace, an)} (write it as &lt;)`, lessThan);
    el.attributes.push({ name: text.slice(afterSpace, an), start: afterSpace, valueStart: q + 1, valueEnd: close, quote });
    i = close + 1;
  }
  el.startTagEnd = i;
  if (parent) parent.children.push(el);
  else onRoot(el);
  if (el.selfClosing) {
    el.endTagStart = i;
    el.end = i;
  } else {
    stack.push(el);
  }
  return i;
}

export function attribute(el: XmlElement, name: string): XmlAttribute | undefined {
  for (const a of el.attributes) if (a.name === name) return a;
  return undefined;
}

export function childrenNamed(el: XmlElement, localName: string): XmlElement[] {
  return el.children.filter((c) => c.localName === localName);
}
