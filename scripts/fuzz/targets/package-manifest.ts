// The package-manifest reader and the package folder check: any manifest text is read or
// refused by the image installer, and the folder check reports blockers, never throws.
import fc from 'fast-check';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImageHost, type ImageHost } from '../../../lib/host/image/image-host.js';
import { parseManifest } from '../../../lib/host/image/package-manifest.js';
import { inspectPackageFolder } from '../../../lib/upgrade/package-check.js';
import { readPackages, type UnreadablePackage } from '../../../lib/upgrade/packages.js';
import { cleanly, Finding } from '../contract.js';
import { jsonEdited, mutated, seeds } from '../mutate.js';
import type { Target } from './target.js';

const seedList = seeds(['examples/packages'], /\.msi\.json$/i);
let dir = '';
let host: ImageHost | undefined;

export const packageManifestTarget: Target = {
  name: 'package-manifest',
  arbitrary: fc.oneof({ weight: 5, arbitrary: mutated(seedList) }, { weight: 5, arbitrary: jsonEdited(seedList) }, { weight: 1, arbitrary: fc.json({ depthSize: 'medium' }).map((j) => Buffer.from(j)) }),
  async setup() {
    dir = mkdtempSync(join(tmpdir(), 'mfa-fuzz-pkgs-'));
    cpSync('examples/packages/payload', join(dir, 'payload'), { recursive: true });
    host = await openImageHost('examples/hosts/mfa-7.0');
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
  async check(bytes: Buffer): Promise<void> {
    cleanly(() => parseManifest(bytes.toString('utf8'), 'fuzz.msi.json'));
    const file = join(dir, 'Fuzz.msi.json');
    writeFileSync(file, bytes);
    const unreadable: UnreadablePackage[] = [];
    try {
      const packages = await readPackages(host as ImageHost, dir, unreadable);
      await inspectPackageFolder(host as ImageHost, dir, packages, unreadable);
    } catch (e) {
      throw new Finding(`the package folder check threw instead of blocking: ${(e as Error).name}: ${(e as Error).message}`);
    }
  },
};
