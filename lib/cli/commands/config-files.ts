// File access for the config commands: inside an image host with --host, otherwise on this
// machine (the live Windows host, whose atomic replace keeps the file's ACL; elsewhere the local
// file system). Files over the size limit are refused from their size, before being read.
import { promises as fsp } from 'node:fs';
import { badInput } from '../../errors.js';
import type { Files } from '../../host/ports.js';
import { openHost } from '../../host/open.js';
import { writeFileAtomicLocal } from '../../util/local-fs.js';
import { checkSize, MAX_CONFIG_BYTES } from '../../config/xml/document.js';

export type ConfigFiles = Pick<Files, 'readFile' | 'writeFileAtomic' | 'stat'>;

const localFiles: ConfigFiles = {
  readFile: (path) => fsp.readFile(path),
  writeFileAtomic: (path, data) => writeFileAtomicLocal(path, data),
  stat: async (path) => {
    try {
      const s = await fsp.stat(path);
      return { size: s.size, isDirectory: s.isDirectory(), mtimeMs: s.mtimeMs };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  },
};

export async function openConfigFiles(hostFolder: string | undefined): Promise<ConfigFiles> {
  if (hostFolder !== undefined || process.platform === 'win32') return (await openHost(hostFolder)).files;
  return localFiles;
}

/** Reads an input file, refusing a missing, a folder or an oversized one with a remedy. */
export async function readInput(files: ConfigFiles, path: string, what: string, option: string): Promise<Buffer> {
  const st = await files.stat(path);
  if (!st) throw badInput(`the ${what} does not exist`, path, { code: 'FILE_NOT_FOUND', remedy: `Check the path given to --${option}.` });
  if (st.isDirectory) throw badInput(`this is a folder, not the ${what}`, path, { code: 'FILE_IS_FOLDER', remedy: `Give --${option} the path of the file itself.` });
  if (st.size > MAX_CONFIG_BYTES) checkSize(new Uint8Array(st.size), path, what);
  return files.readFile(path);
}
