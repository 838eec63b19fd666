// Carrying what the administrator changed under <system.web> and <system.webServer> (procedure.md
// §2.9 "re-apply any other changed defaults", §3.5), beyond the settings merge.ts carries. The
// old version's own web.config (the baseline, from its cached package) tells an administrator's
// change from the old version's default:
//
//   - an element the baseline lacks was added by the administrator: carried whole when the new
//     file lacks it (raw bytes of the old file, re-indented, line endings of the new file);
//   - an attribute whose old value differs from the baseline was changed by the administrator: set
//     in the new file when the new version kept the baseline's value there, else a conflict;
//   - in <add>/<remove> collections an entry whose key the new collection lacks is carried; the
//     same key with another value is a conflict (unless the new value is the baseline's);
//   - an element the old version had and the new one dropped is not carried when the administrator
//     left it as shipped (a .NET 2.0 default), and is a conflict when they changed it.
//
// Without a baseline only security and branding elements the new file lacks are carried (custom
// headers, cookies, session state, custom errors, machine key, authentication, request
// filtering, the runtime, the theme); differing security values are conflicts, everything else is
// listed for a person to check. Conflicts are never written: they are left to do. Every edit is
// a span edit of the new file's text, as in merge.ts.
import { isSecretName, MASK, redact } from '../redact.js';
import type { XmlDocument } from '../xml/document.js';
import type { TextEdit } from '../xml/edit.js';
import { appendChildren, lineIndent, type Markup } from '../xml/insert.js';
import type { XmlElement } from '../xml/scan.js';
import { attrValue, elementText } from '../xml/values.js';
import { setAttributeEdit } from '../xml/value-edits.js';
import { scopeId } from './settings.js';

export type CarryAction = 'carried' | 'conflict' | 'check' | 'default-dropped' | 'removed-by-admin';

export interface CarryEntry {
  action: CarryAction;
  /** Where, as an administrator reads it: system.webServer/httpProtocol/customHeaders/add[name=X-Frame-Options], system.web/pages@theme. */
  path: string;
  /** '' for the top level, else the <location path>. */
  scope: string;
  /** Values as shown (secrets masked); undefined where absent. */
  old?: string;
  new?: string;
  baseline?: string;
  why: string;
}

export interface ElementCarry {
  edits: TextEdit[];
  entries: CarryEntry[];
  baseline: boolean;
}

/** Security and branding: what is carried without a baseline (prefixes of element paths). */
export const SECURITY_AND_BRANDING = [
  'system.web/authentication',
  'system.web/authorization',
  'system.web/httpCookies',
  'system.web/sessionState',
  'system.web/customErrors',
  'system.web/machineKey',
  'system.web/httpRuntime',
  'system.web/trust',
  'system.web/roleManager',
  'system.web/anonymousIdentification',
  'system.webServer/httpProtocol',
  'system.webServer/security',
  'system.webServer/httpErrors',
  'system.webServer/httpRedirect',
  'system.webServer/rewrite',
];
/** Single attributes that are branding: the portal's theme. */
const BRANDING_ATTRIBUTES = ['system.web/pages@theme'];

/** Attributes that name an entry of a collection (IIS and ASP.NET collection keys). */
const KEY_ATTRIBUTES = ['name', 'key', 'fileExtension', 'segment', 'path', 'statusCode', 'verb', 'prefix', 'users', 'roles', 'ipAddress', 'domainName', 'sequence', 'value', 'mimeType', 'url'];
const SECTIONS = ['system.web', 'system.webServer'];

type Doc = XmlDocument;

interface Ctx {
  old: Doc;
  neu: Doc;
  base: Doc | undefined;
  scope: string;
  edits: TextEdit[];
  entries: CarryEntry[];
  /** Markups to append per new parent element, in order, with the entries that describe them. */
  inserts: Map<XmlElement, Array<{ markup: Markup; shown: Markup; entries: CarryEntry[] }>>;
  /** New elements whose start tag an attribute edit touches (an append to a self-closing one would overlap). */
  touched: Set<XmlElement>;
}

