// .reg files written elsewhere: REGEDIT4 read by its own rules (ANSI text, hex(1)/(2)/(7) as
// one byte per character), and hex data wrapped exactly as reg.exe/regedit wrap it, checked
// against the real exports in ../shared/corpus/reg (the oracle: their own bytes).
import test from 'ava';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAnsi, decodeRegBytes, encodeRegedit4Text, formatHex, formatRegText, isRegedit4, parseRegText } from '../../lib/host/image/reg-file.js';
import { ImageRegistry } from '../../lib/host/image/registry.js';
import { RegistryTree } from '../../lib/host/image/registry-tree.js';
import { sharedFolder } from '../helpers/shared.js';

const corpus = sharedFolder('corpus/reg');

/** Each hex value of a file as written: its prefix, its bytes, and its physical lines. */
function hexValues(text: string): Array<{ line: number; prefix: string; bytes: Uint8Array; written: string }> {
  const lines = text.split(/\r\n|\n|\r/);
  const out: Array<{ line: number; prefix: string; bytes: Uint8Array; written: string }> = [];
  for (const op of parseRegText(text, 'corpus')) {
    if (op.op !== 'value') continue;
    const first = lines[op.line - 1] as string;
    const m = /^((?:@|"(?:[^"\\]|\\.)*")=hex(?:\([0-9a-fA-F]+\))?:)/.exec(first);
    if (!m) continue;
    const phys = [first];
    let i = op.line - 1;
    while (/\\$/.test(lines[i] as string) && i + 1 < lines.length) phys.push(lines[++i] as string);
    const hex = phys.map((l, k) => (k === 0 ? l.slice((m[1] as string).length) : l.trim()).replace(/\\$/, '')).join('');
    const bytes = hex === '' ? new Uint8Array(0) : Uint8Array.from(hex.split(',').filter((x) => x !== ''), (x) => parseInt(x, 16));
    out.push({ line: op.line, prefix: m[1] as string, bytes, written: phys.join('\r\n') });
  }
  return out;
}

test('hex data is wrapped exactly as reg.exe and regedit wrapped the real exports', (t) => {
  if (corpus.dir === undefined) {
    t.log(`skipped: ${corpus.reason}`);
    return t.pass();
  }
  let compared = 0;
  let multiLine = 0;
  for (const f of readdirSync(corpus.dir).filter((x) => x.endsWith('.reg'))) {
    const text = decodeRegBytes(readFileSync(join(corpus.dir, f)));
    for (const v of hexValues(text)) {
      t.is(formatHex(v.prefix, v.bytes), v.written, `${f}:${v.line}`);
      compared++;
      if (v.written.includes('\n')) multiLine++;
    }
  }
  t.log(`${compared} hex values compared, ${multiLine} of them wrapped over several lines`);
  t.true(multiLine >= 15, 'the corpus has long values to compare');
});

test('a reg.exe export written back from its parsed values keeps every wrapped hex(2) line', (t) => {
  if (corpus.dir === undefined) {
    t.log(`skipped: ${corpus.reason}`);
    return t.pass();
  }
  const file = join(corpus.dir, '09-optimizer-RestoreClassicPhotoViewer.reg');
  const text = decodeRegBytes(readFileSync(file));
  const tree = RegistryTree.fromText(text, file);
  const written = tree.toText();
  for (const v of hexValues(text)) t.true(written.includes(v.written), `line ${v.line}`);
});

const R4 = Buffer.concat([
  Buffer.from('REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Legacy]\r\n"Name"="Caf', 'latin1'),
  Buffer.from([0xe9, 0x80]), // é and the euro sign, in Windows-1252
  Buffer.from('"\r\n"Multi"=hex(7):61,00,62,00,00\r\n"Path"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,5c,e9,00\r\n"One"=hex(1):78,79,00\r\n"Bin"=hex:61,00,62,00\r\n\r\n', 'latin1'),
]);

