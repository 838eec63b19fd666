// procedure.md §3.5: "compare old and new web.config: if the new one has no new attributes, the
// old one may be copied over it; otherwise copy the appSettings values and the SDK URL into the
// new one". This compares the two files' structure outside the settings and makes that decision.
// It is stricter than the sentence in one way: an attribute whose value the new version changed
// (e.g. targetFramework 4.0 -> 4.5, an assembly version) also rules out the copy, since copying
// would quietly undo the upgrade.
import type { XmlDocument } from '../xml/document.js';
import type { XmlElement } from '../xml/scan.js';
import { attrValue, elementText } from '../xml/values.js';
import { describeSetting, settingId, type WebConfigSettings } from './settings.js';

export type Strategy = 'copy-old' | 'merge-into-new';

export interface StrategyDecision {
  strategy: Strategy;
  reason: string;
  /** Elements, attributes and keys the new file has and the old lacks (names only, no values). */
  newInNewFile: string[];
  /** Attributes and texts outside the settings whose value the new version changed. */
  changedByNewVersion: string[];
  /** Elements and attributes only the old file has: kept by a copy, lost by a merge. */
  onlyInOldFile: string[];
}

interface Signature {
  entries: Map<string, number>;
  /** Setting id -> how to name it. */
  settingIds: Map<string, string>;
}

const SEP = '\u0000';

function identity(doc: XmlDocument, el: XmlElement): string {
  for (const name of ['key', 'name', 'path', 'type', 'assembly', 'verb']) {
    const a = el.attributes.find((x) => x.name === name);
    if (a) return `[${name}=${attrValue(doc, a)}]`;
  }
  return '';
}

function isSettingMachinery(el: XmlElement): boolean {
  const p = el.parent;
  if (!p) return false;
  if (p.localName === 'appSettings') return true;
  return el.localName === 'setting' && p.parent?.localName === 'applicationSettings';
}

function signature(cfg: WebConfigSettings, paths: PathTable): Signature {
  const doc = cfg.doc;
  const entries = new Map<string, number>();
  const add = (k: string) => entries.set(k, (entries.get(k) ?? 0) + 1);
  const walk = (el: XmlElement, parent: number) => {
    const path = paths.intern(parent, `${el.localName}${identity(doc, el)}`);
    add(`E${SEP}${path}`);
    for (const a of el.attributes) {
      add(`A${SEP}${path}${SEP}${a.name}`);
      add(`V${SEP}${path}${SEP}${a.name}${SEP}${attrValue(doc, a)}`);
    }
    if (el.hasText && el.children.length === 0) add(`T${SEP}${path}${SEP}${elementText(doc, el).trim()}`);
    for (const c of el.children) if (!isSettingMachinery(c)) walk(c, path);
  };
  walk(doc.tree.root, -1);
  return { entries, settingIds: new Map(cfg.settings.map((s) => [settingId(s), describeSetting(s)])) };
}

/** Element paths as small numbers shared by both files, so entries stay short to hash. */
class PathTable {
  private readonly ids = new Map<string, number>();
  readonly texts: string[] = [];
  intern(parent: number, segment: string): number {
    const key = `${parent}/${segment}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(parent === -1 ? segment : `${this.texts[parent]}/${segment}`);
      this.ids.set(key, id);
    }
    return id;
  }
}

function describeEntry(entry: string, paths: PathTable): string {
  const [kind, id, name] = entry.split(SEP);
  const p = paths.texts[Number(id)] ?? '';
  switch (kind) {
    case 'E':
      return `element ${p}`;
    case 'A':
      return `attribute ${p}@${name}`;
    case 'V':
      return `value of ${p}@${name}`;
    default:
      return `text of ${p}`;
  }
}

function exceeding(a: Map<string, number>, b: Map<string, number>, kinds: string): string[] {
  const out: string[] = [];
  for (const [k, n] of a) if (kinds.includes(k[0] as string) && n > (b.get(k) ?? 0)) out.push(k);
  return out;
}

/** Elements and attributes of `a` missing from `b`, without the attributes of missing elements. */
function missingStructure(a: Map<string, number>, b: Map<string, number>): string[] {
  const missing = exceeding(a, b, 'EA');
  const elements = new Set(missing.filter((k) => k[0] === 'E').map((k) => k.slice(2)));
  return missing.filter((k) => k[0] === 'E' || !elements.has((k.split(SEP)[1] as string)));
}

export function decideStrategy(oldCfg: WebConfigSettings, newCfg: WebConfigSettings, carryRemoved: boolean): StrategyDecision {
  const paths = new PathTable();
  const o = signature(oldCfg, paths);
  const n = signature(newCfg, paths);
  const describe = (entry: string) => describeEntry(entry, paths);
  const newStructure = missingStructure(n.entries, o.entries);
  const newKeys = [...n.settingIds].filter(([id]) => !o.settingIds.has(id)).map(([, label]) => label);
  const newInNewFile = [...newStructure.map(describe), ...newKeys];
  // A changed value of an attribute both files have (new attributes are already counted above).
  const changed = exceeding(n.entries, o.entries, 'VT').filter((k) => {
    const [kind, path, name] = k.split(SEP);
    return kind === 'T' ? o.entries.has(`E${SEP}${path}`) : o.entries.has(`A${SEP}${path}${SEP}${name}`);
  });
  const changedByNewVersion = [...new Set(changed.map(describe))];
  const onlyInOldFile = missingStructure(o.entries, n.entries).map(describe);
  const removedKeys = [...o.settingIds].filter(([id]) => !n.settingIds.has(id)).map(([, label]) => label);

  if (newInNewFile.length === 0 && changedByNewVersion.length === 0 && (removedKeys.length === 0 || carryRemoved)) {
    return {
      strategy: 'copy-old',
      reason:
        'the new file adds no element, attribute or key and changes no value outside the settings, so the old file is kept as a whole ' +
        '(procedure.md §3.5: "if the new one has no new attributes, the old one may be copied over it"); its comments and layout stay as they were',
      newInNewFile,
      changedByNewVersion,
      onlyInOldFile,
    };
  }
  const why: string[] = [];
  if (newInNewFile.length) why.push(`the new file has ${newInNewFile.length} thing(s) the old lacks (${sample(newInNewFile)})`);
  if (changedByNewVersion.length) why.push(`the new version changed ${changedByNewVersion.length} value(s) outside the settings (${sample(changedByNewVersion)}), which a copy would undo`);
  if (!newInNewFile.length && !changedByNewVersion.length) why.push(`the old file has key(s) the new one dropped (${sample(removedKeys)}) and --carry-removed was not given`);
  return {
    strategy: 'merge-into-new',
    reason: `${why.join('; ')}: the old values are carried into the new file`,
    newInNewFile,
    changedByNewVersion,
    onlyInOldFile,
  };
}

function sample(items: string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')}, ...`;
}
