// The whole web.config carry-over of an upgrade: the settings (merge.ts), the portal theme and
// keys the administrator added, and what they changed under system.web / system.webServer
// (carry-elements.ts), judged against the old version's own web.config when its package could be
// read. What cannot be carried is returned as work left to a person, never dropped silently.
import { badInput } from '../../errors.js';
import { loadXmlDocument, type XmlDocument } from '../xml/document.js';
import { carryElements, type CarryEntry, type ElementCarry } from './carry-elements.js';
import { mergeWebConfig, type FileInput, type MergeOptions, type MergeOutcome } from './merge.js';
import type { MergeReport } from './report.js';
import { readWebConfigSettings, settingId, type Setting } from './settings.js';

export interface CarryOptions extends Omit<MergeOptions, 'extend'> {
  /** The old version's own web.config (from its cached package), when it could be read. */
  baseline?: FileInput;
}

export interface LeftToDoItem {
  title: string;
  instructions: string;
}

export interface CarryReport extends MergeReport {
  elements: { baseline: string | null; entries: CarryEntry[] };
  leftToDo: LeftToDoItem[];
}

export interface CarryOutcome extends Omit<MergeOutcome, 'report'> {
  report: CarryReport;
}

/** The portal's theme key: branding, carried whenever the new file lacks it. */
export const isThemeKey = (s: Pick<Setting, 'kind' | 'key'>) => s.kind === 'appSetting' && s.key.toUpperCase() === 'THEME';

function loadBaseline(input: FileInput | undefined, warnings: string[]): { doc: XmlDocument; settings: Set<string>; values: Map<string, string> } | undefined {
  if (!input) return undefined;
  try {
    const doc = loadXmlDocument(input.bytes, input.file, 'web.config');
    const cfg = readWebConfigSettings(doc);
    return { doc, settings: new Set(cfg.settings.map(settingId)), values: new Map(cfg.settings.map((s) => [settingId(s), s.value])) };
  } catch (e) {
    warnings.push(`the old version's own web.config (${input.file}) could not be read, so only security and branding settings are carried: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

function where(e: CarryEntry): string {
  return `${e.scope ? `<location path="${e.scope}"> ` : ''}${e.path}`;
}

export function carryWebConfig(oldInput: FileInput, newInput: FileInput, options: CarryOptions = {}): CarryOutcome {
  const warnings: string[] = [];
  const base = loadBaseline(options.baseline, warnings);
  let elements: ElementCarry | undefined;
  const { baseline: _b, ...mergeOptions } = options;
  const outcome = mergeWebConfig(oldInput, newInput, {
    ...mergeOptions,
    extend: {
      // With a baseline, a key it lacks was added by the administrator; the theme always counts.
      carryKey: (s) => isThemeKey(s) || (base !== undefined && s.kind === 'appSetting' && !base.settings.has(settingId(s))),
      edits: (oldDoc, newDoc) => {
        elements = carryElements(oldDoc, newDoc, base?.doc);
        return elements.edits;
      },
    },
  });
  const entries = elements?.entries ?? [];
  const file = newInput.file;
  const leftToDo: LeftToDoItem[] = [];
  for (const e of entries) {
    if (e.action !== 'conflict' && e.action !== 'removed-by-admin') continue;
    const values = [e.old !== undefined ? `old file: ${JSON.stringify(e.old)}` : '', e.new !== undefined ? `new file: ${JSON.stringify(e.new)}` : '', e.baseline !== undefined ? `as shipped before: ${JSON.stringify(e.baseline)}` : ''].filter(Boolean).join('; ');
    leftToDo.push({
      title: `Re-apply ${where(e)} in ${file} by hand`,
      instructions: `${e.why}${values ? ` (${values})` : ''}. Compare with the old web.config in the backup bundle, edit ${file}, then recycle the application pool.`,
    });
  }
  // A key the administrator changed that the new version no longer has is lost unless re-applied.
  if (base) {
    const oldValues = new Map(readWebConfigSettings(loadXmlDocument(oldInput.bytes, oldInput.file, 'web.config')).settings.map((s) => [settingId(s), s.value]));
    for (const r of outcome.report.removed) {
      if (r.carried) continue;
      const id = settingId({ kind: r.kind, scope: r.scope, section: r.section, key: r.key });
      if (!base.settings.has(id)) continue;
      const shipped = base.values.get(id);
      const old = oldValues.get(id);
      if (old !== undefined && old !== shipped) {
        leftToDo.push({ title: `Decide on ${r.key} in ${file}`, instructions: `${r.key} was changed from the shipped value and the new version no longer has it; carry it with --carry-removed (merge-config or upgrade) if the new version still reads it, or leave it out.` });
      }
    }
  }
  const report: CarryReport = {
    ...outcome.report,
    warnings: [...outcome.report.warnings, ...warnings],
    elements: { baseline: base ? (options.baseline as FileInput).file : null, entries },
    leftToDo,
  };
  if (outcome.report.strategy === 'merge-into-new' && entries.length === 0 && !base && outcome.report.onlyInOldFile.length) {
    report.warnings.push('the old version\'s own web.config was not available: only security and branding elements were compared');
  }
  return { ...outcome, report };
}

/** A carried file must load as a web.config (the postcondition reads it the way the merge does). */
export function assertLoads(bytes: Uint8Array, file: string): void {
  try {
    readWebConfigSettings(loadXmlDocument(bytes, file, 'web.config'));
  } catch (e) {
    throw badInput(`the merged web.config does not load: ${e instanceof Error ? e.message : String(e)}`, file, { code: 'WEBCONFIG_INVALID', remedy: 'Run --rollback; report the two web.config files (with the passwords removed).' });
  }
}
