// host.json: what an image says about the machine as a whole (all fields optional).
import { promises as fsp } from 'node:fs';
import { expectObject, parseJson } from '../../util/json-file.js';

export interface ImageHostJson {
  computerName?: string;
  os?: string;
  memoryMB?: number;
  /** Free bytes to report for the system volume, so results do not depend on this machine. */
  freeDiskBytes?: number;
  /** Whether the tool runs elevated there (readiness check). */
  isAdministrator?: boolean;
  /** Pending reboot flags as Windows records them are read from the registry; this adds file renames. */
  pendingFileRenames?: boolean;
  /** Outbound TCP 443 reachability by host name (the image has no network of its own). */
  reachable?: Record<string, boolean>;
  /** HTTP answers by URL that override what the image's IIS would answer (a status, or "refused"). */
  http?: Record<string, number | 'refused'>;
}

export async function readHostJson(file: string): Promise<ImageHostJson> {
  const text = await fsp.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return '{}';
    throw e;
  });
  const data = parseJson(text, file);
  expectObject(data, file, { computerName: 'string?', os: 'string?', memoryMB: 'number?', freeDiskBytes: 'number?', isAdministrator: 'boolean?' });
  return data as ImageHostJson;
}
