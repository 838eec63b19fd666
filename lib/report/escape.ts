// The one way text gets into the report. Names come from hosts nobody on the team wrote (vdirs,
// setting keys, farm names): every piece of text is escaped for where it lands, and markup is only
// ever built by this module's callers from constants.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values (HTML and SVG alike). */
export function esc(text: string | number): string {
  return stripControls(String(text)).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/**
 * Control characters other than tab and newlines have no place in a report, and a NUL or a lone
 * surrogate makes some viewers stop parsing: shown as U+FFFD.
 */
export function stripControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Markup that is already safe (built from constants and esc()): kept apart from text by type. */
export interface Html {
  readonly html: string;
}

export function raw(html: string): Html {
  return { html };
}

/** A template tag: interpolated strings and numbers are escaped, Html values and arrays of them are not. */
export function h(strings: TemplateStringsArray, ...values: Array<string | number | Html | Html[] | undefined | null | false>): Html {
  let out = strings[0] as string;
  values.forEach((v, i) => {
    out += piece(v) + (strings[i + 1] as string);
  });
  return { html: out };
}

function piece(v: string | number | Html | Html[] | undefined | null | false): string {
  if (v === undefined || v === null || v === false) return '';
  if (Array.isArray(v)) return v.map((x) => x.html).join('');
  if (typeof v === 'object') return v.html;
  return esc(v);
}

export function join(parts: Html[], separator = ''): Html {
  return { html: parts.map((p) => p.html).join(separator) };
}

/**
 * Escaped text with break opportunities after path and list separators (\ / . _ , ; = & -) in long
 * words, so a registry path, URL or command can wrap in a table cell instead of widening the page;
 * short words (a version number) are left whole.
 */
export function wrap(text: string | number): Html {
  const html = String(text)
    .split(/(\s+)/)
    .map((word) => (word.length > 20 ? word.split(/(?<=[\\/._,;=&-])/).map((p) => esc(p)).join('<wbr>') : esc(word)))
    .join('');
  return { html };
}
