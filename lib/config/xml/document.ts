// Loading a config file for editing: bytes -> text (keeping the format) -> validated by
// fast-xml-parser -> located by our scanner. Every refusal names the file, the line and a remedy,
// and happens before anything could be written.
import { XMLValidator } from 'fast-xml-parser';
import { badInput, type MfaError } from '../../errors.js';
import { decodeText, type TextFormat } from './codec.js';
import { lineIndex } from './lines.js';
import { checkProlog, scanXml, XmlScanError, type XmlTree } from './scan.js';


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
    throw badInput(`the file is ${(bytes.byteLength / 1048576).toFixed(1)} MB; a ${what} is never larger than ${MAX_CONFIG_BYTES / 1048576} MB, so this is not one (or it is damaged)`, file, {
      code: 'FILE_TOO_LARGE',
      remedy: `Check that the path names the ${what}; restore it from the backup if it was damaged.`,
    });
  }
  if (bytes.byteLength === 0) {
    throw badInput(`the file is empty`, file, {
      code: 'FILE_EMPTY',
      remedy: `Restore the ${what} from the backup taken before the upgrade, or reinstall the component that owns it.`,
    });
  }
}

export function loadXmlDocument(bytes: Uint8Array, file: string, what = 'configuration file'): XmlDocument {
  checkSize(bytes, file, what);
  const { text, format } = decodeText(bytes, file);
  if (text.trim() === '') throw badInput('the file holds only white space', file, { code: 'FILE_EMPTY', remedy: `Restore the ${what} from the backup.` });
  const lineAt = lineIndex(text);
  // Before any parser sees the text, so no entity is ever expanded.
  located(() => checkProlog(text), file, lineAt, what);
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw badInput(`malformed XML: ${valid.err.msg}`, file, {
      code: 'XML_MALFORMED',
      line: valid.err.line,
      remedy: `Fix the XML at line ${valid.err.line}, column ${valid.err.col} (or restore the ${what} from the backup) and run again.`,
    });
  }
  const tree = located(() => scanXml(text), file, lineAt, what);
  return { file, text, format, tree, lineAt };
}

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
  return badInput(e.code === 'XML_DOCTYPE' ? e.message : `malformed XML: ${e.message}`, file, {
    code: e.code,
    line,
    remedy:
      e.code === 'XML_DOCTYPE'
        ? `Remove the DOCTYPE at line ${line}: a ${what} never needs one, and this tool will not expand or fetch entities.`
        : `Fix the XML at line ${line} (or restore the ${what} from the backup) and run again.`,
  });
}
