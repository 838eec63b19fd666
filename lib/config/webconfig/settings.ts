// The effective <appSettings> and <applicationSettings> values of one web.config, read the way
// ASP.NET reads them: per scope (top level, or each <location path>), <add>/<remove>/<clear> in
// document order with a later <add> winning, appSettings keys compared case-insensitively.
// Each value remembers the element it comes from, so the merge can edit it in place.
import { configFileError } from '../xml/errors.js';
import type { XmlDocument } from '../xml/document.js';
import { attribute, childrenNamed, type XmlAttribute, type XmlElement } from '../xml/scan.js';
import { attr, attrValue, elementText, rawContent } from '../xml/values.js';

export const SDK_SETTING_SUFFIX = '_pfwssdk_PfWsSdk';

export type SettingKind = 'appSetting' | 'applicationSetting';

export interface SettingsContainer {
  kind: SettingKind;
  /** '' for the top level, else the <location path> as written. */
  scope: string;
  /** applicationSettings: the section element's name (e.g. pfup.Properties.Settings). */
  section: string | undefined;
  /** <appSettings>, or the applicationSettings section element (the root of its configSource file when it has one). */
  element: XmlElement;
  /** The document the element is in: the web.config, or the file its configSource names. */
  doc: XmlDocument;
  /** The section's configSource as written, when it has one. */
  configSource?: string;
  /** It has a configSource whose file was not given: its settings are unknown and nothing may be added to it. */
  unread?: boolean;
}

/** The files a web.config's configSource attributes name, as documents, when the caller has them. */
export interface SettingsSources {
  sources?: (configSource: string) => XmlDocument | undefined;
}

export interface Setting {
  kind: SettingKind;
  scope: string;
  section: string | undefined;
  key: string;
  /** The value as .NET reads it (for xml settings: the raw inner XML, line ends normalized). */
  value: string;
  /** applicationSettings with serializeAs other than String, or a <value> holding elements. */
  xml: boolean;
  container: SettingsContainer;
  /** The <add> or <setting> element. */
  element: XmlElement;
  /** appSetting: the value attribute, when present. */
  valueAttr: XmlAttribute | undefined;
  /** applicationSetting: the <value> element, when present. */
  valueElement: XmlElement | undefined;
}

export interface WebConfigSettings {
  doc: XmlDocument;
  /** Effective settings in document order. */
  settings: Setting[];
  containers: SettingsContainer[];
  /** <location> elements by normalized scope. */
  locations: Map<string, XmlElement>;
  warnings: string[];
}

/** Scopes compare as IIS compares paths: case-insensitive, '.' and '' both mean "here". */
export function scopeId(path: string): string {
  const p = path.trim().replace(/\\/g, '/').replace(/^\.?\/?|\/$/g, '');
  return p.toLowerCase();
}

export function settingId(s: Pick<Setting, 'kind' | 'scope' | 'section' | 'key'>): string {
  const key = s.kind === 'appSetting' ? s.key.toLowerCase() : s.key;
  return `${s.kind}|${scopeId(s.scope)}|${s.kind === 'applicationSetting' ? s.section ?? '' : ''}|${key}`;
}

export function describeSetting(s: Pick<Setting, 'kind' | 'scope' | 'section' | 'key'>): string {
  const where = s.scope ? `<location path="${s.scope}"> ` : '';
  return s.kind === 'appSetting' ? `${where}appSettings "${s.key}"` : `${where}applicationSettings ${s.section ?? ''} "${s.key}"`;
}

/**
 * A configSource as ASP.NET accepts it: a relative path inside the application's folder (no
 * root, drive, '..', stream or wildcard). Returns it with backslashes, or undefined when it is not one.
 */
