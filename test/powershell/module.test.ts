// The PowerShell module, checked statically (PowerShell cannot run on these machines): every file
// parsed with a real PowerShell grammar, held against the CLI's command table, and its
// conventions checked. Windows users run test/powershell/*.Tests.ps1 with Pester as well.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { commands } from '../../lib/cli/commands.js';
import type { CommandSpec } from '../../lib/cli/spec.js';
import { APPROVED_VERBS, MODULE_DIR, checkAgainstCommands, checkName, cmdletMapping, loadModule, loadPowerShellFiles, type LoadedModule } from './module-checker.js';
import { commandCalls, descendants, functions, hashLiteral, parseHelp, syntaxProblems } from './ps-ast.js';

let loaded: Promise<LoadedModule> | undefined;
const mod = () => (loaded ??= loadModule());
const publicFns = async () => (await mod()).public.map((p) => p.fn);

test('every .ps1, .psm1 and .psd1 of the module, the wrapper and the Pester tests parses as PowerShell', async (t) => {
  const files = [...(await mod()).files, ...(await loadPowerShellFiles('test/powershell'))];
  t.true(files.length >= 20, `only ${files.length} files found`);
  const problems = files.flatMap((f) => syntaxProblems(f.tree).map((p) => `${f.path}:${p.line}:${p.column}: ${p.kind} near ${JSON.stringify(p.text)}`));
  t.deepEqual(problems, []);
});

