// procedure.md §3.7: "add -ConfigurationFilePath <path> to the end of the
// Register-AdfsAuthenticationProvider command in the register script". Done on the parse tree,
// not with a regex, so backtick continuations, splatting, comments and here-strings that merely
// mention the command are handled as PowerShell itself reads them; an existing
// -ConfigurationFilePath (or an unambiguous abbreviation of it) gets its value replaced.
import type { Node } from 'web-tree-sitter';
import { badInput } from '../../errors.js';
import { decodeText, encodeText, type TextFormat } from '../xml/codec.js';
import { checkSize } from '../xml/document.js';
import { lineIndex } from '../xml/lines.js';
import { applyEdits, renderDiff, type TextEdit } from '../xml/edit.js';
import { powershellParser } from './powershell-parser.js';

export const REGISTER_COMMAND = 'Register-AdfsAuthenticationProvider';
const PARAMETER = 'ConfigurationFilePath';

export interface RegisterCommandPatch {
  /** 1-based line of the command. */
  line: number;
  action: 'added' | 'replaced' | 'replaced-in-splat' | 'unchanged';
  /** The argument text that was there before, when replaced. */
  previous?: string;
}

export interface RegisterPatchReport {
  file: string;
  configPath: string;
  commands: RegisterCommandPatch[];
  warnings: string[];
  format: TextFormat;
  changed: boolean;
  written: boolean;
  whatIf: boolean;
}

export interface RegisterPatchOutcome {
  bytes: Buffer;
  report: RegisterPatchReport;
  diff: string;
}

