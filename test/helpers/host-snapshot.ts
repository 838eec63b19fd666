// The whole state of an image host, for "the host is unchanged" and "resume ends where an
// uninterrupted run ends" checks, read with oracles that share no code with lib/:
//
//   registry   every key (both views: the 32-bit view is HKLM\SOFTWARE\WOW6432Node\...) and
//              every value with its type (test/helpers/reg-oracle.ts)
//   products   every field Windows Installer reports, and the bytes of each product's cached
//              package (C:\Windows\Installer\*.msi, whose random names are not compared); cached
//              packages no product refers to are listed by content
//   services   name, display name, state, start type, path, dependencies
//   files      every file's bytes and every folder (an emptied folder left behind is a
//              difference), under drive/ and beside the state files (adfs.json as JSON,
//              msiexec.lock by presence, anything else byte for byte)
//   iis        every setting of applicationHost.config and the files its configSource
//              attributes name (test/helpers/iis-model.ts says where order is ignored); those
//              files are compared as IIS reads them, not byte for byte
//
// compareSnapshots() names each difference: the key and value, the product and field, the
// service and field, the file (with its first differing byte), the IIS setting path.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readIisModel } from './iis-model.js';
import { readRegOracle } from './reg-oracle.js';

export interface FileFacts {
  size: number;
  sha256: string;
}

export interface HostSnapshot {
  /** 'KEY' -> '' for a key's presence; 'KEY\\\\name' -> 'TYPE data'. Names upper-cased (Windows compares them so). */
  registry: Record<string, string>;
  /** productCode -> field -> value; the cached package as its sha256 ('absent' when the file is gone). */
  products: Record<string, Record<string, string>>;
  /** Cached packages (C:\Windows\Installer) that no product refers to, by sha256. */
  orphanPackages: string[];
  services: Record<string, Record<string, string>>;
  /** Image-relative path -> facts; folders as 'dir'. */
  files: Record<string, FileFacts | 'dir'>;
  iis: Record<string, string>;
  /** Files that IIS or the state readers could not read. */
  errors: string[];
}

const INSTALLER_DIR = 'drive/c/windows/installer/';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Objects with sorted keys, so JSON compares by content, not by the order a writer chose. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

function readJsonArray(file: string, errors: string[]): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (Array.isArray(v)) return v as Array<Record<string, unknown>>;
    errors.push(`${file}: not an array`);
  } catch (e) {
    errors.push(`${file}: ${(e as Error).message}`);
  }
  return [];
}

function fieldValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(canonical(v));
}

/** Windows path of a cached package -> image-relative path. */
function imagePath(winPath: string): string {
  const m = /^([A-Za-z]):\\(.*)$/.exec(winPath);
  return m ? `drive/${(m[1] as string).toUpperCase()}/${(m[2] as string).replace(/\\/g, '/')}` : winPath;
}

export function hostSnapshot(dir: string): HostSnapshot {
  const snap: HostSnapshot = { registry: {}, products: {}, orphanPackages: [], services: {}, files: {}, iis: {}, errors: [] };

  const regFile = join(dir, 'registry.reg');
  if (existsSync(regFile)) {
    try {
      for (const [id, key] of readRegOracle(readFileSync(regFile))) {
        snap.registry[id] = '';
        for (const [name, { value }] of key.values) snap.registry[`${id}\\\\${name === '' ? '@' : name}`] = `${value.type} ${value.data}`;
      }
    } catch (e) {
      snap.errors.push(`registry.reg: ${(e as Error).message}`);
    }
  }

  const iis = readIisModel(dir);
  snap.iis = iis.settings;
  snap.errors.push(...iis.errors);
  const iisFiles = new Set(iis.files.map((f) => f.toLowerCase()));

  // Every file and folder; C:\Windows\Installer is taken apart below.
  const cached = new Map<string, string>();
  const walk = (abs: string, rel: string) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      const full = join(abs, e.name);
      if (e.isDirectory()) {
        snap.files[r] = 'dir';
        walk(full, r);
      } else if (iisFiles.has(r.toLowerCase())) {
        continue;
      } else if (r.toLowerCase().startsWith(INSTALLER_DIR)) {
        cached.set(r.toLowerCase(), sha256(readFileSync(full)));
      } else {
        const bytes = readFileSync(full);
        snap.files[r] = { size: bytes.length, sha256: sha256(bytes) };
      }
    }
  };
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    // The tool's own state about the host (the run lock): outside the image's machine by design
    // (Host.stateDir in lib/host/ports.ts), so never part of what the host holds.
    if (e.name === '.mfa-upgrade') continue;
    if (e.isDirectory()) {
      snap.files[e.name] = 'dir';
      walk(full, e.name);
      continue;
    }
    switch (e.name) {
      case 'registry.reg':
      case 'products.json':
      case 'services.json':
        break;
      case 'msiexec.lock':
        snap.files[e.name] = { size: 0, sha256: 'present' };
        break;
      case 'adfs.json':
        try {
          const state = JSON.parse(readFileSync(full, 'utf8')) as { providers?: Array<{ name?: string }> };
          // AD FS holds providers by name; the order a file lists them in is not a setting.
          if (Array.isArray(state.providers)) state.providers = [...state.providers].sort((a, b) => String(a.name).localeCompare(String(b.name)));
          const text = JSON.stringify(canonical(state));
          snap.files[e.name] = { size: text.length, sha256: sha256(Buffer.from(text)) };
        } catch (err) {
          snap.errors.push(`adfs.json: ${(err as Error).message}`);
        }
        break;
      default: {
        const bytes = readFileSync(full);
        snap.files[e.name] = { size: bytes.length, sha256: sha256(bytes) };
      }
    }
  }

  for (const p of readJsonArray(join(dir, 'products.json'), snap.errors)) {
    const code = String(p['productCode']).toUpperCase();
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(p)) if (k !== 'localPackage') fields[k] = fieldValue(v);
    const pkg = typeof p['localPackage'] === 'string' ? imagePath(p['localPackage']).toLowerCase() : undefined;
    fields['cachedPackage'] = pkg === undefined ? 'not recorded' : (cached.get(pkg) ?? 'absent');
    if (pkg !== undefined) cached.delete(pkg);
    snap.products[code] = fields;
  }
  snap.orphanPackages = [...cached.values()].sort();

  for (const s of readJsonArray(join(dir, 'services.json'), snap.errors)) {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(s)) {
      // The SCM starts every dependency; the order they are listed in means nothing.
      fields[k] = k === 'dependsOn' && Array.isArray(v) ? JSON.stringify([...(v as string[])].map((d) => d.toLowerCase()).sort()) : fieldValue(v);
    }
    snap.services[String(s['name']).toLowerCase()] = fields;
  }
  return snap;
}