test('Windows PowerShell 5.1 syntax only (no ?? ?. ternary && || -AsHashtable -Parallel clean{}), and no "$name:" in strings', async (t) => {
  const problems: string[] = [];
  for (const f of [...(await mod()).files, ...(await loadPowerShellFiles('test/powershell'))]) {
    if (descendants(f.tree.rootNode, 'pipeline_chain_tail').length) problems.push(`${f.path}: && or || between pipelines (PowerShell 7)`);
    for (const s of [...descendants(f.tree.rootNode, 'expandable_string_literal'), ...descendants(f.tree.rootNode, 'expandable_here_string_literal')]) {
      // "$name:" is read as a drive-qualified variable and fails to parse in PowerShell itself.
      const bad = /\$(?!env:|script:|global:|using:|local:|private:)([A-Za-z_][A-Za-z0-9_]*):(?![A-Za-z0-9_\\])/.exec(s.text);
      if (bad) problems.push(`${f.path}:${s.startPosition.row + 1}: "${bad[0]}" in a string is a scope-qualified variable: write "$(${'$'}${bad[1]}):"`);
    }
    f.text.split(/\r?\n/).forEach((line, i) => {
      const code = line.replace(/#.*$/, '').replace(/'[^']*'/g, "''");
      if (/\?\?|\?\.\w|\?\[/.test(code)) problems.push(`${f.path}:${i + 1}: null-coalescing / null-conditional operator (PowerShell 7)`);
      if (/\s\?\s[^:]+\s:\s/.test(code)) problems.push(`${f.path}:${i + 1}: ternary operator (PowerShell 7)`);
      if (/-AsHashtable\b|ForEach-Object\s+-Parallel\b|\bclean\s*\{/i.test(code)) problems.push(`${f.path}:${i + 1}: PowerShell 7 only: ${line.trim()}`);
    });
  }
  t.deepEqual(problems, []);
});

test('the checks see the cmdlets: a parse of Get-MfaDeployment gives its command, map and parameters', async (t) => {
  const fn = (await publicFns()).find((f) => f.name === 'Get-MfaDeployment');
  t.truthy(fn);
  const m = cmdletMapping(fn!);
  t.is(m.command, 'inventory');
  t.deepEqual([...m.map], [['ImagePath', 'host']]);
  t.deepEqual(fn!.parameters.map((p) => p.name), ['ImagePath', 'ComputerName', 'Session', 'Credential', 'Authentication']);
  t.true(fn!.parameters.find((p) => p.name === 'ComputerName')!.mandatory);
  t.deepEqual(fn!.outputTypes, ['MfaUpgrade.Deployment']);
});

test('every cmdlet maps to a CLI command, every parameter to one of its options, and every command has a cmdlet', async (t) => {
  const problems = checkAgainstCommands(await publicFns(), commands);
  t.deepEqual(problems, []);
  t.log(
    (await publicFns())
      .map((f) => cmdletMapping(f))
      .map((m) => `${m.cmdlet} -> ${m.command} (${[...m.map].map(([p, o]) => `-${p}=--${o}`).join(' ')}${m.positional ? ` <$${m.positional}>` : ''})`)
      .join('\n'),
  );
});

/** The command table with one change, as a later commit could make it. */
function changed(edit: (copy: CommandSpec[]) => void): CommandSpec[] {
  const copy = commands.map((c) => ({ ...c, options: c.options.map((o) => ({ ...o })), ...(c.positionals ? { positionals: c.positionals.map((p) => ({ ...p })) } : {}) }));
  edit(copy);
  return copy;
}

function spec(copy: CommandSpec[], name: string): CommandSpec {
  const s = copy.find((c) => c.name === name);
  if (!s) throw new Error(`no command ${name}`);
  return s;
}

test('drift: renaming an option of the CLI fails the check, naming the cmdlet and the option', async (t) => {
  const fns = await publicFns();
  const renamed = changed((copy) => {
    const inv = spec(copy, 'inventory');
    inv.options = inv.options.map((o) => (o.name === 'host' ? { ...o, name: 'image' } : o));
  });
  const problems = checkAgainstCommands(fns, renamed);
  t.true(problems.some((p) => p.startsWith('Get-MfaDeployment: maps -ImagePath to --host, which is not an option of \'inventory\'')), problems.join('\n'));
  t.true(problems.some((p) => p === "Get-MfaDeployment: 'inventory' has --image, which no parameter of the cmdlet maps to"), problems.join('\n'));
  const upgrade = changed((copy) => {
    const u = spec(copy, 'upgrade');
    u.options = u.options.map((o) => (o.name === 'retry-1618' ? { ...o, name: 'retries' } : o));
  });
  t.true(checkAgainstCommands(fns, upgrade).some((p) => p.includes('-InstallerRetryCount to --retry-1618, which is not an option')));
});

test('drift: a new command, a removed command, a new required option, a new option and a changed type are reported', async (t) => {
  const fns = await publicFns();
  const added = changed((copy) => copy.push({ name: 'frobnicate', summary: 'x', changesMachine: false, options: [], load: async () => ({ run: async () => 0 }) }));
  t.true(checkAgainstCommands(fns, added).includes(`command 'frobnicate' has no cmdlet in ${MODULE_DIR}/Public`));
  const removed = changed((copy) => copy.splice(copy.findIndex((c) => c.name === 'check'), 1));
  t.true(checkAgainstCommands(fns, removed).includes("Test-MfaUpgradeReadiness: runs 'check', which is not a command of lib/cli/commands.ts"));
  const required = changed((copy) => spec(copy, 'backup').options.push({ name: 'reason', type: 'string', description: 'x', required: true }));
  t.true(checkAgainstCommands(fns, required).includes("Export-MfaBackup: --reason is required by 'backup' but no parameter maps to it"));
  const retyped = changed((copy) => {
    const c = spec(copy, 'check');
    c.options = c.options.map((o) => (o.name === 'users' ? { ...o, type: 'string' } : o));
  });
  t.true(checkAgainstCommands(fns, retyped).some((p) => p.startsWith('Test-MfaUpgradeReadiness: -UserCount is [int] but --users is a string option')));
  const positional = changed((copy) => {
    delete (spec(copy, 'verify-backup') as { positionals?: unknown }).positionals;
  });
  t.true(checkAgainstCommands(fns, positional).includes("Test-MfaBackup: passes -Positional $Path but 'verify-backup' takes no argument"));
});

test('drift: changesMachine flipped either way is reported (SupportsShouldProcess with ConfirmImpact High follows it)', async (t) => {
  const fns = await publicFns();
  const nowChanging = changed((copy) => {
    spec(copy, 'inventory').changesMachine = true;
  });
  t.true(checkAgainstCommands(fns, nowChanging).some((p) => p.startsWith("Get-MfaDeployment: 'inventory' changes a machine, so the cmdlet needs [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]")));
  const noLonger = changed((copy) => {
    spec(copy, 'backup').changesMachine = false;
  });
  t.true(checkAgainstCommands(fns, noLonger).includes("Export-MfaBackup: 'backup' changes nothing, so the cmdlet must not offer -WhatIf/-Confirm (SupportsShouldProcess)"));
});

test('every state-changing cmdlet has SupportsShouldProcess with ConfirmImpact High, and the read-only ones do not', async (t) => {
  const rows = (await publicFns()).map((f) => {
    const cmd = commands.find((c) => c.name === cmdletMapping(f).command);
    return `${f.name}: changesMachine=${cmd?.changesMachine} SupportsShouldProcess=${f.cmdletBinding?.args.get('SupportsShouldProcess') ?? '-'} ConfirmImpact=${f.cmdletBinding?.args.get('ConfirmImpact') ?? '-'}`;
  });
  for (const r of rows) {
    const changing = r.includes('changesMachine=true');
    t.is(r.includes("SupportsShouldProcess=$true ConfirmImpact=High"), changing, r);
  }
});

test('cmdlet names: approved verbs (Get-Verb) and the one Mfa prefix', async (t) => {
  t.true(APPROVED_VERBS.has('Invoke') && !APPROVED_VERBS.has('Upgrade') && !APPROVED_VERBS.has('Build'));
  const fns = await publicFns();
  t.deepEqual(fns.flatMap((f) => checkName(f.name)), []);
  t.deepEqual(checkName('Upgrade-MfaServer'), ["Upgrade-MfaServer: 'Upgrade' is not an approved verb (Get-Verb)"]);
  t.deepEqual(checkName('Get-MFAServer'), ['Get-MFAServer: not Verb-MfaNoun']);
});

test('the manifest exports exactly the public functions, one per Public\\<Name>.ps1', async (t) => {
  const m = await mod();
  const manifest = m.files.find((f) => f.path.endsWith('MfaUpgrade.psd1'));
  t.truthy(manifest);
  const exportsNode = descendants(manifest!.tree.rootNode, 'hash_entry').find((e) => e.namedChildren[0]?.text === 'FunctionsToExport');
  t.truthy(exportsNode, 'FunctionsToExport');
  const exported = descendants(exportsNode!, 'string_literal').map((s) => s.text.slice(1, -1)).sort();
  const fromFiles = m.public.map((p) => p.file.path.replace(/^.*[\\/]/, '').replace(/\.ps1$/, '')).sort();
  t.deepEqual(exported, [...new Set(fromFiles)].sort());
  for (const p of m.public) t.is(p.fn.name, p.file.path.replace(/^.*[\\/]/, '').replace(/\.ps1$/, ''), `${p.file.path} defines ${p.fn.name}`);
  t.is(new Set(m.public.map((p) => p.file.path)).size, m.public.length, 'one function per public file');
  const top = hashLiteral(manifest!.tree.rootNode)!;
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  t.is(top.get('ModuleVersion'), pkg.version, 'ModuleVersion follows package.json');
  t.is(top.get('RootModule'), 'MfaUpgrade.psm1');
  t.is(top.get('PowerShellVersion'), '5.1');
  for (const key of ['CmdletsToExport', 'VariablesToExport', 'AliasesToExport']) {
    const entry = descendants(manifest!.tree.rootNode, 'hash_entry').find((e) => e.namedChildren[0]?.text === key);
    t.truthy(entry, key);
    t.deepEqual(descendants(entry!, 'string_literal'), [], `${key} exports nothing`);
  }
  t.true(existsSync(join(MODULE_DIR, 'MfaUpgrade.psm1')));
  t.true(existsSync(join(MODULE_DIR, 'MfaUpgrade.Format.ps1xml')));
});

test('every public cmdlet: [CmdletBinding()], [OutputType()], help with .SYNOPSIS, .DESCRIPTION, an .EXAMPLE with a command, and a .PARAMETER for each parameter', async (t) => {
  const problems: string[] = [];
  for (const fn of await publicFns()) {
    if (!fn.cmdletBinding) problems.push(`${fn.name}: no [CmdletBinding()]`);
    if (fn.outputTypes.length === 0) problems.push(`${fn.name}: no [OutputType()]`);
    const help = parseHelp(fn.help);
    if (!help) {
      problems.push(`${fn.name}: no comment-based help`);
      continue;
    }
    if (!help.synopsis) problems.push(`${fn.name}: no .SYNOPSIS`);
    if (!help.description || help.description.length < 80) problems.push(`${fn.name}: .DESCRIPTION missing or too short`);
    if (help.examples.length === 0) problems.push(`${fn.name}: no .EXAMPLE`);
    for (const [i, e] of help.examples.entries()) {
      if (!new RegExp(`^\\s*PS [A-Z]:\\\\>\\s*.*\\b${fn.name}\\b`, 'm').test(e)) problems.push(`${fn.name}: .EXAMPLE ${i + 1} does not show a 'PS C:\\> ${fn.name} ...' command`);
      if (e.split(/\r?\n/).filter((l) => l.trim() && !/^\s*PS [A-Z]:\\>/.test(l)).length === 0) problems.push(`${fn.name}: .EXAMPLE ${i + 1} does not say what it does`);
    }
    for (const p of fn.parameters) {
      const text = help.parameters.get(p.name.toLowerCase());
      if (!text) problems.push(`${fn.name}: no .PARAMETER ${p.name}`);
    }
    for (const name of help.parameters.keys()) {
      if (!fn.parameters.some((p) => p.name.toLowerCase() === name)) problems.push(`${fn.name}: .PARAMETER ${name} documents no parameter`);
    }
    if (!help.keywords.includes('OUTPUTS')) problems.push(`${fn.name}: no .OUTPUTS`);
  }
  t.deepEqual(problems, []);
});

test('every Verb-Mfa* command the module calls is defined in it (no typo reaches a user)', async (t) => {
  const m = await mod();
  const defined = new Set([...m.public, ...m.private].map((p) => p.fn.name.toLowerCase()));
  const problems: string[] = [];
  for (const f of m.files) {
    for (const c of commandCalls(f.tree.rootNode)) {
      if (/^[A-Za-z]+-Mfa[A-Za-z]+$/.test(c.name) && !defined.has(c.name.toLowerCase())) problems.push(`${f.path}:${c.node.startPosition.row + 1}: ${c.name} is not defined`);
    }
  }
  t.deepEqual(problems, []);
  // Every private helper takes the caller's $PSCmdlet where it writes errors, so -ErrorAction applies.
  for (const p of m.private) {
    const writes = /\$Cmdlet\.Write(Error|Warning|Verbose|Progress)/.test(p.fn.node.text);
    if (writes) t.true(p.fn.parameters.some((x) => x.name === 'Cmdlet'), `${p.fn.name} writes through $Cmdlet`);
  }
});

test('the object type names the cmdlets declare are ones the bundle emits, and the format file has a view for the main ones', async (t) => {
  const emitted = new Set<string>();
  const { readdirSync, statSync } = await import('node:fs');
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  for (const file of walk('lib').filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/'(MfaUpgrade\.[A-Za-z]+)'/g)) emitted.add(m[1] as string);
  }
  emitted.add('MfaUpgrade.ServerStatus'); // the module's own status rows
  const declared = new Set((await publicFns()).flatMap((f) => f.outputTypes));
  t.deepEqual([...declared].filter((d) => !emitted.has(d)), [], 'declared output types the bundle never emits');
  const xml = readFileSync(join(MODULE_DIR, 'MfaUpgrade.Format.ps1xml'), 'utf8');
  t.is(XMLValidator.validate(xml), true);
  const doc = new XMLParser({ isArray: (name) => ['View', 'TypeName', 'TableColumnHeader', 'TableColumnItem', 'ListItem'].includes(name) }).parse(xml) as {
    Configuration: { ViewDefinitions: { View: Array<{ Name: string; ViewSelectedBy: { TypeName: string[] }; TableControl?: { TableHeaders: { TableColumnHeader: unknown[] }; TableRowEntries: { TableRowEntry: { TableColumnItems: { TableColumnItem: unknown[] } } } } }> } };
  };
  const views = doc.Configuration.ViewDefinitions.View;
  const viewed = new Set(views.flatMap((v) => v.ViewSelectedBy.TypeName));
  t.deepEqual([...viewed].filter((v) => !emitted.has(v)), [], 'views for type names nobody emits');
  for (const must of ['MfaUpgrade.Deployment', 'MfaUpgrade.ReadinessCheck', 'MfaUpgrade.UpgradePlan', 'MfaUpgrade.FleetPlan', 'MfaUpgrade.WebConfigMerge', 'MfaUpgrade.BackupBundle', 'MfaUpgrade.BackupVerification', 'MfaUpgrade.UpgradeResult', 'MfaUpgrade.ServerStatus', 'MfaUpgrade.AdfsAdapterUpgrade', 'MfaUpgrade.HealthCheck', 'MfaUpgrade.UpgradeHealth']) {
    t.true(viewed.has(must), `a view for ${must}`);
  }
  for (const v of views) {
    if (v.TableControl) {
      t.is(v.TableControl.TableHeaders.TableColumnHeader.length, v.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem.length, `${v.Name}: as many headers as columns`);
    }
  }
  // The script blocks in the format file are PowerShell too.
  const { parsePowerShell } = await import('./ps-ast.js');
  for (const m of xml.matchAll(/<ScriptBlock>([\s\S]*?)<\/ScriptBlock>/g)) {
    const code = (m[1] as string).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/&quot;/g, '"');
    t.deepEqual(syntaxProblems(await parsePowerShell(code)), [], code);
  }
});

