// The bundle-manifest reader: a real bundle's manifest.json with fields replaced by hostile
// values (or its bytes mutated) is opened, verified, matched and planned for restore (what-if),
// or refused; never a crash. The bundle and the host are copies made once per run.
import fc from 'fast-check';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchGroups } from '../../../lib/backup/group-match.js';
import { openBundle } from '../../../lib/backup/read-bundle.js';
import { restoreBundle } from '../../../lib/backup/restore.js';
import { takeBackup } from '../../../lib/backup/take-backup.js';
import { verifyOpened } from '../../../lib/backup/verify.js';
import { openImageHost, type ImageHost } from '../../../lib/host/image/image-host.js';
import { cleanlyAsync, cleanly } from '../contract.js';
import { applyMutations, mutation } from '../mutate.js';
import type { Target } from './target.js';

let root = '';
let plain = '';
let original: Buffer = Buffer.alloc(0);
let host: ImageHost | undefined;

const hostile = fc.oneof(
  fc.constantFrom<unknown>(null, true, -1, 1e308, 2 ** 53 + 1, '', '..', '../../x', 'C:\\Windows\\System32', 'C:\\Windows\\System32\\..\\x', '\\\\server\\share', 'CON', 'nul.txt', 'a:b', 'x.', 'x ', 'PROGRA~1', '\u017Fo', '\u212A', 'snapshot/drive/C/Windows/System32/x', 'extra/../manifest.json', [], {}, ['data'], ['webConfig', 'theme'], 'webComponent', 'theme', 'data', 'userPortal', 'x'.repeat(5000)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

type Json = unknown;
function paths(v: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths((v as Record<string, Json>)[k], [...at, k], out);
  return out;
}
function setAt(v: Json, at: Array<string | number>, value: Json): Json {
  if (at.length === 0) return value;
  const [head, ...rest] = at as [string | number, ...Array<string | number>];
  if (Array.isArray(v)) return v.map((x, i) => (i === head ? setAt(x, rest, value) : x));
  if (v !== null && typeof v === 'object') return { ...(v as Record<string, Json>), [head]: setAt((v as Record<string, Json>)[head as string], rest, value) };
  return v;
}

const edits = fc.array(fc.tuple(fc.nat(), hostile, fc.boolean()), { minLength: 1, maxLength: 4 });

export const bundleManifestTarget: Target = {
  name: 'bundle-manifest',
  arbitrary: fc.oneof(
    { weight: 7, arbitrary: edits.map((e) => Buffer.from(`E${JSON.stringify(e)}`)) },
    { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 5 }).map((m) => Buffer.from(`M${JSON.stringify(m)}`)) },
  ),
  async setup() {
    root = mkdtempSync(join(tmpdir(), 'mfa-fuzz-bundle-'));
    const h = join(root, 'host');
    cpSync('examples/hosts/phonefactor-5.2', h, { recursive: true });
    plain = join(root, 'bundle');
    await takeBackup(await openImageHost(h), { out: plain });
    original = readFileSync(join(plain, 'manifest.json'));
    host = await openImageHost(h);
  },
  async teardown() {
    rmSync(root, { recursive: true, force: true });
  },
  async check(input: Buffer): Promise<void> {
    const spec = input.toString();
    let bytes: Buffer;
    if (spec.startsWith('E')) {
      let m = JSON.parse(original.toString()) as Json;
      for (const [i, value, addKey] of JSON.parse(spec.slice(1)) as Array<[number, Json, boolean]>) {
        const all = paths(m);
        const at = all[i % all.length] as Array<string | number>;
        m = setAt(m, addKey ? [...at.slice(0, -1), '__extra'] : at, value);
      }
      bytes = Buffer.from(JSON.stringify(m, null, 2));
    } else {
      bytes = applyMutations(original, JSON.parse(spec.slice(1)));
    }
    writeFileSync(join(plain, 'manifest.json'), bytes);
    try {
      const bundle = await cleanlyAsync(() => openBundle(plain));
      if (!bundle) return;
      cleanly(() => matchGroups(bundle.manifest));
      await cleanlyAsync(() => verifyOpened(bundle));
      await cleanlyAsync(() => restoreBundle(host as ImageHost, plain, { whatIf: true, include: { web: true, themes: true } }));
    } finally {
      writeFileSync(join(plain, 'manifest.json'), original);
    }
  },
};
