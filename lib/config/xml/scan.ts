// A position-tracking XML scanner: the element tree of a document with the exact text span of
// every element, start tag, attribute value (and its quote) and element content, so edits can
// replace a value and leave every other byte alone. fast-xml-parser validates and reads; it
// cannot say where a node lies, which is what this is for. It refuses what it does not
// understand rather than guessing, and never expands entities (DOCTYPE declarations are refused).
// It never recurses (a stack of open elements), and refuses more than MAX_XML_DEPTH levels so
// that no later walk over the tree can run out of stack. Its messages name elements and
// attributes, never the text of a value: a name that may be a piece of text (a start tag right
// after text, or a tag that is itself malformed) is replaced by its parent's.

export interface XmlAttribute {
  /** As written, with any prefix. */
  name: string;
  /** Offset of the attribute name. */
  start: number;
  /** The value's span, inside the quotes. */
  valueStart: number;
  valueEnd: number;
  quote: '"' | "'";
  /** The element the attribute belongs to (its name as written). */
  owner: string;
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
  /** Its start tag follows non-white-space text in its parent: its name may be a piece of that text. */
  afterText: boolean;
}

export interface XmlTree {
  root: XmlElement;
  /** Span of `<?xml ...?>` when the document starts with one. */
  declaration: { start: number; end: number } | undefined;
}

/** Deeper nesting is refused: no configuration file comes close, and walks stay bounded. */
export const MAX_XML_DEPTH = 256;

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

/** How messages name an element: by its name, or by its nearest ancestor's when the name may be text. */
export function describeElement(el: XmlElement | undefined): string {
  let e = el;
  let inside = false;
  while (e && e.afterText) {
    e = e.parent;
    inside = true;
  }
  if (!e) return 'the document';
  return inside ? `text inside <${e.name}>` : `<${e.name}>`;
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
    let end: number;
    if (text.startsWith('<?', lt)) end = text.indexOf('?>', lt + 2) + 2;
    else if (text.startsWith('<!--', lt)) end = text.indexOf('-->', lt + 4) + 3;
    else if (text.startsWith('<!DOCTYPE', lt)) end = doctypeEnd(text, lt);
    else return;
    // Unterminated (indexOf gave -1): the scanner reports it. The end always moves forward.
    if (end <= lt) return;
    pos = end;
  }
}

export function scanXml(text: string): XmlTree {
  const n = text.length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let declaration: XmlTree['declaration'];
  let pos = 0;
  /** Non-white-space text came since the last tag, in the current element. */
  let textBefore = false;
  while (pos < n) {
    const lt = text.indexOf('<', pos);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > pos && hasNonSpace(text, pos, textEnd)) {
      const top = stack[stack.length - 1];
      if (!top) throw new XmlScanError('text outside the root element', pos);
      top.hasText = true;
      textBefore = true;
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
        if (end === -1) throw new XmlScanError(`unterminated CDATA section in ${describeElement(top)}`, lt);
        top.hasText = true;
        textBefore = true;
        pos = end + 3;
      } else if (text.startsWith('<!DOCTYPE', lt)) {
        if (root || stack.length) throw new XmlScanError('DOCTYPE after the root element started', lt);
        pos = doctypeEnd(text, lt);
      } else {
        throw new XmlScanError(`unexpected markup declaration in ${describeElement(stack[stack.length - 1])}`, lt);
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
      const top = stack[stack.length - 1];
      if (text.charCodeAt(gt) !== GT) throw new XmlScanError(`malformed end tag in ${describeElement(top)}`, lt);
      if (!top) throw new XmlScanError('an end tag without a start tag', lt);
      if (top.name !== name) {
        // Name the end tag only when it closes a real ancestor: otherwise it may be text.
        const closes = stack.some((e) => e.name === name && !e.afterText);
        throw new XmlScanError(closes ? `end tag </${name}> does not match ${describeElement(top)}` : `an end tag that does not match ${describeElement(top)}`, lt);
      }
      stack.pop();
      top.endTagStart = lt;
      top.end = gt + 1;
      pos = gt + 1;
      textBefore = false;
    } else {
      pos = startTag(text, lt, stack, textBefore, (el) => {
        if (root) throw new XmlScanError(`a second root element after <${root.name}>`, lt);
        root = el;
      });
      textBefore = false;
    }
  }
  const open = stack[0];
  if (open) throw new XmlScanError(`${describeElement(open)} is never closed`, open.start);
  if (!root) throw new XmlScanError('no root element', 0);
  return { root, declaration };
}

function startTag(text: string, lt: number, stack: XmlElement[], afterText: boolean, onRoot: (el: XmlElement) => void): number {
  const ne = nameEnd(text, lt + 1);
  const parent = stack[stack.length - 1];
  // Until the tag is read whole, it may be text with a '<' in it: name the parent, not it.
  const where = parent ? `a start tag inside ${describeElement(parent)}` : 'the root element\'s start tag';
  if (ne === lt + 1) throw new XmlScanError(`'<' not followed by a name in ${describeElement(parent)} (write it as &lt;)`, lt);
  if (stack.length >= MAX_XML_DEPTH) throw new XmlScanError(`elements are nested more than ${MAX_XML_DEPTH} levels deep inside ${describeElement(stack[0])}`, lt, 'XML_TOO_DEEP');
  const name = text.slice(lt + 1, ne);
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
    afterText,
  };
  const after = () => {
    const last = el.attributes[el.attributes.length - 1];
    return last && !afterText ? ` after attribute ${last.name}` : '';
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
    if (afterSpace >= text.length) throw new XmlScanError(`${where} is never finished`, lt);
    if (afterSpace === i) throw new XmlScanError(`in ${where}${after()}: attributes must be separated by white space`, i);
    const an = nameEnd(text, afterSpace);
    if (an === afterSpace) throw new XmlScanError(`in ${where}${after()}: an unexpected character`, afterSpace);
    const eq = skipSpace(text, an);
    if (text.charCodeAt(eq) !== EQ) throw new XmlScanError(`in ${where}${after()}: an attribute without a value`, afterSpace);
    const q = skipSpace(text, eq + 1);
    const quote = text[q];
    if (quote !== '"' && quote !== "'") throw new XmlScanError(`in ${where}${after()}: an unquoted attribute value`, q);
    const close = text.indexOf(quote, q + 1);
    const attrName = text.slice(afterSpace, an);
    if (close === -1) throw new XmlScanError(`in ${where}${after()}: an attribute value that is never closed`, q);
    const lessThan = text.indexOf('<', q + 1);
    if (lessThan !== -1 && lessThan < close) throw new XmlScanError(`'<' inside the value of ${afterText ? 'an attribute' : `attribute ${attrName}`} of ${describeElement(el)} (write it as &lt;)`, lessThan);
    el.attributes.push({ name: attrName, start: afterSpace, valueStart: q + 1, valueEnd: close, quote, owner: name });
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
