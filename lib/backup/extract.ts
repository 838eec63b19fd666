// A bundle's snapshot as an image host folder of its own: for an encrypted bundle (whose snapshot
// is ciphertext) or to rehearse on a copy without touching the bundle. Verifies first; the
// folder is created new and readable by its owner only.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExitCode, MfaError, badInput } from '../errors.js';
import { ENCRYPTED_SUFFIX, SNAPSHOT_DIR } from './format.js';
import type { PassphraseInput } from './passphrase.js';
import { readStored } from './read-bundle.js';
import { protectBundle } from './take-backup.js';
import { verifyBundle } from './verify.js';

export async function extractSnapshot(bundleDir: string, dest: string, options: { passphrase?: PassphraseInput; expectDigest?: string } = {}): Promise<string> {
  const target = resolve(dest);
  const { report, bundle } = await verifyBundle(bundleDir, {
    ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
    ...(options.expectDigest !== undefined ? { expectDigest: options.expectDigest } : {}),
  });
  if (bundle.manifest.encryption && !bundle.keys) throw badInput('the bundle is encrypted: extracting its snapshot needs its passphrase', bundleDir, { code: 'BUNDLE_PASSPHRASE_REQUIRED', remedy: 'Pass the passphrase the backup was taken with.' });
  if (!report.ok) throw badInput(`the bundle fails verification: ${report.problems.map((p) => `${p.path} ${p.detail}`).join('; ')}`, bundleDir, { code: 'BUNDLE_VERIFY_FAILED' });
  try {
    await fsp.mkdir(target, { mode: 0o700 });
  } catch (e) {
    throw new MfaError(`cannot create the folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { code: 'EXTRACT_TARGET', target, exitCode: ExitCode.badInput, remedy: 'Pass a folder that does not exist yet.' });
  }
  const strip = (stored: string) => stored.slice(SNAPSHOT_DIR.length + 1).replace(bundle.manifest.encryption ? new RegExp(`${ENCRYPTED_SUFFIX.replace('.', '\\.')}$`) : /$^/, '');
  for (const d of bundle.manifest.directories) {
    if (d.stored.startsWith(`${SNAPSHOT_DIR}/`)) await fsp.mkdir(join(target, ...strip(d.stored).split('/')), { recursive: true, mode: 0o700 });
  }
  for (const f of bundle.manifest.files) {
    if (!f.stored.startsWith(`${SNAPSHOT_DIR}/`)) continue;
    const local = join(target, ...strip(f.stored).split('/'));
    await fsp.mkdir(join(local, '..'), { recursive: true, mode: 0o700 });
    const h = await fsp.open(local, 'wx', 0o600);
    const hash = createHash('sha256');
    try {
      for await (const chunk of readStored(bundle, f)) {
        hash.update(chunk);
        let off = 0;
        while (off < chunk.length) off += (await h.write(chunk, off, chunk.length - off)).bytesWritten;
      }
      await h.sync();
    } finally {
      await h.close();
    }
    if (hash.digest('hex') !== f.sha256) throw badInput(`'${f.stored}' changed while it was extracted`, bundleDir, { code: 'BUNDLE_ALTERED' });
  }
  await protectBundle(target);
  return target;
}
