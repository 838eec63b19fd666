// The data file conversion MFA Server performs when its service first starts after an upgrade
// (DOMAIN.md §1): the service reads the data file's schema, converts it to its own, and logs
// "Completed performing tasks to upgrade from <n> to <m>" in <install dir>\Logs\MultiFactorAuthSvc.log.
// The real file format is not public, so an image marks a data file it converted with a 32-byte
// header of its own in front of the original bytes (docs/package-manifest.md, "dataConversion"):
//
//   0  16  "MFA-IMAGE-PFDATA"       magic
//   16  4  schema (u32 LE)          the schema the file is at (or converting to)
//   20  4  from (u32 LE)            the schema it was converted from
//   24  4  state (u32 LE)           0 converted, 1 converting, 2 interrupted (damaged),
//                                   3 converted with its completion line not yet logged
//   28  4  polls left (u32 LE)      while converting: service status queries until it completes
//
// The bytes change deterministically (the same file converted twice, or by a resumed run, gives
// the same bytes), so a rollback that forgets the data file, or a resume that converts it twice,
// shows in a byte comparison. A file without the header is at the schema the service logs last
// recorded ("... to <m>" or "(schema <m>)" in any *.log of the log's folder), else 0.
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { MfaError } from '../../errors.js';
import { writeFileAtomicLocal } from '../../util/local-fs.js';
import type { ImagePaths } from './paths.js';

export interface DataConversion {
  /** The data file (Windows path, formatted at install). */
  dataFile: string;
  /** The service log the completion line goes to. */
  log: string;
  /** The schema this version converts the file to. */
  schema: number;
  /** Service status queries after the start before the conversion completes (0: on the start itself). */
  polls?: number;
}

const MAGIC = Buffer.from('MFA-IMAGE-PFDATA', 'latin1');
export const HEADER_SIZE = 32;
const CONVERTED = 0;
const CONVERTING = 1;
const INTERRUPTED = 2;
const LOGGING = 3;

export interface DataFileHeader {
  schema: number;
  from: number;
  state: 'converted' | 'converting' | 'interrupted' | 'logging';
  pollsLeft: number;
}

export function readHeader(bytes: Uint8Array): DataFileHeader | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < HEADER_SIZE || !b.subarray(0, 16).equals(MAGIC)) return undefined;
  const state = b.readUInt32LE(24);
  return { schema: b.readUInt32LE(16), from: b.readUInt32LE(20), state: state === CONVERTED ? 'converted' : state === CONVERTING ? 'converting' : state === LOGGING ? 'logging' : 'interrupted', pollsLeft: b.readUInt32LE(28) };
}

export function withHeader(body: Uint8Array, h: DataFileHeader): Buffer {
  const head = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(h.schema, 16);
  head.writeUInt32LE(h.from, 20);
  head.writeUInt32LE(({ converted: CONVERTED, converting: CONVERTING, interrupted: INTERRUPTED, logging: LOGGING } as const)[h.state], 24);
  head.writeUInt32LE(h.pollsLeft, 28);
  return Buffer.concat([head, body]);
}

/** The original bytes of a data file, without an image header. */
export function bodyOf(bytes: Buffer): Buffer {
  return readHeader(bytes) ? bytes.subarray(HEADER_SIZE) : bytes;
}

export const completionLine = (from: number, to: number): string => `Completed performing tasks to upgrade from ${from} to ${to}`;

/** Converts, ticks and interrupts conversions on an image, through the image's own paths. */
export class ImageDataConversions {
  constructor(private readonly paths: ImagePaths) {}

  private async read(path: string): Promise<Buffer | undefined> {
    return fsp.readFile(this.paths.local(path)).catch(() => undefined);
  }

  /** Only the header (status queries are frequent and data files large). */
  private async head(path: string): Promise<DataFileHeader | undefined> {
    let h: import('node:fs').promises.FileHandle | undefined;
    try {
      h = await fsp.open(this.paths.local(path), 'r');
      const buf = Buffer.alloc(HEADER_SIZE);
      const { bytesRead } = await h.read(buf, 0, HEADER_SIZE, 0);
      return readHeader(buf.subarray(0, bytesRead));
    } catch {
      return undefined;
    } finally {
      await h?.close();
    }
  }

  private async write(path: string, data: Buffer): Promise<void> {
    await writeFileAtomicLocal(this.paths.local(path), data);
  }

