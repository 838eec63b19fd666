// The Iis port, read from applicationHost.config through the Files port. The same reader serves
// the live machine and image hosts. (Why not AHADMIN: see README "IIS".)
import { decodeText, type DecodedText } from '../../config/xml/codec.js';
import { MfaError } from '../../errors.js';
import { joinWindowsPath, windowsDirname } from '../../util/winpath.js';
import { readDword, systemRoot } from '../registry-values.js';
import type { Files, Iis, IisInstall, IisSite, Registry } from '../ports.js';
import { APPHOST_CONFIG, findSites, parseIisXml, readSites } from './apphost-config.js';

const INETSTP = 'HKLM\\SOFTWARE\\Microsoft\\InetStp';

export class ConfigIis implements Iis {
  constructor(
    private readonly files: Files,
    private readonly registry: Registry,
  ) {}

  async version(): Promise<IisInstall | undefined> {
    const major = await readDword(this.registry, INETSTP, 'MajorVersion');
    if (major === undefined) return undefined;
    return { majorVersion: major, minorVersion: (await readDword(this.registry, INETSTP, 'MinorVersion')) ?? 0 };
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
    const root = await systemRoot(this.registry);
    const vars: Record<string, string> = {
      SYSTEMDRIVE: root.slice(0, 2),
      SYSTEMROOT: root,
      WINDIR: root,
      PROGRAMFILES: `${root.slice(0, 2)}\\Program Files`,
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
