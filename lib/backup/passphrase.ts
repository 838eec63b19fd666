// The passphrase comes from a file (never the command line, where process listings show it) and
// is taken as bytes: at most 1 KiB is read (a longer file, or /dev/zero, is refused without
// reading on), the bytes must be strict UTF-8 (a BOM is stripped; an invalid sequence is refused,
// since decoding it with replacement would let a different passphrase decrypt), the text is
// normalised to NFC, and one trailing line ending (LF or CRLF) is dropped. Bundles of format 1
// were written with the older rule (the file's first line, decoded leniently): a Passphrase
// carries both, and a bundle is opened with the rule of its own format.
import { promises as fsp } from 'node:fs';
import { ExitCode, MfaError } from '../errors.js';

export const MAX_PASSPHRASE_BYTES = 1024;
/** The older rule read the first line of the file: enough is read to find it, never the whole of a device. */
const MAX_LEGACY_READ = 64 * 1024;
export const MIN_NEW_PASSPHRASE = 8;

function refuse(message: string, target: string, remedy: string, code = 'PASSPHRASE_FILE'): MfaError {
  return new MfaError(message, { code, target, exitCode: ExitCode.badInput, remedy });
}

export class Passphrase {
  private constructor(
    /** The passphrase by the current rule (NFC UTF-8 bytes), or why the file does not give one. */
    private readonly current: Buffer | MfaError,
    /** The passphrase by the format-1 rule, or why the file does not give one. */
    private readonly legacyText: string | MfaError,
  ) {}

  /** A passphrase given as text (tests, the library API): the same under both rules. */
  static fromText(text: string, target = 'passphrase'): Passphrase {
    const nfc = text.normalize('NFC');
    const bytes = Buffer.from(nfc, 'utf8');
    if (bytes.length === 0) return new Passphrase(refuse('the passphrase is empty', target, 'Pass a non-empty passphrase.'), text);
    if (bytes.length > MAX_PASSPHRASE_BYTES) return new Passphrase(refuse(`the passphrase is longer than ${MAX_PASSPHRASE_BYTES} bytes`, target, 'Use a shorter passphrase.'), text);
    return new Passphrase(bytes, text);
  }

  /** Reads a passphrase file by both rules; errors surface only when a rule is used. */
  static fromFileBytes(head: Buffer, truncated: boolean, target: string): Passphrase {
    return new Passphrase(currentRule(head, truncated, target), legacyRule(head, truncated, target));
  }

  /** The key material for a bundle of this format version (throws when the file gives none by that rule). */
  material(formatVersion: number): Buffer {
    if (formatVersion >= 2) {
      if (this.current instanceof MfaError) throw this.current;
      return this.current;
    }
    if (this.legacyText instanceof MfaError) throw this.legacyText;
    return Buffer.from(this.legacyText.normalize('NFC'), 'utf8');
  }

  /** For a new bundle: the current rule, and long enough. */
  forNewBundle(target: string): Buffer {
    const m = this.material(Number.MAX_SAFE_INTEGER);
    if ([...m.toString('utf8')].length < MIN_NEW_PASSPHRASE) throw refuse(`the passphrase is shorter than ${MIN_NEW_PASSPHRASE} characters`, target, 'Use a longer passphrase (a few random words).', 'PASSPHRASE_WEAK');
    return m;
  }
}

function currentRule(head: Buffer, truncated: boolean, target: string): Buffer | MfaError {
  let bytes = head;
  if (truncated || bytes.length > MAX_PASSPHRASE_BYTES) {
    return refuse(`the passphrase file is longer than ${MAX_PASSPHRASE_BYTES} bytes`, target, `Write only the passphrase (at most ${MAX_PASSPHRASE_BYTES} bytes of UTF-8) in the file.`);
  }
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  const text = bytes.toString('utf8');
  // Strict UTF-8: what does not re-encode to the same bytes held an invalid sequence.
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    return refuse('the passphrase file is not valid UTF-8', target, 'Save the passphrase file as UTF-8 (PowerShell: Set-Content -Encoding UTF8), or type the passphrase again.');
  }
  const trimmed = text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
  if (trimmed.length === 0) return refuse('the passphrase file is empty', target, 'Write the passphrase in the file.');
  return Buffer.from(trimmed.normalize('NFC'), 'utf8');
}

function legacyRule(head: Buffer, truncated: boolean, target: string): string | MfaError {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const nl = text.search(/\r?\n/);
  if (nl === -1 && truncated) return refuse('the passphrase file has no line break in its first 64 KiB', target, 'Pass the passphrase file the backup was taken with.');
  const first = nl === -1 ? text : text.slice(0, nl);
  if (first.length === 0) return refuse('the passphrase file is empty', target, 'Write the passphrase on the first line of the file.');
  return first;
}

/** Reads at most what either rule needs, so /dev/zero or a huge file costs nothing. */
export async function readPassphraseFile(path: string): Promise<Passphrase> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, 'r');
  } catch (e) {
    throw refuse(`cannot read the passphrase file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path, 'Pass a file you can read that holds the passphrase.');
  }
  try {
    const buf = Buffer.alloc(MAX_LEGACY_READ + 1);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, null);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const truncated = got > MAX_LEGACY_READ;
    return Passphrase.fromFileBytes(buf.subarray(0, Math.min(got, MAX_LEGACY_READ)), truncated, path);
  } catch (e) {
    if (e instanceof MfaError) throw e;
    throw refuse(`cannot read the passphrase file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, path, 'Pass a regular file that holds the passphrase.');
  } finally {
    await handle.close();
  }
}

export type PassphraseInput = string | Passphrase;

export function toPassphrase(p: PassphraseInput): Passphrase {
  return typeof p === 'string' ? Passphrase.fromText(p) : p;
}