const elements = (el: XmlElement) => el.children;

function keyOf(doc: Doc, el: XmlElement): string | undefined {
  for (const k of KEY_ATTRIBUTES) {
    const a = el.attributes.find((x) => x.name === k);
    if (a) return `${k}=${attrValue(doc, a)}`;
  }
  return undefined;
}

function label(doc: Doc, el: XmlElement): string {
  const k = keyOf(doc, el);
  return k ? `${el.localName}[${k}]` : el.localName;
}

/** The child of `parent` (in `doc`) that stands for `el` of `from`: same name and key, or the same place among same-named siblings. */
function counterpart(from: Doc, el: XmlElement, doc: Doc, parent: XmlElement | undefined): XmlElement | undefined {
  if (!parent) return undefined;
  const same = elements(parent).filter((c) => c.localName === el.localName);
  if (el.localName === 'location') {
    const p = scopeId(attrOf(from, el, 'path') ?? '');
    return same.find((c) => scopeId(attrOf(doc, c, 'path') ?? '') === p);
  }
  const key = keyOf(from, el);
  if (key !== undefined) return same.find((c) => keyOf(doc, c)?.toLowerCase() === key.toLowerCase());
  const siblings = el.parent ? elements(el.parent).filter((c) => c.localName === el.localName && keyOf(from, c) === undefined) : [el];
  const index = siblings.indexOf(el);
  return same.filter((c) => keyOf(doc, c) === undefined)[index];
}

function attrOf(doc: Doc, el: XmlElement, name: string): string | undefined {
  const a = el.attributes.find((x) => x.name === name);
  return a ? attrValue(doc, a) : undefined;
}

function textOf(doc: Doc, el: XmlElement): string | undefined {
  return el.hasText && el.children.length === 0 ? elementText(doc, el).trim() : undefined;
}

/** Same element, attributes (any order), text and children (in order): comments and layout aside. */
function deepEqual(a: Doc, x: XmlElement, b: Doc, y: XmlElement): boolean {
  if (x.localName !== y.localName || x.attributes.length !== y.attributes.length) return false;
  for (const at of x.attributes) if (attrOf(b, y, at.name) !== attrValue(a, at)) return false;
  if (textOf(a, x) !== textOf(b, y)) return false;
  if (x.children.length !== y.children.length) return false;
  return x.children.every((c, i) => deepEqual(a, c, b, y.children[i] as XmlElement));
}

const underList = (path: string, list: string[]) => list.some((p) => path === p || path.startsWith(`${p}/`));
const aboveList = (path: string, list: string[]) => list.some((p) => p.startsWith(`${path}/`));

function shownValue(name: string, value: string | undefined): string | undefined {
  return redact(name, value);
}

/** An element's raw text from `doc`, re-indented for its new place and in the new file's line endings. */
function rawMarkup(doc: Doc, el: XmlElement, mask: boolean): Markup {
  let raw = doc.text.slice(el.start, el.end);
  if (mask) raw = maskSecrets(doc, el, raw);
  const oldIndent = lineIndent(doc.text, el.start) ?? '';
  // Lines after the first move to the new place; tabs the old file indented with become the new file's unit.
  const relative = (rest: string, unit: string) => (unit === '\t' ? rest : rest.replace(/^\t+/, (tabs) => unit.repeat(tabs.length)));
  return (indent, unit, eol) =>
    raw
      .split(/\r\n|\r|\n/)
      .map((line, i) => (i === 0 ? line : line.startsWith(oldIndent) ? indent + relative(line.slice(oldIndent.length), unit) : line))
      .join(eol);
}

/** The raw text with secret attribute values (machineKey keys, passwords) masked, for diffs. */
function maskSecrets(doc: Doc, el: XmlElement, raw: string): string {
  const spans: Array<[number, number]> = [];
  const walk = (e: XmlElement) => {
    for (const a of e.attributes) if (isSecretName(a.name) && a.valueEnd > a.valueStart) spans.push([a.valueStart - el.start, a.valueEnd - el.start]);
    e.children.forEach(walk);
  };
  walk(el);
  let out = raw;
  for (const [s, e] of spans.sort((p, q) => q[0] - p[0])) out = out.slice(0, s) + MASK + out.slice(e);
  return out;
}

