// Runs the CLI in-process with captured stdout/stderr, as the bundle would run it.
import { main } from '../../lib/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Parsed --json events. */
  events: Array<Record<string, unknown>>;
}

export async function runCli(argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(argv);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  const events = argv.includes('--json') ? stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { code, stdout, stderr, events };
}
