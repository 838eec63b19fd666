import test from 'ava';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { MfaError } from '../../lib/errors.js';
import type { RegValue } from '../../lib/host/ports.js';
import { decodeRegBytes, encodeRegText, formatRegText, parseRegText } from '../../lib/host/image/reg-file.js';
import { RegistryTree } from '../../lib/host/image/registry-tree.js';

// Written as reg.exe writes it: wrapped hex, every kind, defaults, a deletion of each sort.
const SAMPLE = [
  'Windows Registry Editor Version 5.00',
  '',
  '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]',
  '@="default value"',
  '"Str"="C:\\\\Program Files\\\\PhoneFactor\\\\"',
  '"Quote"="say \\"hi\\""',
  '"Empty"=""',
  '"Tricky"="=hex:\\\\"',
  '"Dw"=dword:0005c615',
  '"Qw"=hex(b):00,5c,8e,3a,b2,e9,cd,01',
  '"Exp"=hex(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,6f,00,6f,00,74,\\',
  '  00,25,00,00,00',
  '"Multi"=hex(7):61,00,00,00,62,00,63,00,00,00,00,00',
  '"Bin"=hex:01,02,ff',
  '"None"=hex(0):',
  '"Odd"=hex(100000):aa,bb',
  '"BigEndianDw"=hex(5):00,00,00,01',
  '',
  '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test\\Sub]',
  '"Gone"=-',
  '',
  '[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Removed]',
  '',
].join('\r\n');

test('parses every value kind as Windows reads it', (t) => {
  const ops = parseRegText(SAMPLE, 'sample.reg');
  const values = Object.fromEntries(ops.filter((o) => o.op === 'value').map((o) => [o.op === 'value' ? o.name : '', o.op === 'value' ? o.value : undefined]));
  t.deepEqual(values[''], { type: 'REG_SZ', data: 'default value' });
  t.deepEqual(values['Str'], { type: 'REG_SZ', data: 'C:\\Program Files\\PhoneFactor\\' });
  t.deepEqual(values['Quote'], { type: 'REG_SZ', data: 'say "hi"' });
  t.deepEqual(values['Empty'], { type: 'REG_SZ', data: '' });
  t.deepEqual(values['Tricky'], { type: 'REG_SZ', data: '=hex:\\' });
  t.deepEqual(values['Dw'], { type: 'REG_DWORD', data: 378389 });
  t.deepEqual(values['Qw'], { type: 'REG_QWORD', data: 0x01cde9b23a8e5c00n });
  t.deepEqual(values['Exp'], { type: 'REG_EXPAND_SZ', data: '%SystemRoot%' });
  t.deepEqual(values['Multi'], { type: 'REG_MULTI_SZ', data: ['a', 'bc'] });
  t.deepEqual(values['Bin'], { type: 'REG_BINARY', data: new Uint8Array([1, 2, 255]) });
  t.deepEqual(values['None'], { type: 'REG_NONE', data: new Uint8Array([]) });
  t.deepEqual(values['Odd'], { type: 'REG_OTHER', kind: 0x100000, data: new Uint8Array([0xaa, 0xbb]) });
  t.deepEqual(values['BigEndianDw'], { type: 'REG_OTHER', kind: 5, data: new Uint8Array([0, 0, 0, 1]) });
  t.deepEqual(ops.filter((o) => o.op === 'deleteValue').map((o) => o.op === 'deleteValue' && o.name), ['Gone']);
  t.deepEqual(ops.filter((o) => o.op === 'deleteKey').map((o) => o.op === 'deleteKey' && o.path), ['HKEY_LOCAL_MACHINE\\SOFTWARE\\Removed']);
});

test('reads UTF-16LE with BOM (as reg.exe writes), UTF-16BE and UTF-8 with or without BOM alike', (t) => {
  const utf16 = encodeRegText(SAMPLE);
  t.deepEqual([...utf16.subarray(0, 2)], [0xff, 0xfe]);
  const be = Buffer.from(utf16.subarray(2));
  be.swap16();
  const variants = [utf16, Buffer.concat([Buffer.from([0xfe, 0xff]), be]), Buffer.from(SAMPLE, 'utf8'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE)])];
  for (const v of variants) t.is(decodeRegBytes(v), SAMPLE);
});

test('a tree written back and read again is the same tree, and writing is stable byte for byte', (t) => {
  const tree = RegistryTree.fromText(SAMPLE, 'sample.reg');
  const once = tree.toText();
  const again = RegistryTree.fromText(once, 'again.reg').toText();
  t.is(again, once);
  t.deepEqual(RegistryTree.fromText(once, 'x').exportKeys(), tree.exportKeys());
  t.true(once.includes('"Exp"=hex(2):25,00,53,00'));
  t.false(once.includes('Removed'));
  // reg.exe wraps long hex lines under 80 columns with a trailing backslash.
  for (const line of once.split('\r\n')) t.true(line.length <= 80, line);
});

