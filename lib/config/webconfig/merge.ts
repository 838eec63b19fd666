// The web.config carry-over (procedure.md §2.9, §3.5-3.6): every appSettings and applicationSettings
// value of the backed-up file goes into the newly installed one, the SDK URL follows a renamed
// SDK vdir, and nothing else in the file changes. Pure: bytes in, bytes and a report out.
import { configFileError } from '../xml/errors.js';
import { isSecretName, MASK, redact, redactEmbedded } from '../redact.js';
import { encodable, encodeText } from '../xml/codec.js';
import { loadXmlDocument, type XmlDocument } from '../xml/document.js';
import { applyEdits, renderDiff, type TextEdit } from '../xml/edit.js';
import { secretSpans } from '../xml/secret-spans.js';
import { appendChildren, insertChildAfter, type Markup } from '../xml/insert.js';
import { childrenNamed, type XmlElement } from '../xml/scan.js';
import { attr } from '../xml/values.js';
import type { MergeReport, SettingChange, SettingEntry } from './report.js';
import { mentionsVdir, OLD_DEFAULT_SDK_VDIR, rewriteVdir, type VdirMapping } from './sdk-vdir.js';
import { isSdkUrlSetting, listConfigSources, readWebConfigSettings, scopeId, settingId, type Setting, type SettingsContainer, type WebConfigSettings } from './settings.js';
import { decideStrategy } from './structure.js';
import { setValueEdit, valueMarkup } from './value-edit.js';

/** IIS refuses larger web.config files unless MaxWebConfigFileSizeInKB is raised. */
const IIS_DEFAULT_MAX_WEBCONFIG = 250 * 1024;

export interface MergeOptions {
  /** Carry keys that only the old file has (--carry-removed). */
  carryRemoved?: boolean;
  sdkVdir?: VdirMapping[];
  /** The caller knows the SDK kept its vdir (an upgrade with --vdir-names keep): no warning about old names. */
  sdkVdirKept?: boolean;
  /** Carrying beyond the settings (carry.ts): more old-only keys, and edits of the new file's text. */
  extend?: MergeExtension;
}

export interface MergeExtension {
  /** An old-only key to carry although --carry-removed was not given (the theme, a key the administrator added). */
  carryKey?(setting: Setting): boolean;
  /** Edits of the new file (not overlapping the settings), when values are carried into it. */
  edits?(oldDoc: XmlDocument, newDoc: XmlDocument): TextEdit[];
}

export interface FileInput {
  bytes: Uint8Array;
  /** How errors and the report name the file. */
  file: string;
  /**
   * The files this web.config's appSettings/applicationSettings configSource attributes name
   * (listConfigSources), by the configSource as written: their settings are read from them and
   * carried into them. A configSource without a file here is reported and left alone.
   */
  sources?: Map<string, { bytes: Uint8Array; file: string }>;
}

/** A configSource file of the new web.config that the merge changed. */
export interface SourcedOutput {
  configSource: string;
  file: string;
  bytes: Buffer;
  changed: boolean;
}

export interface MergeOutcome {
  /** The file to write over the new one (equal to its bytes when nothing changes). */
  bytes: Buffer;
  report: MergeReport;
  /** Line diff of what changes, secrets masked (against the file the edits apply to). */
  diff: string;
  /** The new web.config's configSource files, with the values carried into them. */
  sourced: SourcedOutput[];
}

function isSecret(key: string, value: string): boolean {
  return isSecretName(key) || redactEmbedded(value) !== value;
}

function shown(key: string, value: string | undefined): string | undefined {
  return redact(key, value);
}

/** The new file's counterpart of an old setting: same place, or (a renamed settings class) same name. */
function counterpart(o: Setting, byId: Map<string, Setting>, all: Setting[]): Setting | undefined {
  const exact = byId.get(settingId(o));
  if (exact || o.kind !== 'applicationSetting') return exact;
  const same = all.filter((n) => n.kind === 'applicationSetting' && scopeId(n.scope) === scopeId(o.scope) && n.key === o.key);
  return same.length === 1 ? same[0] : undefined;
}