test('REGEDIT4: ANSI text, and hex(2)/hex(7)/hex(1) as one byte per character', (t) => {
  const text = decodeRegBytes(R4);
  t.true(isRegedit4(text));
  const values = Object.fromEntries(parseRegText(text, 'legacy.reg').flatMap((o) => (o.op === 'value' ? [[o.name, o.value]] : [])));
  t.deepEqual(values['Name'], { type: 'REG_SZ', data: 'Café€' });
  t.deepEqual(values['Multi'], { type: 'REG_MULTI_SZ', data: ['a', 'b'] });
  t.deepEqual(values['Path'], { type: 'REG_EXPAND_SZ', data: '%SystemRoot%\\é' });
  t.deepEqual(values['One'], { type: 'REG_SZ', data: 'xy' });
  t.deepEqual(values['Bin'], { type: 'REG_BINARY', data: new Uint8Array([0x61, 0, 0x62, 0]) });
  // The same bytes under a Version 5.00 header are UTF-16: a different value, as Windows reads it.
  const v5 = decodeRegBytes(Buffer.from(R4.toString('latin1').replace('REGEDIT4', 'Windows Registry Editor Version 5.00'), 'latin1'));
  const multi5 = parseRegText(v5, 'v5.reg').find((o) => o.op === 'value' && o.name === 'Multi');
  t.notDeepEqual(multi5?.op === 'value' ? multi5.value : undefined, { type: 'REG_MULTI_SZ', data: ['a', 'b'] });
});

test('REGEDIT4 written and read back is the same, byte for byte', (t) => {
  const keys = RegistryTree.fromText(decodeRegBytes(R4), 'legacy.reg').exportKeys();
  const text = formatRegText(keys, { regedit4: true });
  const bytes = encodeRegedit4Text(text) as Buffer;
  t.truthy(bytes);
  t.deepEqual(RegistryTree.fromText(decodeRegBytes(bytes), 'again.reg').exportKeys(), keys);
  t.is(formatRegText(RegistryTree.fromText(decodeRegBytes(bytes), 'again.reg').exportKeys(), { regedit4: true }), text);
  t.true(bytes.includes(Buffer.from('"Multi"=hex(7):61,00,62,00,00\r\n', 'latin1')));
  t.is(encodeRegedit4Text('\u4e2d'), undefined, 'a character without an ANSI byte is not silently written');
  t.is(decodeAnsi(Buffer.from([0x81, 0x9f, 0xff])), '\u0081\u0178\u00ff');
});

test('an image whose registry.reg is REGEDIT4 keeps its multi-strings and expand strings through a save', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mfa-r4-'));
  try {
    const file = join(dir, 'registry.reg');
    writeFileSync(file, R4);
    const reg = new ImageRegistry(file);
    await reg.setValue('HKLM\\SOFTWARE\\Legacy', 'Added', { type: 'REG_DWORD', data: 1 });
    const again = new ImageRegistry(file);
    t.deepEqual(await again.getValue('HKLM\\SOFTWARE\\Legacy', 'Multi'), { type: 'REG_MULTI_SZ', data: ['a', 'b'] });
    t.deepEqual(await again.getValue('HKLM\\SOFTWARE\\Legacy', 'Path'), { type: 'REG_EXPAND_SZ', data: '%SystemRoot%\\é' });
    t.deepEqual(await again.getValue('HKLM\\SOFTWARE\\Legacy', 'Name'), { type: 'REG_SZ', data: 'Café€' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a BOM-less Version 5.00 file that is not valid UTF-8 is read as ANSI, not with replacement characters', (t) => {
  const bytes = Buffer.concat([Buffer.from('Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n"N"="Caf'), Buffer.from([0xe9]), Buffer.from('"\r\n')]);
  const ops = parseRegText(decodeRegBytes(bytes), 'ansi.reg');
  t.deepEqual(ops.find((o) => o.op === 'value'), { op: 'value', key: 'HKEY_LOCAL_MACHINE\\SOFTWARE\\X', name: 'N', value: { type: 'REG_SZ', data: 'Café' }, line: 4 });
});
