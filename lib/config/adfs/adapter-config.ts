// MultiFactorAuthenticationAdfsAdapter.config across versions (procedure.md §3.7): compare the old
// file (from disk, or exported with Export-AdfsAuthenticationProviderConfigurationData) with the
// one the new adapter ships, and carry the old values into the new file with the same
// minimal-diff editing as web.config. The root element's name is not public, so nothing here
// depends on it: nodes are named by their path below the root.
import { configFileError } from '../xml/errors.js';
import { IDENTITY_ATTRIBUTES, isSecretNode, MASK, redactEmbedded } from '../redact.js';
import { encodable, encodeText, type TextFormat } from '../xml/codec.js';
import { loadXmlDocument, type XmlDocument } from '../xml/document.js';
import { applyEdits, renderDiff, type TextEdit } from '../xml/edit.js';
import { secretSpans } from '../xml/secret-spans.js';
import type { XmlAttribute, XmlElement } from '../xml/scan.js';
import { setAttributeEdit, setContentEdit } from '../xml/value-edits.js';
import { attrValue, elementText } from '../xml/values.js';
import { rewriteVdir, type VdirMapping } from '../webconfig/sdk-vdir.js';

/** Node names procedure.md §1 documents; a file with none of them is not an adapter config. */
export const KNOWN_ADAPTER_NODES = ['UseWebServiceSdk', 'WebServiceSdkUrl', 'WebServiceSdkUsername', 'WebServiceSdkPassword', 'WebServiceSdkCertificateThumbprint'];

interface AdapterValue {
  /** "WebServiceSdkUrl", "Parent/Child[2]", "Node@attr". */
  path: string;
  /** Text of a leaf element, or an attribute's value. */
  value: string;
  element: XmlElement;
  attr: XmlAttribute | undefined;
  /** Has child elements: its text is not a value. */
  branch: boolean;
  /** Its value is a secret, from its own name, an ancestor's, or a key/name attribute naming one. */
  secret: boolean;
}

export interface AdapterNodeReport {
  path: string;
  /** Redacted. */
  value: string;
}

export interface AdapterChange {
  path: string;
  /** Redacted; the value in the new (shipped) file. */
  old: string;
  /** Redacted; the value written. */
  new: string;
  why: string;
  line: number;
}

export interface AdapterCompareReport {
  oldFile: string;
  newFile: string;
  /** Nodes only the new file has: they keep the shipped defaults. */
  added: AdapterNodeReport[];
  /** Nodes only the old file has: not carried (the new adapter does not read them). */
  removed: AdapterNodeReport[];
  /** Nodes whose old value differs from the shipped one, each carried into the output. */
  changed: AdapterChange[];
  /** Nodes whose shape changed (a value became a group or the reverse): carry by hand. */
  reshaped: string[];
  sdkVdirMappings: VdirMapping[];
  format: TextFormat;
  changedOutput: boolean;
  written: boolean;
  whatIf: boolean;
}

export interface AdapterCompareOutcome {
  bytes: Buffer;
  report: AdapterCompareReport;
  diff: string;
}

function identityOf(doc: XmlDocument, el: XmlElement): string | undefined {
  const a = el.attributes.find((x) => IDENTITY_ATTRIBUTES.test(x.name.replace(/^.*:/, '')));
  return a ? attrValue(doc, a) : undefined;
}

function collect(doc: XmlDocument): Map<string, AdapterValue> {
  const out = new Map<string, AdapterValue>();
  // Document order with an explicit stack (no recursion per nesting level).
  interface Frame { el: XmlElement; prefix: string; names: string[]; ids: Array<string | undefined>; next: number; seen: Map<string, number> }
  const stack: Frame[] = [{ el: doc.tree.root, prefix: '', names: [], ids: [], next: 0, seen: new Map() }];
  while (stack.length > 0) {
    const f = stack[stack.length - 1] as Frame;
    const child = f.el.children[f.next++];
    if (!child) {
      stack.pop();
      continue;
    }
    const n = (f.seen.get(child.localName) ?? 0) + 1;
    f.seen.set(child.localName, n);
    const path = `${f.prefix}${child.localName}${n > 1 ? `[${n}]` : ''}`;
    const branch = child.children.length > 0;
    const names = [...f.names, child.localName];
    const ids = [...f.ids, identityOf(doc, child)];
    out.set(path, { path, value: branch ? '' : elementText(doc, child), element: child, attr: undefined, branch, secret: isSecretNode(names, ids) });
    for (const a of child.attributes) {
      if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
      out.set(`${path}@${a.name}`, { path: `${path}@${a.name}`, value: attrValue(doc, a), element: child, attr: a, branch: false, secret: isSecretNode(names, ids, a.name.replace(/^.*:/, '')) });
    }
    if (branch) stack.push({ el: child, prefix: `${path}/`, names, ids, next: 0, seen: new Map() });
  }
  return out;
}

function leafName(path: string): string {
  return path.replace(/\[\d+\]/g, '').split(/[/@]/).pop() as string;
}

/** A value as a report may show it: a secret masked whole (an empty one shown empty), else embedded secrets masked. */
function shown(v: Pick<AdapterValue, 'secret'>, value: string): string {
  if (v.secret) return value === '' ? '' : MASK;
  return redactEmbedded(value);
}

