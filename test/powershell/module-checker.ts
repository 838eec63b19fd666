// Holds the PowerShell module (powershell/MfaUpgrade) against the CLI's command table
// (lib/cli/commands.ts), reading the module through its PowerShell syntax tree. Every check
// returns problems as sentences; the tests assert there are none, and that a changed command
// table (a renamed option, a new command, a flipped changesMachine) produces the right one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CommandSpec, OptionSpec } from '../../lib/cli/spec.js';
import { commandCalls, elementAssignments, functions, hashLiteral, literalString, methodCalls, parsePowerShell, type FunctionDef, type Tree } from './ps-ast.js';

export const MODULE_DIR = 'powershell/MfaUpgrade';

/**
 * PowerShell's approved verbs: the fields of System.Management.Automation's VerbsCommon,
 * VerbsCommunications, VerbsData, VerbsDiagnostic, VerbsLifecycle, VerbsSecurity and VerbsOther,
 * i.e. what `Get-Verb` lists (https://learn.microsoft.com/powershell/scripting/developer/cmdlet/approved-verbs-for-windows-powershell-commands).
 * Build and Deploy exist from PowerShell 6 on only, so they are not accepted here: the module
 * targets Windows PowerShell 5.1.
 */
export const APPROVED_VERBS: ReadonlySet<string> = new Set([
  // Common
  'Add', 'Clear', 'Close', 'Copy', 'Enter', 'Exit', 'Find', 'Format', 'Get', 'Hide', 'Join', 'Lock', 'Move', 'New', 'Open', 'Optimize', 'Pop', 'Push', 'Redo', 'Remove', 'Rename', 'Reset', 'Resize', 'Search', 'Select', 'Set', 'Show', 'Skip', 'Split', 'Step', 'Switch', 'Undo', 'Unlock', 'Watch',
  // Communications
  'Connect', 'Disconnect', 'Read', 'Receive', 'Send', 'Write',
  // Data
  'Backup', 'Checkpoint', 'Compare', 'Compress', 'Convert', 'ConvertFrom', 'ConvertTo', 'Dismount', 'Edit', 'Expand', 'Export', 'Group', 'Import', 'Initialize', 'Limit', 'Merge', 'Mount', 'Out', 'Publish', 'Restore', 'Save', 'Sync', 'Unpublish', 'Update',
  // Diagnostic
  'Debug', 'Measure', 'Ping', 'Repair', 'Resolve', 'Test', 'Trace',
  // Lifecycle
  'Approve', 'Assert', 'Complete', 'Confirm', 'Deny', 'Disable', 'Enable', 'Install', 'Invoke', 'Register', 'Request', 'Restart', 'Resume', 'Start', 'Stop', 'Submit', 'Suspend', 'Uninstall', 'Unregister', 'Wait',
  // Security
  'Block', 'Grant', 'Protect', 'Revoke', 'Unblock', 'Unprotect',
  // Other
  'Use',
]);

/** Parameters that are the module's own (no CLI option behind them), and why. */
export const MODULE_ONLY_PARAMETERS: Record<string, { names: string[]; why: string }> = {
  '*': { names: ['ComputerName', 'Session', 'Credential', 'Authentication'], why: 'PowerShell remoting: the cmdlet runs itself on the server, where the CLI then runs locally' },
  'Export-MfaBackup': { names: ['Destination'], why: 'the bundle written on a server is pulled to this computer (Copy-Item -FromSession) by the module' },
  'Invoke-MfaServerUpgrade': { names: ['Fleet', 'AdfsConfigPath', 'StartAt'], why: 'the fleet walk is the module\'s: plan --fleet gives the order, each server\'s upgrade runs through remoting' },
  'Invoke-MfaAdfsAdapterUpgrade': { names: ['Unattended'], why: 'the walk across a farm\'s servers is the module\'s (adfs-upgrade runs on one server at a time)' },
  'Test-MfaUpgrade': { names: ['Summary'], why: 'verify-upgrade writes each check and then a summary holding them all: which of the two goes down the pipeline is the module\'s choice' },
};

