// The web.config carry-over (procedure.md §2.9, §3.5-3.6): every appSettings and applicationSettings
// value of the backed-up file goes into the newly installed one, the SDK URL follows a renamed
// SDK vdir, and nothing else in the file changes. Pure: bytes in, bytes and a report out.
import { badInput } from '../../errors.js';
import { isSecretName, MASK, redact, redactEmbedded } from '../redact.js';
import { encodable, encodeText } from '../xml/codec.js';
import { loadXmlDocument, type XmlDocument } from '../xml/document.js';
import { applyEdits, renderDiff, type TextEdit } from '../xml/edit.js';
import { appendChildren, insertChildAfter, type Markup } from '../xml/insert.js';
import { childrenNamed, type XmlElement } from '../xml/scan.js';
import { attr } from '../xml/values.js';
import type { MergeReport, SettingChange, SettingEntry } from './report.js';
import { mentionsVdir, OLD_DEFAULT_SDK_VDIR, rewriteVdir, type VdirMapping } from './sdk-vdir.js';
import { isSdkUrlSetting, readWebConfigSettings, scopeId, settingId, type Setting, type SettingsContainer, type WebConfigSettings } from './settings.js';
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
}

export interface MergeOutcome {
  /** The file to write over the new one (equal to its bytes when nothing changes). */
  bytes: Buffer;
  report: MergeReport;
  /** Line diff of what changes, secrets masked (against the file the edits apply to). */
  diff: string;
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
  return readWebConfigSettings(loadXmlDocument(input.bytes, input.file, 'web.config'));
}

export function mergeWebConfig(oldInput: FileInput, newInput: FileInput, options: MergeOptions = {}): MergeOutcome {
  const oldCfg = loadWebConfig(oldInput);
  const newCfg = loadWebConfig(newInput);
  const mappings = options.sdkVdir ?? [];
  const carryRemoved = options.carryRemoved ?? false;
  const decision = decideStrategy(oldCfg, newCfg, carryRemoved);
  const base = decision.strategy === 'copy-old' ? oldCfg : newCfg;
  const baseDoc = base.doc;

  const newById = new Map(newCfg.settings.map((s) => [settingId(s), s]));
  const edits: TextEdit[] = [];
  const changes: SettingChange[] = [];
  const removed: MergeReport['removed'] = [];
  const warnings = [...oldCfg.warnings, ...newCfg.warnings];
  const matched = new Set<Setting>();
  const inserts = new Map<XmlElement, { markups: Markup[]; shown: Markup[] }>();
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
      const edit = setValueEdit(baseDoc, n, target, { doc: oldCfg.doc, setting: o }, secret);
      if (edit) {
        edits.push(edit);
        changes.push(change(n, n.value, target, why('carried from the old file'), baseDoc.lineAt(edit.start), secret));
      }
      continue;
    }
    const extraKey = !carryRemoved && options.extend?.carryKey?.(o) === true;
    if (!carryRemoved && !extraKey) {
      removed.push({ ...entry(o, o.value), carried: false });
      continue;
    }
    const serializeAs = attr(oldCfg.doc, o.element, 'serializeAs') ?? 'String';
    const markup = valueMarkup(o, target, serializeAs, { doc: oldCfg.doc, setting: o });
    const masked = secret ? valueMarkup({ ...o, xml: false }, MASK, serializeAs, undefined) : markup;
    const container = findContainer(newCfg, o.container);
    if (container && isConfigSourced(newCfg.doc, container)) {
      removed.push({ ...entry(o, o.value), carried: false, note: 'not carried: the new file keeps these settings in a configSource file; add it there by hand' });
      continue;
    }
    if (container) {
      const q = inserts.get(container.element) ?? { markups: [], shown: [] };
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
    changes.push(change(o, undefined, target, why(extraKey ? 'only in the old file, carried (added by the administrator, or the portal theme)' : 'only in the old file, carried (--carry-removed)'), baseDoc.lineAt(container ? container.element.start : baseDoc.tree.root.start), secret));
  }
  if (decision.strategy === 'merge-into-new' && options.extend?.edits) edits.push(...options.extend.edits(oldCfg.doc, newCfg.doc));

  for (const [parent, q] of inserts) {
    const edit = appendChildren(baseDoc, parent, q.markups);
    const display = appendChildren(baseDoc, parent, q.shown);
    edits.push({ ...edit, shown: display.text });
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
    throw badInput(`the carried values hold characters that a ${baseDoc.format.encoding} file cannot store`, newInput.file, {
      code: 'TEXT_ENCODING',
      remedy: 'Save the new web.config as UTF-8 (it is the default for web.config) and run again.',
    });
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
    changed: !bytes.equals(Buffer.from(newInput.bytes.buffer, newInput.bytes.byteOffset, newInput.bytes.byteLength)),
    written: false,
    whatIf: false,
  };
  const label = decision.strategy === 'copy-old' ? `${oldInput.file} (old file, kept whole)` : newInput.file;
  const diff = renderDiff(baseDoc.text, edits, label, `${newInput.file} (merged)`);
  return { bytes, report, diff };
}

function findContainer(cfg: WebConfigSettings, like: SettingsContainer): SettingsContainer | undefined {
  return cfg.containers.find((c) => c.kind === like.kind && scopeId(c.scope) === scopeId(like.scope) && c.section === like.section);
}

function isConfigSourced(doc: XmlDocument, c: SettingsContainer): boolean {
  return c.kind === 'appSetting' && attr(doc, c.element, 'configSource') !== undefined;
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
