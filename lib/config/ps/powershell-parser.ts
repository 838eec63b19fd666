// A real PowerShell parser: tree-sitter-powershell's grammar compiled to WebAssembly, run by
// web-tree-sitter (no native build, same result on every OS). Two .wasm files are needed at run
// time: web-tree-sitter.wasm (the runtime) and tree-sitter-powershell.wasm (the grammar). From
// source they come from node_modules; the bundle (dist/mfa-upgrade.cjs) finds copies beside
// itself, or in MFA_UPGRADE_WASM_DIR.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MfaError } from '../../errors.js';
import type { Parser as ParserType } from 'web-tree-sitter';
import { setFlagsFromString } from 'node:v8';

export const GRAMMAR_WASM = 'tree-sitter-powershell.wasm';
export const RUNTIME_WASM = 'web-tree-sitter.wasm';

const PACKAGE_PATHS: Record<string, string> = {
  [GRAMMAR_WASM]: 'tree-sitter-powershell/tree-sitter-powershell.wasm',
  [RUNTIME_WASM]: 'web-tree-sitter/web-tree-sitter.wasm',
};

/** Folders that may hold the .wasm files beside a bundle or single executable. */
function besideDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.MFA_UPGRADE_WASM_DIR) dirs.push(process.env.MFA_UPGRADE_WASM_DIR);
  if (process.argv[1]) dirs.push(dirname(process.argv[1]));
  dirs.push(dirname(process.execPath));
  return dirs;
}

export function locateWasm(name: string): string {
  for (const dir of besideDirs()) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  // From source: the packages in node_modules, found from the main script or the working folder
  // (import.meta is not used: the CommonJS bundle has none).
  for (const base of [process.argv[1], join(process.cwd(), 'package.json')]) {
    if (!base) continue;
    try {
      return createRequire(base).resolve(PACKAGE_PATHS[name] as string);
    } catch {
      /* try the next base */
    }
  }
  throw new MfaError(`the PowerShell parser's ${name} was not found`, {
    code: 'PS_PARSER_MISSING',
    remedy: `Reinstall mfa-upgrade: ${name} must lie beside the mfa-upgrade bundle (or set MFA_UPGRADE_WASM_DIR to the folder that holds it).`,
  });
}

type TreeSitter = typeof import('web-tree-sitter');

/**
 * web-tree-sitter's ESM build needs import.meta, which the CommonJS bundle lacks: there the
 * bundler's require() picks its CommonJS build. From source (ESM) the import is used.
 */
async function loadTreeSitter(): Promise<TreeSitter> {
  if (typeof require === 'function') return require('web-tree-sitter') as TreeSitter;
  const specifier = 'web-tree-sitter';
  return (await import(specifier)) as TreeSitter;
}

let parser: Promise<ParserType> | undefined;

/**
 * The grammar's wasm uses reference-type table indices, which V8 7.8 (Node 12, the runtime for
 * old Windows: docs/api-floor.md) compiles only behind a flag; newer Node has them on.
 */
function enableWasmReferenceTypes(): void {
  if (Number(process.versions.node.split('.')[0]) >= 14) return;
  setFlagsFromString('--experimental-wasm-anyref');
  // web-tree-sitter frees wasm objects through FinalizationRegistry (V8 8.4) and warns on every
  // object where it is missing; one short-lived parser per process needs no finalizer.
  const g = globalThis as unknown as Record<string, unknown>;
  if (g.FinalizationRegistry === undefined) {
    g.FinalizationRegistry = class {
      register(): void {}
      unregister(): boolean {
        return false;
      }
    };
  }
}

/** One parser per process: loading the grammar costs more than parsing a script. */
export function powershellParser(): Promise<ParserType> {
  parser ??= (async () => {
    enableWasmReferenceTypes();
    const { Parser, Language } = await loadTreeSitter();
    const runtime = locateWasm(RUNTIME_WASM);
    await Parser.init({ locateFile: () => runtime });
    const language = await Language.load(locateWasm(GRAMMAR_WASM));
    const p = new Parser();
    p.setLanguage(language);
    return p;
  })();
  return parser;
}
