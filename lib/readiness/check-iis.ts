// IIS 7+ and the features the web components need (procedure.md §1): ASP.NET (4.5 from MFA
// Server 7 on), Basic Authentication, IIS 6 Metabase Compatibility. Only where web components live.
// IIS 8 and later record ASP.NET 4.5 as the InetStp\Components value ASPNET45; IIS 7.0 / 7.5
// (Windows Server 2008 / 2008 R2) never do: there ASP.NET 4 is registered with IIS by
// aspnet_regiis -i, which applicationHost.config shows (aspnet-iis7.ts). Remedies name commands
// that exist on the machine's Windows version (DOMAIN.md §6).
import type { Check, CheckResult } from './types.js';
import { readDword, readString } from '../host/registry-values.js';
import { readAspNet4Registration } from './aspnet-iis7.js';
import { readOs, type OsInfo } from './os-info.js';
import type { IisInstall } from '../host/ports.js';

const COMPONENTS = 'HKLM\\SOFTWARE\\Microsoft\\InetStp\\Components';

interface RoleService {
  /** The InetStp\Components value IIS writes for it. */
  value: string;
  label: string;
  /** The server role service name (Add-WindowsFeature / Install-WindowsFeature / ServerManagerCmd). */
  feature: string;
  /** Where "Turn Windows features on or off" shows it on a client OS. */
  clientPath: string;
}

const BASIC: RoleService = { value: 'BasicAuthentication', label: 'Basic Authentication', feature: 'Web-Basic-Auth', clientPath: 'World Wide Web Services > Security > Basic Authentication' };
const METABASE: RoleService = { value: 'Metabase', label: 'IIS 6 Metabase Compatibility', feature: 'Web-Metabase', clientPath: 'Web Management Tools > IIS 6 Management Compatibility > IIS Metabase and IIS 6 configuration compatibility' };
const ASPNET: RoleService = { value: 'ASPNET', label: 'ASP.NET', feature: 'Web-Asp-Net', clientPath: 'World Wide Web Services > Application Development Features > ASP.NET' };
const ASPNET45: RoleService = { value: 'ASPNET45', label: 'ASP.NET 4.5', feature: 'Web-Asp-Net45', clientPath: 'World Wide Web Services > Application Development Features > ASP.NET 4.5 (4.6, 4.7, 4.8)' };

/** The command that adds role services on this Windows version. */
function addFeatures(os: OsInfo | undefined, iis: IisInstall, missing: RoleService[]): string {
  const names = missing.map((m) => m.feature);
  const server = os?.server ?? true;
  if (!server) return `Turn Windows features on or off > Internet Information Services: ${missing.map((m) => m.clientPath).join('; ')}`;
  const version = os ? os.major * 10 + os.minor : iis.majorVersion === 7 ? 60 + iis.minorVersion / 5 : 62;
  // Windows Server 2008: ServerManagerCmd; 2008 R2: the ServerManager module's Add-WindowsFeature; 2012 on: Install-WindowsFeature.
  if (version < 61) return `ServerManagerCmd.exe -install ${names.join(' ')}`;
  if (version < 62) return `Import-Module ServerManager; Add-WindowsFeature ${names.join(', ')}`;
  return `Install-WindowsFeature ${names.join(', ')}`;
}

async function missingValues(check: Parameters<Check>[0], wanted: RoleService[]): Promise<RoleService[]> {
  const out: RoleService[] = [];
  for (const w of wanted) if ((await readDword(check.host.registry, COMPONENTS, w.value)) !== 1) out.push(w);
  return out;
}