/** Options the module sets itself, never from a parameter. */
export const MODULE_MANAGED_OPTIONS = new Set(['json', 'what-if', 'log', 'verbose']);

export interface PsFile {
  path: string;
  text: string;
  tree: Tree;
}

export interface LoadedModule {
  files: PsFile[];
  public: Array<{ file: PsFile; fn: FunctionDef }>;
  private: Array<{ file: PsFile; fn: FunctionDef }>;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'bin') out.push(...walk(p));
    } else out.push(p);
  }
  return out;
}

export async function loadPowerShellFiles(dir: string): Promise<PsFile[]> {
  const files: PsFile[] = [];
  for (const path of walk(dir).filter((p) => /\.(ps1|psm1|psd1)$/i.test(p))) {
    const text = readFileSync(path, 'utf8');
    files.push({ path, text, tree: await parsePowerShell(text) });
  }
  return files;
}

export async function loadModule(dir = MODULE_DIR): Promise<LoadedModule> {
  const files = await loadPowerShellFiles(dir);
  const pick = (folder: string) =>
    files
      .filter((f) => relative(dir, f.path).split(/[\\/]/)[0] === folder)
      .flatMap((file) => functions(file.tree).map((fn) => ({ file, fn })));
  return { files, public: pick('Public'), private: pick('Private') };
}

function optionType(o: OptionSpec): string {
  return o.type;
}

/** The PowerShell parameter types that carry each option type. */
const TYPE_FOR_OPTION: Record<string, RegExp> = {
  boolean: /^switch$/i,
  string: /^string$/i,
  number: /^(int|int32|int64|long|double|uint32)$/i,
  list: /^string\[\]$/i,
};

function isChanging(fn: FunctionDef): { shouldProcess: boolean; high: boolean } {
  const cb = fn.cmdletBinding;
  return {
    shouldProcess: cb !== undefined && /^\$true$/i.test(cb.args.get('SupportsShouldProcess') ?? ''),
    high: cb !== undefined && (cb.args.get('ConfirmImpact') ?? '').toLowerCase() === 'high',
  };
}

/** The cmdlet -> command mapping as the module's syntax tree states it. */
export interface CmdletMapping {
  cmdlet: string;
  command: string | undefined;
  map: Map<string, string>;
  extraOptions: string[];
  positional: string | undefined;
  problems: string[];
}

export function cmdletMapping(fn: FunctionDef): CmdletMapping {
  const problems: string[] = [];
  const calls = commandCalls(fn.node);
  const cli = calls.filter((c) => c.name.toLowerCase() === 'invoke-mfacli');
  const names = new Set<string>();
  for (const c of cli) {
    const v = literalString(c.params.get('command'));
    if (v === undefined) problems.push(`${fn.name}: Invoke-MfaCli -Command must be a literal string`);
    else names.add(v);
  }
  for (const c of calls.filter((c) => c.name.toLowerCase() === 'get-mfashouldprocesstext')) {
    const v = literalString(c.params.get('command'));
    if (v === undefined) problems.push(`${fn.name}: Get-MfaShouldProcessText -Command must be a literal string`);
    else names.add(v);
  }
  if (cli.length === 0) problems.push(`${fn.name}: calls no Invoke-MfaCli -Command '<command>'`);
  if (names.size > 1) problems.push(`${fn.name}: runs more than one command (${[...names].join(', ')})`);
  const conversions = calls.filter((c) => c.name.toLowerCase() === 'convertto-mfacliargument');
  if (conversions.length !== 1) problems.push(`${fn.name}: needs exactly one ConvertTo-MfaCliArgument -Map @{...} (has ${conversions.length})`);
  const map = hashLiteral(conversions[0]?.params.get('map')) ?? new Map<string, string>();
  if (conversions.length === 1 && !hashLiteral(conversions[0]?.params.get('map'))) problems.push(`${fn.name}: ConvertTo-MfaCliArgument -Map must be a literal hashtable of 'Parameter = option-name'`);
  const positionals = new Set(
    cli
      .map((c) => c.params.get('positional'))
      .filter((n) => n !== undefined && n !== null)
      .map((n) => (n as NonNullable<typeof n>).text.trim().replace(/^\$/, '')),
  );
  if (positionals.size > 1) problems.push(`${fn.name}: passes different -Positional values`);
  return { cmdlet: fn.name, command: [...names][0], map, extraOptions: elementAssignments(fn.node, 'cliArgs'), positional: [...positionals][0], problems };
}

