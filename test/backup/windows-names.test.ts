// Windows path hazards in bundle paths (issue 17): device names (CON, nul.txt, COM¹), trailing dots
// and spaces, alternate data streams, 8.3 short names and names whose case folds disagree are
// generated, and the property requires their refusal, and requires everything else to be
// accepted. The oracle is written here from Windows' rules, apart from lib/backup/names.ts.
import test from 'ava';
import fc from 'fast-check';
import { relativeWindowsPathProblem, storedPathProblem, type Manifest } from '../../lib/backup/format.js';
import { matchGroups } from '../../lib/backup/group-match.js';

const DEVICES = ['CON', 'PRN', 'AUX', 'NUL', 'CONIN$', 'CONOUT$', 'CLOCK$', ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, '\u00b9', '\u00b2', '\u00b3'].flatMap((n) => [`COM${n}`, `LPT${n}`])];
/** Letters whose upper and lower case forms do not map back onto each other. */
const FOLD_HAZARDS = ['\u017f', '\u0131', '\u0130', '\u212a', '\u212b', '\u2126', '\u00df', '\u1e9e', '\u00b5', '\u03c2'];

/** Why Windows would not store a segment as itself, by its documented naming rules; undefined if it would. */
function hazard(seg: string, shortNames: boolean): string | undefined {
  if (seg === '' || seg === '.' || seg === '..') return 'relative or empty';
  for (const ch of seg) {
    const c = ch.codePointAt(0) as number;
    if (c < 32 || '<>:"/\\|?*'.includes(ch)) return 'reserved character';
  }
  if (seg.endsWith('.') || seg.endsWith(' ')) return 'trailing dot or space';
  const stem = (seg.split('.')[0] as string).replace(/ +$/, '').toUpperCase();
  if (DEVICES.includes(stem)) return 'device';
  if (shortNames && /^[^~.\s]{1,6}~[0-9]{1,6}(\.[^.\s]{0,3})?$/.test(seg)) return '8.3';
  // NTFS upper-cases each UTF-16 unit through a table of simple mappings; .NET's invariant
  // comparison uses full case mappings: they disagree where a letter's upper and lower forms do
  // not map back onto each other, and on letters outside the BMP (which NTFS never folds).
  const foldsDisagree = (ch: string) =>
    FOLD_HAZARDS.includes(ch) ||
    ((ch.codePointAt(0) as number) > 0x7f && (ch.toUpperCase().toLowerCase() !== ch.toLowerCase() || ch.toLowerCase().toUpperCase() !== ch.toUpperCase())) ||
    ((ch.codePointAt(0) as number) > 0xffff && ch.toUpperCase() !== ch.toLowerCase());
  if ([...seg].some(foldsDisagree)) return 'case fold';
  if (seg.length > 255) return 'too long';
  return undefined;
}

const casing = (s: string) => fc.tuple(fc.constant(s), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })).map(([x, ups]) => [...x].map((c, i) => (ups[i] ? c.toUpperCase() : c.toLowerCase())).join(''));
const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('web.config', 'Contoso.css', 'images', 'App_Themes', 'PhoneFactor.pfdata', 'logo.png', 'Data', 'con.txt.bak'.slice(1), 'console.log', 'nullable', 'COM10', 'LPT', 'a~b', 'x~1y.txt', 'café.css', '日本語.css', 'Ω.txt') },
  { weight: 2, arbitrary: fc.constantFrom(...DEVICES).chain((d) => fc.tuple(casing(d), fc.constantFrom('', '.txt', '.css.bak', ' ', ' .txt', '.')).map(([c, ext]) => `${c}${ext}`)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('web.config', 'Contoso.css', 'x'), fc.constantFrom('.', ' ', '. ', '..', ' .')).map(([n, tail]) => `${n}${tail}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('web.config', 'Contoso.css', 'x'), fc.constantFrom(':evil', '::$DATA', ':Zone.Identifier:$DATA')).map(([n, s]) => `${n}${s}`) },
  { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[A-Z0-9_]{1,6}$/), fc.integer({ min: 1, max: 99 }), fc.constantFrom('', '.CON', '.CSS', '.X')).map(([a, n, e]) => `${a}~${n}${e}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Conto', 'imag', 'Data'), fc.constantFrom(...FOLD_HAZARDS), fc.constantFrom('o.css', 'e.png', '')).map(([a, h, b]) => `${a}${h}${b}`) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', '..', 'a<b', 'a|b', 'a"b', 'a*b', 'a?b', 'tab\there') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }) },
);