test('about_MfaUpgrade names every cmdlet, the protocol and the exit codes', async (t) => {
  const about = readFileSync(join(MODULE_DIR, 'en-US', 'about_MfaUpgrade.help.txt'), 'utf8');
  t.regex(about, /^TOPIC\s*\r?\n\s+about_MfaUpgrade/m);
  t.regex(about, /SHORT DESCRIPTION/);
  t.regex(about, /LONG DESCRIPTION/);
  for (const fn of await publicFns()) t.true(about.includes(fn.name), `about_MfaUpgrade mentions ${fn.name}`);
  for (const code of ['3010', '1603', '1618', 'MFA_UPGRADE_CLI', '--json']) t.true(about.includes(code), code);
  t.false(/[^\x09\x0a\x0d\x20-\x7e]/.test(about), 'plain ASCII (Get-Help reads it with any code page)');
});

test('the SCCM / Group Policy wrapper: help, unattended and unprompted, CMTrace log under %SystemRoot%\\Logs\\MfaUpgrade, SCCM exit codes', async (t) => {
  const path = join(MODULE_DIR, 'Deploy-MfaUpgrade.ps1');
  const text = readFileSync(path, 'utf8');
  const files = await loadPowerShellFiles(MODULE_DIR);
  const file = files.find((f) => f.path === path)!;
  t.deepEqual(syntaxProblems(file.tree), []);
  const help = parseHelp(/<#[\s\S]*?#>/.exec(text)?.[0]);
  t.truthy(help?.synopsis);
  t.true((help?.examples.length ?? 0) >= 2);
  const calls = commandCalls(file.tree.rootNode);
  const upgrade = calls.filter((c) => c.name === 'Invoke-MfaServerUpgrade');
  t.true(upgrade.length >= 1);
  for (const c of upgrade) {
    t.true(c.params.has('unattended'), 'upgrade runs -Unattended');
    t.is(c.params.get('confirm')?.text, '$false', 'upgrade runs -Confirm:$false');
  }
  t.true(calls.some((c) => c.name === 'Get-MfaDeployment'), 'looks at what is installed first (safe to run twice)');
  t.true(calls.some((c) => c.name === 'Import-Module'));
  t.regex(text, /Logs\\MfaUpgrade/);
  t.regex(text, /MFA_UPGRADE_LOG/);
  for (const code of ['3010', '1603', '1618', '1641']) t.true(text.includes(code), `exit code ${code}`);
  t.regex(text, /exit \$/);
  t.false(/Read-Host|ShouldContinue|Out-GridView|PromptForChoice/.test(text), 'nothing interactive');
  // The wrapper's functions have help too.
  for (const fn of functions(file.tree)) t.truthy(parseHelp(fn.help)?.synopsis, `${fn.name} has help`);
});

test('docs/powershell.md says the module is checked statically here and how a Windows user runs the Pester tests', (t) => {
  const doc = readFileSync('docs/powershell.md', 'utf8');
  t.regex(doc, /Invoke-Pester/);
  t.regex(doc, /not (run|executed)/i);
  t.regex(doc, /build:module/);
  t.true(existsSync('test/powershell/MfaUpgrade.Tests.ps1'));
});

test('the syntax check itself fails on broken PowerShell (a missing brace, an unclosed string, a stray token)', async (t) => {
  const { parsePowerShell } = await import('./ps-ast.js');
  for (const broken of ['function Get-X {\n  param([string] $A\n  process { }\n', "$x = 'unclosed\n", 'if ($a) { } else else { }', '[CmdletBinding(]\nparam()']) {
    t.true(syntaxProblems(await parsePowerShell(broken)).length > 0, broken);
  }
  t.deepEqual(syntaxProblems(await parsePowerShell('function Get-X {\n  [CmdletBinding()]\n  param([string] $A)\n  process { "$($A): ok" }\n}\n')), []);
});

/** The clauses of the first `switch` in a function: their literal conditions and body text. */
async function switchClauses(file: string, fnName: string, nth = 0): Promise<Array<{ condition: string; body: string }>> {
  const files = await loadPowerShellFiles(MODULE_DIR);
  const f = files.find((x) => x.path.endsWith(file));
  if (!f) throw new Error(`no ${file}`);
  const fn = functions(f.tree).find((x) => x.name === fnName);
  if (!fn) throw new Error(`no ${fnName}`);
  const sw = descendants(fn.node, 'switch_statement')[nth];
  if (!sw) throw new Error(`no switch ${nth} in ${fnName}`);
  return descendants(sw, 'switch_clause')
    .filter((c) => c.parent?.parent?.parent?.id === sw.id || c.parent?.parent?.id === sw.id)
    .map((c) => {
      const cond = c.namedChildren[0];
      const text = cond?.text ?? '';
      return { condition: text.startsWith("'") ? text.slice(1, -1) : text, body: c.namedChildren[1]?.text ?? '' };
    });
}

test('the protocol reader handles every event type and log level of lib/cli/output.ts', async (t) => {
  const output = readFileSync('lib/cli/output.ts', 'utf8');
  const union = /export type ProtocolEvent =([\s\S]*?);\n/.exec(output)?.[1] ?? '';
  const types = [...union.matchAll(/type: '(\w+)'/g)].map((m) => m[1]).sort();
  const levels = [...(/export type LogLevel = ([^;]+);/.exec(output)?.[1] ?? '').matchAll(/'(\w+)'/g)].map((m) => m[1]).sort();
  t.deepEqual(types, ['error', 'log', 'object', 'progress', 'result']);
  const events = await switchClauses('Private/Invoke-MfaCli.ps1', 'Write-MfaCliEvent', 0);
  t.deepEqual(events.map((c) => c.condition).filter((c) => c !== 'default').sort(), types);
  const logLevels = await switchClauses('Private/Invoke-MfaCli.ps1', 'Write-MfaCliEvent', 1);
  for (const level of levels) t.true(logLevels.some((c) => c.condition === level) || (level === 'info' && logLevels.some((c) => c.condition === 'default' && c.body.includes('WriteInformation'))), `log level ${level}`);
  // Every field a progress/error event carries is read.
  const reader = readFileSync(join(MODULE_DIR, 'Private/Invoke-MfaCli.ps1'), 'utf8');
  for (const field of ['id', 'activity', 'status', 'percent', 'completed', 'code', 'message', 'target', 'line', 'remedy', 'exitCode', 'typeName', 'data', 'level']) {
    t.true(reader.includes(`$evt.${field}`), `reads ${field}`);
  }
});

test('every exit code of lib/errors.ts has a meaning and a status name in the module', async (t) => {
  const errors = readFileSync('lib/errors.ts', 'utf8');
  const block = /export const ExitCode = \{([\s\S]*?)\} as const/.exec(errors)?.[1] ?? '';
  const codes = [...block.matchAll(/:\s*(\d+)/g)].map((m) => m[1] as string);
  t.true(codes.length >= 10);
  const meanings = (await switchClauses('Private/Invoke-MfaCli.ps1', 'Get-MfaExitCodeMeaning')).map((c) => c.condition);
  const statuses = (await switchClauses('Private/Invoke-MfaCli.ps1', 'Get-MfaStatusName')).map((c) => c.condition);
  for (const code of codes) {
    t.true(meanings.includes(code), `Get-MfaExitCodeMeaning knows ${code}`);
    t.true(statuses.includes(code) || code === '1603', `Get-MfaStatusName knows ${code}`);
  }
});

test('error codes map to ErrorRecord categories (the switch -Regex of Get-MfaErrorCategory, evaluated on every code lib/ throws)', async (t) => {
  const clauses = await switchClauses('Private/New-MfaErrorRecord.ps1', 'Get-MfaErrorCategory');
  const category = (code: string) => {
    for (const c of clauses) {
      if (c.condition === 'default') continue;
      // switch -Regex is case-insensitive, as here; .NET and JavaScript agree on these patterns.
      if (new RegExp(c.condition, 'i').test(code)) return /ErrorCategory\]::(\w+)/.exec(c.body)?.[1];
    }
    return 'NotSpecified';
  };
  const expected: Record<string, string> = {
    USAGE: 'InvalidArgument', BAD_INPUT: 'InvalidData', REG_PARSE: 'InvalidData', XML_MALFORMED: 'InvalidData', XML_DOCTYPE: 'SecurityError',
    JSON_PARSE: 'InvalidData', NOT_WINDOWS: 'NotImplemented', MSI_1618: 'ResourceBusy', MSI_1603: 'InvalidResult', FILE_NOT_FOUND: 'ObjectNotFound',
    BUNDLE_NOT_FOUND: 'ObjectNotFound', BUNDLE_ALTERED: 'InvalidData', BUNDLE_EXISTS: 'ResourceExists', PATH_ESCAPE: 'SecurityError',
    BUNDLE_PASSPHRASE: 'AuthenticationError', DISK_FULL: 'WriteError', PS_TIMEOUT: 'OperationTimeout', PLAN_BLOCKED: 'InvalidOperation',
    ENOENT: 'ObjectNotFound', EACCES: 'PermissionDenied', REMOTE_UNREACHABLE: 'ConnectionError', INTERNAL: 'NotSpecified',
  };
  for (const [code, cat] of Object.entries(expected)) t.is(category(code), cat, code);
  const { readdirSync, statSync } = await import('node:fs');
  const walk = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  const thrown = new Set<string>();
  for (const file of walk('lib').filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/code: '([A-Z][A-Z0-9_]+)'/g)) thrown.add(m[1] as string);
  }
  const unmapped = [...thrown].filter((c) => c !== 'INTERNAL' && category(c) === 'NotSpecified').sort();
  t.log(`${thrown.size} error codes in lib/; NotSpecified: ${unmapped.join(', ') || 'none'}`);
  t.deepEqual(unmapped, []);
});

