// The Network port of an image host. An image has no network of its own: host.json says which
// outside names answered on 443 ("reachable"), and an HTTP request to this machine is answered
// the way its IIS would, from the image's own state: no site bound to the port and protocol is a
// refused connection; a path no application or folder serves is 404; a web.config that does not
// load is 500; otherwise 200. host.json "http" ({ "<url>": <status> | "refused" }) overrides an
// answer, for what an image cannot know (an application that fails at run time, a 401).
import { loadXmlDocument } from '../../config/xml/document.js';
import { joinWindowsPath } from '../../util/winpath.js';
import type { HttpProbeResult, Iis, IisSite, Network } from '../ports.js';
import type { ImageFiles } from './files.js';
import type { ImageHostJson } from './host-json.js';

function bindingPort(info: string): number | undefined {
  const port = Number(info.split(':')[1]);
  return Number.isInteger(port) ? port : undefined;
}

function isLocal(name: string, computer: string): boolean {
  const n = name.toLowerCase();
  const c = computer.toLowerCase();
  return n === 'localhost' || n === '127.0.0.1' || n === '[::1]' || n === c || n.startsWith(`${c}.`);
}

export class ImageNetwork implements Network {
  constructor(
    private readonly hostJson: ImageHostJson,
    private readonly iis: Iis,
    private readonly files: ImageFiles,
  ) {}

  async canConnect(name: string, port: number): Promise<boolean> {
    return port === 443 && this.hostJson.reachable?.[name] === true;
  }

  async httpProbe(url: string): Promise<HttpProbeResult> {
    const given = this.hostJson.http?.[url];
    if (given !== undefined) return given === 'refused' ? { error: 'connection refused' } : { status: given };
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { error: `not a URL: ${url}` };
    }
    const sites = await this.iis.sites();
    // A name one of this machine's sites is bound to reaches it too (a host-header binding).
    const bound = sites.some((s) => s.bindings.some((b) => (b.bindingInformation.split(':')[2] ?? '').toLowerCase() === u.hostname.toLowerCase() && u.hostname !== ''));
    if (!bound && !isLocal(u.hostname, this.hostJson.computerName ?? 'IMAGE')) return { error: `${u.hostname} cannot be reached from an image host` };
    const protocol = u.protocol.replace(/:$/, '');
    const port = u.port ? Number(u.port) : protocol === 'https' ? 443 : 80;
    const hostOf = (info: string) => (info.split(':')[2] ?? '').toLowerCase();
    const matches = (s: IisSite) => s.bindings.some((b) => b.protocol.toLowerCase() === protocol && bindingPort(b.bindingInformation) === port && (hostOf(b.bindingInformation) === '' || hostOf(b.bindingInformation) === u.hostname.toLowerCase()));
    const site = sites.find(matches);
    if (!site) return { error: 'connection refused' };
    const path = decodeURIComponent(u.pathname);
    const apps = site.applications
      .filter((a) => a.path === '/' || path.toLowerCase() === a.path.toLowerCase() || path.toLowerCase().startsWith(`${a.path.toLowerCase()}/`))
      .sort((a, b) => b.path.length - a.path.length);
    const app = apps[0];
    const root = app?.virtualDirectories.find((v) => v.path === '/');
    if (!app || !root) return { status: 404 };
    const rest = path.slice(app.path === '/' ? 1 : app.path.length + 1);
    const config = joinWindowsPath(root.physicalPath, 'web.config');
    if (await this.files.stat(config)) {
      try {
        loadXmlDocument(await this.files.readFile(config), config, 'web.config');
      } catch {
        return { status: 500 };
      }
    }
    const target = rest === '' ? root.physicalPath : joinWindowsPath(root.physicalPath, ...rest.split('/').filter(Boolean));
    const st = await this.files.stat(target);
    return st ? { status: 200 } : { status: 404 };
  }
}
