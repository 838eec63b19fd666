// The API floor (docs/api-floor.md): lib/ runs on Node 12.16 too. Language APIs newer than that
// are caught by `tsc -p tsconfig.lib.json` (ES2019 lib); this scan catches the Node APIs types do
// not fence off. `npm run test:node12` then runs the bundle under Node 12 itself.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Node APIs lib/ must not use, with the Node version that brought each. */
const NEWER_THAN_NODE_12: { pattern: RegExp; what: string; allowedIn?: string[] }[] = [
  { pattern: /from 'node:fs\/promises'|from 'fs\/promises'|require\(['"](node:)?fs\/promises/, what: "the 'fs/promises' module (14): import { promises as fsp } from 'node:fs'" },
  { pattern: /'(node:)?(readline|stream|timers|dns\/)?\/?promises'/, what: 'a */promises module (15-17)' },
  { pattern: /\bfsp?\.rm\(|\bfs\.rmSync\(|(?<![\w.])rm\(/, what: 'fs.rm (14.14): removePath from lib/util/remove.ts' },
  { pattern: /\bstatfs\b/, what: 'fs.statfs (18.15): localFreeSpace from lib/util/free-space.ts', allowedIn: ['lib/util/free-space.ts'] },
  { pattern: /\bstructuredClone\(/, what: 'structuredClone (17)' },
  { pattern: /\bnew AbortController\b|\bAbortSignal\./, what: 'AbortController (15)' },
  { pattern: /\brandomUUID\b/, what: 'crypto.randomUUID (14.17)' },
  { pattern: /\bhkdf(Sync)?\(/, what: 'crypto.hkdf (15)' },
  { pattern: /\bfs\.cp(Sync)?\(|\bcpSync\(/, what: 'fs.cp (16.7)' },
  { pattern: /(?<![\w.])fetch\(/, what: 'global fetch (18)' },
  { pattern: /\bnew (Blob|BroadcastChannel|EventTarget)\b/, what: 'a web global newer than 12' },
  { pattern: /(?<![\w.])performance\.now\(\)/, what: "global performance (16): import { performance } from 'node:perf_hooks'" },
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Code only: comments are free to name newer APIs. */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

function floorViolations(files: { path: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { path, text } of files) {
    stripComments(text).split('\n').forEach((line, i) => {
      for (const rule of NEWER_THAN_NODE_12) {
        if (rule.allowedIn?.includes(path)) continue;
        if (rule.pattern.test(line)) found.push(`${path}:${i + 1}: ${rule.what}`);
      }
    });
  }
  return found;
}

test('lib/ uses no Node API newer than 12.16', (t) => {
  const files = tsFiles('lib').map((p) => ({ path: p.split('\\').join('/'), text: readFileSync(p, 'utf8') }));
  t.true(files.length > 50);
  t.deepEqual(floorViolations(files), []);
});

test('the scan finds each kind of newer API it is meant to find', (t) => {
  const planted = [
    "import { readFile } from 'node:fs/promises';",
    "import { createInterface } from 'node:readline/promises';",
    'await fsp.rm(dir, { recursive: true });',
    'const s = await fsp.statfs(dir);',
    'const copy = structuredClone(x);',
    'const c = new AbortController();',
    'const id = crypto.randomUUID();',
    'const r = await fetch(url);',
  ];
  const found = floorViolations(planted.map((text, i) => ({ path: `lib/x${i}.ts`, text })));
  t.is(found.length, planted.length, found.join('\n'));
  t.deepEqual(floorViolations([{ path: 'lib/y.ts', text: '// fsp.rm( is named in a comment only\nconst a = removePath(x);' }]), []);
});
