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
