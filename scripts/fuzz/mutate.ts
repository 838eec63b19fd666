// Inputs nobody wrote: seeds from the repository (and ../shared's real files when present)
// mutated byte by byte and token by token, plus structure the readers must refuse (deep
// nesting, hazard names, entity tricks, odd encodings). fast-check shrinks what fails.
import fc from 'fast-check';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Files of a folder (non-recursive) with the given endings, read as seeds. */
export function seeds(dirs: string[], endings: RegExp, max = 40): Buffer[] {
  const out: Buffer[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (!endings.test(name)) continue;
      const b = readFileSync(join(dir, name));
      if (b.length <= 512 * 1024) out.push(b);
      if (out.length >= max) return out;
    }
  }
  return out;
}

/** Tokens that tend to break readers of the formats fuzzed here. */
const TOKENS = [
  '<', '>', '&', ';', '"', "'", '/>', '</', '<!--', '-->', '<![CDATA[', ']]>', '<?xml', '?>', '<!DOCTYPE x [<!ENTITY e "e">]>', '&#0;', '&#xD800;', '&#xFFFE;', '&amp;', '&e;',
  '\u0000', '\u0001', '\r', '\n', '\r\n', '\t', '\uFEFF', '\uFFFE', '\uD800', '\uDC00', '\u017F', '\u212A', '\u0130', 'CON', 'nul.txt', '..', '..\\', '~1', ':$DATA', ' .',
  '[', ']', '\\', '=', ',', 'hex(7):', 'hex(2):', 'hex(b):', 'dword:', '@=', '-', '[-', 'REGEDIT4', 'Windows Registry Editor Version 5.00',
  '{', '}', '[]', 'null', 'true', '1e309', '-1', '9007199254740993', '"\\u0000"', '"..\\\\.."', '"C:\\\\Windows"', '{"a":', '""',
];

export type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'insert'; at: number; token: string } | { kind: 'delete'; at: number; length: number } | { kind: 'truncate'; at: number } | { kind: 'repeat'; at: number; length: number; times: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 8 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }), times: fc.integer({ min: 2, max: 300 }) }),
);

export function applyMutations(seed: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(seed);
  for (const m of muts) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.kind) {
      case 'flip':
        if (b.length) b[at % b.length] = (b[at % b.length] as number) ^ (1 << m.bit);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.token, 'utf8'), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'repeat': {
        const piece = b.subarray(at, at + m.length);
        b = Buffer.concat([b.subarray(0, at), ...new Array<Buffer>(m.times).fill(piece), b.subarray(at)]);
        break;
      }
    }
  }
  return b;
}

/** A seed (by index) with mutations applied; or raw bytes; or the seed re-encoded as UTF-16. */
export function mutated(seedList: Buffer[]): fc.Arbitrary<Buffer> {
  const fromSeed = fc.tuple(fc.nat({ max: Math.max(0, seedList.length - 1) }), fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([i, muts]) => applyMutations(seedList[i] as Buffer, muts));
  const utf16 = fc.tuple(fc.nat({ max: Math.max(0, seedList.length - 1) }), fc.array(mutation, { maxLength: 3 })).map(([i, muts]) => applyMutations(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from((seedList[i] as Buffer).toString('utf8'), 'utf16le')]), muts));
  const raw = fc.uint8Array({ maxLength: 512 }).map((u) => Buffer.from(u));
  return fc.oneof({ weight: 8, arbitrary: fromSeed }, { weight: 2, arbitrary: utf16 }, { weight: 1, arbitrary: raw });
}

/** Deep nesting of an element inside a document shell. */
export function nested(before: string, element: string, after: string): fc.Arbitrary<Buffer> {
  return fc.integer({ min: 200, max: 20000 }).map((n) => Buffer.from(`${before}${`<${element}>`.repeat(n)}${`</${element}>`.repeat(n)}${after}`));
}

/** Hostile JSON values: what a crafted manifest may hold where a path, a tag, a size or a list belongs. */
const hostileJson = fc.oneof(
  fc.constantFrom<unknown>(null, true, -1, 1e308, 2 ** 53 + 1, 5, '', '..', '../../x', 'C:\\Windows\\System32', 'C:\\Windows\\System32\\..\\x', '\\\\server\\share', 'CON', 'nul.txt', 'a:b', 'x.', 'x ', 'PROGRA~1', '\u017Fo', '\u212A', '[INSTALLDIR]..\\..\\x', 'snapshot/drive/C/Windows/System32/x', 'extra/../manifest.json', [], {}, [5], ['data'], ['webConfig', 'theme'], 'webComponent', 'theme', 'data', 'userPortal', 'x'.repeat(5000)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Edits of a JSON document: [path index, value, replace the key beside it instead]. */
export const jsonEdits = fc.array(fc.tuple(fc.nat(), hostileJson, fc.boolean()), { minLength: 1, maxLength: 4 });

type Json = unknown;
function jsonPaths(v: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => jsonPaths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) jsonPaths((v as Record<string, Json>)[k], [...at, k], out);
  return out;
}
function setAt(v: Json, at: Array<string | number>, value: Json): Json {
  if (at.length === 0) return value;
  const [head, ...rest] = at as [string | number, ...Array<string | number>];
  if (Array.isArray(v)) return v.map((x, i) => (i === head ? setAt(x, rest, value) : x));
  if (v !== null && typeof v === 'object') return { ...(v as Record<string, Json>), [head]: setAt((v as Record<string, Json>)[head as string], rest, value) };
  return v;
}

/** A JSON seed with edits applied (a value replaced, or a new key added beside it). */
export function applyJsonEdits(seed: Buffer, edits: Array<[number, unknown, boolean]>): Buffer {
  let m = JSON.parse(seed.toString('utf8').replace(/^\uFEFF/, '')) as Json;
  for (const [i, value, addKey] of edits) {
    const all = jsonPaths(m);
    const at = all[i % all.length] as Array<string | number>;
    m = setAt(m, addKey ? [...at.slice(0, -1), '__extra'] : at, value);
  }
  return Buffer.from(JSON.stringify(m, null, 2));
}

/** JSON seeds with structure-aware edits. */
export function jsonEdited(seedList: Buffer[]): fc.Arbitrary<Buffer> {
  return fc.tuple(fc.nat({ max: Math.max(0, seedList.length - 1) }), jsonEdits).map(([i, e]) => applyJsonEdits(seedList[i] as Buffer, e as Array<[number, unknown, boolean]>));
}
