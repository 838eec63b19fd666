// Reads IIS sites, applications and virtual directories from applicationHost.config text, as
// the IIS configuration system would: applicationDefaults inherited, configSource followed.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { badInput } from '../../errors.js';
import { validatorProblem } from '../../config/xml/document.js';
import type { IisApplication, IisSite } from '../ports.js';

export const APPHOST_CONFIG = 'C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config';

type Attrs = Record<string, unknown>;
type XmlNode = Attrs & Record<string, unknown>;

const ARRAYS = new Set(['site', 'application', 'virtualDirectory', 'binding']);

/** Parses IIS configuration XML with the checks an administrator's file deserves. */
export function parseIisXml(text: string, file: string): XmlNode {
  if (/<!DOCTYPE/i.test(text)) {
    throw badInput('IIS configuration must not contain a DOCTYPE (entity declarations are refused)', file, { code: 'XML_DOCTYPE' });
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    // In our words: fast-xml-parser's messages can quote a value (an application pool's password).
    throw badInput(`malformed XML: ${validatorProblem(valid.err)}`, file, { code: 'XML_MALFORMED', line: valid.err.line, remedy: 'Fix applicationHost.config at that line (or restore it from %windir%\\System32\\inetsrv\\backup) and run again.' });
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    parseAttributeValue: false,
    isArray: (name) => ARRAYS.has(name),
  });
  try {
    return parser.parse(text) as XmlNode;
  } catch {
    // Found by the fuzzer: nesting deeper than the parser allows threw a bare Error.
    throw badInput('malformed XML: the parser refused the document (nesting too deep, or a structure IIS never writes)', file, { code: 'XML_MALFORMED', remedy: 'Check that the file is an IIS configuration file; restore it from %windir%\\System32\\inetsrv\\backup if it was damaged.' });
  }
}

function child(node: unknown, name: string): XmlNode | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const v = (node as XmlNode)[name];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as XmlNode) : undefined;
}

function children(node: unknown, name: string): XmlNode[] {
  if (typeof node !== 'object' || node === null) return [];
  const v = (node as XmlNode)[name];
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as XmlNode[]) : [];
}

function attr(node: XmlNode | undefined, name: string): string | undefined {
  const v = node?.[name];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Returns the <sites> element, or its configSource file name when it was moved out. */
export function findSites(doc: XmlNode): { sites: XmlNode | undefined; configSource: string | undefined } {
  const sites = child(child(child(doc, 'configuration'), 'system.applicationHost'), 'sites');
  return { sites, configSource: attr(sites, 'configSource') };
}

export function readSites(sitesNode: XmlNode, expand: (raw: string) => string): IisSite[] {
  const globalPool = attr(child(sitesNode, 'applicationDefaults'), 'applicationPool') ?? 'DefaultAppPool';
  return children(sitesNode, 'site').map((site) => {
    const sitePool = attr(child(site, 'applicationDefaults'), 'applicationPool') ?? globalPool;
    const name = attr(site, 'name') ?? '';
    const id = attr(site, 'id') ?? '';
    const applications: IisApplication[] = children(site, 'application').map((app) => ({
      siteName: name,
      siteId: id,
      path: attr(app, 'path') ?? '/',
      applicationPool: attr(app, 'applicationPool') ?? sitePool,
      virtualDirectories: children(app, 'virtualDirectory').map((vd) => {
        const raw = attr(vd, 'physicalPath') ?? '';
        return { path: attr(vd, 'path') ?? '/', physicalPathRaw: raw, physicalPath: expand(raw) };
      }),
    }));
    const bindings = children(child(site, 'bindings'), 'binding').map((b) => ({
      protocol: attr(b, 'protocol') ?? '',
      bindingInformation: attr(b, 'bindingInformation') ?? '',
    }));
    return { name, id, bindings, applications };
  });
}