export function configSourcePath(configSource: string): string | undefined {
  const rel = configSource.trim().replace(/\//g, '\\');
  if (rel === '' || /^[\\]/.test(rel) || /^[A-Za-z]:/.test(rel)) return undefined;
  for (const seg of rel.split('\\')) {
    // eslint-disable-next-line no-control-regex
    if (seg === '' || seg === '.' || seg === '..' || /[<>:"|?*\u0000-\u001f]/.test(seg) || /[. ]$/.test(seg)) return undefined;
  }
  return rel;
}

/** The configSource values of a web.config's appSettings and applicationSettings sections (valid ones only). */
export function listConfigSources(doc: XmlDocument): string[] {
  const out: string[] = [];
  const root = doc.tree.root;
  if (root.localName !== 'configuration') return out;
  const scopes = [root, ...childrenNamed(root, 'location')];
  for (const scope of scopes) {
    const sections = [...childrenNamed(scope, 'appSettings'), ...childrenNamed(scope, 'applicationSettings').flatMap((g) => g.children)];
    for (const el of sections) {
      const cs = attr(doc, el, 'configSource');
      if (cs !== undefined && configSourcePath(cs) !== undefined && !out.includes(cs)) out.push(cs);
    }
  }
  return out;
}

export function readWebConfigSettings(doc: XmlDocument, options: SettingsSources = {}): WebConfigSettings {
  const root = doc.tree.root;
  const out: WebConfigSettings = { doc, settings: [], containers: [], locations: new Map(), warnings: [] };
  // The file an <appSettings configSource="..."> points to holds the section alone.
  if (root.localName === 'appSettings') {
    readAppSettings(doc, root, '', out, options);
    return out;
  }
  if (root.localName !== 'configuration') {
    throw configFileError(`this is not a web.config: its root element is <${root.name}>, not <configuration>`, doc.file, {
      code: 'XML_NOT_CONFIG',
      line: doc.lineAt(root.start),
      remedy: 'Pass the web.config of the User Portal or Mobile App Web Service (for example C:\\inetpub\\wwwroot\\PhoneFactor\\web.config).',
    });
  }
  readScope(doc, root, '', out, options);
  for (const loc of childrenNamed(root, 'location')) {
    const path = attr(doc, loc, 'path') ?? '';
    const id = scopeId(path);
    if (id === '') {
      readScope(doc, loc, '', out, options);
      continue;
    }
    if (out.locations.has(id)) {
      out.warnings.push(`${doc.file}:${doc.lineAt(loc.start)}: a second <location path="${path}">; its settings are read in order after the first`);
    } else {
      out.locations.set(id, loc);
    }
    readScope(doc, loc, path, out, options);
  }
  return out;
}

function readScope(doc: XmlDocument, parent: XmlElement, scope: string, out: WebConfigSettings, options: SettingsSources): void {
  for (const el of childrenNamed(parent, 'appSettings')) readAppSettings(doc, el, scope, out, options);
  for (const group of childrenNamed(parent, 'applicationSettings')) {
    for (const section of group.children) readApplicationSettings(doc, section, scope, out, options);
  }
}

/**
 * A section with configSource: its settings live in that file, whose root is the section
 * element itself. Returns the file's document and root when the caller gave it, or undefined
 * (with a warning) when not; refuses a configSource ASP.NET would refuse, or a file whose root
 * is another section.
 */
function sourcedSection(doc: XmlDocument, el: XmlElement, what: string, out: WebConfigSettings, options: SettingsSources): { doc: XmlDocument; root: XmlElement; configSource: string } | { configSource: string; unread: true } | undefined {
  const configSource = attr(doc, el, 'configSource');
  if (configSource === undefined) return undefined;
  const line = doc.lineAt(el.start);
  if (configSourcePath(configSource) === undefined) {
    throw configFileError(`the configSource of <${el.name}> is not a relative path inside the application's folder; ASP.NET refuses such a file`, doc.file, {
      code: 'WEBCONFIG_CONFIGSOURCE',
      line,
      remedy: `Make configSource at line ${line} a file name relative to the web.config's folder (for example App_Data\\settings.config), then run again.`,
    });
  }
  const src = options.sources?.(configSource);
  if (!src) {
    out.warnings.push(`${doc.file}:${line}: ${what} live in "${configSource}" (configSource), which was not given: its values are not read or carried, and nothing is added to it; copy it from the backup if the new installation did not bring its own`);
    return { configSource, unread: true };
  }
  if (src.tree.root.name !== el.name) {
    throw configFileError(`the file that configSource names holds <${src.tree.root.name}>, not <${el.name}>; ASP.NET refuses it`, src.file, {
      code: 'WEBCONFIG_CONFIGSOURCE',
      line: src.lineAt(src.tree.root.start),
      remedy: `Its root element must be <${el.name}> (the section it stands for).`,
    });
  }
  if (src.tree.root.attributes.some((a) => a.name === 'configSource')) {
    throw configFileError('a configSource file names another configSource; ASP.NET does not follow a second one', src.file, { code: 'WEBCONFIG_CONFIGSOURCE', line: src.lineAt(src.tree.root.start), remedy: 'Put the settings in this file.' });
  }
  return { doc: src, root: src.tree.root, configSource };
}

function sectionOnce(doc: XmlDocument, out: WebConfigSettings, c: SettingsContainer): void {
  const dup = out.containers.find((o) => o.kind === c.kind && scopeId(o.scope) === scopeId(c.scope) && o.section === c.section);
  if (dup) {
    const line = c.doc === doc ? doc.lineAt(c.element.start) : undefined;
    throw configFileError(`<${c.element.name}> appears a second time${c.scope ? ` for <location path="${c.scope}">` : ''}${dup.doc === doc ? ` (first at line ${doc.lineAt(dup.element.start)})` : ''}; ASP.NET refuses such a file ("Sections must only appear once per config file")`, doc.file, {
      code: 'WEBCONFIG_DUPLICATE_SECTION',
      ...(line !== undefined ? { line } : {}),
      remedy: `Merge the two sections into one (keep the later value of any key listed in both) and run again.`,
    });
  }
  out.containers.push(c);
}

function readAppSettings(mainDoc: XmlDocument, mainEl: XmlElement, scope: string, out: WebConfigSettings, options: SettingsSources): void {
  const sourced = mainDoc.tree.root === mainEl ? undefined : sourcedSection(mainDoc, mainEl, 'appSettings', out, options);
  const doc = sourced && 'doc' in sourced ? sourced.doc : mainDoc;
  const el = sourced && 'root' in sourced ? sourced.root : mainEl;
  const container: SettingsContainer = { kind: 'appSetting', scope, section: undefined, element: el, doc, ...(sourced ? { configSource: sourced.configSource } : {}), ...(sourced && 'unread' in sourced ? { unread: true } : {}) };
  sectionOnce(mainDoc, out, container);
  if (container.unread) return;
  const where = `${doc.file}:${doc.lineAt(el.start)}`;
  const file = attr(doc, el, 'file');
  if (file) out.warnings.push(`${where}: appSettings also read "${file}" (file=), whose values override these; that file is not merged: copy it from the backup`);
  const effective = new Map<string, Setting>();
  for (const child of el.children) {
    if (child.localName === 'clear') effective.clear();
    else if (child.localName === 'remove') {
      const key = attr(doc, child, 'key');
      if (key !== undefined) effective.delete(key.toLowerCase());
    } else if (child.localName === 'add') {
      const key = attr(doc, child, 'key');
      if (key === undefined) {
        out.warnings.push(`${doc.file}:${doc.lineAt(child.start)}: <add> without a key attribute is ignored`);
        continue;
      }
      const valueAttr = attribute(child, 'value');
      const setting: Setting = {
        kind: 'appSetting',
        scope,
        section: undefined,
        key,
        value: valueAttr ? attrValue(doc, valueAttr) : '',
        xml: false,
        container,
        element: child,
        valueAttr,
        valueElement: undefined,
      };
      // Re-inserting keeps document order of the winning <add>.
      effective.delete(key.toLowerCase());
      effective.set(key.toLowerCase(), setting);
    }
  }
  out.settings.push(...effective.values());
}

function readApplicationSettings(mainDoc: XmlDocument, mainSection: XmlElement, scope: string, out: WebConfigSettings, options: SettingsSources): void {
  const sourced = sourcedSection(mainDoc, mainSection, `applicationSettings ${mainSection.name}`, out, options);
  const doc = sourced && 'doc' in sourced ? sourced.doc : mainDoc;
  const section = sourced && 'root' in sourced ? sourced.root : mainSection;
  const container: SettingsContainer = { kind: 'applicationSetting', scope, section: mainSection.name, element: section, doc, ...(sourced ? { configSource: sourced.configSource } : {}), ...(sourced && 'unread' in sourced ? { unread: true } : {}) };
  sectionOnce(mainDoc, out, container);
  if (container.unread) return;
  const effective = new Map<string, Setting>();
  for (const child of childrenNamed(section, 'setting')) {
    const name = attr(doc, child, 'name');
    if (name === undefined) {
      out.warnings.push(`${doc.file}:${doc.lineAt(child.start)}: <setting> without a name attribute is ignored`);
      continue;
    }
    const serializeAs = attr(doc, child, 'serializeAs') ?? 'String';
    const valueElement = childrenNamed(child, 'value')[0];
    const xml = serializeAs !== 'String' || (valueElement !== undefined && valueElement.children.length > 0);
    let value = '';
    if (valueElement) value = xml ? rawContent(doc, valueElement).replace(/\r\n?/g, '\n') : elementText(doc, valueElement);
    effective.delete(name);
    effective.set(name, { kind: 'applicationSetting', scope, section: section.name, key: name, value, xml, container, element: child, valueAttr: undefined, valueElement });
  }
  out.settings.push(...effective.values());
}

/** True for the setting that holds the Web Service SDK URL (found by suffix, never by group). */
export function isSdkUrlSetting(s: Pick<Setting, 'kind' | 'key'>): boolean {
  return s.kind === 'applicationSetting' && s.key.endsWith(SDK_SETTING_SUFFIX);
}
