// Command lines the report shows: the one that produced it and the exact ones that resume or undo
// a run, rebuilt from the parsed options (lib/report takes them as plain data, not lib/cli types).

export type OptionValue = string | boolean | number | string[] | undefined;

export interface Invocation {
  command: string;
  options: Record<string, OptionValue>;
}

/** Options that shape output only: left out of the commands the report suggests. */
const OUTPUT_ONLY = new Set(['json', 'verbose', 'log', 'report', 'control-stdin']);

/** Quotes an argument for a Windows or POSIX shell when it needs it. */
export function quoteArg(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_\-.,:\\/=@+]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["`$])/g, '\\$1')}"`;
}

export function formatCommand(parts: string[]): string {
  return parts.map((p, i) => (i === 0 ? p : quoteArg(p))).join(' ');
}

/** The command line as given (output-only options left out, --report kept last for the record). */
export function commandOf(inv: Invocation, keep: (name: string) => boolean = (n) => !OUTPUT_ONLY.has(n) || n === 'report'): string {
  const parts = ['mfa-upgrade', inv.command];
  for (const [name, value] of Object.entries(inv.options)) {
    if (value === undefined || value === false || !keep(name)) continue;
    if (value === true) parts.push(`--${name}`);
    else if (Array.isArray(value)) parts.push(`--${name}`, value.join(','));
    else parts.push(`--${name}`, String(value));
  }
  return formatCommand(parts);
}

/** The same command with some options taken out and others put in (e.g. --rollback instead of the plan options). */
export function variantOf(inv: Invocation, keepOnly: string[], add: Record<string, string | true>): string {
  const options: Record<string, OptionValue> = {};
  for (const name of keepOnly) if (inv.options[name] !== undefined) options[name] = inv.options[name];
  Object.assign(options, add);
  return commandOf({ command: inv.command, options }, (n) => !OUTPUT_ONLY.has(n));
}
