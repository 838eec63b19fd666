// The old version's own web.config, as its package lays it down: the baseline that tells an
// administrator's change from the version's default (carry-elements.ts). A package lays its
// application's web.config at the application's root; deeper ones belong to sub-folders.
import type { PackageFile } from '../../host/ports.js';

export function rootWebConfig(files: PackageFile[]): PackageFile | undefined {
  const configs = files.filter((f) => /(^|[\\/])web\.config$/i.test(f.target));
  const depth = (f: PackageFile) => f.target.split(/[\\/]/).length;
  return [...configs].sort((a, b) => depth(a) - depth(b) || a.target.length - b.target.length)[0];
}
