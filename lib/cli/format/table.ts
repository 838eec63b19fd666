// Plain text tables for a console: columns sized to their content, and to the console's width
// when the content is wider (the widest columns narrow first; their cells wrap at word
// boundaries, a word longer than the column is broken). Without a console (a pipe, a log file)
// the width is COLUMNS when set, else lines are left whole for the tools that read them.

const GAP = 2;
const MIN_COLUMN = 10;

export function consoleWidth(): number {
  const cols = process.stdout.isTTY ? process.stdout.columns : undefined;
  const env = Number(process.env['COLUMNS']);
  return cols && cols > 0 ? cols : Number.isInteger(env) && env > 20 ? env : Number.POSITIVE_INFINITY;
}

/** Words of a cell as lines of at most `width` characters. */
export function wrapText(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    let w = word;
    while (w.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

export function table(headers: string[], rows: string[][], width = consoleWidth()): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const floor = widths.map((w, i) => Math.min(w, Math.max(MIN_COLUMN, (headers[i] ?? '').length)));
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  // The last column (evidence, a description) gives way first, down to 40% of the width.
  const last = widths.length - 1;
  const keep = Math.max(floor[last] ?? 0, Math.floor(width * 0.4));
  while (total() > width && (widths[last] as number) > keep) widths[last] = (widths[last] as number) - 1;
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if ((widths[i] as number) > (floor[i] as number) && (widest === -1 || (widths[i] as number) > (widths[widest] as number))) widest = i;
    if (widest === -1) break;
    widths[widest] = (widths[widest] as number) - 1;
  }
  const render = (cells: string[]) => {
    const wrapped = cells.map((c, i) => wrapText(c, widths[i] ?? c.length));
    const height = Math.max(...wrapped.map((w) => w.length));
    const out: string[] = [];
    for (let l = 0; l < height; l++) out.push(wrapped.map((w, i) => (w[l] ?? '').padEnd(widths[i] ?? 0)).join(' '.repeat(GAP)).trimEnd());
    return out;
  };
  return [...render(headers), widths.map((w) => '-'.repeat(w)).join(' '.repeat(GAP)), ...rows.flatMap(render)].join('\n');
}