export const checkIis: Check = async (ctx) => {
  const { host, inventory, targetMajor } = ctx;
  const base = { id: 'iis', title: 'IIS 7 or later with ASP.NET, Basic Authentication and IIS 6 Metabase Compatibility' };
  const needed = inventory.webComponents.length > 0;
  const version = await host.iis.version();
  if (!needed) {
    return { ...base, status: 'pass', evidence: version ? `no MFA web components here (IIS ${version.majorVersion}.${version.minorVersion} present)` : 'no MFA web components here, so IIS is not needed' };
  }
  if (!version) return { ...base, status: 'fail', evidence: 'IIS is not installed (no InetStp key) but web components are', remedy: 'Install the Web Server (IIS) role.' };
  if (version.majorVersion < 7) return { ...base, status: 'fail', evidence: `IIS ${version.majorVersion}.${version.minorVersion}`, remedy: 'IIS 7.0 or later is required (Windows Server 2008 or later).' };
  const os = await readOs(host);
  const iis = `IIS ${version.majorVersion}.${version.minorVersion}`;
  if (version.majorVersion > 7) {
    const missing = await missingValues(ctx, [targetMajor >= 7 ? ASPNET45 : ASPNET, BASIC, METABASE]);
    const evidence = `${iis}; ${missing.length ? `missing: ${missing.map((m) => m.label).join(', ')} (${COMPONENTS})` : `${targetMajor >= 7 ? 'ASP.NET 4.5' : 'ASP.NET'}, Basic Authentication and Metabase Compatibility present`}`;
    if (missing.length) return { ...base, status: 'fail', evidence, remedy: `Add the IIS role services: ${addFeatures(os, version, missing)}.` };
    return { ...base, status: 'pass', evidence };
  }
  return iis7(ctx, base, iis, version, os);
};

/** IIS 7.0 / 7.5: the role services from InetStp\Components, ASP.NET 4 from applicationHost.config. */
async function iis7(ctx: Parameters<Check>[0], base: { id: string; title: string }, iis: string, version: IisInstall, os: OsInfo | undefined): Promise<CheckResult> {
  const missing = await missingValues(ctx, [ASPNET, BASIC, METABASE]);
  const problems: string[] = [];
  const remedies: string[] = [];
  if (missing.length) {
    problems.push(`missing: ${missing.map((m) => m.label).join(', ')} (${COMPONENTS})`);
    remedies.push(`Add the IIS role services: ${addFeatures(os, version, missing)}.`);
  }
  let found = '';
  if (ctx.targetMajor >= 7) {
    const reg = await readAspNet4Registration(ctx.host);
    const arch = await readString(ctx.host.registry, 'HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment', 'PROCESSOR_ARCHITECTURE');
    const framework = arch?.toLowerCase() === 'x86' ? 'Framework' : 'Framework64';
    const regiis = `%windir%\\Microsoft.NET\\${framework}\\v4.0.30319\\aspnet_regiis.exe -i`;
    const allowed = reg?.isapi.filter((i) => i.allowed) ?? [];
    if (!reg) {
      problems.push('applicationHost.config is missing, so ASP.NET 4 cannot be registered with IIS');
      remedies.push('Repair the IIS installation.');
    } else if (reg.v4Handlers === 0 || (reg.isapi.length === 0 && !reg.notListedIsapisAllowed)) {
      problems.push(`ASP.NET 4 is not registered with ${iis} (${reg.file} has ${reg.isapi.length ? '' : 'no isapiCgiRestriction entry for v4.0.30319\\aspnet_isapi.dll and '}${reg.v4Handlers} handler(s) for runtimeVersionv4.0)`);
      remedies.push(`Install .NET Framework 4.5 or later, then register ASP.NET 4 with IIS: ${regiis}.`);
    } else if (allowed.length === 0 && !reg.notListedIsapisAllowed) {
      const path = reg.isapi[0]?.path ?? '';
      problems.push(`ASP.NET 4 is registered but not allowed: isapiCgiRestriction lists ${reg.isapi.map((i) => i.path).join(', ')} with allowed="false"`);
      remedies.push(`Allow it (IIS Manager > server > ISAPI and CGI Restrictions > ASP.NET v4.0.30319 > Allow), or: %windir%\\system32\\inetsrv\\appcmd.exe set config -section:system.webServer/security/isapiCgiRestriction "/[path='${path}'].allowed:True" /commit:apphost.`);
    } else {
      found = `; ASP.NET 4 registered with IIS (${allowed.length ? `${allowed.map((i) => `${i.bitness}-bit`).join(' and ')} aspnet_isapi.dll allowed` : 'unlisted ISAPI extensions allowed'}, ${reg.v4Handlers} v4.0 handlers in ${reg.file})`;
    }
  }
  if (problems.length) return { ...base, status: 'fail', evidence: `${iis}; ${problems.join('; ')}`, remedy: remedies.join(' ') };
  return { ...base, status: 'pass', evidence: `${iis}; ASP.NET, Basic Authentication and Metabase Compatibility present${found}` };
}
