// The MFA Server service log (<install dir>\Logs\MultiFactorAuthSvc.log, DOMAIN.md §1) as the
// conversion wait reads it: what the log folder held before the install (a mark), what was
// written since, and the line the service writes when it has converted the data file. The line's
// wording around "Completed performing tasks to upgrade from <n> to <m>" (timestamps, prefixes)
// and its numbers vary; nothing else about the log's format is assumed. A log rotated or
// replaced since the mark (shorter, or its first bytes changed) is read from its start.
import { createHash } from 'node:crypto';
import type { Host } from '../host/ports.js';
import { joinWindowsPath } from '../util/winpath.js';

export const SERVICE_LOG_NAME = 'MultiFactorAuthSvc.log';

/** The completion line of the data file conversion (procedure.md §1); numbers vary, the case may too. */
export const CONVERSION_DONE = /completed\s+performing\s+tasks\s+to\s+upgrade\s+from\s+(\d+)\s+to\s+(\d+)/i;

/** What a log file held at the mark: its size and a digest of its first bytes (to see a rotation). */
export interface LogFileMark {
  name: string;
  size: number;
  head: string;
}

export interface LogMark {
  folder: string;
  files: LogFileMark[];
}

const HEAD_BYTES = 256;

/** Service log files in the folder: MultiFactorAuthSvc.log and rotated siblings (MultiFactorAuthSvc*.log). */
function isServiceLog(name: string): boolean {
  return /^multifactorauthsvc.*\.log$/i.test(name);
}

/** A digest of the first bytes the mark saw (the file's first HEAD_BYTES, or all of it when shorter). */
const digest = (b: Uint8Array, length: number) => createHash('sha256').update(b.subarray(0, Math.min(length, HEAD_BYTES))).digest('hex');

export function logFolderOf(installPath: string): string {
  return joinWindowsPath(installPath, 'Logs');
}

async function logFiles(host: Host, folder: string): Promise<string[]> {
  return ((await host.files.listDir(folder)) ?? []).filter((e) => !e.isDirectory && isServiceLog(e.name)).map((e) => e.name).sort();
}

export async function markLogs(host: Host, folder: string): Promise<LogMark> {
  const files: LogFileMark[] = [];
  for (const name of await logFiles(host, folder)) {
    const bytes = await host.files.readFile(joinWindowsPath(folder, name));
    files.push({ name, size: bytes.length, head: digest(bytes, bytes.length) });
  }
  return { folder, files };
}

/** Text of a log, whatever Windows tool wrote it: UTF-16 (BOM or NUL pattern) or UTF-8/ANSI. */
export function decodeLog(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  // No BOM: a log appended to in UTF-16 has NULs in every other byte.
  const sample = bytes.subarray(0, Math.min(bytes.length, 512));
  let oddNul = 0;
  let evenNul = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) (i % 2 ? oddNul++ : evenNul++);
  if (sample.length >= 4 && oddNul > sample.length / 4 && evenNul === 0) return bytes.subarray(0, bytes.length - (bytes.length % 2)).toString('utf16le');
  if (sample.length >= 4 && evenNul > sample.length / 4 && oddNul === 0) return Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

/** The part of a UTF-16 log after an offset stays aligned to whole characters. */
function tail(bytes: Buffer, from: number): Buffer {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  if (!utf16) return bytes.subarray(from);
  const aligned = from % 2 ? from + 1 : from;
  return Buffer.concat([bytes.subarray(0, 2), bytes.subarray(aligned)]);
}

export interface LogReading {
  /** The completion line, when written since the mark. */
  done?: { from: number; to: number; line: string; file: string };
  /** The last lines written since the mark (for progress and for the person to check). */
  lastLines: string[];
  /** Log files written since the mark. */
  written: string[];
}

/** What the service logged since the mark. */
export async function readSince(host: Host, mark: LogMark): Promise<LogReading> {
  const out: LogReading = { lastLines: [], written: [] };
  for (const name of await logFiles(host, mark.folder)) {
    const path = joinWindowsPath(mark.folder, name);
    const bytes = await host.files.readFile(path);
    const before = mark.files.find((f) => f.name.toLowerCase() === name.toLowerCase());
    const same = before !== undefined && bytes.length >= before.size && digest(bytes, before.size) === before.head;
    if (same && bytes.length === before.size) continue;
    const text = decodeLog(same ? tail(bytes, before.size) : bytes);
    if (text.trim() === '') continue;
    out.written.push(path);
    const lines = text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '');
    out.lastLines = lines.slice(-3);
    for (const line of lines) {
      const m = CONVERSION_DONE.exec(line);
      if (m) out.done = { from: Number(m[1]), to: Number(m[2]), line: line.trim(), file: path };
    }
  }
  return out;
}