/** A single-quoted PowerShell literal: nothing in it is expanded. PowerShell also reads the typographic single quotes as quotes, so they are doubled too. */
export function psSingleQuoted(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/** PowerShell accepts any unambiguous prefix; "-Confi" could also be -Confirm. */
function isConfigPathParameter(text: string): boolean {
  const name = text.replace(/^[-\u2013\u2014\u2015]/, '').replace(/:$/, '').toLowerCase();
  return name.length >= 6 && PARAMETER.toLowerCase().startsWith(name);
}

function isCommandNamed(command: Node): boolean {
  const name = command.childForFieldName('command_name') ?? command.children.find((c) => c?.type === 'command_name');
  if (!name) return false;
  const text = name.text.replace(/^.*\\/, '');
  return text.toLowerCase() === REGISTER_COMMAND.toLowerCase();
}

function descendants(node: Node, type: string): Node[] {
  return node.descendantsOfType(type).filter((n): n is Node => n !== null);
}

function elementsOf(command: Node): Node[] {
  const list = command.children.find((c) => c?.type === 'command_elements');
  return list ? list.children.filter((c): c is Node => c !== null && c.type !== 'command_argument_sep' && c.type !== 'comment') : [];
}

/** The `@{ ... }` assigned to $name anywhere in the script, when there is exactly one. */
function splatTable(root: Node, name: string): Node | undefined {
  const found: Node[] = [];
  for (const a of descendants(root, 'assignment_expression')) {
    const left = a.children.find((c) => c?.type === 'left_assignment_expression');
    if (!left || left.text.trim().toLowerCase() !== `$${name}`.toLowerCase()) continue;
    const table = descendants(a, 'hash_literal_expression')[0];
    if (table) found.push(table);
  }
  return found.length === 1 ? found[0] : undefined;
}

function hashEntryFor(table: Node): Node | undefined {
  for (const entry of descendants(table, 'hash_entry')) {
    if (entry.parent?.parent?.id !== table.id) continue;
    const key = entry.children.find((c) => c?.type === 'key_expression');
    const text = key?.text.replace(/^['"]|['"]$/g, '') ?? '';
    if (text.toLowerCase() === PARAMETER.toLowerCase()) return entry;
  }
  return undefined;
}

export async function patchRegisterScript(input: { bytes: Uint8Array; file: string }, configPath: string): Promise<RegisterPatchOutcome> {
  const { file } = input;
  checkSize(input.bytes, file, 'register script');
  const { text, format } = decodeText(input.bytes, file);
  const parser = await powershellParser();
  const tree = parser.parse(text);
  if (!tree) throw new Error(`the PowerShell parser returned no tree for ${file}`);
  const lineAt = lineIndex(text);
  const root = tree.rootNode;
  const commands = descendants(root, 'command').filter(isCommandNamed);
  if (commands.length === 0) {
    throw badInput(`the script has no ${REGISTER_COMMAND} command (mentions in comments or strings do not count)`, file, {
      code: 'PS_NO_REGISTER_COMMAND',
      remedy: `Pass Register-MultiFactorAuthenticationAdfsAdapter.ps1 from the MFA Server install folder, or add -ConfigurationFilePath ${psSingleQuoted(configPath)} to the registration by hand.`,
    });
  }
  const value = psSingleQuoted(configPath);
  const edits: TextEdit[] = [];
  const patches: RegisterCommandPatch[] = [];
  const warnings: string[] = [];
  if (root.hasError) warnings.push('parts of the script do not parse as PowerShell; only the registration command was changed');
  for (const command of commands) {
    const line = lineAt(command.startIndex);
    if (command.hasError) {
      throw badInput(`the ${REGISTER_COMMAND} command does not parse as PowerShell`, file, {
        code: 'PS_SYNTAX',
        line,
        remedy: `Fix the command at line ${line} (does it run in PowerShell?) and run again, or add -ConfigurationFilePath by hand.`,
      });
    }
    const elements = elementsOf(command);
    const paramIndex = elements.findIndex((e) => e.type === 'command_parameter' && isConfigPathParameter(e.text));
    if (paramIndex !== -1) {
      const param = elements[paramIndex] as Node;
      const arg = elements[paramIndex + 1];
      if (arg && arg.type !== 'command_parameter') {
        if (arg.text === value) patches.push({ line, action: 'unchanged' });
        else {
          edits.push({ start: arg.startIndex, end: arg.endIndex, text: value });
          patches.push({ line, action: 'replaced', previous: arg.text });
        }
      } else {
        edits.push({ start: param.endIndex, end: param.endIndex, text: ` ${value}` });
        patches.push({ line, action: 'added' });
      }
      continue;
    }
    const splats = elements.filter((e) => /^@[A-Za-z_][\w]*$/.test(e.text)).map((e) => e.text.slice(1));
    let handled = false;
    for (const name of splats) {
      const table = splatTable(root, name);
      const entry = table && hashEntryFor(table);
      if (entry) {
        const valueNode = entry.children.find((c) => c?.type === 'pipeline' || c?.type === 'statement');
        if (!valueNode) continue;
        if (valueNode.text === value) patches.push({ line, action: 'unchanged' });
        else {
          edits.push({ start: valueNode.startIndex, end: valueNode.endIndex, text: value });
          patches.push({ line, action: 'replaced-in-splat', previous: valueNode.text });
        }
        handled = true;
        break;
      }
      if (!table) warnings.push(`line ${line}: @${name} is not built from one @{...} literal in this script; if it sets ${PARAMETER} too, PowerShell will refuse the duplicate`);
    }
    if (handled) continue;
    const last = elements[elements.length - 1] ?? command.children.find((c) => c?.type === 'command_name');
    const at = (last as Node).endIndex;
    edits.push({ start: at, end: at, text: ` -${PARAMETER} ${value}` });
    patches.push({ line, action: 'added' });
  }
  const out = applyEdits(text, edits);
  const bytes = edits.length ? encodeText(out, format) : Buffer.from(input.bytes);
  return {
    bytes,
    diff: renderDiff(text, edits, file, `${file} (patched)`),
    report: { file, configPath, commands: patches, warnings, format, changed: edits.length > 0, written: false, whatIf: false },
  };
}

export function formatRegisterPatch(r: RegisterPatchReport, diff: string, outFile = r.file): string {
  const lines = [`Register script ${r.file}: -${PARAMETER} ${psSingleQuoted(r.configPath)}`];
  for (const c of r.commands) {
    const what = { added: 'parameter added', replaced: `value replaced (was ${c.previous})`, 'replaced-in-splat': `value replaced in the splatted table (was ${c.previous})`, unchanged: 'already set' }[c.action];
    lines.push(`  line ${c.line}: ${REGISTER_COMMAND}: ${what}`);
  }
  for (const w of r.warnings) lines.push(`WARNING: ${w}`);
  if (diff) lines.push('', diff);
  lines.push('', !r.changed ? 'Nothing to write.' : r.whatIf ? 'What if: nothing was written.' : r.written ? `Written: ${outFile}` : 'Not written.');
  return lines.join('\n');
}
