// JSON input files with errors that name the file and line, and shape checks that say which field.
import { badInput } from '../errors.js';

export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(message);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : undefined;
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
