// JSON input files with errors that name the file and line, and shape checks that say which field.
import { badInput } from '../errors.js';

export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(message);
    const offset = pos ? Number(pos[1]) : locateJsonError(text.replace(/^\uFEFF/, ''));
    const line = offset === undefined ? undefined : text.slice(0, offset).split('\n').length;
    throw badInput(`malformed JSON: ${message}`, file, { code: 'JSON_PARSE', ...(line ? { line } : {}) });
  }
}

type Check = 'string' | 'string?' | 'number' | 'number?' | 'boolean?' | 'string|null';

/** Checks that every element of an array has the named fields with the right types. */
export function expectArrayOf<T>(data: unknown, file: string, fields: Record<string, Check>): T[] {
  if (!Array.isArray(data)) throw badInput('expected a JSON array at the top level', file, { code: 'JSON_SHAPE' });
  data.forEach((item, i) => expectObject(item, file, fields, `element ${i}`));
  return data as T[];
}

export function expectObject(item: unknown, file: string, fields: Record<string, Check>, where = 'the top level'): void {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw badInput(`${where}: expected an object`, file, { code: 'JSON_SHAPE' });
  }
  const rec = item as Record<string, unknown>;
  for (const [name, check] of Object.entries(fields)) {
    const v = rec[name];
    const ok =
      check === 'string' ? typeof v === 'string'
      : check === 'string?' ? v === undefined || typeof v === 'string'
      : check === 'number' ? typeof v === 'number'
      : check === 'number?' ? v === undefined || typeof v === 'number'
      : check === 'boolean?' ? v === undefined || typeof v === 'boolean'
      : typeof v === 'string' || v === null;
    if (!ok) throw badInput(`${where}: field '${name}' must be ${check.replace('?', ' (optional)').replace('|', ' or ')}, found ${JSON.stringify(v)}`, file, { code: 'JSON_SHAPE' });
  }
}

/**
 * The offset of the first syntax error in JSON text (JSON.parse does not always say where).
 * A small recursive-descent scan that only finds the place; JSON.parse has said what is wrong.
 */
export function locateJsonError(text: string): number | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if ((text.charCodeAt(i) ?? 0) < 0x20) fail();
      i++;
    }
    if (text[i] !== '"') fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail();
    i += (m as RegExpExecArray)[0].length;
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (at) {
    return typeof at === 'number' ? at : undefined;
  }
}
