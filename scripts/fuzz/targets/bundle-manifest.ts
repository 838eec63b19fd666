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
import { applyMutations, applyJsonEdits, jsonEdits, mutation } from '../mutate.js';
import type { Target } from './target.js';

let root = '';
let plain = '';
let original: Buffer = Buffer.alloc(0);
let host: ImageHost | undefined;

const edits = jsonEdits;

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
      bytes = applyJsonEdits(original, JSON.parse(spec.slice(1)));
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