function hasSecret(el: XmlElement): boolean {
  return el.attributes.some((a) => isSecretName(a.name)) || el.children.some(hasSecret);
}

/** Finds what is missing of `el` and queues its markup for `parent`, with the entries it made. */
function carryMissing(ctx: Ctx, parent: XmlElement, make: () => { markup: Markup; shown: Markup } | undefined): void {
  const from = ctx.entries.length;
  const m = make();
  if (!m) return;
  const list = ctx.inserts.get(parent) ?? [];
  list.push({ ...m, entries: ctx.entries.slice(from) });
  ctx.inserts.set(parent, list);
}

function entry(ctx: Ctx, action: CarryAction, path: string, why: string, values: { old?: string | undefined; new?: string | undefined; baseline?: string | undefined; name?: string } = {}): void {
  const e: CarryEntry = { action, path, scope: ctx.scope, why };
  const name = values.name ?? path;
  if (values.old !== undefined) e.old = shownValue(name, values.old) as string;
  if (values.new !== undefined) e.new = shownValue(name, values.new) as string;
  if (values.baseline !== undefined) e.baseline = shownValue(name, values.baseline) as string;
  ctx.entries.push(e);
}

/**
 * An old element the new file lacks: the markup to insert (whole or as a container of what is
 * carried of it), or nothing.
 */
function missing(ctx: Ctx, el: XmlElement, base: XmlElement | undefined, path: string): { markup: Markup; shown: Markup } | undefined {
  const whole = () => {
    entry(ctx, 'carried', path, ctx.base ? 'added by the administrator (the old version did not ship it); the new file lacks it' : 'security or branding setting the new file lacks');
    return { markup: rawMarkup(ctx.old, el, false), shown: rawMarkup(ctx.old, el, hasSecret(el)) };
  };
  if (ctx.base) {
    if (!base) return whole();
    if (deepEqual(ctx.old, el, ctx.base, base)) {
      entry(ctx, 'default-dropped', path, 'shipped by the old version and left as shipped; the new version no longer has it');
      return undefined;
    }
    // The old version shipped it and the administrator changed it; the new version dropped it.
    // What the administrator added inside is carried in a copy of the element; changes to the
    // element itself cannot be, since the new version does not have it.
    const ownChange = el.attributes.length !== base.attributes.length || el.attributes.some((a) => attrOf(ctx.base as Doc, base, a.name) !== attrValue(ctx.old, a)) || textOf(ctx.old, el) !== textOf(ctx.base, base);
    if (ownChange || el.children.length === 0) {
      entry(ctx, 'conflict', path, 'changed by the administrator, and the new version no longer has it: re-apply the change by hand if it still applies');
      return undefined;
    }
    return container(ctx, el, base, path);
  }
  if (underList(path, SECURITY_AND_BRANDING)) return whole();
  if (!aboveList(path, SECURITY_AND_BRANDING) || el.selfClosing) {
    entry(ctx, 'check', path, 'no baseline to tell a local change from the old version\'s default: not carried; check by hand');
    return undefined;
  }
  return container(ctx, el, undefined, path);
}

/** The old element's start tag around only the children that are carried (nothing when none is). */
function container(ctx: Ctx, el: XmlElement, base: XmlElement | undefined, path: string): { markup: Markup; shown: Markup } | undefined {
  const kids: Array<{ markup: Markup; shown: Markup }> = [];
  for (const c of elements(el)) {
    if (path === '' && !SECTIONS.includes(c.localName)) continue;
    const b = ctx.base && base ? counterpart(ctx.old, c, ctx.base, base) : undefined;
    const m = missing(ctx, c, b, `${path ? `${path}/` : ''}${label(ctx.old, c)}`);
    if (m) kids.push(m);
  }
  if (kids.length === 0) return undefined;
  const start = ctx.old.text.slice(el.start, el.startTagEnd);
  const wrap = (pick: 'markup' | 'shown'): Markup => (indent, unit, eol) => `${start}${eol}${kids.map((k) => indent + unit + k[pick](indent + unit, unit, eol)).join(eol)}${eol}${indent}</${el.name}>`;
  return { markup: wrap('markup'), shown: wrap('shown') };
}