function load(bytes: Uint8Array, file: string): { doc: XmlDocument; values: Map<string, AdapterValue> } {
  const doc = loadXmlDocument(bytes, file, 'AD FS adapter config');
  const values = collect(doc);
  const names = new Set([...values.keys()].map(leafName));
  if (!KNOWN_ADAPTER_NODES.some((n) => names.has(n))) {
    throw configFileError(`this is not an MFA Server AD FS adapter config: none of ${KNOWN_ADAPTER_NODES.join(', ')} is in it`, file, {
      code: 'ADFS_NOT_ADAPTER_CONFIG',
      line: doc.lineAt(doc.tree.root.start),
      remedy: 'Pass MultiFactorAuthenticationAdfsAdapter.config from the MFA Server install folder, or the file written by Export-AdfsAuthenticationProviderConfigurationData for the adapter.',
    });
  }
  return { doc, values };
}

export function compareAdapterConfigs(
  oldInput: { bytes: Uint8Array; file: string },
  newInput: { bytes: Uint8Array; file: string },
  options: { sdkVdir?: VdirMapping[] } = {},
): AdapterCompareOutcome {
  const o = load(oldInput.bytes, oldInput.file);
  const n = load(newInput.bytes, newInput.file);
  const mappings = options.sdkVdir ?? [];
  const edits: TextEdit[] = [];
  const changed: AdapterChange[] = [];
  const reshaped: string[] = [];
  for (const [path, ov] of o.values) {
    const nv = n.values.get(path);
    if (!nv) continue;
    if (ov.branch !== nv.branch) {
      reshaped.push(path);
      continue;
    }
    if (ov.branch) continue;
    const { value: target, applied } = rewriteVdir(ov.value, mappings);
    if (target === nv.value) continue;
    const source = { doc: o.doc, value: ov.value, ...(ov.attr ? { attr: ov.attr } : { element: ov.element }) };
    const edit = nv.attr ? setAttributeEdit(nv.attr, target, source) : setContentEdit(n.doc, nv.element, target, { source });
    // Secret in either file (the new one may name it differently): masked on both sides.
    const secret = ov.secret || nv.secret || redactEmbedded(ov.value) !== ov.value || redactEmbedded(nv.value) !== nv.value;
    edits.push({ ...edit, secret });
    changed.push({
      path,
      old: shown({ secret }, nv.value),
      new: shown({ secret }, target),
      why: applied ? `carried from the old config; SDK vdir ${applied.from} -> ${applied.to}` : 'carried from the old config',
      line: n.doc.lineAt(edit.start),
    });
  }
  const added = [...n.values.values()].filter((v) => !o.values.has(v.path) && !v.branch).map((v) => ({ path: v.path, value: shown(v, v.value) }));
  const removed = [...o.values.values()].filter((v) => !n.values.has(v.path) && !v.branch).map((v) => ({ path: v.path, value: shown(v, v.value) }));
  const text = applyEdits(n.doc.text, edits);
  if (!encodable(text, n.doc.format)) {
    throw configFileError(`the carried values hold characters that a ${n.doc.format.encoding} file cannot store`, newInput.file, {
      code: 'TEXT_ENCODING',
      remedy: 'Save the new adapter config as UTF-8 and run again.',
    });
  }
  const bytes = edits.length ? encodeText(text, n.doc.format) : Buffer.from(newInput.bytes);
  return {
    bytes,
    diff: renderDiff(n.doc.text, edits, newInput.file, `${newInput.file} (carried over)`, secretSpans(n.doc)),
    report: {
      oldFile: oldInput.file,
      newFile: newInput.file,
      added,
      removed,
      changed,
      reshaped,
      sdkVdirMappings: mappings.map((m) => ({ ...m })),
      format: { ...n.doc.format },
      changedOutput: edits.length > 0,
      written: false,
      whatIf: false,
    },
  };
}

export function formatAdapterReport(r: AdapterCompareReport, diff: string, outFile: string | undefined): string {
  const lines = [`Compare AD FS adapter config ${r.oldFile} -> ${r.newFile}`];
  const section = (title: string, items: string[]) => {
    if (items.length) lines.push('', title, ...items.map((i) => `  ${i}`));
  };
  section('Changed (old value carried):', r.changed.map((c) => `${c.path}: ${JSON.stringify(c.old)} -> ${JSON.stringify(c.new)}  (${c.why}; line ${c.line})`));
  section('Added in the new config (defaults kept):', r.added.map((a) => `${a.path} = ${JSON.stringify(a.value)}`));
  section('Removed in the new config (not carried):', r.removed.map((a) => `${a.path} = ${JSON.stringify(a.value)}`));
  section('Changed shape (carry by hand):', r.reshaped);
  if (!r.changed.length && !r.added.length && !r.removed.length && !r.reshaped.length) lines.push('', 'The two configs hold the same nodes and values.');
  if (diff) lines.push('', diff);
  if (outFile) lines.push('', r.whatIf ? `What if: ${outFile} was not written.` : r.written ? `Written: ${outFile}` : `Not written: ${outFile}`);
  else lines.push('', 'Pass --out <file> to write the carried-over config (for Register-AdfsAuthenticationProvider -ConfigurationFilePath).');
  return lines.join('\n');
}
