// Finds where IIS serves a component now (site/vdir), falling back to the planned folder.
import type { Host } from '../../host/ports.js';

export async function physicalPathOf(host: Host, site: string, vdir: string, fallback: string): Promise<string> {
  for (const s of await host.iis.sites()) {
    if (s.name.toLowerCase() !== site.toLowerCase()) continue;
    const app = s.applications.find((a) => a.path.toLowerCase() === `/${vdir}`.toLowerCase());
    const root = app?.virtualDirectories.find((v) => v.path === '/');
    if (root) return root.physicalPath;
  }
  return fallback;
}