/** Segments as a path holds them: separators are what splits them, never part of one. */
const pathSegment = segment.filter((s) => !s.includes('\\') && !s.includes('/'));

test('property: a path below a restore root is refused exactly when a segment is a Windows hazard (8.3 names included)', (t) => {
  fc.assert(
    fc.property(fc.array(pathSegment, { minLength: 1, maxLength: 4 }), (segs) => {
      const expected = segs.map((s) => hazard(s, true)).find((h) => h !== undefined);
      const got = relativeWindowsPathProblem(segs.join('\\'));
      return expected === undefined ? got === undefined : got !== undefined;
    }),
    { numRuns: 5000 },
  );
  t.pass();
});

test('property: a stored bundle path is refused exactly when a segment is a Windows hazard (a machine folder may be an 8.3 name)', (t) => {
  fc.assert(
    fc.property(fc.array(pathSegment, { minLength: 1, maxLength: 4 }), (segs) => {
      const expected = segs.map((s) => hazard(s, false)).find((h) => h !== undefined);
      const got = storedPathProblem(['snapshot', 'drive', 'C', ...segs].join('/'));
      return expected === undefined ? got === undefined : got !== undefined;
    }),
    { numRuns: 5000 },
  );
  t.pass();
});

const PORTAL = 'C:\\inetpub\\wwwroot\\PhoneFactor';
function manifestWithTheme(file: string): Manifest {
  return {
    format: 'mfa-upgrade/backup-bundle',
    formatVersion: 2,
    tool: { name: 'mfa-upgrade', version: 'test' },
    createdAt: '2025-01-31T10:00:00.000Z',
    host: { computerName: 'X', os: '', kind: 'image', location: '' },
    role: 'unknown',
    server: null,
    consistency: { method: 'no-data-file', stopped: [] },
    encryption: null,
    files: [{ stored: 'snapshot/x', original: `${PORTAL}\\App_Themes\\Contoso\\${file}`, size: 1, sha256: '0'.repeat(64), tags: ['theme'] }],
    directories: [],
    groups: [
      { kind: 'webComponent', component: 'userPortal', site: 'Default Web Site', vdir: 'PhoneFactor', original: PORTAL, webConfig: null },
      { kind: 'theme', component: 'userPortal', vdir: 'PhoneFactor', name: 'Contoso', original: `${PORTAL}\\App_Themes\\Contoso` },
    ],
    notTaken: [],
    warnings: [],
  };
}

test('property: restore refuses a bundle whose theme file names a hazard, and accepts one whose name is safe', (t) => {
  fc.assert(
    fc.property(pathSegment.filter((s) => s !== '' && s !== '.' && s !== '..'), (name) => {
      const { problems } = matchGroups(manifestWithTheme(name));
      return hazard(name, true) === undefined ? problems.length === 0 : problems.length > 0;
    }),
    { numRuns: 3000 },
  );
  t.pass();
});

test('the generator does produce each kind of hazard', (t) => {
  const kinds = new Set(fc.sample(segment, 4000).map((s) => hazard(s, true) ?? 'safe'));
  for (const k of ['device', 'trailing dot or space', 'reserved character', '8.3', 'case fold', 'relative or empty', 'safe']) t.true(kinds.has(k), k);
});
