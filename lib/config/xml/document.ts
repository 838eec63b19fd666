// Loading a config file for editing: bytes -> text (keeping the format) -> validated by
// fast-xml-parser -> located by our scanner. Every refusal names the file, the line and a remedy,
// and happens before anything could be written.
import { XMLValidator } from 'fast-xml-parser';
import { configFileError } from './errors.js';
import type { MfaError } from '../../errors.js';
import { decodeText, type TextFormat } from './codec.js';
import { firstNonXmlChar } from './entities.js';
import { lineIndex } from './lines.js';
import { checkProlog, MAX_XML_DEPTH, scanXml, XmlScanError, type XmlTree } from './scan.js';


/** Larger than any real web.config (IIS refuses more than 250 KB unless told otherwise). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export interface XmlDocument {
  file: string;
  text: string;
  format: TextFormat;
  tree: XmlTree;
  /** 1-based line of a text offset. */
  lineAt(offset: number): number;
}

/** Size and emptiness, checked on the bytes before any decoding. */
export function checkSize(bytes: Uint8Array, file: string, what: string): void {
  if (bytes.byteLength > MAX_CONFIG_BYTES) {
    throw configFileError(`the file is ${(bytes.byteLength / 1048576).toFixed(1)} MB; a ${what} is never larger than ${MAX_CONFIG_BYTES / 1048576} MB, so this is not one (or it is damaged)`, file, {
      code: 'FILE_TOO_LARGE',
      remedy: `Check that the path names the ${what}; restore it from the backup if it was damaged.`,
    });
  }
  if (bytes.byteLength === 0) {
    throw configFileError(`the file is empty`, file, {
      code: 'FILE_EMPTY',
      remedy: `Restore the ${what} from the backup taken before the upgrade, or reinstall the component that owns it.`,
    });
  }
}

export function loadXmlDocument(bytes: Uint8Array, file: string, what = 'configuration file'): XmlDocument {
  checkSize(bytes, file, what);
  const { text, format } = decodeText(bytes, file);
  if (text.trim() === '') throw configFileError('the file holds only white space', file, { code: 'FILE_EMPTY', remedy: `Restore the ${what} from the backup.` });
  const lineAt = lineIndex(text);
  const bad = firstNonXmlChar(text);
  if (bad !== -1) {
    const line = lineAt(bad);
    const column = bad - text.lastIndexOf('\n', bad - 1);
    throw configFileError(`the file holds a character XML does not allow (a control character, U+FFFE/U+FFFF or a lone surrogate) at line ${line}, column ${column}`, file, {
      code: 'XML_CHAR',
      line,
      remedy: `Remove the character at line ${line}, column ${column} (or restore the ${what} from the backup) and run again.`,
    });
  }
  // Before any parser sees the text, so no entity is ever expanded; our scanner first, so a
  // refusal names elements and attributes (fast-xml-parser's messages can quote text).
  located(() => checkProlog(text), file, lineAt, what);
  const tree = located(() => scanXml(text), file, lineAt, what);
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw configFileError(`malformed XML: ${VALIDATOR_PROBLEMS[valid.err.code] ?? 'the document is not well-formed'} (line ${valid.err.line}, column ${valid.err.col})`, file, {
      code: 'XML_MALFORMED',
      line: valid.err.line,
      remedy: `Fix the XML at line ${valid.err.line}, column ${valid.err.col} (or restore the ${what} from the backup) and run again.`,
    });
  }
  return { file, text, format, tree, lineAt };
}

/** fast-xml-parser's validation error in our words (its own messages may quote a value). */
export function validatorProblem(err: { code: string; line: number; col?: number }): string {
  return `${VALIDATOR_PROBLEMS[err.code] ?? 'the document is not well-formed'} (line ${err.line}${err.col !== undefined ? `, column ${err.col}` : ''})`;
}

/** fast-xml-parser's error codes in our words: its own messages may quote a value. */
const VALIDATOR_PROBLEMS: Record<string, string> = {
  InvalidTag: 'a malformed tag or tag name',
  InvalidAttr: 'a malformed, repeated or value-less attribute',
  InvalidChar: 'a character that is not allowed there',
  InvalidXml: 'the document is not well-formed',
};

function located<T>(fn: () => T, file: string, lineAt: (o: number) => number, what: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof XmlScanError) throw scanError(e, file, lineAt, what);
    throw e;
  }
}

function scanError(e: XmlScanError, file: string, lineAt: (o: number) => number, what: string): MfaError {
  const line = lineAt(e.offset);
  return configFileError(e.code === 'XML_DOCTYPE' || e.code === 'XML_TOO_DEEP' ? `${e.message} (line ${line})` : `malformed XML: ${e.message} (line ${line})`, file, {
    code: e.code,
    line,
    remedy:
      e.code === 'XML_DOCTYPE'
        ? `Remove the DOCTYPE at line ${line}: a ${what} never needs one, and this tool will not expand or fetch entities.`
        : e.code === 'XML_TOO_DEEP'
          ? `A ${what} never nests elements ${MAX_XML_DEPTH} levels deep: restore it from the backup, or remove the nesting that starts at line ${line}.`
          : `Fix the XML at line ${line} (or restore the ${what} from the backup) and run again.`,
  });
}
