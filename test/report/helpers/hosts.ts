// Sample host copies for the report tests, with a fresh secret planted in every password of their
// web.configs and AD FS adapter config, and the report's path beside them.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempCopy, tempDir } from '../../helpers/temp-host.js';

export const PKG = 'examples/packages';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Replaces every password value under a host's drive with a new random secret; returns it. */
export function plantSecret(hostDir: string): string {
  const secret = `Planted-${randomBytes(6).toString('hex')}`;
  let n = 0;
  for (const file of walk(join(hostDir, 'drive'))) {
    if (!/web\.config$|AdfsAdapter\.config$/i.test(file)) continue;
    const text = readFileSync(file, 'utf8');
    const next = text
      .replace(/(key="[^"]*PASSWORD[^"]*"\s+value=")[^"]*(")/gi, (_m, a: string, b: string) => `${a}${secret}${b}`)
      .replace(/(<WebServiceSdkPassword>)[^<]*(<\/WebServiceSdkPassword>)/gi, (_m, a: string, b: string) => `${a}${secret}${b}`);
    if (next !== text) {
      writeFileSync(file, next);
      n++;
    }
  }
  if (n === 0) throw new Error(`no password to plant a secret in under ${hostDir}`);
  return secret;
}

export interface Workspace {
  host: string;
  work: string;
  report: (name: string) => string;
  secret: string | undefined;
  cleanup: () => void;
}

export function workspace(sample: string, plant = true): Workspace {
  const host = tempCopy(sample);
  const work = tempDir();
  const reports = tempDir();
  return {
    host: host.dir,
    work: join(work.dir, 'upgrade'),
    report: (name) => join(reports.dir, `${name}.html`),
    secret: plant ? plantSecret(host.dir) : undefined,
    cleanup: () => (host.cleanup(), work.cleanup(), reports.cleanup()),
  };
}

export function objectOf(events: Array<Record<string, unknown>>, typeName: string): Record<string, unknown> {
  const e = events.find((x) => x['type'] === 'object' && x['typeName'] === typeName);
  if (!e) throw new Error(`no ${typeName} object in the output`);
  return e['data'] as Record<string, unknown>;
}
