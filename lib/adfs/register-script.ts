// What the (patched) register script would register: the -TypeName and -Name of its
// Register-AdfsAuthenticationProvider command, read from a real PowerShell parse (the config
// engineer's tree-sitter parser). mfa-upgrade registers through the PowerShell port with exactly
// these values and -ConfigurationFilePath, so the recorded AD FS calls are the ones the script
// would make, and a failed registration can be undone. Values the script computes at run time
// (expressions, interpolated strings) are not guessed: the caller then needs --type-name.
import type { Node } from 'web-tree-sitter';
import { badInput } from '../errors.js';
import { powershellParser } from '../config/ps/powershell-parser.js';
import { REGISTER_COMMAND } from '../config/ps/register-patch.js';
import { decodeText } from '../config/xml/codec.js';

export interface RegisterCall {
  typeName?: string;
  name?: string;
  /** 1-based line of the command. */
  line: number;
}

function literal(text: string, bare = true): string | undefined {
  const t = text.trim();
  let m = /^'((?:[^'\u2018\u2019]|'')*)'$/s.exec(t);
  if (m) return (m[1] as string).replace(/''/g, "'");
  m = /^"([^"$`]*)"$/s.exec(t);
  if (m) return m[1] as string;
  // A bare word is a string as a command argument, but a command call on the right of '='.
  if (bare && /^[^\s'"$@(){}`,;]+$/.test(t)) return t;
  return undefined;
}

function descendants(node: Node, type: string): Node[] {
  return node.descendantsOfType(type).filter((n): n is Node => n !== null);
}

function resolveVariable(root: Node, name: string): string | undefined {
  const values: Array<string | undefined> = [];
  for (const a of descendants(root, 'assignment_expression')) {
    const left = a.children.find((c) => c?.type === 'left_assignment_expression');
    if (!left || left.text.trim().toLowerCase() !== `$${name}`.toLowerCase()) continue;
    const right = a.children.find((c) => c?.type === 'pipeline');
    values.push(right ? literal(right.text, false) : undefined);
  }
  return values.length === 1 ? values[0] : undefined;
}

function argumentValue(root: Node, arg: Node | undefined): string | undefined {
  if (!arg || arg.type === 'command_parameter') return undefined;
  const direct = literal(arg.text);
  if (direct !== undefined) return direct;
  const v = /^\$(?:script:|global:)?([A-Za-z_]\w*)$/.exec(arg.text.trim());
  return v ? resolveVariable(root, v[1] as string) : undefined;
}

function matches(param: string, full: string, min: number): boolean {
  // Abbreviations bind when unique among the cmdlet's parameters: none other starts with N or T.
  const name = param.replace(/^[-\u2013\u2014\u2015]/, '').replace(/:$/, '').toLowerCase();
  return name.length >= min && full.toLowerCase().startsWith(name);
}

/** Reads the registration the script makes; refuses a script with none, or with two different ones. */
export async function readRegisterCall(bytes: Uint8Array, file: string): Promise<RegisterCall> {
  const { text } = decodeText(bytes, file);
  const parser = await powershellParser();
  const tree = parser.parse(text);
  if (!tree) throw new Error(`the PowerShell parser returned no tree for ${file}`);
  const root = tree.rootNode;
  const calls: RegisterCall[] = [];
  for (const command of descendants(root, 'command')) {
    const nameNode = command.children.find((c) => c?.type === 'command_name');
    if (!nameNode || nameNode.text.replace(/^.*\\/, '').toLowerCase() !== REGISTER_COMMAND.toLowerCase()) continue;
    const list = command.children.find((c) => c?.type === 'command_elements');
    const elements = list ? list.children.filter((c): c is Node => c !== null && c.type !== 'command_argument_sep' && c.type !== 'comment') : [];
    const call: RegisterCall = { line: command.startPosition.row + 1 };
    elements.forEach((e, i) => {
      if (e.type !== 'command_parameter') return;
      if (matches(e.text, 'TypeName', 1)) {
        const v = argumentValue(root, elements[i + 1]);
        if (v !== undefined) call.typeName = v;
      } else if (matches(e.text, 'Name', 1)) {
        const v = argumentValue(root, elements[i + 1]);
        if (v !== undefined) call.name = v;
      }
    });
    calls.push(call);
  }
  if (calls.length === 0) {
    throw badInput(`the script has no ${REGISTER_COMMAND} command`, file, {
      code: 'PS_NO_REGISTER_COMMAND',
      remedy: 'Pass Register-MultiFactorAuthenticationAdfsAdapter.ps1 from the new adapter package with --register-script.',
    });
  }
  const distinct = new Set(calls.map((c) => `${c.typeName ?? '?'}|${c.name ?? '?'}`));
  if (distinct.size > 1) {
    throw badInput(`the script registers more than one provider (lines ${calls.map((c) => c.line).join(', ')})`, file, {
      code: 'ADFS_REGISTER_AMBIGUOUS',
      remedy: 'Pass a register script that registers the MFA Server adapter once, or --type-name and --name.',
    });
  }
  return calls[0] as RegisterCall;
}
