// The bundle path rules one case a line, each with the reason an administrator is shown: the
// stored-path and restore-relative checks (format.ts), the segment rules and NTFS name folding
// (names.ts), Windows path parsing, "is this below that folder", and text from a bundle made
// printable. The expected values are written out here from Windows' naming rules, not computed.
import test from 'ava';
import { parseWindowsPath, relativeUnder, relativeWindowsPathProblem, snapshotPathOf, storedPathProblem } from '../../lib/backup/format.js';
import { caseFoldHazard, ntfsUpper, printable, sameName, segmentProblem } from '../../lib/backup/names.js';
import { MfaError } from '../../lib/errors.js';

const seg255 = 'a'.repeat(255);

test('storedPathProblem: each refusal with its own reason, checked in order; the longest path accepted', (t) => {
  const cases: Array<[unknown, string | undefined]> = [
    ['', 'is not a path'],
    [7, 'is not a path'],
    [`${'ab/'.repeat(1365)}c`, undefined],
    [`${'ab/'.repeat(1365)}cd`, 'is too long'],
    ['snapshot/a\0b', 'holds a NUL character'],
    ['snapshot\\a', 'holds a backslash'],
    ['/snapshot/a', 'is absolute'],
    ['C:/snapshot', 'starts with a drive letter'],
    ['z:x', 'starts with a drive letter'],
    ['snapshot/a:b', 'holds a colon (a drive or an alternate data stream)'],
    ['snapshot//a', 'has an empty or "." segment'],
    ['snapshot/./a', 'has an empty or "." segment'],
    ['snapshot/../a', 'climbs out with ".."'],
    ['snapshot/PROGRA~1/a', undefined],
    ['snapshot/drive/C/inetpub/wwwroot/MultiFactorAuth/web.config', undefined],
  ];
  for (const [path, reason] of cases) t.is(storedPathProblem(path), reason, String(path).slice(0, 40));
});

test('relativeWindowsPathProblem: each refusal with its own reason; the segment named with control characters shown as ?', (t) => {
  const cases: Array<[string, string | undefined]> = [
    ['', 'is empty'],
    ['a\0b', 'holds a NUL character'],
    ['\\Windows', 'is absolute'],
    ['/Windows', 'is absolute'],
    ['C:\\x', 'starts with a drive letter'],
    ['c:x', 'starts with a drive letter'],
    ['1:x', 'holds a colon (a drive or an alternate data stream) (\'1:x\')'],
    ['web.config:stream', "holds a colon (a drive or an alternate data stream) ('web.config:stream')"],
    ['themes\\PROGRA~1\\x', "looks like an 8.3 short name (it may be another file's alias) ('PROGRA~1')"],
    ['a\\b\u0007c\\d', "has a character Windows does not allow in a name ('b?c')"],
    ['themes/Contoso/logo.png', undefined],
    ['themes\\Contoso\\logo.png', undefined],
  ];
  for (const [path, reason] of cases) t.is(relativeWindowsPathProblem(path), reason, JSON.stringify(path));
});

test('segmentProblem: names Windows would not hold as themselves, with the reason; boundaries on both sides', (t) => {
  const cases: Array<[string, string | undefined]> = [
    ['.', 'has an empty or "." segment'],
    ['', 'has an empty or "." segment'],
    ['..', 'climbs out with ".."'],
    [seg255, undefined],
    [`${seg255}a`, 'has a name longer than 255 characters'],
    ['a|b', 'has a character Windows does not allow in a name'],
    ['name.', 'ends a name with a dot or a space (Windows drops them, so it names another file)'],
    ['name ', 'ends a name with a dot or a space (Windows drops them, so it names another file)'],
    ['CON', 'names a device (CON, NUL, COM1, ...)'],
    ['nul.txt', 'names a device (CON, NUL, COM1, ...)'],
    ['CON  .txt', 'names a device (CON, NUL, COM1, ...)'],
    ['com\u00b9', 'names a device (CON, NUL, COM1, ...)'],
    ['C ON.txt', undefined],
    ['falcon', undefined],
    ['mycom1.txt', undefined],
    ['consoles', undefined],
    ['PROGRA~1', "looks like an 8.3 short name (it may be another file's alias)"],
    ['WEBCON~1.CON', "looks like an 8.3 short name (it may be another file's alias)"],
    ['LONGNAME~1', undefined],
    ['stra\u017fe', 'holds U+017F, whose upper and lower case forms match different names'],
    ['\u212aelvin', 'holds U+212A, whose upper and lower case forms match different names'],
    ['caf\u00e9', undefined],
    ['a\ud800b', 'holds a lone surrogate'],
    ['\udc00', 'holds a lone surrogate'],
    ['\udc00abc', 'holds a lone surrogate'],
    ['ab\ud800', 'holds a lone surrogate'],
    ['\ud83d\ude00', undefined],
  ];
  for (const [seg, reason] of cases) t.is(segmentProblem(seg), reason, JSON.stringify(seg));
  // 8.3 names are refused unless the rules allow them (a machine's own folders may carry them).
  t.is(segmentProblem('PROGRA~1', { shortNames: false }), undefined);
});

