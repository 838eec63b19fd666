// Windows PowerShell 5.1 kept honest: the module targets 5.1 (PowerShellVersion = '5.1' in the
// manifest, the PowerShell of Windows Server 2008 R2 SP1 to 2022 with WMF 5.1), and PowerShell 7
// accepts much that 5.1 refuses or lacks. Every rule below is something 5.1 does not have:
// syntax (parsed with the real grammar, tree-sitter-powershell), parameters of built-in cmdlets
// that came with PowerShell 6/7 (from the cmdlets' own help: "This parameter was introduced in
// PowerShell 6.x/7.x"), cmdlets that are 6/7 only, and .NET Core APIs missing from .NET Framework
// 4.x. A rule names what to write instead.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { commandCalls, descendants, parsePowerShell, type Tree } from './ps-ast.js';

export interface Ps51Problem {
  file: string;
  line: number;
  rule: string;
  text: string;
}

/** Built-in cmdlets' parameters that 5.1 lacks: cmdlet (lower case) -> parameter -> instead. */
const NEW_PARAMETERS: Record<string, Record<string, string>> = {
  'convertfrom-json': { ashashtable: 'walk the PSCustomObject', depth: 'no limit option in 5.1 (1024 levels)', datekind: 'splat it only where it exists', noenumerate: 'wrap with @()' },
  'convertto-json': { asarray: 'wrap the input in @() and use -InputObject', escapehandling: 'not in 5.1', enumsasstrings: 'convert enums with [string]' },
  'foreach-object': { parallel: 'a loop, or Start-Job', throttlelimit: 'not in 5.1', timeoutseconds: 'not in 5.1', asjob: 'Start-Job' },
  'join-path': { additionalchildpath: 'nest Join-Path calls', extension: 'append the extension' },
  'split-path': { leafbase: '[System.IO.Path]::GetFileNameWithoutExtension', extension: '[System.IO.Path]::GetExtension' },
  'get-content': { asbytestream: '-Encoding Byte' },
  'set-content': { asbytestream: '-Encoding Byte', nonewline: 'is 5.0+: fine' },
  'add-content': { asbytestream: '-Encoding Byte' },
  'invoke-webrequest': { skipcertificatecheck: 'a certificate policy', authentication: '-Credential', sslprotocol: '[Net.ServicePointManager]::SecurityProtocol', skiphttperrorcheck: 'try/catch', resume: 'not in 5.1' },
  'invoke-restmethod': { skipcertificatecheck: 'a certificate policy', authentication: '-Credential', sslprotocol: '[Net.ServicePointManager]::SecurityProtocol', skiphttperrorcheck: 'try/catch', statuscodevariable: 'Invoke-WebRequest' },
  'select-object': { skiplast: 'index the array', skipindex: 'index the array' },
  'sort-object': { top: 'Sort-Object then index', bottom: 'Sort-Object then index', stable: 'not in 5.1' },
  'get-childitem': { followsymlink: 'not in 5.1' },
  'new-pssession': { hostname: 'SSH remoting is PowerShell 7 (WinRM: -ComputerName)', keyfilepath: 'PowerShell 7 (SSH)', sshtransport: 'PowerShell 7 (SSH)', options: 'PowerShell 7 (SSH)', subsystem: 'PowerShell 7 (SSH)' },
  'invoke-command': { hostname: 'SSH remoting is PowerShell 7', keyfilepath: 'PowerShell 7 (SSH)', sshtransport: 'PowerShell 7 (SSH)' },
  'test-connection': { targetname: '-ComputerName', tcpport: 'Test-NetConnection -Port' },
  'get-date': { asutc: '(Get-Date).ToUniversalTime()', unixtimeseconds: '[DateTimeOffset]::FromUnixTimeSeconds' },
  'out-file': {},
  'start-process': { workingdirectory: 'is 5.1: fine' },
  'import-module': { usewindowspowershell: 'PowerShell 7 only', skipeditioncheck: 'PowerShell 7 only' },
  'remove-item': {},
  'where-object': {},
  'get-item': {},
  'test-path': {},
};
for (const k of Object.keys(NEW_PARAMETERS)) {
  const entry = NEW_PARAMETERS[k] as Record<string, string>;
  for (const [p, why] of Object.entries(entry)) if (why.endsWith('fine')) delete entry[p];
}

/** Cmdlets that 5.1 does not have. */
const NEW_CMDLETS: Record<string, string> = {
  'test-json': 'ConvertFrom-Json in try/catch',
  'get-error': '$Error[0] | Format-List * -Force',
  'join-string': '-join',
  'convertfrom-markdown': 'not in 5.1',
  'remove-alias': 'Remove-Item Alias:\\name',
  'get-uptime': '(Get-CimInstance Win32_OperatingSystem).LastBootUpTime',
  'clear-recyclebin': 'not in 5.1',
  'get-pssubsystem': 'not in 5.1',
  'update-list': 'not in 5.1',
  'foreach-object -parallel': '',
  'start-threadjob': 'Start-Job (ThreadJob is a separate module on 5.1)',
  'test-connection -tcpport': '',
  'convertto-csv -usequotes': '',
};

