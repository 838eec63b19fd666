// Small SVG pieces for the timelines: boxes with a label that fits, lane headings. Text is escaped
// like everything else; colours come from the report's stylesheet (classes), and every coloured
// shape carries a text label, so nothing is said by colour alone.
import { h, type Html } from './escape.js';

/** Average glyph width of the report's sans-serif font, as a share of the font size. */
const GLYPH = 0.62;

/** Shortens text to fit a width at a font size, with an ellipsis. */
export function fit(text: string, width: number, fontSize: number): string {
  const max = Math.max(1, Math.floor(width / (fontSize * GLYPH)));
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('').trimEnd()}…`;
}

export interface BoxOptions {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  /** Full text for the tooltip and assistive technology. */
  title: string;
  className: string;
  fontSize?: number;
  /** A second, smaller line under the label (e.g. "by hand"). */
  sublabel?: string;
}

export function box(o: BoxOptions): Html {
  const size = o.fontSize ?? 11;
  const cx = o.x + o.width / 2;
  const rect = h`<rect x="${o.x}" y="${o.y}" width="${o.width}" height="${o.height}" rx="4"></rect>`;
  if (o.sublabel === undefined) {
    return h`<g class="${o.className}"><title>${o.title}</title>${rect}<text x="${cx}" y="${o.y + o.height / 2 + size * 0.35}" text-anchor="middle" font-size="${size}">${fit(o.label, o.width - 8, size)}</text></g>`;
  }
  const small = size - 1.5;
  const top = o.y + (o.height - size - small - 2) / 2;
  return h`<g class="${o.className}"><title>${o.title}</title>${rect}<text x="${cx}" y="${top + size * 0.85}" text-anchor="middle" font-size="${size}">${fit(o.label, o.width - 8, size)}</text><text x="${cx}" y="${top + size + 2 + small * 0.85}" text-anchor="middle" font-size="${small}" class="sublabel">${fit(o.sublabel, o.width - 8, small)}</text></g>`;
}

export function text(x: number, y: number, label: string, options: { size?: number; anchor?: 'start' | 'middle' | 'end'; className?: string; width?: number } = {}): Html {
  const size = options.size ?? 11;
  const shown = options.width !== undefined ? fit(label, options.width, size) : label;
  return h`<text x="${x}" y="${y}" font-size="${size}" text-anchor="${options.anchor ?? 'start'}" class="${options.className ?? ''}">${shown}</text>`;
}

/** An SVG figure: scales to its container, with a title and a description for screen readers. */
export function figure(id: string, width: number, height: number, title: string, description: string, body: Html[]): Html {
  return h`<svg class="timeline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-t ${id}-d" xmlns="http://www.w3.org/2000/svg"><title id="${id}-t">${title}</title><desc id="${id}-d">${description}</desc>${body}</svg>`;
}