function loadWebConfig(input: FileInput): WebConfigSettings {
  const docs = new Map<string, XmlDocument>();
  const sources = (configSource: string): XmlDocument | undefined => {
    const given = input.sources?.get(configSource);
    if (!given) return undefined;
    let doc = docs.get(configSource);
    if (!doc) {
      doc = loadXmlDocument(given.bytes, given.file, 'configSource file');
      docs.set(configSource, doc);
    }
    return doc;
  };
  return readWebConfigSettings(loadXmlDocument(input.bytes, input.file, 'web.config'), { sources });
}

/** The web.config's configSource files named by the caller: read them, and pass them in FileInput.sources. */
export function configSourcesOf(input: Pick<FileInput, 'bytes' | 'file'>): string[] {
  return listConfigSources(loadXmlDocument(input.bytes, input.file, 'web.config'));
}

export function mergeWebConfig(oldInput: FileInput, newInput: FileInput, options: MergeOptions = {}): MergeOutcome {
  const oldCfg = loadWebConfig(oldInput);
  const newCfg = loadWebConfig(newInput);
  const mappings = options.sdkVdir ?? [];
  const carryRemoved = options.carryRemoved ?? false;
  const decided = decideStrategy(oldCfg, newCfg, carryRemoved);
  // Settings kept in configSource files are carried value by value into the new ones: copying
  // the old web.config whole would not bring them along.
  const sourcedAnywhere = [...oldCfg.containers, ...newCfg.containers].some((c) => c.configSource !== undefined && !c.unread);
  const decision = decided.strategy === 'copy-old' && sourcedAnywhere ? { ...decided, strategy: 'merge-into-new' as const, reason: 'settings are kept in configSource files, so the old values are carried into the new files one by one' } : decided;
  const base = decision.strategy === 'copy-old' ? oldCfg : newCfg;
  const baseDoc = base.doc;

  const newById = new Map(newCfg.settings.map((s) => [settingId(s), s]));
  const edits: TextEdit[] = [];
  /** Edits of the configSource files, by document. */
  const sourcedEdits = new Map<XmlDocument, TextEdit[]>();
  const push = (doc: XmlDocument, e: TextEdit) => {
    if (doc === baseDoc) edits.push(e);
    else sourcedEdits.set(doc, [...(sourcedEdits.get(doc) ?? []), e]);
  };
  const changes: SettingChange[] = [];
  const removed: MergeReport['removed'] = [];
  const warnings = [...oldCfg.warnings, ...newCfg.warnings];
  const matched = new Set<Setting>();
  const inserts = new Map<XmlElement, { doc: XmlDocument; markups: Markup[]; shown: Markup[] }>();
  const created = new Map<string, { parent: XmlElement; after: XmlElement | undefined; adds: { markup: Markup; shown: Markup }[] }>();
  let finalSdk: { setting: Setting; value: string } | undefined;

  for (const o of oldCfg.settings) {
    const { value: target, applied } = rewriteVdir(o.value, mappings);
    const n = counterpart(o, newById, newCfg.settings);
    if (n) matched.add(n);
    const secret = isSecret(o.key, target) || isSecret(o.key, n?.value ?? '');
    const why = (base: string) => (applied ? `${base}; SDK vdir ${applied.from} -> ${applied.to}` : base);
    if (!applied && mappings.length === 0 && !options.sdkVdirKept && mentionsVdir(o.value, OLD_DEFAULT_SDK_VDIR)) {
      warnings.push(`${o.key} goes through the old SDK vdir ${OLD_DEFAULT_SDK_VDIR}; if the Web Service SDK was reinstalled under its new default name, run again with --sdk-vdir default`);
    }
    if (isSdkUrlSetting(o) && (!finalSdk || o.scope === '')) finalSdk = { setting: n ?? o, value: target };

    if (decision.strategy === 'copy-old') {
      const edit = setValueEdit(baseDoc, o, target, undefined, secret);
      if (edit) edits.push(edit);
      if (!n) removed.push({ ...entry(o, o.value), carried: true });
      if (!n || n.value !== target) {
        changes.push(change(o, n?.value, target, why(n ? 'kept from the old file' : 'only in the old file, carried (--carry-removed)'), baseDoc.lineAt((edit ?? { start: o.element.start }).start), secret));
      }
      continue;
    }

    if (n) {
      const doc = n.container.doc;
      const edit = setValueEdit(doc, n, target, { doc: o.container.doc, setting: o }, secret);
      if (edit) {
        push(doc, edit);
        changes.push({ ...change(n, n.value, target, why('carried from the old file'), doc.lineAt(edit.start), secret), ...(doc !== baseDoc ? { file: doc.file } : {}) });
      }
      continue;
    }
    const extraKey = !carryRemoved && options.extend?.carryKey?.(o) === true;
    if (!carryRemoved && !extraKey) {
      removed.push({ ...entry(o, o.value), carried: false });
      continue;
    }
    const serializeAs = attr(o.container.doc, o.element, 'serializeAs') ?? 'String';
    const markup = valueMarkup(o, target, serializeAs, { doc: o.container.doc, setting: o });
    const masked = secret ? valueMarkup({ ...o, xml: false }, MASK, serializeAs, undefined) : markup;
    const container = findContainer(newCfg, o.container);
    // Never add children to a section that names a configSource: ASP.NET refuses the file. Into
    // the configSource file itself when it was given; otherwise not at all.
    if (container?.unread) {
      removed.push({ ...entry(o, o.value), carried: false, note: `not carried: the new file keeps these settings in "${container.configSource ?? ''}" (configSource), which was not given; add it there by hand` });
      continue;
    }
    if (container) {
      const q = inserts.get(container.element) ?? { doc: container.doc, markups: [], shown: [] };
      q.markups.push(markup);
      q.shown.push(masked);
      inserts.set(container.element, q);
    } else if (o.kind === 'appSetting' && (o.scope === '' || newCfg.locations.has(scopeId(o.scope)))) {
      const parent = o.scope === '' ? baseDoc.tree.root : (newCfg.locations.get(scopeId(o.scope)) as XmlElement);
      const key = scopeId(o.scope);
      const c = created.get(key) ?? { parent, after: o.scope === '' ? childrenNamed(parent, 'configSections')[0] : undefined, adds: [] };
      c.adds.push({ markup, shown: masked });
      created.set(key, c);
    } else {
      const missing = o.kind === 'appSetting' ? `<location path="${o.scope}">` : `the applicationSettings section ${o.section}`;
      removed.push({ ...entry(o, o.value), carried: false, note: `not carried: the new file has no ${missing}; add it by hand` });
      continue;
    }
    removed.push({ ...entry(o, o.value), carried: true });
    const where = container ? container.doc : baseDoc;
    changes.push({ ...change(o, undefined, target, why(extraKey ? 'only in the old file, carried (added by the administrator, or the portal theme)' : 'only in the old file, carried (--carry-removed)'), where.lineAt(container ? container.element.start : baseDoc.tree.root.start), secret), ...(where !== baseDoc ? { file: where.file } : {}) });
  }
  if (decision.strategy === 'merge-into-new' && options.extend?.edits) edits.push(...options.extend.edits(oldCfg.doc, newCfg.doc));

  for (const [parent, q] of inserts) {
    const edit = appendChildren(q.doc, parent, q.markups);
    const display = appendChildren(q.doc, parent, q.shown);
    push(q.doc, { ...edit, shown: display.text });
  }
  for (const c of created.values()) {
    const section = (adds: Markup[]): Markup => (indent, unit, eol) =>
      `<appSettings>${eol}${adds.map((m) => indent + unit + m(indent + unit, unit, eol)).join(eol)}${eol}${indent}</appSettings>`;
    const edit = insertChildAfter(baseDoc, c.parent, c.after, section(c.adds.map((a) => a.markup)));
    const display = insertChildAfter(baseDoc, c.parent, c.after, section(c.adds.map((a) => a.shown)));
    edits.push({ ...edit, shown: display.text });
  }

  const added: SettingEntry[] = decision.strategy === 'copy-old' ? [] : newCfg.settings.filter((n) => !matched.has(n)).map((n) => entry(n, n.value));
  if (!finalSdk) {
    const sdk = newCfg.settings.find(isSdkUrlSetting);
    if (sdk) finalSdk = { setting: sdk, value: sdk.value };
  }
  const newSdk = finalSdk && counterpart(finalSdk.setting, newById, newCfg.settings);

  const text = applyEdits(baseDoc.text, edits);
  if (!encodable(text, baseDoc.format)) {
    throw configFileError(`the carried values hold characters that a ${baseDoc.format.encoding} file cannot store`, newInput.file, {
      code: 'TEXT_ENCODING',
      remedy: 'Save the new web.config as UTF-8 (it is the default for web.config) and run again.',
    });
  }
  const sourced: SourcedOutput[] = [];
  const sourcedDiffs: string[] = [];
  for (const c of newCfg.containers) {
    if (c.configSource === undefined || c.unread || sourced.some((x) => x.configSource === c.configSource)) continue;
    const docEdits = sourcedEdits.get(c.doc) ?? [];
    const out = applyEdits(c.doc.text, docEdits);
    if (!encodable(out, c.doc.format)) {
      throw configFileError(`the carried values hold characters that a ${c.doc.format.encoding} file cannot store`, c.doc.file, { code: 'TEXT_ENCODING', remedy: 'Save the configSource file as UTF-8 and run again.' });
    }
    const given = newInput.sources?.get(c.configSource);
    sourced.push({ configSource: c.configSource, file: c.doc.file, bytes: docEdits.length ? encodeText(out, c.doc.format) : Buffer.from(given?.bytes ?? encodeText(out, c.doc.format)), changed: docEdits.length > 0 });
    if (docEdits.length) sourcedDiffs.push(renderDiff(c.doc.text, docEdits, c.doc.file, `${c.doc.file} (merged)`, secretSpans(c.doc)));
  }
  const bytes = decision.strategy === 'copy-old' || edits.length ? encodeText(text, baseDoc.format) : Buffer.from(newInput.bytes);
  if (bytes.byteLength > IIS_DEFAULT_MAX_WEBCONFIG) {
    warnings.push(`the merged web.config is ${Math.round(bytes.byteLength / 1024)} KB; IIS refuses web.config files over 250 KB unless HKLM\\SOFTWARE\\Microsoft\\InetStp\\Configuration MaxWebConfigFileSizeInKB is raised`);
  }
  const report: MergeReport = {
    oldFile: oldInput.file,
    newFile: newInput.file,
    strategy: decision.strategy,
    strategyReason: decision.reason,
    newInNewFile: decision.newInNewFile,
    changedByNewVersion: decision.changedByNewVersion,
    onlyInOldFile: decision.onlyInOldFile,
    changes,
    added,
    removed,
    sdkUrl: finalSdk ? { setting: finalSdk.setting.key, before: shown(finalSdk.setting.key, newSdk?.value), after: shown(finalSdk.setting.key, finalSdk.value) as string } : undefined,
    sdkVdirMappings: mappings.map((m) => ({ ...m })),
    warnings,
    format: { ...baseDoc.format },
    changed: !bytes.equals(Buffer.from(newInput.bytes.buffer, newInput.bytes.byteOffset, newInput.bytes.byteLength)) || sourced.some((x) => x.changed),
    written: false,
    whatIf: false,
    sourcedFiles: sourced.map((x) => ({ configSource: x.configSource, file: x.file, changed: x.changed })),
  };
  const label = decision.strategy === 'copy-old' ? `${oldInput.file} (old file, kept whole)` : newInput.file;
  const diff = [renderDiff(baseDoc.text, edits, label, `${newInput.file} (merged)`, secretSpans(baseDoc)), ...sourcedDiffs].filter((d) => d !== '').join('\n');
  return { bytes, report, diff, sourced };
}

function findContainer(cfg: WebConfigSettings, like: SettingsContainer): SettingsContainer | undefined {
  return cfg.containers.find((c) => c.kind === like.kind && scopeId(c.scope) === scopeId(like.scope) && c.section === like.section);
}

function entry(s: Setting, value: string): SettingEntry {
  const e: SettingEntry = { kind: s.kind, scope: s.scope, key: s.key, value: shown(s.key, value) as string };
  if (s.section !== undefined) e.section = s.section;
  return e;
}

function change(s: Setting, before: string | undefined, after: string, why: string, line: number, secret: boolean): SettingChange {
  const c: SettingChange = { kind: s.kind, scope: s.scope, key: s.key, old: shown(s.key, before), new: shown(s.key, after) as string, why, line, secret };
  if (s.section !== undefined) c.section = s.section;
  if (secret && !isSecretName(s.key)) {
    // A secret inside an ordinary key's value (a connection string): mask as a whole.
    c.old = before === undefined ? undefined : MASK;
    c.new = MASK;
  }
  return c;
}