/** Every problem between the module's public cmdlets and the command table. */
export function checkAgainstCommands(publicFns: FunctionDef[], commands: CommandSpec[]): string[] {
  const problems: string[] = [];
  const byCommand = new Map<string, string[]>();
  for (const fn of publicFns) {
    const m = cmdletMapping(fn);
    problems.push(...m.problems);
    if (!m.command) continue;
    byCommand.set(m.command, [...(byCommand.get(m.command) ?? []), fn.name]);
    const spec = commands.find((c) => c.name === m.command);
    if (!spec) {
      problems.push(`${fn.name}: runs '${m.command}', which is not a command of lib/cli/commands.ts`);
      continue;
    }
    const options = new Map(spec.options.map((o) => [o.name, o]));
    const params = new Map(fn.parameters.map((p) => [p.name.toLowerCase(), p]));
    for (const [param, option] of m.map) {
      const p = params.get(param.toLowerCase());
      if (!p) problems.push(`${fn.name}: -Map names the parameter ${param}, which the cmdlet does not declare`);
      if (MODULE_MANAGED_OPTIONS.has(option)) problems.push(`${fn.name}: maps ${param} to --${option}, which the module sets itself`);
      const o = options.get(option);
      if (!o) {
        problems.push(`${fn.name}: maps -${param} to --${option}, which is not an option of '${spec.name}' (options: ${[...options.keys()].join(', ')})`);
        continue;
      }
      const pattern = TYPE_FOR_OPTION[optionType(o)];
      if (p && pattern && !pattern.test(p.type ?? '')) problems.push(`${fn.name}: -${param} is [${p.type ?? 'untyped'}] but --${option} is a ${o.type} option (${pattern.source})`);
    }
    for (const option of m.extraOptions) {
      if (!options.has(option)) problems.push(`${fn.name}: sets $cliArgs['${option}'], which is not an option of '${spec.name}'`);
    }
    const mappedOptions = new Set([...m.map.values(), ...m.extraOptions]);
    for (const o of spec.options) {
      if (!o.required) continue;
      const param = [...m.map].find(([, opt]) => opt === o.name)?.[0];
      if (!param) problems.push(`${fn.name}: --${o.name} is required by '${spec.name}' but no parameter maps to it`);
      else if (!params.get(param.toLowerCase())?.mandatory) problems.push(`${fn.name}: --${o.name} is required by '${spec.name}' but -${param} is not Mandatory`);
    }
    for (const o of spec.options) {
      if (MODULE_MANAGED_OPTIONS.has(o.name) || mappedOptions.has(o.name)) continue;
      problems.push(`${fn.name}: '${spec.name}' has --${o.name}, which no parameter of the cmdlet maps to`);
    }
    const requiredPositionals = (spec.positionals ?? []).filter((p) => p.required).length;
    if (m.positional !== undefined) {
      if ((spec.positionals ?? []).length === 0) problems.push(`${fn.name}: passes -Positional $${m.positional} but '${spec.name}' takes no argument`);
      if (!params.has(m.positional.toLowerCase())) problems.push(`${fn.name}: -Positional $${m.positional} is not a parameter`);
      else if (requiredPositionals > 0 && !params.get(m.positional.toLowerCase())?.mandatory) problems.push(`${fn.name}: -${m.positional} carries the required <${spec.positionals?.[0]?.name}> but is not Mandatory`);
    } else if (requiredPositionals > 0) {
      problems.push(`${fn.name}: '${spec.name}' needs <${(spec.positionals ?? [])[0]?.name}> but the cmdlet passes no -Positional`);
    }
    const moduleOnly = new Set([...(MODULE_ONLY_PARAMETERS['*']?.names ?? []), ...(MODULE_ONLY_PARAMETERS[fn.name]?.names ?? [])].map((n) => n.toLowerCase()));
    const mappedParams = new Set([...m.map.keys()].map((k) => k.toLowerCase()));
    for (const p of fn.parameters) {
      const key = p.name.toLowerCase();
      if (mappedParams.has(key) || key === m.positional?.toLowerCase() || moduleOnly.has(key)) continue;
      problems.push(`${fn.name}: -${p.name} maps to no option of '${spec.name}' (add it to the -Map, or it is not a CLI option)`);
    }
    // ShouldProcess <=> the command changes a machine.
    const { shouldProcess, high } = isChanging(fn);
    const calls = commandCalls(fn.node);
    if (spec.changesMachine) {
      if (!shouldProcess || !high) problems.push(`${fn.name}: '${spec.name}' changes a machine, so the cmdlet needs [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]`);
      if (methodCalls(fn.node, 'PSCmdlet', 'ShouldProcess').length === 0) problems.push(`${fn.name}: never calls $PSCmdlet.ShouldProcess`);
      if (!spec.options.some((o) => o.name === 'what-if')) problems.push(`${fn.name}: '${spec.name}' changes a machine but has no --what-if to build the ShouldProcess message from`);
      if (!calls.some((c) => c.name.toLowerCase() === 'get-mfashouldprocesstext')) problems.push(`${fn.name}: builds no ShouldProcess text from '${spec.name} --what-if' (Get-MfaShouldProcessText)`);
      const real = calls.filter((c) => c.name.toLowerCase() === 'invoke-mfacli' && !c.params.has('whatifrun'));
      if (!real.some((c) => c.params.has('changesmachine'))) problems.push(`${fn.name}: the real run of '${spec.name}' must pass -ChangesMachine`);
    } else if (shouldProcess) {
      problems.push(`${fn.name}: '${spec.name}' changes nothing, so the cmdlet must not offer -WhatIf/-Confirm (SupportsShouldProcess)`);
    }
    // Remoting: -ComputerName/-Session go through Invoke-MfaRemote (status rows when changing).
    const remote = fn.parameters.some((p) => /^(ComputerName|Session)$/i.test(p.name));
    if (remote) {
      const viaRemote = calls.filter((c) => c.name.toLowerCase() === 'invoke-mfaremote');
      if (viaRemote.length === 0) problems.push(`${fn.name}: has -ComputerName/-Session but never calls Invoke-MfaRemote`);
      for (const c of viaRemote) {
        if (spec.changesMachine !== c.params.has('statusrows')) problems.push(`${fn.name}: Invoke-MfaRemote ${spec.changesMachine ? 'needs' : 'must not have'} -StatusRows (one status row per server for changing cmdlets)`);
      }
      for (const needed of ['ComputerName', 'Session']) {
        if (!fn.parameters.some((p) => p.name === needed)) problems.push(`${fn.name}: has remoting parameters but no -${needed}`);
      }
    }
  }
  for (const c of commands) {
    const cmdlets = byCommand.get(c.name) ?? [];
    if (cmdlets.length === 0) problems.push(`command '${c.name}' has no cmdlet in ${MODULE_DIR}/Public`);
    if (cmdlets.length > 1) problems.push(`command '${c.name}' has several cmdlets: ${cmdlets.join(', ')}`);
  }
  return problems;
}

/** Verb-MfaNoun with an approved verb. */
export function checkName(name: string): string[] {
  const m = /^([A-Z][A-Za-z]+)-(Mfa[A-Z][A-Za-z]*)$/.exec(name);
  if (!m) return [`${name}: not Verb-MfaNoun`];
  if (!APPROVED_VERBS.has(m[1] as string)) return [`${name}: '${m[1]}' is not an approved verb (Get-Verb)`];
  return [];
}
