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

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Secrets embedded in otherwise harmless values: "...;Password=x;..." and "https://user:pass@host". */
export function redactEmbedded(value: string): string {
  return value
    .replace(/\b(password|pwd|passwd|accountkey|sharedaccesskey)(\s*=\s*)("[^"]*"|'[^']*'|[^;]*)/gi, (_m, k: string, eq: string) => `${k}${eq}${MASK}`)
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*):[^/@\s]*@/gi, (_m, head: string) => `${head}:${MASK}@`);
}

/** A value as it may be shown: masked whole when its name says secret, else with embedded secrets masked. */
export function redact(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (isSecretName(name)) return value === '' ? '' : MASK;
  return redactEmbedded(value);
}
