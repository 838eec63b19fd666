// Reading PowerShell through its syntax tree (tree-sitter-powershell, via the project's one
// loader in lib/config/ps/powershell-parser.ts): functions, their [CmdletBinding()] and param()
// blocks, comment-based help, the commands they call and the literal arguments of those calls.
import { powershellParser } from '../../lib/config/ps/powershell-parser.js';
import type { Node, Tree } from 'web-tree-sitter';

export type { Node, Tree };

export async function parsePowerShell(text: string): Promise<Tree> {
  const parser = await powershellParser();
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}

export interface SyntaxProblem {
  line: number;
  column: number;
  kind: 'ERROR' | 'MISSING';
  text: string;
}

/** Every ERROR and MISSING node: a file with any does not parse as PowerShell. */
export function syntaxProblems(tree: Tree): SyntaxProblem[] {
  const out: SyntaxProblem[] = [];
  const walk = (n: Node) => {
    if (n.isError || n.isMissing) {
      out.push({ line: n.startPosition.row + 1, column: n.startPosition.column + 1, kind: n.isMissing ? 'MISSING' : 'ERROR', text: n.text.slice(0, 60) });
    }
    for (const c of n.children) if (c) walk(c);
  };
  walk(tree.rootNode);
  return out;
}

export function descendants(node: Node, type: string): Node[] {
  return node.descendantsOfType(type).filter((n): n is Node => n !== null);
}

function named(node: Node): Node[] {
  return node.namedChildren.filter((n): n is Node => n !== null);
}

function children(node: Node): Node[] {
  return node.children.filter((n): n is Node => n !== null);
}

