// The real-world web.config corpus (../shared/corpus/webconfig) and the encoding / line-ending
// variants made from it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedFolder } from '../../helpers/shared.js';

export interface CorpusFile {
  name: string;
  bytes: Buffer;
}

export const corpus = sharedFolder(join('corpus', 'webconfig'));

export function corpusFiles(): CorpusFile[] {
  if (corpus.dir === undefined) return [];
  const dir = corpus.dir;
  return readdirSync(dir)
    .filter((f) => /\.config$/i.test(f))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

function flipEol(text: string): string {
  return text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text.replace(/\n/g, '\r\n');
}

/** A UTF-16 file says so in its declaration, as Visual Studio writes it. */
function declareUtf16(text: string): string {
  return text.replace(/^(<\?xml[^?]*?encoding\s*=\s*)(["'])[^"']*\2/, '$1$2utf-16$2');
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The file as found, the same UTF-8 with its BOM toggled, as UTF-16 LE and BE (with BOM, and LE
 * without), and with the other line ending. A file that came with a BOM is varied from its text,
 * never given a second BOM.
 */
export function variants(file: CorpusFile): CorpusFile[] {
  const hadBom = file.bytes.subarray(0, 3).equals(UTF8_BOM);
  const raw = hadBom ? file.bytes.subarray(3) : file.bytes;
  const text = raw.toString('utf8');
  const u16 = declareUtf16(text);
  const bom = hadBom ? UTF8_BOM : Buffer.alloc(0);
  return [
    file,
    hadBom
      ? { name: `${file.name} (UTF-8 without its BOM)`, bytes: Buffer.from(raw) }
      : { name: `${file.name} (UTF-8 BOM)`, bytes: Buffer.concat([UTF8_BOM, raw]) },
    { name: `${file.name} (UTF-16LE BOM)`, bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(u16, 'utf16le')]) },
    { name: `${file.name} (UTF-16BE BOM)`, bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(u16, 'utf16le').swap16()]) },
    { name: `${file.name} (UTF-16LE no BOM)`, bytes: Buffer.from(u16, 'utf16le') },
    { name: `${file.name} (other EOL)`, bytes: Buffer.concat([bom, Buffer.from(flipEol(text), 'utf8')]) },
  ];
}
