// Command definitions: the single source of truth for the CLI's commands and options.
// The PowerShell module's static tests hold its cmdlets against these (rename an option here
// and a module test fails), so keep names stable and descriptions useful.
import type { ExitCodeValue } from '../errors.js';
import type { CancelSignal } from '../util/cancel.js';
import type { Output } from './output.js';

export type OptionType = 'string' | 'boolean' | 'number' | 'list';

export interface OptionSpec {
  /** Long name without dashes: 'host' is --host. */
  name: string;
  type: OptionType;
  description: string;
  valueName?: string;
  required?: boolean;
  /** Numbers: the smallest and largest value accepted, and whether it must be whole. */
  min?: number;
  max?: number;
  integer?: boolean;
}

export interface PositionalSpec {
  name: string;
  description: string;
  required: boolean;
}

export type OptionValue = string | boolean | number | string[];

export interface ParsedArgs {
  command: string;
  options: Record<string, OptionValue | undefined>;
  positionals: string[];
}

export interface CommandContext {
  args: ParsedArgs;
  out: Output;
  /** Fires on Ctrl+C, SIGTERM, a closed console or stdout, or a stop request: end at a safe point. */
  cancel: CancelSignal;
}

export interface CommandModule {
  run(ctx: CommandContext): Promise<ExitCodeValue>;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** True when the command can change a machine: it then honours --what-if. */
  changesMachine: boolean;
  options: OptionSpec[];
  positionals?: PositionalSpec[];
  /** Loaded only when the command runs, to keep start-up lean. */
  load(): Promise<CommandModule>;
}

/** Options every command takes. */
export const globalOptions: OptionSpec[] = [
  { name: 'json', type: 'boolean', description: 'Write line-delimited JSON events on stdout (the PowerShell module protocol).' },
  { name: 'verbose', type: 'boolean', description: 'Show verbose log lines.' },
  { name: 'log', type: 'string', valueName: 'file', description: 'Also write a CMTrace-format log to this file.' },
  { name: 'control-stdin', type: 'boolean', description: 'Read control messages on stdin ({"type":"stop"}, or the end of stdin, stops the run at a safe point): how the PowerShell module runs commands.' },
];

/** The --host option, shared by every command that reads a machine. */
export const hostOption: OptionSpec = {
  name: 'host',
  type: 'string',
  valueName: 'folder',
  description: 'An image host folder (registry.reg, products.json, drive/...) instead of this machine.',
};

export const whatIfOption: OptionSpec = {
  name: 'what-if',
  type: 'boolean',
  description: 'Show what would change and change nothing.',
};

/** --report: plan, upgrade, rehearse and adfs-upgrade write a change report (lib/report). */
export const reportOption: OptionSpec = {
  name: 'report',
  type: 'string',
  valueName: 'file.html',
  description: 'Also write a change report: one self-contained HTML file (header, readiness, plan, web.config diffs, AD FS window, fleet order, the run). Holds no secrets; written under --what-if too (a local file, nothing on the server).',
};