  private async logLine(c: DataConversion, level: 'I' | 'E', text: string, once = false): Promise<void> {
    const local = this.paths.local(c.log);
    await fsp.mkdir(dirname(local), { recursive: true });
    const old = await fsp.readFile(local).catch(() => Buffer.alloc(0));
    if (once && old.toString('utf8').trimEnd().endsWith(`${level} ${text}`)) return;
    const eol = old.length && !old.includes('\r\n') ? '\n' : '\r\n';
    const sep = old.length && !old.toString('latin1').endsWith('\n') ? eol : '';
    // No wall-clock time: the same run gives the same bytes (the crash tier compares them).
    await this.write(c.log, Buffer.concat([old, Buffer.from(`${sep}[image] ${level} ${text}${eol}`, 'utf8')]));
  }

  /** The schema a header-less file is at: the last one the service logs recorded. */
  private async loggedSchema(c: DataConversion): Promise<number> {
    const dir = c.log.replace(/\\[^\\]*$/, '');
    let names: string[] = [];
    try {
      names = (await fsp.readdir(this.paths.local(dir))).filter((n) => /\.log$/i.test(n)).sort();
    } catch {
      return 0;
    }
    let found = 0;
    for (const n of names) {
      const text = (await this.read(`${dir}\\${n}`))?.toString('utf8') ?? '';
      for (const m of text.matchAll(/(?:upgrade from \d+ to (\d+))|(?:\(schema (\d+)\))/g)) found = Math.max(found, Number(m[1] ?? m[2]));
    }
    return found;
  }

  /** The service started: convert the data file, or start converting it (polls > 0). */
  async onStart(service: string, c: DataConversion): Promise<void> {
    const bytes = await this.read(c.dataFile);
    if (!bytes) return;
    const h = readHeader(bytes);
    if (h?.state === 'interrupted') {
      await this.logLine(c, 'E', `The data file ${c.dataFile} is damaged: a conversion to ${h.schema} was interrupted. Restore it from a backup.`);
      throw new MfaError(`service '${service}' stopped at once: its data file is damaged (a conversion was interrupted)`, {
        code: 'WIN32_1067',
        target: c.dataFile,
        remedy: 'Restore the data file from the backup bundle (mfa-upgrade restore), then start the service and let the conversion finish before restarting it.',
      });
    }
    if (h?.state === 'converting') return;
    if (h?.state === 'logging') return this.finish(c, bytes, h);
    const from = h ? h.schema : await this.loggedSchema(c);
    if (from >= c.schema) return;
    const polls = c.polls ?? 0;
    const next: DataFileHeader = { schema: c.schema, from, state: polls > 0 ? 'converting' : 'logging', pollsLeft: polls };
    await this.write(c.dataFile, withHeader(bodyOf(bytes), next));
    if (polls === 0) await this.finish(c, bytes, next);
  }

  /**
   * The end of a conversion: the file is converted (state 'logging'), then the completion line is
   * logged once, then the file says so. The service is another process on Windows, which killing
   * the tool never tears; here it runs in the tool's process, so a kill between these writes
   * leaves a state the next start, poll or stop finishes, as the service would have.
   */
  private async finish(c: DataConversion, bytes: Buffer, h: DataFileHeader): Promise<void> {
    await this.logLine(c, 'I', completionLine(h.from, h.schema), true);
    await this.write(c.dataFile, withHeader(bodyOf(bytes), { ...h, state: 'converted', pollsLeft: 0 }));
  }

  /** Time passes for a running service (its status was queried): a conversion in progress moves on. */
  async onPoll(c: DataConversion): Promise<void> {
    const state = (await this.head(c.dataFile))?.state;
    if (state !== 'converting' && state !== 'logging') return;
    const bytes = await this.read(c.dataFile);
    const h = bytes && readHeader(bytes);
    if (!bytes || !h) return;
    if (h.state === 'logging') return this.finish(c, bytes, h);
    if (h.state !== 'converting') return;
    const left = Math.max(0, h.pollsLeft - 1);
    const next: DataFileHeader = { ...h, state: left === 0 ? 'logging' : 'converting', pollsLeft: left };
    await this.write(c.dataFile, withHeader(bodyOf(bytes), next));
    if (left === 0) await this.finish(c, bytes, next);
  }

  /** The service stopped: a conversion still running is cut off, and the file is left damaged. */
  async onStop(c: DataConversion): Promise<void> {
    const state = (await this.head(c.dataFile))?.state;
    if (state !== 'converting' && state !== 'logging') return;
    const bytes = await this.read(c.dataFile);
    const h = bytes && readHeader(bytes);
    if (!bytes || !h) return;
    // Converted already: the service logged the end before it stopped.
    if (h.state === 'logging') return this.finish(c, bytes, h);
    if (h.state !== 'converting') return;
    await this.write(c.dataFile, withHeader(bodyOf(bytes), { ...h, state: 'interrupted', pollsLeft: 0 }));
    await this.logLine(c, 'E', `Data file conversion to ${h.schema} was interrupted by a service stop`);
  }
}
