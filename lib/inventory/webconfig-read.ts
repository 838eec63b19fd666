// Reads the few facts inventory needs from a web component's web.config: appSettings values
// and the SDK URL setting (found by its _pfwssdk_PfWsSdk suffix, never by a section group name).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { badInput } from '../errors.js';
import { decodeXmlBytes } from '../host/iis/config-iis.js';

export const SDK_SETTING_SUFFIX = '_pfwssdk_PfWsSdk';

export interface WebConfigFacts {
  appSettings: Map<string, string>;
  sdkSetting: { name: string; value: string } | null;
}

type Node = Record<string, unknown>;

export function readWebConfigFacts(bytes: Buffer, file: string): WebConfigFacts {
  const text = decodeXmlBytes(bytes);
  if (/<!DOCTYPE/i.test(text)) throw badInput('web.config must not contain a DOCTYPE (entity declarations are refused)', file, { code: 'XML_DOCTYPE' });
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw badInput(`malformed XML: ${valid.err.msg}`, file, { code: 'XML_MALFORMED', line: valid.err.line });
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: true, htmlEntities: false, parseTagValue: false, parseAttributeValue: false }).parse(text) as Node;
  const config = doc['configuration'] as Node | undefined;
  if (!config || typeof config !== 'object') throw badInput('not a .NET configuration file (no <configuration> root)', file, { code: 'XML_NOT_CONFIG' });
  const appSettings = new Map<string, string>();
  for (const node of asArray((config['appSettings'] as Node | undefined)?.['add'])) {
    const key = node['@key'];
    if (typeof key === 'string') appSettings.set(key, String(node['@value'] ?? ''));
  }
  let sdkSetting: WebConfigFacts['sdkSetting'] = null;
  const groups = config['applicationSettings'];
  if (groups && typeof groups === 'object') {
    for (const section of Object.values(groups as Node)) {
      for (const setting of asArray((section as Node | undefined)?.['setting'])) {
        const name = setting['@name'];
        if (typeof name === 'string' && name.endsWith(SDK_SETTING_SUFFIX)) {
          const value = setting['value'];
          sdkSetting = { name, value: typeof value === 'string' ? value.trim() : '' };
        }
      }
    }
  }
  return { appSettings, sdkSetting };
}

function asArray(v: unknown): Node[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is Node => typeof x === 'object' && x !== null);
}
