// The Files port on this machine. Reads use Node's file system; atomic replace goes through
// ReplaceFileW with a backup name (which keeps the replaced file's ACL, attributes and creation
// time); protect gives a folder owner Administrators and a protected DACL granting only
// Administrators and SYSTEM, set by handle; free space comes from GetDiskFreeSpaceExW.
import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MfaError } from '../../errors.js';
import { copyFileLocal, writeStreamAtomicLocal } from '../../util/local-fs.js';
import type { CopyResult, DirEntry, FileStat, Files } from '../ports.js';
import type { NativeAddon } from './addon.js';
import { callNative, errorCode, win32Code } from './native-error.js';
import { SID } from './file-trust.js';
import { removePath } from '../../util/remove.js';
import { removeStaleTemps, tempBeside } from '../../util/temp-names.js';

/**
 * ReplaceFileW failures a virus scanner or indexer holding the file causes for a moment, retried
 * only when the files show nothing moved (1176 with a backup name means exactly that).
 */
const TRANSIENT = new Set([5, 32, 1175, 1176]);

function fsError(e: unknown, path: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return new MfaError('file not found', { code: 'FILE_NOT_FOUND', target: path, cause: e });
  if (err?.code === 'EACCES' || err?.code === 'EPERM') {
    return new MfaError('access denied', { code: 'FILE_ACCESS', target: path, remedy: 'Run as an administrator, or check the file is not locked by another process.', cause: e });
  }
  if (err?.code === 'EBUSY') return new MfaError('the file is in use', { code: 'FILE_BUSY', target: path, remedy: 'Stop the process holding it (an IIS worker, the MFA service) and retry.', cause: e });
  return e;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class WindowsFiles implements Files {
  constructor(private readonly addon: NativeAddon) {}

  async readFile(path: string): Promise<Buffer> {
    try {
      return await fsp.readFile(path);
    } catch (e) {
      throw fsError(e, path);
    }
  }

  async stat(path: string): Promise<FileStat | undefined> {
    try {
      const s = await fsp.stat(path);
      return { size: s.size, isDirectory: s.isDirectory(), mtimeMs: s.mtimeMs };
    } catch {
      return undefined;
    }
  }

  async listDir(path: string): Promise<DirEntry[] | undefined> {
    try {
      const entries = await fsp.readdir(path, { withFileTypes: true });
      return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory() })).sort((a, b) => a.name.localeCompare(b.name));
    } catch {
      return undefined;
    }
  }

  async openRead(path: string): Promise<NodeJS.ReadableStream> {
    await fsp.access(path).catch((e: unknown) => {
      throw fsError(e, path);
    });
    return createReadStream(path, { highWaterMark: 1 << 20 });
  }

  async writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    await fsp.mkdir(dirname(path), { recursive: true });
    const tmp = tempBeside(path);
    const h = await fsp.open(tmp, 'wx');
    try {
      await h.writeFile(data);
      await h.sync();
    } catch (e) {
      await h.close().catch(() => undefined);
      await removePath(tmp);
      throw fsError(e, path);
    }
    await h.close();
    await this.replaceWith(tmp, path);
  }

  async writeStreamAtomic(path: string, source: AsyncIterable<Uint8Array>): Promise<CopyResult> {
    const tmp = tempBeside(path);
    let result: CopyResult;
    try {
      // Written beside and flushed; the temporary file keeps no ACL of its own worth keeping.
      result = await writeStreamAtomicLocal(tmp, source);
    } catch (e) {
      throw fsError(e, path);
    }
    await this.replaceWith(tmp, path);
    return result;
  }

  /**
   * Puts a flushed temporary file in place. A new file is moved in. An existing one is replaced
   * with ReplaceFileW, which keeps its DACL, attributes and creation time and keeps the original
   * under a backup name until the new content is in place: whatever fails, the original or the new
   * content survives, and the error says where. The DACL is compared afterwards; a replace that
   * lost it is undone.
   */
  private async replaceWith(tmp: string, path: string): Promise<void> {
    if (!(await exists(path))) {
      try {
        callNative(() => this.addon.moveFile(tmp, path, false));
      } catch (e) {
        await removePath(tmp).catch(() => undefined);
        throw e;
      }
      return;
    }
    let before: string;
    try {
      before = callNative(() => this.addon.getSecurity(path)).dacl;
    } catch (e) {
      await removePath(tmp).catch(() => undefined);
      throw e;
    }
    const backup = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.bak`);
    for (let attempt = 1; ; attempt++) {
      try {
        callNative(() => this.addon.replaceFile(path, tmp, backup));
        break;
      } catch (e) {
        const retry = await this.afterFailedReplace(e, { path, tmp, backup }, attempt);
        if (!retry) throw e;
        await sleep(100 * attempt);
      }
    }
    let after: string;
    try {
      after = callNative(() => this.addon.getSecurity(path)).dacl;
    } catch (e) {
      after = `unreadable (${(e as Error).message})`;
    }
    if (after !== before) {
      // The new file did not keep the old one's DACL: put the original (with its DACL) back.
      callNative(() => this.addon.moveFile(backup, path, true));
      throw new MfaError(`the file was not replaced: its permissions could not be kept (they were ${before}, the new file had ${after}); the original is back in place`, {
        code: 'FILE_ACCESS',
        target: path,
        remedy: 'Check that this account may change the permissions of the file (WRITE_DAC), then retry.',
      });
    }
    await removePath(backup);
  }

  /**
   * After a failed ReplaceFileW: works out from what is on disk (not only from the code) where the
   * original and the new content are, puts the original back when it was moved aside, and either
   * asks for a retry (nothing moved, a transient code) or throws an error naming the files.
   */
  private async afterFailedReplace(e: unknown, files: { path: string; tmp: string; backup: string }, attempt: number): Promise<boolean> {
    const { path, tmp, backup } = files;
    const code = win32Code(e) ?? 0;
    const [target, replacement, saved] = await Promise.all([exists(path), exists(tmp), exists(backup)]);
    if (target && !replacement) {
      // The new content went in although an error came back: keep it; the original is in the backup if anywhere.
      throw new MfaError(`ReplaceFileW reported error ${code} after the new content was in place`, {
        code: errorCode('ReplaceFileW', code),
        target: path,
        remedy: saved ? `The file holds the new content; the original is kept as ${backup}.` : 'The file holds the new content.',
        cause: e,
      });
    }
    if (target && replacement && !saved) {
      // 1175, and 1176 with a backup name: both files kept their names. Retry what may be a scanner's moment.
      if (attempt < 5 && TRANSIENT.has(code)) return true;
      await removePath(tmp).catch(() => undefined);
      return false; // the native error stands: "the original is unchanged" is true here
    }
    if (!target && saved) {
      // 1177: the original was moved to the backup name and the new file did not take its place.
      try {
        callNative(() => this.addon.moveFile(backup, path, false));
      } catch (restoreError) {
        throw new MfaError(`the file could not be replaced (error ${code}) nor put back: the original is kept as ${backup} and the new content as ${replacement ? tmp : '(lost)'}`, {
          code: errorCode('ReplaceFileW', code),
          target: path,
          remedy: `Rename ${backup} to ${basename(path)} to restore the original, then retry.`,
          cause: restoreError,
        });
      }
      await removePath(tmp).catch(() => undefined);
      throw new MfaError(`the file could not be replaced (error ${code}); the original was put back from ${backup}`, {
        code: errorCode('ReplaceFileW', code),
        target: path,
        remedy: 'Check what holds the file open (an IIS worker, the MFA service, a virus scanner), then retry.',
        cause: e,
      });
    }
    if (!target && replacement) {
      // The original is gone and not in the backup (what 1176 means without a backup name): the new content is all there is.
      try {
        callNative(() => this.addon.moveFile(tmp, path, false));
      } catch (moveError) {
        throw new MfaError(`the file could not be replaced (error ${code}); the original is gone and the new content is kept as ${tmp}`, {
          code: errorCode('ReplaceFileW', code),
          target: path,
          remedy: `Rename ${tmp} to ${basename(path)}.`,
          cause: moveError,
        });
      }
      throw new MfaError(`the file could not be replaced in one step (error ${code}): it now holds the new content, the original is gone`, {
        code: errorCode('ReplaceFileW', code),
        target: path,
        remedy: 'Check the file, then retry if the new content is not what was wanted.',
        cause: e,
      });
    }
    await removePath(tmp).catch(() => undefined);
    return false;
  }

  async copyFile(source: string, destination: string, onProgress?: (bytesDone: number, bytesTotal: number) => void): Promise<CopyResult> {
    try {
      return await copyFileLocal(source, destination, onProgress);
    } catch (e) {
      throw fsError(e, source);
    }
  }

  async mkdirp(path: string): Promise<void> {
    await fsp.mkdir(path, { recursive: true });
  }

  async remove(path: string): Promise<void> {
    await removePath(path);
  }

  async protect(path: string): Promise<void> {
    // Parents as usual; the folder itself is created with its descriptor, or checked and set by handle.
    await fsp.mkdir(dirname(path), { recursive: true });
    const trusted = [SID.administrators, SID.system, SID.trustedInstaller, callNative(() => this.addon.currentUserSid())];
    callNative(() => this.addon.protectDirectory(path, trusted));
  }

  removeStaleTemps(folder: string): Promise<string[]> {
    return removeStaleTemps(folder);
  }

  async freeSpace(path: string): Promise<number> {
    // GetDiskFreeSpaceExW on the nearest folder that exists (Node 12 has no fs.statfs; one answer on every runtime).
    let dir = path;
    for (;;) {
      const st = await fsp.stat(dir).catch(() => undefined);
      if (st?.isDirectory()) return callNative(() => this.addon.diskFreeSpace(dir)).available;
      const up = dirname(dir);
      if (up === dir) throw new MfaError('no folder on the path exists', { code: 'FILE_NOT_FOUND', target: path, remedy: 'Check the drive letter.' });
      dir = up;
    }
  }

  /** Owner (SID) and DACL (SDDL) of a file or folder, read without following a link. */
  security(path: string): { owner: string; dacl: string } {
    const { owner, dacl } = callNative(() => this.addon.getSecurity(path));
    return { owner, dacl };
  }

  /** The DACL of a file or folder as SDDL (to check what protect or a replace left). */
  dacl(path: string): string {
    return this.security(path).dacl;
  }

  /** Sets an owner and/or DACL from SDDL (tests and repairs). */
  setSecurity(path: string, sddl: string): void {
    callNative(() => this.addon.setSecurity(path, sddl));
  }
}

async function exists(path: string): Promise<boolean> {
  return fsp.lstat(path).then(
    () => true,
    () => false,
  );
}
