// IIS 7+ and the features the web components need (procedure.md §1): ASP.NET 4.5, Basic
// Authentication, IIS 6 Metabase Compatibility. Only where web components live.
import type { Check } from './types.js';
import { readDword } from '../host/registry-values.js';

const COMPONENTS = 'HKLM\\SOFTWARE\\Microsoft\\InetStp\\Components';

export const checkIis: Check = async ({ host, inventory, targetMajor }) => {
  const base = { id: 'iis', title: 'IIS 7 or later with ASP.NET, Basic Authentication and IIS 6 Metabase Compatibility' };
  const needed = inventory.webComponents.length > 0;
  const version = await host.iis.version();
  if (!needed) {
    return { ...base, status: 'pass', evidence: version ? `no MFA web components here (IIS ${version.majorVersion}.${version.minorVersion} present)` : 'no MFA web components here, so IIS is not needed' };
  }
  if (!version) return { ...base, status: 'fail', evidence: 'IIS is not installed (no InetStp key) but web components are', remedy: 'Install the Web Server (IIS) role.' };
  if (version.majorVersion < 7) return { ...base, status: 'fail', evidence: `IIS ${version.majorVersion}.${version.minorVersion}`, remedy: 'IIS 7.0 or later is required (Windows Server 2008 or later).' };
  const aspnet = targetMajor >= 7 ? 'ASPNET45' : 'ASPNET';
  const wanted: Array<[string, string]> = [[aspnet, targetMajor >= 7 ? 'ASP.NET 4.5' : 'ASP.NET'], ['BasicAuthentication', 'Basic Authentication'], ['Metabase', 'IIS 6 Metabase Compatibility']];
  const missing: string[] = [];
  for (const [value, label] of wanted) if ((await readDword(host.registry, COMPONENTS, value)) !== 1) missing.push(label);
  const evidence = `IIS ${version.majorVersion}.${version.minorVersion}${missing.length ? `; missing: ${missing.join(', ')}` : '; ASP.NET, Basic Authentication and Metabase Compatibility present'}`;
  if (missing.length) {
    return { ...base, status: 'fail', evidence, remedy: `Add the IIS role services: ${missing.join(', ')} (Install-WindowsFeature Web-Asp-Net45, Web-Basic-Auth, Web-Metabase).` };
  }
  return { ...base, status: 'pass', evidence };
};
