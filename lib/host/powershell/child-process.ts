// The PowerShell port through a child process (the default transport): one
// `powershell.exe -NoProfile -NonInteractive` per call, JSON in on stdin and out on stdout
// (protocol.ts; docs/adfs.md). Exit codes and error records map to typed errors.
import { spawn } from 'node:child_process';
import { MfaError } from '../../errors.js';
import type { PowerShell } from '../ports.js';
import { errorFromRecord, toErrorRecord } from './errors.js';
import { CHILD_ARGS, encodedRunner, outputArray, parseResponse, type PowerShellRequest } from './protocol.js';

export const POWERSHELL_ENV = 'MFA_UPGRADE_POWERSHELL';

export interface ChildProcessOptions {
  /** The executable; default $MFA_UPGRADE_POWERSHELL, else Windows PowerShell 5.1 on Windows, pwsh elsewhere. */
  executable?: string;
  /** Per call; default 5 minutes (a cmdlet that waits on a prompt would otherwise hang). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export function defaultPowerShellExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[POWERSHELL_ENV];
  if (configured) return configured;
  if (process.platform === 'win32') {
    const root = env['SystemRoot'] ?? env['windir'] ?? 'C:\\Windows';
    return `${root}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;
  }
  return 'pwsh';
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class ChildProcessPowerShell implements PowerShell {
  readonly transport = 'child-process' as const;
  readonly executable: string;
  private readonly timeoutMs: number;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: ChildProcessOptions = {}) {
    this.env = options.env ?? process.env;
    this.executable = options.executable ?? defaultPowerShellExecutable(this.env);
    this.timeoutMs = options.timeoutMs ?? 300_000;
  }

  async hasCommand(name: string): Promise<boolean> {
    const response = await this.call({ op: 'hasCommand', command: name });
    if (!response.ok) throw errorFromRecord(name, toErrorRecord(response.error, 'Get-Command failed'));
    return response.exists === true;
  }

  async invoke(command: string, parameters: Record<string, unknown> = {}): Promise<unknown[]> {
    const response = await this.call({ op: 'invoke', command, parameters });
    if (!response.ok) throw errorFromRecord(command, toErrorRecord(response.error, `${command} failed`));
    return outputArray(response.output);
  }

  private async call(request: PowerShellRequest) {
    const result = await this.run(JSON.stringify(request), request.command);
    const response = parseResponse(result.stdout);
    if (response && (result.code === 0 || result.code === 1)) return response;
    const why = result.signal ? `was stopped by ${result.signal}` : `exited with code ${result.code}`;
    const tail = result.stderr.trim().split(/\r?\n/).slice(-5).join(' | ');
    throw new MfaError(`PowerShell ${why} without a result for ${request.command}${tail ? `: ${tail}` : ''}`, {
      code: 'PS_HOST_FAILED',
      target: this.executable,
      remedy: 'Run the command in a PowerShell console on this server to see what fails (execution policy, a profile, a missing module).',
    });
  }

  private run(stdin: string, command: string): Promise<ChildResult> {
    return new Promise((resolve, reject) => {
      let child;
      try {
        child = spawn(this.executable, [...CHILD_ARGS, encodedRunner()], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      } catch (e) {
        reject(this.spawnError(e));
        return;
      }
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill();
      }, this.timeoutMs);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.stdin.on('error', () => undefined);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(this.spawnError(e));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(new MfaError(`PowerShell did not finish ${command} within ${Math.round(this.timeoutMs / 1000)} s`, { code: 'PS_TIMEOUT', target: command, remedy: 'Check that the cmdlet does not wait for input (a confirmation prompt) and that AD FS answers.' }));
          return;
        }
        resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
      child.stdin.end(stdin, 'utf8');
    });
  }

  private spawnError(e: unknown): MfaError {
    const code = (e as NodeJS.ErrnoException).code;
    return new MfaError(`PowerShell could not be started (${this.executable}): ${code ?? String(e)}`, {
      code: code === 'ENOENT' ? 'PS_NOT_FOUND' : 'PS_HOST_FAILED',
      target: this.executable,
      remedy: `Run on a Windows server with Windows PowerShell, or set ${POWERSHELL_ENV} to the powershell executable.`,
      cause: e,
    });
  }
}
