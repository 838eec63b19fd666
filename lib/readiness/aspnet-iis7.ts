// ASP.NET 4 as IIS 7.0 / 7.5 knows it (DOMAIN.md §6). There the InetStp\Components value ASPNET45
// never exists (IIS 8 and later write it); ASP.NET 4.x comes with .NET Framework 4.x and is
// registered with IIS by aspnet_regiis.exe -i, which leaves its evidence in applicationHost.config:
// an isapiCgiRestriction entry for v4.0.30319\aspnet_isapi.dll (allowed, or unlisted ISAPIs
// allowed) and handlers whose preCondition names runtimeVersionv4.0. Read through the Files port,
// the same file IIS reads.
import type { Host } from '../host/ports.js';
import { APPHOST_CONFIG, parseIisXml } from '../host/iis/apphost-config.js';
import { readConfigText } from '../host/iis/config-iis.js';
import { systemRoot } from '../host/registry-values.js';

type Node = Record<string, unknown>;

export interface AspNet4Registration {
  file: string;
  /** isapiCgiRestriction entries for the v4.0.30319 aspnet_isapi.dll (32- and 64-bit). */
  isapi: Array<{ path: string; allowed: boolean; bitness: 32 | 64 }>;
  notListedIsapisAllowed: boolean;
  /** Handlers registered for the v4.0 runtime. */
  v4Handlers: number;
}

const list = (v: unknown): Node[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).filter((x): x is Node => typeof x === 'object' && x !== null);
const obj = (v: unknown, key: string): Node | undefined => list((v as Node | undefined)?.[key])[0];
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Every <system.webServer> of the file: at the top, and inside <location> (path="" is the server level). */
function webServers(config: Node | undefined): Node[] {
  if (!config) return [];
  return [...list(config['system.webServer']), ...list(config['location']).flatMap((l) => list(l['system.webServer']))];
}

/** undefined when applicationHost.config is not there. */
export async function readAspNet4Registration(host: Host): Promise<AspNet4Registration | undefined> {
  if (!(await host.files.stat(APPHOST_CONFIG))) return undefined;
  const doc = parseIisXml((await readConfigText(host.files, APPHOST_CONFIG)).text, APPHOST_CONFIG);
  const root = await systemRoot(host.registry);
  const expand = (p: string) => p.replace(/%(windir|systemroot)%/gi, root).replace(/%systemdrive%/gi, root.slice(0, 2));
  const out: AspNet4Registration = { file: APPHOST_CONFIG, isapi: [], notListedIsapisAllowed: false, v4Handlers: 0 };
  for (const ws of webServers(obj(doc, 'configuration'))) {
    const restriction = obj(obj(ws, 'security'), 'isapiCgiRestriction');
    if (restriction) {
      if (str(restriction['notListedIsapisAllowed'])?.toLowerCase() === 'true') out.notListedIsapisAllowed = true;
      for (const add of list(restriction['add'])) {
        const path = expand(str(add['path']) ?? '');
        if (!/\\v4\.0\.30319\\aspnet_isapi\.dll$/i.test(path)) continue;
        out.isapi.push({ path, allowed: str(add['allowed'])?.toLowerCase() === 'true', bitness: /\\Framework64\\/i.test(path) ? 64 : 32 });
      }
    }
    for (const add of list(obj(ws, 'handlers')?.['add'])) if (/runtimeVersionv4\.0/i.test(str(add['preCondition']) ?? '')) out.v4Handlers++;
  }
  return out;
}
