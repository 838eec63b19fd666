// Maps Windows paths onto an image folder: C:\inetpub\x is <image>/drive/C/inetpub/x.
// Windows paths are case-insensitive and the image's file system may not be, so each segment is
// matched case-insensitively against what exists. Nothing may resolve outside the image.
import { readdirSync, realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { badInput } from '../../errors.js';

/** Splits "C:\a\b" (or "C:/a/b") into drive letter and segments, refusing what is not a local absolute path. */
export function splitWindowsPath(path: string): { drive: string; segments: string[] } {
  const m = /^([A-Za-z]):[\\/](.*)$/s.exec(path) ?? /^([A-Za-z]):$/.exec(path);
  if (!m) {
    throw badInput(`'${path}' is not an absolute local Windows path (like C:\\folder\\file)`, path, { code: 'PATH_INVALID' });
  }
  const segments: string[] = [];
  for (const seg of (m[2] ?? '').split(/[\\/]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (segments.length === 0) throw badInput(`'${path}' climbs above its drive`, path, { code: 'PATH_ESCAPE' });
      segments.pop();
      continue;
    }
    if (/[<>:"|?*\0]/.test(seg)) throw badInput(`'${path}' has a character Windows does not allow in a name`, path, { code: 'PATH_INVALID' });
    segments.push(seg);
  }
  return { drive: (m[1] as string).toUpperCase(), segments };
}

export class ImagePaths {
  readonly root: string;
  constructor(imageFolder: string) {
    this.root = resolve(imageFolder);
  }

  /** The local path for a Windows path, matching existing names case-insensitively. */
  local(windowsPath: string): string {
    const { drive, segments } = splitWindowsPath(windowsPath);
    let current = join(this.root, 'drive', drive);
    for (const seg of segments) current = join(current, this.matchName(current, seg));
    this.assertInside(current, windowsPath);
    return current;
  }

  /** The Windows path for a local path inside the image (for messages and listings). */
  windows(localPath: string): string {
    const rel = resolve(localPath).slice(join(this.root, 'drive').length + 1).split(sep);
    const [drive, ...rest] = rel;
    return `${drive}:\\${rest.join('\\')}`;
  }

  private matchName(dir: string, name: string): string {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return name;
    }
    if (entries.includes(name)) return name;
    const upper = name.toUpperCase();
    return entries.find((e) => e.toUpperCase() === upper) ?? name;
  }

  /** Refuses a path that a link inside the image would carry outside it. */
  private assertInside(local: string, windowsPath: string): void {
    let real: string;
    try {
      real = realpathSync(local);
    } catch {
      // Not there yet: check the nearest existing parent instead.
      const parent = resolve(local, '..');
      if (parent === local) return;
      this.assertInside(parent, windowsPath);
      return;
    }
    const rootReal = realpathSync(this.root);
    if (real !== rootReal && !real.startsWith(rootReal + sep)) {
      throw badInput(`'${windowsPath}' leads outside the image host (through a link)`, windowsPath, { code: 'PATH_ESCAPE' });
    }
  }
}
