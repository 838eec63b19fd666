// LEGACY comparison, kept only because test/upgrade/crash.test.ts still uses it until the lead
// switches the crash tier to the strict one. It ignores inetsrv/config, C:\Windows\Installer and
// C:\Windows\Logs, and reduces IIS to a sorted list of applications without bindings, pools'
// settings or attributes. New tests use the STRICT comparison exported below (host-snapshot.ts):
//
//   const before = strictHostState(dir);  ...;  t.deepEqual(strictHostDifferences(dir, before), []);
//
// The state of an image host: registry values, products (without their cached packages),
// services, IIS applications, and every file's bytes except installer caches, logs and IIS config.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { decodeRegBytes } from '../../lib/host/image/reg-file.js';
import { RegistryTree } from '../../lib/host/image/registry-tree.js';
import { openImageHost } from '../../lib/host/image/image-host.js';

export {
  hostSnapshot as strictHostState,
  compareSnapshots as compareStrictHostStates,
  hostDifferences as strictHostDifferences,
  type HostSnapshot as StrictHostState,
  type CompareOptions as StrictCompareOptions,
} from './host-snapshot.js';

/** LEGACY (see the top of this file). */
export interface HostState {
  registry: string[];
  products: string[];
  services: string[];
  iis: string[];
  files: Record<string, string>;
  lock: boolean;
}

// Also ignored here (legacy): the MFA Server service log, which gains its conversion line when the
// new server starts and keeps it after a rollback (a file no package laid down).
const IGNORED = [/^drive\/C\/.*\/Logs\/MultiFactorAuthSvc\.log$/i, /^drive\/C\/Windows\/Installer\//i, /^drive\/C\/Windows\/Logs\//i, /^drive\/C\/Windows\/System32\/inetsrv\/config\//i];

/** LEGACY (see the top of this file): use strictHostState. */
export async function hostState(dir: string): Promise<HostState> {
  const regFile = join(dir, 'registry.reg');
  const tree = RegistryTree.fromText(decodeRegBytes(readFileSync(regFile)), regFile);
  const registry = tree
    .exportKeys()
    .flatMap((k) => [`[${k.path.toUpperCase()}]`, ...k.values.map((v) => `${k.path.toUpperCase()}\\${v.name}=${JSON.stringify(v.value, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x))}`)])
    .sort();
  const products = (JSON.parse(readFileSync(join(dir, 'products.json'), 'utf8')) as Array<Record<string, unknown>>)
    .map(({ localPackage: _l, ...p }) => JSON.stringify(p, Object.keys(p).sort()))
    .sort();
  const services = (JSON.parse(readFileSync(join(dir, 'services.json'), 'utf8')) as Array<Record<string, unknown>>).map((s) => JSON.stringify(s, Object.keys(s).sort())).sort();
  const host = await openImageHost(dir);
  const iis = (await host.iis.sites()).flatMap((s) => s.applications.map((a) => `${s.name}${a.path} pool=${a.applicationPool} ${a.virtualDirectories.map((v) => `${v.path}=${v.physicalPath}`).join(',')}`)).sort();
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      const rel = relative(dir, full).split(sep).join('/');
      if (IGNORED.some((re) => re.test(rel))) continue;
      if (e.isDirectory()) walk(full);
      else files[rel] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(join(dir, 'drive'));
  return { registry, products, services, iis, files, lock: existsSync(join(dir, 'msiexec.lock')) };
}
