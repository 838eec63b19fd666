// The PowerShell port for the live machine. The transports (a powershell.exe child process
// speaking JSON, or edge-js in process) are built in host/powershell/; this opens the chosen one
// on first use, so a host that never asks PowerShell anything never starts it.
import type { PowerShell } from '../ports.js';

export class LazyPowerShell implements PowerShell {
  private opened: Promise<PowerShell> | undefined;

  private open(): Promise<PowerShell> {
    this.opened ??= import('../powershell/index.js').then(({ openPowerShell }) => openPowerShell().powershell);
    return this.opened;
  }

  async hasCommand(name: string): Promise<boolean> {
    return (await this.open()).hasCommand(name);
  }

  async invoke(command: string, parameters?: Record<string, unknown>): Promise<unknown[]> {
    return (await this.open()).invoke(command, parameters);
  }
}
