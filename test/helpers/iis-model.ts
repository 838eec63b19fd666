// Every IIS setting of an image host, as IIS reads them: applicationHost.config parsed by the
// test XML oracle (not lib/host/iis), each element with a configSource attribute filled from the
// file it names, then flattened to one entry per element, attribute and text:
//
//   configuration/system.applicationHost/sites/site[name='Default Web Site']/application[path='/PhoneFactor']/@applicationPool = PhoneFactor
//
// Order. IIS ignores the order of XML attributes (XML gives it no meaning), of comments and
// whitespace (not settings), of differently named child elements (it reads a child element by its
// name), and of the items of these keyed collections, whose runtime meaning does not depend on
// position (looked up by key, never walked in order):
//   - sites/site (by name), site/application (by path: the longest matching path wins),
//     application/virtualDirectory (by path), bindings/binding (by protocol + bindingInformation:
//     HTTP.sys holds them as a set), applicationPools/add (by name), configSections/section and
//     sectionGroup (by name), configuration/location (by path: each is its own scope).
// Everywhere else a collection's order is kept: <add>/<remove>/<clear> apply in order, and the
// order of handlers, modules, default documents, ISAPI filters and the like is what IIS runs.
// A keyed collection is kept in order too when its keys repeat or it holds <clear/> or <remove>
// (then position decides which item wins).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { elements, parseXmlBytes, textOf, type XmlElement } from './xml-oracle.js';

const UNORDERED: Record<string, string[]> = {
  'sites/site': ['name'],
  'site/application': ['path'],
  'application/virtualDirectory': ['path'],
  'bindings/binding': ['protocol', 'bindingInformation'],
  'applicationPools/add': ['name'],
  'configSections/section': ['name'],
  'configSections/sectionGroup': ['name'],
  'sectionGroup/section': ['name'],
  'sectionGroup/sectionGroup': ['name'],
  'configuration/location': ['path'],
};
/** Collection directives: always positional, even when one of a kind. */
const DIRECTIVES = new Set(['add', 'remove', 'clear']);

export const APPHOST_REL = 'drive/C/Windows/System32/inetsrv/config/applicationHost.config';

export interface IisModel {
  /** Setting path -> value ('' for an element's presence). */
  settings: Record<string, string>;
  /** Image-relative paths of the files the settings came from (compared here, not byte for byte). */
  files: string[];
  /** Why a file could not be read as IIS would (malformed XML, a missing configSource file). */
  errors: string[];
}

/** Resolves an image-relative path case-insensitively, as Windows names files. */
export function findCaseInsensitive(root: string, rel: string): string | undefined {
  let dir = root;
  const out: string[] = [];
  for (const part of rel.split('/')) {
    if (!existsSync(dir)) return undefined;
    const hit = readdirSync(dir).find((n) => n.toLowerCase() === part.toLowerCase());
    if (hit === undefined) return undefined;
    out.push(hit);
    dir = join(dir, hit);
  }
  return out.join('/');
}

function quote(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function readIisModel(hostDir: string): IisModel {
  const model: IisModel = { settings: {}, files: [], errors: [] };
  const appHost = findCaseInsensitive(hostDir, APPHOST_REL);
  if (!appHost) return model;
  const load = (rel: string): XmlElement | undefined => {
    try {
      const root = parseXmlBytes(readFileSync(join(hostDir, rel)), rel).root;
      model.files.push(rel);
      return root;
    } catch (e) {
      model.errors.push((e as Error).message);
      return undefined;
    }
  };
  const root = load(appHost);
  if (!root) return model;
  const resolve = (el: XmlElement, dir: string): XmlElement => {
    const source = el.attrs.find((a) => a.name === 'configSource')?.value;
    let out = el;
    if (source !== undefined) {
      const rel = findCaseInsensitive(hostDir, `${dir}/${source.replace(/\\/g, '/')}`);
      const moved = rel ? load(rel) : undefined;
      if (!rel) model.errors.push(`${dir}/${source}: the configSource file of <${el.name}> is missing`);
      if (moved && moved.name !== el.name) model.errors.push(`${rel}: root <${moved.name}> where <${el.name}> was expected`);
      // The element keeps its own attributes (configSource among them) and takes the file's.
      if (moved) out = { ...el, attrs: [...el.attrs, ...moved.attrs], children: moved.children };
    }
    return { ...out, children: out.children.map((c) => (c.type === 'element' ? resolve(c, dir) : c)) };
  };
  flatten(resolve(root, appHost.slice(0, appHost.lastIndexOf('/'))), root.name, model.settings);
  return model;
}

function flatten(el: XmlElement, path: string, out: Record<string, string>): void {
  out[path] = '';
  for (const a of el.attrs) out[`${path}/@${a.name}`] = a.value;
  const text = textOf(el);
  if (text.trim() !== '') out[`${path}/#text`] = text;
  const kids = elements(el);
  const count = new Map<string, number>();
  for (const k of kids) count.set(k.name, (count.get(k.name) ?? 0) + 1);
  const hasDirective = kids.some((k) => k.name === 'clear' || k.name === 'remove');
  const keyedByName = new Map<string, boolean>();
  for (const name of count.keys()) {
    const keys = UNORDERED[`${el.name}/${name}`];
    if (!keys || hasDirective) continue;
    const seen = new Set<string>();
    let ok = true;
    for (const k of kids.filter((x) => x.name === name)) {
      const values = keys.map((n) => k.attrs.find((a) => a.name === n)?.value);
      const id = JSON.stringify(values.map((v) => v?.toLowerCase()));
      if (values.some((v) => v === undefined) || seen.has(id)) ok = false;
      seen.add(id);
    }
    keyedByName.set(name, ok);
  }
  let position = 0;
  for (const k of kids) {
    let segment: string;
    const keys = UNORDERED[`${el.name}/${k.name}`];
    if (keys && keyedByName.get(k.name)) {
      // IIS compares these keys case-insensitively (site names, paths, pool names).
      segment = `${k.name}[${keys.map((n) => `${n}=${quote((k.attrs.find((a) => a.name === n)?.value ?? '').toLowerCase())}`).join(',')}]`;
    } else if (count.get(k.name) === 1 && !DIRECTIVES.has(k.name)) {
      segment = k.name;
    } else {
      segment = `${k.name}#${position++}`;
    }
    flatten(k, `${path}/${segment}`, out);
  }
}