/** Encodings named only from PowerShell 6 on. */
const NEW_ENCODINGS = /^-?(utf8NoBOM|utf8BOM|ansi)$/i;

/** .NET Core / .NET 5+ APIs absent from .NET Framework 4.x, as they appear in PowerShell source. */
const NET_CORE_APIS: Array<{ pattern: RegExp; instead: string }> = [
  { pattern: /\[(System\.)?IO\.Path\]::(GetRelativePath|Join|TrimEndingDirectorySeparator|EndsInDirectorySeparator|Exists)\b/i, instead: 'Resolve-Path -Relative, Join-Path, or string work' },
  { pattern: /\.ArgumentList\.Add\(|\bArgumentList\s*=/i, instead: 'ProcessStartInfo.Arguments quoted by hand (ConvertTo-MfaCommandLine): ArgumentList is .NET Core 2.1+' },
  { pattern: /\.StandardInputEncoding\b/i, instead: 'write bytes to StandardInput.BaseStream (StandardInputEncoding is .NET Core)' },
  { pattern: /\[(System\.)?Text\.Json\./i, instead: 'ConvertFrom-Json / ConvertTo-Json' },
  { pattern: /\[(System\.)?(Range|Index|HashCode|Half|DateOnly|TimeOnly)\]/i, instead: 'not in .NET Framework' },
  { pattern: /\[(System\.)?Environment\]::(ProcessPath|ProcessId|IsPrivilegedProcess)\b/i, instead: '(Get-Process -Id $PID).Path, $PID' },
  { pattern: /\[(System\.)?Convert\]::(ToHexString|FromHexString)\b/i, instead: '[BitConverter]::ToString($b).Replace("-", "")' },
  { pattern: /\[(System\.)?Text\.Encoding\]::Latin1\b/i, instead: '[Text.Encoding]::GetEncoding(28591)' },
  { pattern: /\[(System\.)?OperatingSystem\]::Is\w+\(/i, instead: '[Environment]::OSVersion.Platform' },
  { pattern: /\[(System\.)?IO\.File\]::\w+Async\(/i, instead: 'the synchronous File methods' },
  { pattern: /\[(System\.)?Security\.Cryptography\.(SHA256|SHA1|SHA512|MD5)\]::HashData\(/i, instead: '[Security.Cryptography.SHA256]::Create().ComputeHash()' },
  { pattern: /\[(System\.)?(Random)\]::Shared\b/i, instead: 'New-Object System.Random' },
  { pattern: /\[(System\.)?String\]::Create\(|\.ReplaceLineEndings\(/i, instead: 'string operators' },
  { pattern: /\$PSStyle\b/i, instead: '$PSStyle is PowerShell 7.2+' },
  // On a line that does not look at $PSVersionTable (or PSEdition) first.
  { pattern: /^(?![^\n]*(PSVersion|PSEdition))[^\n]*\$(IsWindows|IsLinux|IsMacOS|IsCoreCLR)\b/im, instead: 'undefined in 5.1 (always $null): guard with $PSVersionTable.PSVersion.Major -ge 6' },
];

export interface Exemption {
  /** A path relative to the repository (forward slashes). */
  file: string;
  rules: string[];
  why: string;
}

export const EXEMPTIONS: Exemption[] = [
  {
    file: 'test/powershell/Remoting.Tests.ps1',
    rules: ['parameter New-PSSession -HostName', 'parameter New-PSSession -Options'],
    why: 'the remoting tests run over SSH, which only PowerShell 7 has (on Windows PowerShell 5.1 the same cmdlets run over WinRM)',
  },
];

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Code with comments and single-quoted strings blanked (positions kept), for the text rules. */
function codeOnly(text: string): string {
  return text
    .replace(/<#[\s\S]*?#>/g, (m) => m.replace(/[^\n]/g, ' '))
    .replace(/'(?:[^']|'')*'/g, (m) => `'${' '.repeat(Math.max(0, m.length - 2))}'`)
    .replace(/#[^\n]*/g, (m) => ' '.repeat(m.length));
}

export function checkPs51(path: string, text: string, tree: Tree): Ps51Problem[] {
  const problems: Ps51Problem[] = [];
  const add = (line: number, rule: string, t: string) => problems.push({ file: path, line, rule, text: t });
  const root = tree.rootNode;
  for (const n of descendants(root, 'pipeline_chain_tail')) add(n.startPosition.row + 1, '&& / || between pipelines', n.text.slice(0, 60));
  for (const type of ['ternary_expression', 'null_coalescing_expression', 'null_conditional_member_access']) {
    for (const n of descendants(root, type)) add(n.startPosition.row + 1, type.replace(/_/g, ' '), n.text.slice(0, 60));
  }
  const code = codeOnly(text);
  for (const m of code.matchAll(/\?\?=?|\?\.[A-Za-z_]|\?\[/g)) add(lineOf(code, m.index ?? 0), 'null-coalescing / null-conditional operator', m[0]);
  for (const m of code.matchAll(/[\s(]\?\s+[^:\n]+\s:\s/g)) add(lineOf(code, m.index ?? 0), 'ternary operator', m[0].trim());
  for (const m of code.matchAll(/\bclean\s*\{/gi)) add(lineOf(code, m.index ?? 0), 'clean block (7.3)', m[0]);
  for (const call of commandCalls(root)) {
    const name = call.name.toLowerCase();
    const line = call.node.startPosition.row + 1;
    if (NEW_CMDLETS[name]) add(line, `cmdlet ${call.name}`, `${call.name}: ${NEW_CMDLETS[name]}`);
    const params = NEW_PARAMETERS[name];
    if (params) {
      for (const p of call.params.keys()) if (params[p]) add(line, `parameter ${call.name} -${p.replace(/^./, (c) => c)}`, `${call.name} -${p}: ${params[p]}`);
    }
    // Join-Path a b c: the third positional argument is -AdditionalChildPath (PowerShell 6).
    if (name === 'join-path') {
      // Arguments are what command_argument_sep separates (a member call like $m['x'].Trim()
      // can be several nodes of one argument).
      const elements = call.node.namedChildren.find((c) => c?.type === 'command_elements');
      const groups: string[][] = [[]];
      for (const c of elements?.children ?? []) {
        if (!c) continue;
        if (c.type === 'command_argument_sep') groups.push([]);
        else (groups[groups.length - 1] as string[]).push(`${c.type}\u0000${c.text}`);
      }
      const tokens = groups.filter((g) => g.length > 0).map((g) => (g.length === 1 && (g[0] as string).startsWith('command_parameter\u0000') ? { param: (g[0] as string).split('\u0000')[1] as string } : { param: undefined }));
      let positional = 0;
      for (let i = 0; i < tokens.length; i++) {
        const tk = tokens[i];
        if (tk?.param !== undefined) {
          if (!tk.param.endsWith(':') && tokens[i + 1]?.param === undefined) i++;
          continue;
        }
        positional++;
      }
      const named = [...call.params.keys()].filter((k) => k === 'path' || k === 'childpath').length;
      if (positional + named > 2) add(line, 'three-argument Join-Path', call.node.text.slice(0, 80));
    }
    const encoding = call.params.get('encoding');
    if (encoding && NEW_ENCODINGS.test(encoding.text.replace(/['"]/g, ''))) add(line, 'encoding name of PowerShell 6+', `${call.name} -Encoding ${encoding.text}`);
  }
  for (const api of NET_CORE_APIS) {
    for (const m of code.matchAll(new RegExp(api.pattern.source, `${api.pattern.flags.replace('g', '')}g`))) add(lineOf(code, m.index ?? 0), `.NET Core API ${m[0].trim().slice(-40)}`, api.instead);
  }
  // Recognise a rule name for the exemption list: "parameter New-PSSession -HostName".
  return problems.map((p) => (p.rule.startsWith('parameter ') ? { ...p, rule: p.rule.replace(/ -(\w)(\w*)$/, (_m, a: string, b: string) => ` -${canonicalParameter(p.text, a + b)}`) } : p));
}

function canonicalParameter(text: string, lower: string): string {
  const known: Record<string, string> = { hostname: 'HostName', options: 'Options', keyfilepath: 'KeyFilePath', sshtransport: 'SSHTransport', subsystem: 'Subsystem' };
  return known[lower.toLowerCase()] ?? lower;
}

const SKIP = new Set(['node_modules', '.cache', 'dist', '.git', 'build', 'prebuilds', 'bin', '.stryker-tmp']);

/** Every .ps1, .psm1 and .psd1 of the repository (not node_modules, caches, build output). */
export function powerShellFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (SKIP.has(name)) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ps1|psm1|psd1)$/i.test(name)) out.push(relative(root, p).split('\\').join('/'));
    }
  };
  walk(root);
  return out;
}

export async function checkRepository(root: string): Promise<{ files: string[]; problems: Ps51Problem[] }> {
  const files = powerShellFiles(root);
  const problems: Ps51Problem[] = [];
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8');
    const found = checkPs51(f, text, await parsePowerShell(text));
    for (const p of found) {
      const ex = EXEMPTIONS.find((e) => e.file === f && e.rules.some((r) => p.rule.toLowerCase() === r.toLowerCase()));
      if (!ex) problems.push(p);
    }
  }
  return { files, problems };
}
