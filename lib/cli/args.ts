// Parses argv against a command's spec; unknown options are errors, not silently ignored.
import { ExitCode, MfaError } from '../errors.js';
import { globalOptions, type CommandSpec, type OptionSpec, type OptionValue, type ParsedArgs } from './spec.js';

function usageError(message: string, command?: string): MfaError {
  return new MfaError(message, {
    code: 'USAGE',
    exitCode: ExitCode.usage,
    remedy: `Run 'mfa-upgrade ${command ? `${command} ` : ''}--help' for the options.`,
  });
}

export function parseArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const known = new Map<string, OptionSpec>();
  for (const o of [...globalOptions, ...spec.options]) known.set(o.name, o);
  const options: Record<string, OptionValue | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const option = known.get(name);
    if (!option) throw usageError(`unknown option --${name}`, spec.name);
    if (option.type === 'boolean') {
      if (eq !== -1) throw usageError(`--${name} takes no value`, spec.name);
      options[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) throw usageError(`--${name} needs a value (${option.valueName ?? option.type})`, spec.name);
    if (option.type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw usageError(`--${name} takes a number, not '${value}'`, spec.name);
      options[name] = n;
    } else if (option.type === 'list') {
      const previous = options[name];
      const items = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
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
    lines.push(`${left.padEnd(30)}${o.description}${o.required ? ' (required)' : ''}`);
  }
  return lines.join('\n');
}
