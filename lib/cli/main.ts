// Entry point of the compiled bundle (dist/mfa-upgrade.cjs). Kept small: it imports only the
// command table and loads the chosen command on demand.
import { ExitCode, MfaError } from '../errors.js';
import { flag, helpText, parseArgs, str, unknownCommandError } from './args.js';
import { commands, findCommand } from './commands.js';
import { installInterrupts, type Interrupts } from './interrupts.js';
import { Output } from './output.js';

import { version } from '../version.js';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 4;
  return [
    `mfa-upgrade ${version}: upgrade Azure MFA Server / PhoneFactor Agent deployments safely.`,
    '',
    'Usage: mfa-upgrade <command> [options]    (mfa-upgrade <command> --help for its options)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
  ].join('\n');
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    io.stdout(`${version}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(`${overview()}\n`);
    return name === undefined ? ExitCode.usage : 0;
  }
  const json = rest.includes('--json');
  const spec = findCommand(name);
  const early = new Output({ json, verbose: false, write: io.stdout, writeErr: io.stderr });
  if (!spec) {
    const err = unknownCommandError(name, commands.map((c) => c.name));
    early.error(err);
    early.result(err.exitCode);
    return err.exitCode;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${helpText(spec)}\n`);
    return 0;
  }
  let out = early;
  let interrupts: Interrupts | undefined;
  try {
    const args = parseArgs(spec, rest);
    const logFile = str(args, 'log');
    interrupts = installInterrupts({ controlStdin: flag(args, 'control-stdin'), onInterrupt: (reason) => out.log('warning', `Stop requested (${reason}): finishing at the next safe point. Do not close this window.`) });
    const closed = interrupts;
    // Once whoever read stdout is gone, nothing more goes there; the --log file goes on.
    const write = (t: string) => {
      if (!closed.stdoutClosed) io.stdout(t);
    };
    out = new Output({ json, verbose: flag(args, 'verbose'), write, writeErr: io.stderr, ...(logFile ? { logFile } : {}) });
    const mod = await spec.load();
    const code = await mod.run({ args, out, cancel: interrupts.cancel });
    out.result(code);
    return code;
  } catch (e) {
    const err = toMfaError(e);
    out.error(err);
    if (rest.includes('--verbose') || process.env.MFA_UPGRADE_DEBUG) {
      io.stderr(`${(e as Error).stack ?? String(e)}\n`);
    }
    out.result(err.exitCode);
    return err.exitCode;
  } finally {
    interrupts?.dispose();
  }
}

export function toMfaError(e: unknown): MfaError {
  if (e instanceof MfaError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err === 'object' && typeof err.code === 'string' && typeof err.path === 'string') {
    return new MfaError(`${err.message}`, { code: err.code, target: err.path, cause: e });
  }
  return new MfaError(err instanceof Error ? err.message : String(e), { code: 'INTERNAL', cause: e });
}
