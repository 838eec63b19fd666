// File names as Windows compares and refuses them. NTFS compares names by upper-casing each
// UTF-16 unit through its upcase table (simple, one-to-one case mapping), not by lower-casing
// or full case folding; a name whose folds disagree (U+017F long s upper-cases to 'S' but
// lower-cases to itself; the Kelvin sign lower-cases to 'k' but upper-cases to itself) can
// match a different file than a check that folded the other way, so such names are refused.

/** One UTF-16 unit upper-cased the way NTFS does: the simple mapping, or itself. */
function upperUnit(c: string): string {
  const u = c.toUpperCase();
  return u.length === 1 ? u : c;
}

/** A name upper-cased unit by unit, as NTFS compares names (surrogates are left alone). */
export function ntfsUpper(name: string): string {
  let ascii = true;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 0x7f) ascii = false;
  if (ascii) return name.toUpperCase();
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    out += code >= 0xd800 && code <= 0xdfff ? name[i] : upperUnit(name[i] as string);
  }
  return out;
}

/** Whether two names (or paths) are the same file on NTFS. */
export function sameName(a: string, b: string): boolean {
  return a.length === b.length && ntfsUpper(a) === ntfsUpper(b);
}

/**
 * The first character of a name whose case folds disagree: NTFS's ordinal upper case differs
 * from the invariant (full) upper case, or upper and lower case do not map back onto each
 * other. Undefined when there is none; ASCII never has one.
 */
export function caseFoldHazard(name: string): string | undefined {
  for (const ch of name) {
    if (ch.charCodeAt(0) < 0x80) continue;
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    const ordinal = ntfsUpper(ch);
    // NTFS's fold (16-bit units, simple mappings) against the invariant one (full mappings,
    // all of Unicode): a letter outside the BMP, or one like U+017F, folds one way only.
    if (ordinal !== upper || upper.toLowerCase() !== lower || lower.toUpperCase() !== upper || ntfsUpper(lower) !== ordinal) return ch;
  }
  return undefined;
}

/** Device names Win32 opens as devices whatever the folder or extension (CON, nul.txt, COM¹). */
const DEVICE = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$|clock\$)$/i;
/** An 8.3 short name (PROGRA~1, WEBCON~1.CON): on NTFS it may be another file's alias. */
const SHORT_NAME = /^[^~.\s]{1,6}~[0-9]{1,6}(\.[^.\s]{0,3})?$/;

export interface SegmentRules {
  /** Refuse 8.3-looking names (in names a bundle introduces; a machine's own roots may use them). */
  shortNames: boolean;
}

/** Why one path segment is unsafe as a Windows file or folder name, or undefined when it is safe. */
export function segmentProblem(seg: string, rules: SegmentRules = { shortNames: true }): string | undefined {
  if (seg === '' || seg === '.') return 'has an empty or "." segment';
  if (seg === '..') return 'climbs out with ".."';
  if (seg.length > 255) return 'has a name longer than 255 characters';
  if (seg.includes(':')) return 'holds a colon (a drive or an alternate data stream)';
  // eslint-disable-next-line no-control-regex
  if (/[<>"|?*\\/\u0000-\u001f]/.test(seg)) return 'has a character Windows does not allow in a name';
  if (/[. ]$/.test(seg)) return 'ends a name with a dot or a space (Windows drops them, so it names another file)';
  const base = (seg.split('.')[0] as string).replace(/ +$/, '');
  if (DEVICE.test(base)) return 'names a device (CON, NUL, COM1, ...)';
  if (rules.shortNames && SHORT_NAME.test(seg)) return 'looks like an 8.3 short name (it may be another file\'s alias)';
  const c = caseFoldHazard(seg);
  if (c !== undefined) return `holds U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}, whose upper and lower case forms match different names`;
  if (/[\ud800-\udfff]/.test(seg) && /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/.test(seg)) return 'holds a lone surrogate';
  return undefined;
}

/** Text from a bundle as it may be printed: control and bidi-override characters shown as '?', long text cut. */
export function printable(text: unknown, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const s = String(text).replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
  return s.length > max ? `${s.slice(0, max)}...` : s;
}
