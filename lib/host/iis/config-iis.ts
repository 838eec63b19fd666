// The Iis port, read from applicationHost.config through the Files port. The same reader serves
// the live machine and image hosts. (Why not AHADMIN: see README "IIS".)
import { decodeText, type DecodedText } from '../../config/xml/codec.js';
import { MfaError } from '../../errors.js';
import { joinWindowsPath, windowsDirname } from '../../util/winpath.js';
import type { Files, Iis, IisInstall, IisSite, Registry } from '../ports.js';
import { APPHOST_CONFIG, findSites, parseIisXml, readSites } from './apphost-config.js';

const INETSTP = 'HKLM\\SOFTWARE\\Microsoft\\InetStp';

export class ConfigIis implements Iis {
  constructor(
    private readonly files: Files,
    private readonly registry: Registry,
  ) {}

  async version(): Promise<IisInstall | undefined> {
    const major = await this.registry.getValue(INETSTP, 'MajorVersion');
    if (major?.type !== 'REG_DWORD') return undefined;
    const minor = await this.registry.getValue(INETSTP, 'MinorVersion');
    return { majorVersion: major.data, minorVersion: minor?.type === 'REG_DWORD' ? minor.data : 0 };
  }

  async sites(): Promise<IisSite[]> {
    if (!(await this.files.stat(APPHOST_CONFIG))) return [];
    const doc = parseIisXml((await readConfigText(this.files, APPHOST_CONFIG)).text, APPHOST_CONFIG);
    let { sites } = findSites(doc);
    const moved = movedSitesFile(doc);
    if (moved !== undefined) {
      sites = parseIisXml((await readConfigText(this.files, moved)).text, moved)['sites'] as Record<string, unknown> | undefined;
      if (!sites) throw new MfaError(`'${moved}' has no <sites> root element`, { code: 'BAD_INPUT', target: moved, exitCode: 3 });
    }
    if (!sites) return [];
    const expand = await this.expander();
    return readSites(sites, expand);
  }

  /** %SystemDrive%, %windir% and the like, from the machine's own registry. */
  private async expander(): Promise<(raw: string) => string> {
    const root = await this.registry.getValue('HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', 'SystemRoot');
    const systemRoot = root?.type === 'REG_SZ' || root?.type === 'REG_EXPAND_SZ' ? root.data : 'C:\\Windows';
    const vars: Record<string, string> = {
      SYSTEMDRIVE: systemRoot.slice(0, 2),
      SYSTEMROOT: systemRoot,
      WINDIR: systemRoot,
      PROGRAMFILES: `${systemRoot.slice(0, 2)}\\Program Files`,
    };
    return (raw) => raw.replace(/%([^%]+)%/g, (m, name: string) => vars[name.toUpperCase()] ?? m);
  }
}

/** An IIS configuration file's text and format (IIS writes UTF-8, with or without a BOM). */
export async function readConfigText(files: Files, path: string): Promise<DecodedText> {
  return decodeText(await files.readFile(path), path);
}

/**
 * The file <sites> was moved to with configSource (a name in the configuration folder), or
 * undefined when the sites are in applicationHost.config itself.
 */
export function movedSitesFile(doc: ReturnType<typeof parseIisXml>): string | undefined {
  const { configSource } = findSites(doc);
  if (configSource === undefined) return undefined;
  if (/^[\\/]|:|\.\./.test(configSource)) {
    throw new MfaError(`configSource '${configSource}' must be a file name relative to the configuration folder`, { code: 'BAD_INPUT', target: APPHOST_CONFIG, exitCode: 3 });
  }
  return joinWindowsPath(windowsDirname(APPHOST_CONFIG), configSource);
}