/** Attributes of an element both files have. */
function attributes(ctx: Ctx, el: XmlElement, neu: XmlElement, base: XmlElement | undefined, path: string): void {
  const names = new Set([...el.attributes.map((a) => a.name), ...(base ? base.attributes.map((a) => a.name) : [])]);
  for (const name of names) {
    const ov = attrOf(ctx.old, el, name);
    const nv = attrOf(ctx.neu, neu, name);
    const at = `${path}@${name}`;
    if (ov === nv) continue;
    const values = { old: ov, new: nv, name };
    if (ctx.base) {
      const bv = base ? attrOf(ctx.base, base, name) : undefined;
      if (!base) {
        // Added by the administrator, and the new version ships the element too.
        if (ov === undefined) continue;
        if (nv === undefined) set(ctx, el, neu, name, at, 'set by the administrator on an element the new version also has');
        else entry(ctx, 'conflict', at, 'set by the administrator, and the new version sets another value', values);
        continue;
      }
      if (ov === bv) continue;
      if (nv !== bv) {
        entry(ctx, 'conflict', at, `changed by the administrator${bv === undefined ? '' : ` from ${JSON.stringify(shownValue(name, bv))}`}, and the new version changed it too`, { ...values, baseline: bv });
        continue;
      }
      if (ov === undefined) entry(ctx, 'removed-by-admin', at, 'removed by the administrator; the new version has it as shipped: remove it again by hand if still wanted', { ...values, baseline: bv });
      else set(ctx, el, neu, name, at, `changed by the administrator${bv === undefined ? '' : ` from ${JSON.stringify(shownValue(name, bv))}`}; the new version kept the old default`);
      continue;
    }
    if (underList(at, BRANDING_ATTRIBUTES) && ov !== undefined) {
      set(ctx, el, neu, name, at, 'the portal theme (branding)');
      continue;
    }
    if (underList(path, SECURITY_AND_BRANDING)) {
      if (ov !== undefined && nv === undefined) set(ctx, el, neu, name, at, 'security setting the new element lacks');
      else entry(ctx, 'conflict', at, 'security setting with another value in the new file; without a baseline it is not known which is the local change', values);
      continue;
    }
    entry(ctx, 'check', at, 'no baseline to tell a local change from the old version\'s default: not carried; check by hand', values);
  }
}

/** Sets (or adds) an attribute of the new element to the old element's value, reusing its raw text. */
function set(ctx: Ctx, el: XmlElement, neu: XmlElement, name: string, path: string, why: string): void {
  const from = el.attributes.find((a) => a.name === name);
  if (!from) return;
  const value = attrValue(ctx.old, from);
  const secret = isSecretName(name);
  const existing = neu.attributes.find((a) => a.name === name);
  if (existing) ctx.edits.push({ ...setAttributeEdit(existing, value, { doc: ctx.old, value, attr: from }), secret });
  else {
    const raw = ctx.old.text.slice(from.valueStart, from.valueEnd);
    const last = neu.attributes[neu.attributes.length - 1];
    const at = last ? last.valueEnd + 1 : neu.start + 1 + neu.name.length;
    ctx.edits.push({ start: at, end: at, text: ` ${name}=${from.quote}${raw}${from.quote}`, ...(secret ? { secret, shown: ` ${name}=${from.quote}${MASK}${from.quote}` } : {}) });
  }
  ctx.touched.add(neu);
  entry(ctx, 'carried', path, why, { old: value, new: attrOf(ctx.neu, neu, name), name });
}