test('every call of a public cmdlet (in the module, the wrapper, the Pester tests, the help examples and about_MfaUpgrade) uses parameters it has', async (t) => {
  const fns = await publicFns();
  const common = ['Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ProgressAction', 'ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable'];
  const known = new Map<string, Set<string>>();
  for (const f of fns) {
    const names = new Set<string>(common.map((c) => c.toLowerCase()));
    for (const p of f.parameters) {
      names.add(p.name.toLowerCase());
      for (const a of p.attributes.filter((x) => /^Alias$/i.test(x.name))) for (const v of a.args.values()) names.add(v.toLowerCase());
    }
    if (f.cmdletBinding?.args.get('SupportsShouldProcess')) ['whatif', 'confirm'].forEach((n) => names.add(n));
    known.set(f.name.toLowerCase(), names);
  }
  const { parsePowerShell } = await import('./ps-ast.js');
  const sources: Array<{ where: string; code: string }> = [];
  for (const f of [...(await mod()).files, ...(await loadPowerShellFiles('test/powershell'))]) sources.push({ where: f.path, code: f.text });
  for (const f of fns) {
    for (const [i, e] of (parseHelp(f.help)?.examples ?? []).entries()) {
      const line = /^\s*PS [A-Z]:\\>\s*(.*)$/m.exec(e)?.[1];
      if (line) sources.push({ where: `${f.name} .EXAMPLE ${i + 1}`, code: line });
    }
  }
  const about = readFileSync(join(MODULE_DIR, 'en-US', 'about_MfaUpgrade.help.txt'), 'utf8');
  for (const line of about.split(/\r?\n/).filter((l) => /^\s{8}(Get|Test|Export|Invoke|Merge|Restore|Compare|Update)-Mfa/.test(l))) sources.push({ where: 'about_MfaUpgrade', code: line.trim() });
  const problems: string[] = [];
  let calls = 0;
  let fallback = 0;
  for (const s of sources) {
    const tree = await parsePowerShell(s.code);
    if (syntaxProblems(tree).length > 0) {
      // The grammar refuses some valid one-liners (a bare-word list with spaces: Format-Table id, title):
      // there, each pipeline element that starts with a cmdlet is read for its -Names.
      t.false(s.where.endsWith('.ps1') || s.where.endsWith('.psm1'), `${s.where} must parse`);
      fallback++;
      for (const segment of s.code.replace(/\{[^{}]*\}|'[^']*'|"[^"]*"/g, 'X').split('|')) {
        const m = /^\s*([A-Za-z]+-Mfa[A-Za-z]+)\b(.*)$/.exec(segment);
        const names = m ? known.get((m[1] as string).toLowerCase()) : undefined;
        if (!m || !names) continue;
        calls++;
        for (const p of (m[2] as string).matchAll(/(?:^|\s)-([A-Za-z][A-Za-z0-9]*)/g)) {
          if (!names.has((p[1] as string).toLowerCase())) problems.push(`${s.where}: ${m[1]} has no -${p[1]}`);
        }
      }
      continue;
    }
    for (const c of commandCalls(tree.rootNode)) {
      const names = known.get(c.name.toLowerCase());
      if (!names) continue;
      calls++;
      for (const p of c.params.keys()) {
        // A unique prefix binds in PowerShell, but the module's own text spells names out.
        if (!names.has(p)) problems.push(`${s.where}: ${c.name} has no -${p}`);
      }
    }
  }
  t.true(calls > 40, `${calls} calls checked`);
  t.log(`${calls} calls of public cmdlets checked, ${fallback} one-liners read without the grammar`);
  t.deepEqual(problems, []);
});

test('every run is started with --control-stdin, a global option of the CLI (README "Control")', async (t) => {
  const { globalOptions } = await import('../../lib/cli/spec.js');
  t.true(globalOptions.some((o) => o.name === 'control-stdin'), 'lib/cli/spec.ts has --control-stdin');
  const psm1 = readFileSync(join(MODULE_DIR, 'MfaUpgrade.psm1'), 'utf8');
  t.regex(psm1, /\$script:ControlStdin = \$true/);
  const reader = readFileSync(join(MODULE_DIR, 'Private/Invoke-MfaCli.ps1'), 'utf8');
  t.regex(reader, /-ControlStdin:\$control/);
  const args = readFileSync(join(MODULE_DIR, 'Private/ConvertTo-MfaCliArgument.ps1'), 'utf8');
  t.regex(args, /\$argv\.Add\('--control-stdin'\)/);
});
