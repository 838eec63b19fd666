// The one place that decides what is a secret. Every report, diff and log line about config
// values goes through here, so a password never reaches output, a log or a PowerShell pipeline.

/** What is shown in place of a secret. */
export const MASK = '********';

/**
 * Setting, attribute or node names whose values are secrets: SDK account passwords
 * (WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD, WebServiceSdkPassword), machineKey keys, API keys,
 * connection strings (they carry passwords).
 */
const SECRET_NAME = /password|passwd|passphrase|secret|pwd|credential|key$|apikey|privatekey|accesskey|accesstoken|authtoken|connectionstring/i;

/** Names that end in "key" but hold the name of something, never a secret. */
const NOT_SECRET = /^(key|keys|primarykey|foreignkey|hotkey|registrykey|monkey|keyword)$/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !NOT_SECRET.test(name.replace(/^.*[:.]/, ''));
}

/** Attributes that name the element they sit on (<add key="...">, <setting name="...">). */
export const IDENTITY_ATTRIBUTES = /^(key|name|id)$/i;

/**
 * Whether a node's value is a secret, from where it sits: any element on its path with a secret
 * name (a <WebServiceSdkPassword><Value> holds one), an element whose key/name attribute names a
 * secret (<add key="WebServiceSdkPassword" value="...">), or a secret attribute name. `path` is
 * the element names from the root down; `identities` each one's key/name values; `attribute` the
 * attribute whose value this is (not an identity attribute, whose value is a name).
 */
export function isSecretNode(path: string[], identities: Array<string | undefined>, attribute?: string): boolean {
  if (path.some(isSecretName)) return true;
  if (identities.some((v) => v !== undefined && isSecretName(v))) return attribute === undefined || !IDENTITY_ATTRIBUTES.test(attribute);
  return attribute !== undefined && isSecretName(attribute);
}

/** Secrets embedded in otherwise harmless values: "...;Password=x;..." and "https://user:pass@host". */
export function redactEmbedded(value: string): string {
  return value
    .replace(/\b([a-z0-9_.:-]*?(?:password|pwd|passwd|passphrase|secret|accountkey|sharedaccesskey))(\s*=\s*)("[^"]*"|'[^']*'|[^;]*)/gi, (_m, k: string, eq: string) => `${k}${eq}${MASK}`)
    // XML carried as a value (serializeAs="Xml"): <SdkPassword>x</SdkPassword>. Quoted attribute
    // values may hold '>' or '<'.
    .replace(/(<([a-z0-9_.:-]*(?:password|pwd|passwd|passphrase|secret)[a-z0-9_.:-]*)(?:\s(?:[^>"']|"[^"]*"|'[^']*')*)?>)([^<]+)(?=<\/\2\s*>)/gi, (_m, open: string) => `${open}${MASK}`)
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^/@\s]*@/gi, (_m, head: string) => `${head}:${MASK}@`);
}

/** A value as it may be shown: masked whole when its name says secret, else with embedded secrets masked. */
export function redact(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (isSecretName(name)) return value === '' ? '' : MASK;
  return redactEmbedded(value);
}
