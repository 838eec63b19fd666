// Readiness checks as data: what was checked, what was found, and what to do.
import type { Host } from '../host/ports.js';
import type { Inventory } from '../inventory/types.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found, in words an administrator can check by hand. */
  evidence: string;
  /** What to do when it is not a pass. */
  remedy?: string;
}

export interface ReadinessContext {
  host: Host;
  inventory: Inventory;
  /** Regularly authenticating users, for the RAM sizing check. */
  users?: number;
  /** Major version being installed (7+ needs .NET 4.5 and the VC++ runtimes). */
  targetMajor: number;
  /** Platforms whose VC++ redistributable is among the packages given: the upgrade installs it first. */
  redistributables?: Array<'x86' | 'x64'>;
}

export type Check = (ctx: ReadinessContext) => Promise<CheckResult>;