function compare(ctx: Ctx, el: XmlElement, neu: XmlElement, base: XmlElement | undefined, path: string): void {
  attributes(ctx, el, neu, base, path);
  const ot = textOf(ctx.old, el);
  const nt = textOf(ctx.neu, neu);
  if (ot !== nt && ot !== undefined) {
    const bt = base ? textOf(ctx.base as Doc, base) : undefined;
    if (!ctx.base || ot !== bt) entry(ctx, 'conflict', path, 'its text differs from the new file\'s', { old: ot, new: nt, baseline: bt });
  }
  for (const c of elements(el)) {
    const childPath = `${path}/${label(ctx.old, c)}`;
    const n = counterpart(ctx.old, c, ctx.neu, neu);
    const b = ctx.base && base ? counterpart(ctx.old, c, ctx.base, base) : undefined;
    if (n) compare(ctx, c, n, b, childPath);
    else carryMissing(ctx, neu, () => missing(ctx, c, b, childPath));
  }
  // A child the old version shipped, the administrator removed, and the new version still ships.
  if (ctx.base && base) {
    for (const bc of elements(base)) {
      if (counterpart(ctx.base, bc, ctx.old, el)) continue;
      const n = counterpart(ctx.base, bc, ctx.neu, neu);
      if (n && deepEqual(ctx.base, bc, ctx.neu, n)) entry(ctx, 'removed-by-admin', `${path}/${label(ctx.base, bc)}`, 'removed by the administrator; the new version ships it as the old one did: remove it again by hand if still wanted');
    }
  }
}

/** The sections under one scope (the configuration root, or a <location>). */
function scope(ctx: Ctx, oldParent: XmlElement, newParent: XmlElement, baseParent: XmlElement | undefined): void {
  for (const el of elements(oldParent)) {
    if (!SECTIONS.includes(el.localName)) continue;
    const n = counterpart(ctx.old, el, ctx.neu, newParent);
    const b = ctx.base && baseParent ? counterpart(ctx.old, el, ctx.base, baseParent) : undefined;
    if (n) compare(ctx, el, n, b, el.localName);
    else carryMissing(ctx, newParent, () => missing(ctx, el, b, el.localName));
  }
}

/**
 * What to carry from the old web.config into the new one, as edits of the new file's text. The
 * baseline is the old version's own web.config, when its package could be read.
 */
export function carryElements(old: XmlDocument, neu: XmlDocument, base: XmlDocument | undefined): ElementCarry {
  const ctx: Ctx = { old, neu, base, scope: '', edits: [], entries: [], inserts: new Map(), touched: new Set() };
  const oldRoot = old.tree.root;
  const newRoot = neu.tree.root;
  const baseRoot = base?.tree.root;
  if (oldRoot.localName !== 'configuration' || newRoot.localName !== 'configuration') return { edits: [], entries: [], baseline: base !== undefined };
  scope(ctx, oldRoot, newRoot, baseRoot);
  for (const loc of elements(oldRoot).filter((e) => e.localName === 'location')) {
    const path = attrOf(old, loc, 'path') ?? '';
    ctx.scope = path;
    const n = counterpart(old, loc, neu, newRoot);
    const b = base && baseRoot ? counterpart(old, loc, base, baseRoot) : undefined;
    if (n) scope(ctx, loc, n, b);
    else if (loc.children.some((c) => SECTIONS.includes(c.localName))) carryMissing(ctx, newRoot, () => container(ctx, loc, b, ''));
    ctx.scope = '';
  }
  for (const [parent, list] of ctx.inserts) {
    if (parent.selfClosing && ctx.touched.has(parent)) {
      // Expanding <x .../> rewrites its start tag, which an attribute edit also touches: left to a person.
      for (const l of list) {
        for (const e of l.entries) {
          if (e.action !== 'carried') continue;
          e.action = 'conflict';
          e.why = `${e.why}; it could not be inserted into the new file's self-closing element, whose attributes change too: add it by hand`;
        }
      }
      continue;
    }
    const edit = appendChildren(neu, parent, list.map((l) => l.markup));
    const shown = appendChildren(neu, parent, list.map((l) => l.shown));
    ctx.edits.push({ ...edit, shown: shown.text });
  }
  return { edits: ctx.edits, entries: ctx.entries, baseline: base !== undefined };
}