export interface CompareOptions {
  /** Image-relative paths (case-insensitive prefixes) left out, each with the reason in the caller. */
  ignoreFiles?: string[];
}

function firstDifference(dir: string | undefined, other: string | undefined, rel: string): string {
  if (!dir || !other) return '';
  try {
    const a = readFileSync(join(dir, rel));
    const b = readFileSync(join(other, rel));
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    const line = a.subarray(0, i).toString('latin1').split('\n').length;
    const show = (x: Buffer) => JSON.stringify(x.subarray(i, i + 40).toString('utf8'));
    return ` (first difference at byte ${i}, line ${line}: ${show(a)} vs ${show(b)})`;
  } catch {
    return '';
  }
}

/**
 * Every difference between two snapshots, one readable line each; [] when the hosts are the same.
 * Pass the two host folders (when both still exist) to have changed files located to the byte.
 */
export function compareSnapshots(actual: HostSnapshot, expected: HostSnapshot, options: CompareOptions & { actualDir?: string; expectedDir?: string } = {}): string[] {
  const out: string[] = [];
  const ignored = (options.ignoreFiles ?? []).map((p) => p.toLowerCase());
  const skip = (rel: string) => ignored.some((p) => rel.toLowerCase() === p || rel.toLowerCase().startsWith(`${p.replace(/\/$/, '')}/`));
  const flat = (what: string, a: Record<string, string>, b: Record<string, string>, show: (k: string) => string = (k) => k) => {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const x = a[k];
      const y = b[k];
      if (x === y) continue;
      if (x === undefined) out.push(`${what}: missing ${show(k)}${y === '' ? '' : ` (expected ${JSON.stringify(y)})`}`);
      else if (y === undefined) out.push(`${what}: unexpected ${show(k)}${x === '' ? '' : ` = ${JSON.stringify(x)}`}`);
      else out.push(`${what}: ${show(k)} is ${JSON.stringify(x)}, expected ${JSON.stringify(y)}`);
    }
  };
  flat('registry', actual.registry, expected.registry, (k) => k.replace('\\\\', ' value '));
  for (const code of new Set([...Object.keys(actual.products), ...Object.keys(expected.products)])) {
    const a = actual.products[code];
    const b = expected.products[code];
    const name = (a ?? b)?.['name'] ?? '';
    if (!a) out.push(`products: ${name} ${code} is not installed (expected version ${b?.['version']})`);
    else if (!b) out.push(`products: ${name} ${code} version ${a['version']} is installed (not expected)`);
    else flat(`products: ${name} ${code}`, a, b);
  }
  const orphansA = actual.orphanPackages.join(',');
  const orphansB = expected.orphanPackages.join(',');
  if (orphansA !== orphansB) out.push(`products: cached packages no product refers to: ${actual.orphanPackages.length}, expected ${expected.orphanPackages.length}`);
  for (const name of new Set([...Object.keys(actual.services), ...Object.keys(expected.services)])) {
    const a = actual.services[name];
    const b = expected.services[name];
    if (!a) out.push(`services: ${name} is missing`);
    else if (!b) out.push(`services: ${name} is registered (not expected)`);
    else flat(`services: ${name}`, a, b);
  }
  for (const rel of new Set([...Object.keys(actual.files), ...Object.keys(expected.files)])) {
    if (skip(rel)) continue;
    const a = actual.files[rel];
    const b = expected.files[rel];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (a === undefined) out.push(`files: ${rel} is missing${b === 'dir' ? ' (a folder)' : ''}`);
    else if (b === undefined) out.push(`files: ${rel} is unexpected${a === 'dir' ? ' (a folder)' : ` (${a.size} bytes)`}`);
    else if (a === 'dir' || b === 'dir') out.push(`files: ${rel} is a ${a === 'dir' ? 'folder' : 'file'}, expected a ${b === 'dir' ? 'folder' : 'file'}`);
    else out.push(`files: ${rel} differs: ${a.size} bytes, expected ${b.size}${firstDifference(options.actualDir, options.expectedDir, rel)}`);
  }
  flat('iis', actual.iis, expected.iis);
  for (const e of actual.errors) if (!expected.errors.includes(e)) out.push(`unreadable: ${e}`);
  return out.sort();
}

/** Whether a host folder is unchanged since a snapshot; the differences, [] when it is. */
export function hostDifferences(dir: string, before: HostSnapshot, options: CompareOptions = {}): string[] {
  return compareSnapshots(hostSnapshot(dir), before, options);
}

