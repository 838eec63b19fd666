// A small HTML reader for the report tests, independent of the renderer: it checks that tags
// nest, lists the tags and sections, and gives the visible text with entities decoded.

const VOID = new Set(['meta', 'br', 'wbr', 'col', 'img', 'input', 'link', 'hr']);
/** Elements the renderer may emit; anything else came from somewhere it should not have. */
export const ALLOWED_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'a', 'svg', 'defs', 'pattern', 'rect', 'line', 'nav', 'ul', 'ol', 'li', 'p', 'button', 'main', 'header',
  'h1', 'h2', 'h3', 'h4', 'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'br', 'wbr', 'code', 'pre', 'strong', 'section',
  'div', 'details', 'summary', 'dl', 'dt', 'dd', 'del', 'ins', 'figure', 'figcaption', 'g', 'text', 'desc', 'footer', 'script',
]);

export interface Tag {
  name: string;
  closing: boolean;
  attrs: string;
}

/** Every tag outside <style> and <script> content, in order. */
export function tags(html: string): Tag[] {
  const body = html.replace(/<style>[\s\S]*?<\/style>/g, '<style></style>').replace(/<script>[\s\S]*?<\/script>/g, '<script></script>').replace(/<!DOCTYPE html>/i, '');
  const out: Tag[] = [];
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[^\s=>]+(?:="[^"]*")?)*)\s*\/?>/g;
  for (let m = re.exec(body); m; m = re.exec(body)) out.push({ closing: m[1] === '/', name: (m[2] as string).toLowerCase(), attrs: m[3] ?? '' });
  // A '<' that did not start a recognised tag is markup the renderer should have escaped.
  const stray = body.replace(re, '').match(/<[A-Za-z/!]/g);
  if (stray) throw new Error(`unrecognised markup: ${stray.slice(0, 3).join(' ')}`);
  return out;
}

/** Problems with nesting: unclosed, mismatched or stray closing tags. */
export function nestingProblems(html: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  for (const t of tags(html)) {
    if (VOID.has(t.name)) continue;
    if (!t.closing) stack.push(t.name);
    else if (stack[stack.length - 1] === t.name) stack.pop();
    else problems.push(`</${t.name}> closes <${stack[stack.length - 1] ?? 'nothing'}>`);
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}

export function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (_m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e.toLowerCase()] as string;
  });
}

/** The text a reader sees (tags removed, entities decoded), from <body> on. */
export function visibleText(html: string): string {
  const body = html.slice(html.indexOf('<body>')).replace(/<script>[\s\S]*?<\/script>/g, '');
  return decodeEntities(body.replace(/<wbr>/g, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
}

export function sectionIds(html: string): string[] {
  return [...html.matchAll(/data-section="([^"]+)"/g)].map((m) => m[1] as string);
}

/** The commands shown in <pre class="command"> blocks, as text. */
export function commands(html: string): string[] {
  return [...html.matchAll(/<pre class="command">([\s\S]*?)<\/pre>/g)].map((m) => decodeEntities((m[1] as string).replace(/<wbr>/g, '')));
}

/** Splits a command line as a shell would (double quotes, backslash escapes inside them). */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(["`$\\])/g, '$1') : (m[2] as string));
  return out;
}
