// The real-world web.config corpus and the encoding / line-ending variants made from it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CORPUS_DIR = '../shared/corpus/webconfig';

export interface CorpusFile {
  name: string;
  bytes: Buffer;
}

export function corpusFiles(): CorpusFile[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.config'))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(join(CORPUS_DIR, name)) }));
}

function flipEol(text: string): string {
  return text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text.replace(/\n/g, '\r\n');
}

/** A UTF-16 file says so in its declaration, as Visual Studio writes it. */
function declareUtf16(text: string): string {
  return text.replace(/^(<\?xml[^?]*?encoding\s*=\s*)(["'])[^"']*\2/, '$1$2utf-16$2');
}

/** The file as found, with a UTF-8 BOM, as UTF-16 LE and BE (with BOM, and LE without), and with the other line ending. */
export function variants(file: CorpusFile): CorpusFile[] {
  const text = file.bytes.toString('utf8');
  const u16 = declareUtf16(text);
  return [
    file,
    { name: `${file.name} (UTF-8 BOM)`, bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), file.bytes]) },
    { name: `${file.name} (UTF-16LE BOM)`, bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(u16, 'utf16le')]) },
    { name: `${file.name} (UTF-16BE BOM)`, bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(u16, 'utf16le').swap16()]) },
    { name: `${file.name} (UTF-16LE no BOM)`, bytes: Buffer.from(u16, 'utf16le') },
    { name: `${file.name} (other EOL)`, bytes: Buffer.from(flipEol(text), 'utf8') },
  ];
}
