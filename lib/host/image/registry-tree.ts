// An in-memory registry: keys and values with Windows' case-insensitive names (case kept as
// written), the WOW64 32-bit view, and conversion to and from .reg text.
import { badInput } from '../../errors.js';
import type { RegNamedValue, RegValue, RegistryView } from '../ports.js';
import { formatRegText, parseRegText, type RegExportKey } from './reg-file.js';

const ROOTS: Record<string, string> = {
  HKEY_LOCAL_MACHINE: 'HKEY_LOCAL_MACHINE',
  HKLM: 'HKEY_LOCAL_MACHINE',
  HKEY_CURRENT_USER: 'HKEY_CURRENT_USER',
  HKCU: 'HKEY_CURRENT_USER',
  HKEY_CLASSES_ROOT: 'HKEY_CLASSES_ROOT',
  HKCR: 'HKEY_CLASSES_ROOT',
  HKEY_USERS: 'HKEY_USERS',
  HKU: 'HKEY_USERS',
  HKEY_CURRENT_CONFIG: 'HKEY_CURRENT_CONFIG',
  HKCC: 'HKEY_CURRENT_CONFIG',
};

/** Splits a key path into its full root name and the segments below it. */
export function splitKeyPath(path: string): { root: string; segments: string[] } {
  const segments = path.split('\\').filter((s) => s !== '');
  const root = ROOTS[(segments[0] ?? '').toUpperCase()];
  if (!root) {
    throw badInput(`'${path}' does not start with a registry root (HKEY_LOCAL_MACHINE, HKLM, HKCU, ...)`, path, { code: 'REG_PATH' });
  }
  return { root, segments: segments.slice(1) };
}

/**
 * The 32-bit view of HKLM\SOFTWARE\X is HKLM\SOFTWARE\WOW6432Node\X, as WOW64 redirects it.
 * (Windows shares a few subkeys between views; none of those matter to MFA Server.)
 */
export function viewSegments(root: string, segments: string[], view: RegistryView): string[] {
  if (view === '64' || root !== 'HKEY_LOCAL_MACHINE') return segments;
  const [first, second] = segments;
  if (first === undefined || first.toUpperCase() !== 'SOFTWARE') return segments;
  if (second !== undefined && second.toUpperCase() === 'WOW6432NODE') return segments;
  return [first, 'WOW6432Node', ...segments.slice(1)];
}

export class RegKeyNode {
  readonly values: RegNamedValue[] = [];
  readonly subkeys = new Map<string, RegKeyNode>();
  constructor(readonly name: string) {}

  child(name: string): RegKeyNode | undefined {
    return this.subkeys.get(name.toUpperCase());
  }

  ensureChild(name: string): RegKeyNode {
    let c = this.child(name);
    if (!c) {
      c = new RegKeyNode(name);
      this.subkeys.set(name.toUpperCase(), c);
    }
    return c;
  }

  findValue(name: string): RegNamedValue | undefined {
    const upper = name.toUpperCase();
    return this.values.find((v) => v.name.toUpperCase() === upper);
  }

  setValue(name: string, value: RegValue): void {
    const existing = this.findValue(name);
    if (existing) existing.value = value;
    else this.values.push({ name, value });
  }

  deleteValue(name: string): void {
    const upper = name.toUpperCase();
    const idx = this.values.findIndex((v) => v.name.toUpperCase() === upper);
    if (idx !== -1) this.values.splice(idx, 1);
  }
}

export class RegistryTree {
  private readonly roots = new Map<string, RegKeyNode>();

  private resolve(path: string, view: RegistryView, create: true): RegKeyNode;
  private resolve(path: string, view: RegistryView, create: false): RegKeyNode | undefined;
  private resolve(path: string, view: RegistryView, create: boolean): RegKeyNode | undefined {
    const { root, segments } = splitKeyPath(path);
    let node = this.roots.get(root);
    if (!node) {
      if (!create) return undefined;
      node = new RegKeyNode(root);
      this.roots.set(root, node);
    }
    for (const seg of viewSegments(root, segments, view)) {
      const next: RegKeyNode | undefined = create ? node.ensureChild(seg) : node.child(seg);
      if (!next) return undefined;
      node = next;
    }
    return node;
  }

  getKey(path: string, view: RegistryView = '64'): RegKeyNode | undefined {
    return this.resolve(path, view, false);
  }

  ensureKey(path: string, view: RegistryView = '64'): RegKeyNode {
    return this.resolve(path, view, true);
  }

  deleteKey(path: string, view: RegistryView = '64'): void {
    const { root, segments } = splitKeyPath(path);
    const segs = viewSegments(root, segments, view);
    const last = segs.pop();
    if (last === undefined) {
      this.roots.delete(root);
      return;
    }
    const parentPath = [root, ...segs].join('\\');
    this.resolve(parentPath, '64', false)?.subkeys.delete(last.toUpperCase());
  }

  /** Applies .reg text (keys, values and deletions) on top of what is there. */
  apply(text: string, file: string): void {
    for (const op of parseRegText(text, file)) {
      switch (op.op) {
        case 'key':
          this.ensureKey(op.path);
          break;
        case 'deleteKey':
          this.deleteKey(op.path);
          break;
        case 'value':
          this.ensureKey(op.key).setValue(op.name, op.value);
          break;
        case 'deleteValue':
          this.getKey(op.key)?.deleteValue(op.name);
          break;
      }
    }
  }

  static fromText(text: string, file: string): RegistryTree {
    const tree = new RegistryTree();
    tree.apply(text, file);
    return tree;
  }

  /** The subtree under path (whole tree without one) as reg.exe would export it: parents before children. */
  exportKeys(path?: string, view: RegistryView = '64'): RegExportKey[] {
    const out: RegExportKey[] = [];
    const walk = (node: RegKeyNode, full: string) => {
      out.push({ path: full, values: node.values.map((v) => ({ name: v.name, value: v.value })) });
      for (const child of node.subkeys.values()) walk(child, `${full}\\${child.name}`);
    };
    if (path === undefined) {
      for (const root of this.roots.values()) walk(root, root.name);
      return out;
    }
    const { root, segments } = splitKeyPath(path);
    const node = this.getKey(path, view);
    if (node) walk(node, [root, ...viewSegments(root, segments, view)].join('\\'));
    return out;
  }

  toText(path?: string, view: RegistryView = '64'): string {
    // A whole-tree export leaves out bare root lines that carry nothing, as reg.exe never writes them.
    const keys = this.exportKeys(path, view).filter((k) => path !== undefined || k.path.includes('\\') || k.values.length > 0);
    return formatRegText(keys);
  }
}