/** The value of a string literal node (or an expression holding only one), quotes removed. */
export function literalString(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const strings = descendants(node, 'string_literal');
  const only = node.type === 'string_literal' ? node : strings.length === 1 ? strings[0] : undefined;
  if (!only) return undefined;
  // The literal must be the whole expression, not a part of it.
  if (only.text.trim() !== node.text.trim()) return undefined;
  const t = only.text;
  if (t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
  if (t.startsWith('"') && t.endsWith('"') && !t.includes('$') && !t.includes('`')) return t.slice(1, -1);
  return undefined;
}

export interface Attribute {
  name: string;
  /** Named arguments (Name = value) with the value's text; positional ones under '#0', '#1', ... */
  args: Map<string, string>;
  node: Node;
}

function attributesOf(list: Node | undefined): Attribute[] {
  if (!list) return [];
  const out: Attribute[] = [];
  for (const a of named(list)) {
    if (a.type !== 'attribute') continue;
    const nameNode = named(a).find((c) => c.type === 'attribute_name' || c.type === 'type_literal');
    if (!nameNode) continue;
    const name = nameNode.text.replace(/^\[|\]$/g, '').trim();
    const args = new Map<string, string>();
    const argList = named(a).find((c) => c.type === 'attribute_arguments');
    let position = 0;
    for (const arg of argList ? named(argList).filter((c) => c.type === 'attribute_argument') : []) {
      const parts = named(arg);
      const key = parts[0]?.type === 'simple_name' ? parts[0].text : undefined;
      const valueNode = key ? parts[1] : parts[0];
      const value = literalString(valueNode) ?? valueNode?.text ?? '$true';
      args.set(key ?? `#${position++}`, value);
    }
    out.push({ name, args, node: a });
  }
  return out;
}

export interface Parameter {
  name: string;
  type: string | undefined;
  attributes: Attribute[];
  /** Every [Parameter()] attribute (one per parameter set). */
  parameterAttributes: Attribute[];
  mandatory: boolean;
  sets: string[];
}

export interface FunctionDef {
  name: string;
  node: Node;
  /** The comment-based help block (<# ... #>) at the top of the body, or just before the function. */
  help: string | undefined;
  cmdletBinding: Attribute | undefined;
  outputTypes: string[];
  parameters: Parameter[];
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^\$true$/i.test(value.trim());
}

export function functions(tree: Tree): FunctionDef[] {
  const out: FunctionDef[] = [];
  for (const fn of descendants(tree.rootNode, 'function_statement')) {
    const name = named(fn).find((c) => c.type === 'function_name')?.text ?? '';
    const body = named(fn).find((c) => c.type === 'script_block');
    let help = children(fn).find((c) => c.type === 'comment' && c.text.startsWith('<#'))?.text;
    if (!help) {
      const prev = fn.previousNamedSibling;
      if (prev?.type === 'comment' && prev.text.startsWith('<#')) help = prev.text;
    }
    const paramBlock = body ? named(body).find((c) => c.type === 'param_block') : undefined;
    const blockAttributes = attributesOf(paramBlock ? named(paramBlock).find((c) => c.type === 'attribute_list') : undefined);
    const parameters: Parameter[] = [];
    const list = paramBlock ? named(paramBlock).find((c) => c.type === 'parameter_list') : undefined;
    for (const p of list ? named(list).filter((c) => c.type === 'script_parameter') : []) {
      const variable = named(p).find((c) => c.type === 'variable');
      const attributes = attributesOf(named(p).find((c) => c.type === 'attribute_list'));
      const parameterAttributes = attributes.filter((a) => /^Parameter$/i.test(a.name));
      const typeAttr = attributes.filter((a) => a.node.namedChildren[0]?.type === 'type_literal' || named(a.node).some((c) => c.type === 'type_literal')).at(-1);
      parameters.push({
        name: (variable?.text ?? '').replace(/^\$/, ''),
        type: typeAttr?.name,
        attributes,
        parameterAttributes,
        mandatory: parameterAttributes.some((a) => truthy(a.args.get('Mandatory'))),
        sets: parameterAttributes.map((a) => a.args.get('ParameterSetName')).filter((s): s is string => s !== undefined),
      });
    }
    out.push({
      name,
      node: fn,
      help,
      cmdletBinding: blockAttributes.find((a) => /^CmdletBinding$/i.test(a.name)),
      outputTypes: blockAttributes.filter((a) => /^OutputType$/i.test(a.name)).flatMap((a) => [...a.args.values()]),
      parameters,
    });
  }
  return out;
}

export interface CommandCall {
  name: string;
  node: Node;
  /** -Name -> the argument node after it (null for a switch). Names lower-cased, without '-'. */
  params: Map<string, Node | null>;
}

/** Every command invocation (pipeline element) under a node. */
export function commandCalls(node: Node): CommandCall[] {
  const out: CommandCall[] = [];
  for (const cmd of descendants(node, 'command')) {
    const nameNode = named(cmd).find((c) => c.type === 'command_name' || c.type === 'command_name_expr');
    if (!nameNode) continue;
    const params = new Map<string, Node | null>();
    const elements = named(cmd).find((c) => c.type === 'command_elements');
    const items = elements ? named(elements).filter((c) => c.type !== 'command_argument_sep') : [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as Node;
      if (item.type !== 'command_parameter') continue;
      const raw = item.text.replace(/^-/, '');
      // The argument that follows (-Name value, or -Name:value); null for a switch.
      const next = items[i + 1];
      const value = next && next.type !== 'command_parameter' ? next : null;
      params.set(raw.replace(/:$/, '').toLowerCase(), value);
      if (value) i++;
    }
    out.push({ name: nameNode.text, node: cmd, params });
  }
  return out;
}

/** The entries of a hashtable literal whose keys are bare words or strings and values strings. */
export function hashLiteral(node: Node | null | undefined): Map<string, string> | undefined {
  if (!node) return undefined;
  const hash = node.type === 'hash_literal_expression' ? node : descendants(node, 'hash_literal_expression')[0];
  if (!hash) return undefined;
  const out = new Map<string, string>();
  for (const entry of descendants(hash, 'hash_entry')) {
    const key = named(entry).find((c) => c.type === 'key_expression');
    const value = named(entry).filter((c) => c.type !== 'key_expression' && c.type !== 'assignement_operator').at(-1);
    const k = key ? (literalString(key) ?? key.text.trim()) : undefined;
    const v = literalString(value ?? null);
    if (k !== undefined && v !== undefined) out.set(k, v);
  }
  return out;
}

/** Literal keys written as $variable['key'] = ... under a node. */
export function elementAssignments(node: Node, variable: string): string[] {
  const out: string[] = [];
  for (const a of descendants(node, 'assignment_expression')) {
    const left = named(a).find((c) => c.type === 'left_assignment_expression');
    const access = left ? descendants(left, 'element_access')[0] : undefined;
    if (!access) continue;
    const target = named(access)[0];
    if (target?.type !== 'variable' || target.text.toLowerCase() !== `$${variable.toLowerCase()}`) continue;
    const key = literalString(named(access)[1] ?? null);
    if (key !== undefined) out.push(key);
  }
  return out;
}

/** Calls of $object.Method(...) under a node. */
export function methodCalls(node: Node, object: string, method: string): Node[] {
  return descendants(node, 'invokation_expression').filter((n) => {
    const parts = named(n);
    return parts[0]?.text.toLowerCase() === `$${object.toLowerCase()}` && parts.some((p) => p.type === 'member_name' && p.text.toLowerCase() === method.toLowerCase());
  });
}

/** Sections of comment-based help: '.PARAMETER Name' -> text; '.EXAMPLE' entries in order. */
export interface Help {
  synopsis: string | undefined;
  description: string | undefined;
  parameters: Map<string, string>;
  examples: string[];
  keywords: string[];
}

export function parseHelp(comment: string | undefined): Help | undefined {
  if (!comment) return undefined;
  const body = comment.replace(/^<#/, '').replace(/#>$/, '');
  const help: Help = { synopsis: undefined, description: undefined, parameters: new Map(), examples: [], keywords: [] };
  let current: { keyword: string; arg: string; lines: string[] } | undefined;
  const flush = () => {
    if (!current) return;
    const text = current.lines.join('\n').trim();
    help.keywords.push(current.keyword);
    if (current.keyword === 'SYNOPSIS') help.synopsis = text;
    else if (current.keyword === 'DESCRIPTION') help.description = text;
    else if (current.keyword === 'PARAMETER') help.parameters.set(current.arg.toLowerCase(), text);
    else if (current.keyword === 'EXAMPLE') help.examples.push(text);
  };
  for (const line of body.split(/\r?\n/)) {
    const m = /^\s*\.([A-Z]+)\s*(\S*)\s*$/i.exec(line);
    if (m) {
      flush();
      current = { keyword: (m[1] as string).toUpperCase(), arg: m[2] ?? '', lines: [] };
    } else if (current) current.lines.push(line);
  }
  flush();
  return help;
}
