// The Iis port, read from applicationHost.config through the Files port. The same reader serves
// the live machine and image hosts. (Why not AHADMIN: see README "IIS".)
import { MfaError } from '../../errors.js';
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
    const text = decodeXmlBytes(await this.files.readFile(APPHOST_CONFIG));
    const doc = parseIisXml(text, APPHOST_CONFIG);
    let { sites, configSource } = findSites(doc);
    if (configSource !== undefined) {
      if (/^[\\/]|:|\.\./.test(configSource)) {
        throw new MfaError(`configSource '${configSource}' must be a file name relative to the configuration folder`, { code: 'BAD_INPUT', target: APPHOST_CONFIG, exitCode: 3 });
      }
      const path = APPHOST_CONFIG.replace(/[^\\]+$/, configSource);
      const moved = parseIisXml(decodeXmlBytes(await this.files.readFile(path)), path);
      sites = moved['sites'] as Record<string, unknown> | undefined;
      if (!sites) throw new MfaError(`'${configSource}' has no <sites> root element`, { code: 'BAD_INPUT', target: path, exitCode: 3 });
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

/** XML bytes to text: BOM-led UTF-16 or UTF-8 (IIS writes UTF-8 with a BOM). */
export function decodeXmlBytes(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}
