// The few facts inventory needs from a web component's web.config, read by the same rules the
// merge uses (lib/config: ASP.NET's clear/remove/later-add-wins): the top-level appSettings, and
// the SDK URL setting, found by its _pfwssdk_PfWsSdk suffix, never by a section group name.
import { isSdkUrlSetting, readWebConfigSettings } from '../config/webconfig/settings.js';
import { loadXmlDocument } from '../config/xml/document.js';

export interface WebConfigFacts {
  appSettings: Map<string, string>;
  sdkSetting: { name: string; value: string } | null;
}

export function readWebConfigFacts(bytes: Buffer, file: string): WebConfigFacts {
  const top = readWebConfigSettings(loadXmlDocument(bytes, file, 'web.config')).settings.filter((s) => s.scope === '');
  const sdk = top.filter(isSdkUrlSetting).slice(-1)[0];
  return {
    appSettings: new Map(top.filter((s) => s.kind === 'appSetting').map((s) => [s.key, s.value])),
    sdkSetting: sdk ? { name: sdk.key, value: sdk.value.trim() } : null,
  };
}