test('NTFS folding: one UTF-16 unit at a time by its simple mapping (ß stays, ASCII upper-cased), surrogates left alone; names of other lengths differ', (t) => {
  t.is(ntfsUpper('web.Config'), 'WEB.CONFIG');
  t.is(ntfsUpper('stra\u00dfe'), 'STRA\u00dfE');
  t.is(ntfsUpper('caf\u00e9'), 'CAF\u00c9');
  t.is(ntfsUpper('\ud801\udc28'), '\ud801\udc28');
  t.true(sameName('C:\\inetpub\\Web.config', 'c:\\INETPUB\\web.CONFIG'));
  t.false(sameName('web.config', 'web.config '));
  t.false(sameName('stra\u00dfe', 'STRASSE'));
  t.is(caseFoldHazard('PhoneFactor'), undefined);
  t.is(caseFoldHazard('x\u0130y'), '\u0130');
  t.is(caseFoldHazard('\ud801\udc28'), '\ud801\udc28');
});

test('parseWindowsPath: only absolute local paths; empty segments dropped, "." and ".." and bad characters refused with the path named; the drive upper-cased', (t) => {
  t.deepEqual(parseWindowsPath('c:\\a\\\\b\\', 'T'), { drive: 'C', segments: ['a', 'b'] });
  t.deepEqual(parseWindowsPath('D:\\', 'T'), { drive: 'D', segments: [] });
  for (const [path, message] of [
    ['xC:\\a', "'xC:\\a' is not an absolute local Windows path"],
    ['\\\\server\\share\\a', "'\\\\server\\share\\a' is not an absolute local Windows path"],
    ['C:a', "'C:a' is not an absolute local Windows path"],
    ['C:\\a\\..\\b', "'C:\\a\\..\\b' holds '..'"],
    ['C:\\a\\.\\b', "'C:\\a\\.\\b' holds '.'"],
    ['C:\\a\\b:c', "'C:\\a\\b:c' has a character Windows does not allow in a name"],
    ['C:\\a\\b\nc', "'C:\\a\\b\nc' has a character Windows does not allow in a name"],
  ] as const) {
    const err = t.throws(() => parseWindowsPath(path, 'TARGET'), { instanceOf: MfaError });
    t.is(err?.message, message);
    t.is((err as MfaError).code, 'BUNDLE_PATH');
    t.is((err as MfaError).target, 'TARGET');
  }
  t.is(snapshotPathOf('c:\\Program Files\\x.txt'), 'snapshot/drive/C/Program Files/x.txt');
});

test('relativeUnder: the path below a folder (compared as NTFS does), trailing backslashes of the folder ignored; the folder itself, a sibling with a longer name, and elsewhere are not below it', (t) => {
  t.is(relativeUnder('C:\\inetpub', 'c:\\INETPUB\\wwwroot\\web.config'), 'wwwroot\\web.config');
  t.is(relativeUnder('C:\\a\\\\', 'C:\\a\\b'), 'b');
  t.is(relativeUnder('C:\\a', 'C:\\a\\'), undefined);
  t.is(relativeUnder('C:\\a', 'C:\\a'), undefined);
  t.is(relativeUnder('C:\\a', 'C:\\ab\\c'), undefined);
  t.is(relativeUnder('C:\\a', 'D:\\a\\c'), undefined);
});

test('printable: control and bidi-override characters shown as ?, text cut after the limit only', (t) => {
  t.is(printable('a\u0007b\u202ec\u009bd'), 'a?b?c?d');
  t.is(printable('x'.repeat(300)), 'x'.repeat(300));
  t.is(printable('x'.repeat(301)), `${'x'.repeat(300)}...`);
  t.is(printable('abcdef', 3), 'abc...');
  t.is(printable(42), '42');
});
