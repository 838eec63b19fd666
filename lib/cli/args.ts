// Parses argv against a command's spec, strictly: unknown options are errors (with the nearest
// known name), an option's value never starts with '-' unless written --opt=value (so
// `--backup --what-if` cannot take --what-if as a folder), numbers are whole-text numbers
// inside the option's range, and an option given twice is refused rather than half-used.
import { ExitCode, MfaError } from '../errors.js';
import { globalOptions, type CommandSpec, type OptionSpec, type OptionValue, type ParsedArgs } from './spec.js';

function usageError(message: string, command?: string): MfaError {
  return new MfaError(message, {
    code: 'USAGE',
    exitCode: ExitCode.usage,
    remedy: `Run 'mfa-upgrade ${command ? `${command} ` : ''}--help' for the options.`,
  });
}

/** Edit distance with transpositions (optimal string alignment), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, ((d[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = v;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The candidate nearest to `name` when it is near enough to be a slip, else undefined. */
export function suggest(name: string, candidates: string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = c.toLowerCase() === lower ? 0 : editDistance(lower, c.toLowerCase());
    if (!best || d < best.d) best = { c, d };
  }
  if (!best) return undefined;
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  if (best.d <= limit) return best.c;
  // A prefix of a longer name (--pass for --passphrase-file) is a slip too, when only one fits.
  const prefixed = candidates.filter((c) => lower.length >= 3 && c.toLowerCase().startsWith(lower));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** "unknown command 'x'" with the nearest command, for main(). */
export function unknownCommandError(name: string, commands: string[]): MfaError {
  const near = suggest(name, commands);
  return new MfaError(`unknown command '${name}'${near ? `; did you mean '${near}'?` : ''}`, {
    code: 'USAGE',
    exitCode: ExitCode.usage,
    remedy: near ? `Run 'mfa-upgrade ${near} --help', or 'mfa-upgrade --help' for every command.` : "Run 'mfa-upgrade --help' for the commands.",
  });
}

function unknownOption(written: string, known: Map<string, OptionSpec>, command: string): MfaError {
  const near = suggest(written.replace(/^-+/, ''), [...known.keys()]);
  return usageError(`unknown option ${written}${near ? `; did you mean --${near}?` : ''}`, command);
}

/** A whole-text decimal number (no hex, exponent, blanks or empty text, which Number() accepts). */
function parseNumber(option: OptionSpec, value: string, command: string): number {
  const what = `--${option.name} takes ${option.integer ? 'a whole number' : 'a number'}`;
  const range = option.min !== undefined && option.max !== undefined ? ` from ${option.min} to ${option.max}` : option.min !== undefined ? ` of at least ${option.min}` : option.max !== undefined ? ` of at most ${option.max}` : '';
  if (!(option.integer ? /^[+-]?\d{1,15}$/ : /^[+-]?\d{1,15}(\.\d{1,9})?$/).test(value)) throw usageError(`${what}${range}, not '${value}'`, command);
  const n = Number(value);
  if ((option.min !== undefined && n < option.min) || (option.max !== undefined && n > option.max)) throw usageError(`${what}${range}, not ${value}`, command);
  return n;
}

export function parseArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const known = new Map<string, OptionSpec>();
  for (const o of [...globalOptions, ...spec.options]) known.set(o.name, o);
  const options: Record<string, OptionValue | undefined> = {};
  const positionals: string[] = [];
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith('--')) {
      // Single-dash words are never values or positionals here: a slip for an option.
      throw unknownOption(arg, known, spec.name);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const option = known.get(name);
    if (!option) throw unknownOption(`--${name}`, known, spec.name);
    if (given.has(name) && option.type !== 'list') throw usageError(`--${name} is given twice`, spec.name);
    given.add(name);
    if (option.type === 'boolean') {
      if (eq !== -1) throw usageError(`--${name} takes no value`, spec.name);
      options[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value !== undefined && value.startsWith('-')) {
        throw usageError(`--${name} needs a value (${option.valueName ?? option.type}) and '${value}' looks like an option; write --${name}=${value} if that is the value`, spec.name);
      }
      i++;
    }
    if (value === undefined || value === '') throw usageError(`--${name} needs a value (${option.valueName ?? option.type})`, spec.name);
    if (option.type === 'number') {
      options[name] = parseNumber(option, value, spec.name);
    } else if (option.type === 'list') {
      const previous = options[name];
      const items = value.split(',').map((s) => s.trim());
      if (items.some((s) => s.length === 0)) throw usageError(`--${name} has an empty item in '${value}'`, spec.name);
      options[name] = [...(Array.isArray(previous) ? previous : []), ...items];
    } else {
      options[name] = value;
    }
  }
  for (const o of spec.options) {
    if (o.required && options[o.name] === undefined) throw usageError(`--${o.name} is required`, spec.name);
  }
  const required = (spec.positionals ?? []).filter((p) => p.required).length;
  if (positionals.length < required) {
    const missing = (spec.positionals ?? [])[positionals.length];
    throw usageError(`missing <${missing?.name ?? 'argument'}>`, spec.name);
  }
  if (positionals.length > (spec.positionals ?? []).length) {
    throw usageError(`unexpected argument '${positionals[(spec.positionals ?? []).length]}'`, spec.name);
  }
  return { command: spec.name, options, positionals };
}

export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.options[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}

export function num(args: ParsedArgs, name: string): number | undefined {
  const v = args.options[name];
  return typeof v === 'number' ? v : undefined;
}

export function list(args: ParsedArgs, name: string): string[] {
  const v = args.options[name];
  return Array.isArray(v) ? v : [];
}

export function helpText(spec: CommandSpec): string {
  const lines = [`mfa-upgrade ${spec.name}${(spec.positionals ?? []).map((p) => (p.required ? ` <${p.name}>` : ` [${p.name}]`)).join('')} [options]`, '', spec.summary, ''];
  for (const p of spec.positionals ?? []) lines.push(`  <${p.name}>`.padEnd(30) + p.description);
  for (const o of [...spec.options, ...globalOptions]) {
    const left = `  --${o.name}${o.type === 'boolean' ? '' : ` <${o.valueName ?? o.type}>`}`;
    const range = o.type === 'number' && (o.min !== undefined || o.max !== undefined) ? ` (${o.min ?? ''}..${o.max ?? ''})` : '';
    lines.push(`${left.padEnd(30)}${o.description}${range}${o.required ? ' (required)' : ''}`);
  }
  lines.push('', 'A value that starts with "-" is written --option=value.');
  return lines.join('\n');
}
