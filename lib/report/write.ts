// Writing the report file: checked before a command does anything (a long upgrade must not end in
// "cannot write the report"), then rendered and replaced atomically. The report is a local file:
// writing it changes nothing on the server, so it is written under --what-if too.
import { promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ExitCode, MfaError } from '../errors.js';
import type { Reporter } from '../reporting/reporter.js';
import { writeFileAtomicLocal } from '../util/local-fs.js';
import type { ReportModel } from './model.js';
import { renderReport } from './render.js';

function pathError(message: string, path: string): MfaError {
  return new MfaError(message, { code: 'USAGE', target: path, exitCode: ExitCode.usage, remedy: 'Pass --report a file name in a folder that exists, e.g. --report .\\upgrade-report.html.' });
}

/** Refuses a report path that cannot be written: a folder, or a file in a folder that does not exist. */
export async function checkReportPath(path: string): Promise<string> {
  if (path.trim() === '') throw pathError('--report needs a file name', path);
  const full = resolve(path);
  const st = await fsp.stat(full).catch(() => undefined);
  if (st?.isDirectory()) throw pathError('--report names a folder, not a file', full);
  const dir = await fsp.stat(dirname(full)).catch(() => undefined);
  if (!dir || !dir.isDirectory()) throw pathError(`the folder for the report does not exist: ${dirname(full)}`, full);
  return full;
}

export async function writeReport(path: string, model: ReportModel, out?: Pick<Reporter, 'log'>): Promise<string> {
  const full = await checkReportPath(path);
  await writeFileAtomicLocal(full, Buffer.from(renderReport(model), 'utf8'));
  out?.log('info', `Report written: ${full}`);
  return full;
}