test('deletions apply to what came before, as regedit imports them', (t) => {
  const tree = RegistryTree.fromText(
    ['Windows Registry Editor Version 5.00', '', '[HKLM\\SOFTWARE\\A\\B]', '"x"="1"', '"y"="2"', '', '[HKLM\\SOFTWARE\\A\\B]', '"x"=-', '', '[-HKLM\\SOFTWARE\\A\\B\\C]', ''].join('\n'),
    'del.reg',
  );
  t.deepEqual(tree.getKey('HKLM\\SOFTWARE\\A\\B')?.values.map((v) => v.name), ['y']);
});

test('every sample host registry round-trips', (t) => {
  for (const host of ['phonefactor-5.2', 'mfa-7.0', 'mfa-8.0-adfs']) {
    const file = `examples/hosts/${host}/registry.reg`;
    const tree = RegistryTree.fromText(decodeRegBytes(readFileSync(file)), file);
    const text = tree.toText();
    t.deepEqual(RegistryTree.fromText(text, file).exportKeys(), tree.exportKeys(), host);
    t.is(RegistryTree.fromText(text, file).toText(), text, host);
  }
});

const regValue: fc.Arbitrary<RegValue> = fc.oneof(
  fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')).map((data) => ({ type: 'REG_SZ' as const, data })),
  fc.string().filter((s) => !s.includes('\0')).map((data) => ({ type: 'REG_EXPAND_SZ' as const, data })),
  fc.array(fc.string({ minLength: 1 }).filter((s) => !s.includes('\0')), { maxLength: 4 }).map((data) => ({ type: 'REG_MULTI_SZ' as const, data })),
  fc.nat({ max: 0xffffffff }).map((data) => ({ type: 'REG_DWORD' as const, data })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((data) => ({ type: 'REG_QWORD' as const, data })),
  fc.uint8Array({ maxLength: 120 }).map((data) => ({ type: 'REG_BINARY' as const, data })),
  fc.uint8Array({ maxLength: 8 }).map((data) => ({ type: 'REG_NONE' as const, data })),
);

test('property: any values under any names survive format and parse', (t) => {
  const name = fc.string({ maxLength: 20 }).filter((s) => !/[\r\n\0]/.test(s));
  fc.assert(
    fc.property(fc.uniqueArray(fc.record({ name, value: regValue }), { selector: (v) => v.name.toUpperCase(), maxLength: 8 }), (values) => {
      const text = formatRegText([{ path: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Prop', values }]);
      const back = RegistryTree.fromText(text, 'prop.reg').getKey('HKLM\\SOFTWARE\\Prop')?.values ?? [];
      t.deepEqual(back, values);
    }),
    { numRuns: 300 },
  );
});

function parseError(text: string): MfaError {
  const e = t_throws(() => parseRegText(text, 'bad.reg'));
  return e;
}
function t_throws(fn: () => unknown): MfaError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MfaError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

test('malformed files are refused with the file, the line and the problem', (t) => {
  const h = 'Windows Registry Editor Version 5.00\r\n\r\n';
  const cases: Array<[string, number, RegExp]> = [
    ['REGEDIT5\r\n', 1, /first line must be/],
    [`${h}"x"="1"\r\n`, 3, /outside of a key/],
    [`${h}[HKLM\\SOFTWARE\\A\r\n`, 3, /closing bracket/],
    [`${h}[HKLM\\SOFTWARE\\A]\r\n"x"="unterminated\r\n`, 4, /unterminated/],
    [`${h}[HKLM\\SOFTWARE\\A]\r\n"x"=hex:0g\r\n`, 4, /bad hex byte/],
    [`${h}[HKLM\\SOFTWARE\\A]\r\n"x"=hex(b):01,02\r\n`, 4, /QWORD\) needs 8 bytes/],
    [`${h}[HKLM\\SOFTWARE\\A]\r\n"x"=dword:123456789\r\n`, 4, /unknown value data/],
    [`${h}[HKLM\\SOFTWARE\\A]\r\n"x" "1"\r\n`, 4, /expected '='/],
  ];
  for (const [text, line, re] of cases) {
    const e = parseError(text);
    t.is(e.target, 'bad.reg');
    t.is(e.line, line, text);
    t.regex(e.message, re);
    t.is(e.exitCode, 3);
  }
});
