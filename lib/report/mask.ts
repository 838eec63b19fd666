// A second net under the merge's own masking: config text shown in the report (diff lines) goes
// through here, so a secret the diff carried unmasked (an unchanged password on the same line as a
// changed value, in a one-line web.config) is still masked. lib/config/redact.ts decides what a
// secret is; this only finds the places in XML text where one can stand.
import { isSecretName, MASK, redactEmbedded } from '../config/redact.js';

/** Attributes that name a setting rather than hold a value: never secrets themselves. */
const NAMING_ATTRIBUTES = new Set(['key', 'name']);

const START_TAG = /<([A-Za-z_][\w:.-]*)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s=>/]+)(\s*=\s*)("([^"]*)"|'([^']*)')/g;

function attributeValue(attrs: string, name: string): string | undefined {
  ATTRIBUTE.lastIndex = 0;
  for (let m = ATTRIBUTE.exec(attrs); m; m = ATTRIBUTE.exec(attrs)) {
    if ((m[1] as string).toLowerCase() === name) return m[4] ?? m[5] ?? '';
  }
  return undefined;
}

/** Masks secret attribute values in one start tag's attributes. */
function maskAttributes(attrs: string): string {
  const named = attributeValue(attrs, 'key') ?? attributeValue(attrs, 'name');
  const namedSecret = named !== undefined && isSecretName(named);
  return attrs.replace(ATTRIBUTE, (whole: string, name: string, eq: string, quoted: string) => {
    const lower = name.toLowerCase();
    if (NAMING_ATTRIBUTES.has(lower)) return whole;
    const secret = (namedSecret && lower === 'value') || isSecretName(name);
    if (!secret) return whole;
    const q = quoted[0] as string;
    const inner = quoted.slice(1, -1);
    return `${name}${eq}${q}${inner === '' ? '' : MASK}${q}`;
  });
}

/**
 * Masks secrets in a piece of XML config text (one line or several): attributes named like
 * secrets, `value` of an element whose key/name is a secret, the `<value>` of a secret
 * `<setting>` (applicationSettings), and secrets embedded in any value (Password=...; user:pass@).
 */
export function maskConfigText(text: string): string {
  let out = text.replace(START_TAG, (whole: string, tag: string, attrs: string, close: string) => {
    const masked = maskAttributes(attrs);
    return masked === attrs ? whole : `<${tag}${masked}${whole.slice(1 + tag.length + attrs.length, whole.length - 1 - close.length)}${close}>`;
  });
  // <setting name="...Password..."> ... <value>secret</value> (the value may be on a later line).
  out = out.replace(/(<setting\b[^>]*>)([\s\S]*?)(<\/setting\s*>|$)/g, (whole: string, open: string, inner: string, end: string) => {
    const name = attributeValue(open, 'name');
    if (name === undefined || !isSecretName(name)) return whole;
    return `${open}${maskValueElements(inner)}${end}`;
  });
  return redactEmbedded(out);
}

function maskValueElements(inner: string): string {
  // A <value> whose end is outside this text is masked to the end.
  return inner.replace(/(<value\b[^>]*>)([\s\S]*?)(<\/value\s*>|$)/g, (_w: string, open: string, v: string, end: string) => `${open}${v.trim() === '' ? v : MASK}${end}`);
}

/** Masks a list of lines as one text (a secret's element may span them), keeping the line count. */
export function maskConfigLines(lines: string[]): string[] {
  const masked = maskConfigText(lines.join('\n')).split('\n');
  return masked.length === lines.length ? masked : lines.map(maskConfigText);
}
