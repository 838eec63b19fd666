// Building blocks shared by the sections: a section with its heading, a status badge (a text label
// with its colour), lists and fact tables.
import { h, wrap, type Html } from '../escape.js';
import type { Tone } from '../model.js';

/** Every section has a stable id (the browser tier and the table of contents use it). */
export function section(id: string, title: string, body: Html[]): Html {
  return h`<section id="${id}" class="section" data-section="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${title}</h2>${body}</section>`;
}

export function badge(label: string, tone: Tone): Html {
  return h`<span class="badge t-${tone}">${label}</span>`;
}

export function bullets(items: string[], className = ''): Html {
  if (items.length === 0) return h``;
  return h`<ul class="${className}">${items.map((i) => h`<li>${i}</li>`)}</ul>`;
}

/** A two-column table of facts: label, value. */
export function facts(rows: Array<[string, string | Html]>): Html {
  const shown = rows.filter(([, v]) => (typeof v === 'string' ? v !== '' : true));
  return h`<table class="facts"><tbody>${shown.map(([k, v]) => h`<tr><th scope="row">${k}</th><td>${typeof v === 'string' ? wrap(v) : v}</td></tr>`)}</tbody></table>`;
}

/** A block that can be collapsed; open by default so it reads and prints without a script. */
export function collapsible(summary: Html, body: Html[], className = ''): Html {
  return h`<details open class="${className}"><summary>${summary}</summary><div class="details-body">${body}</div></details>`;
}

export function callout(tone: Tone, label: string, body: Html[]): Html {
  return h`<div class="callout t-${tone}" role="note"><p class="callout-label">${badge(label, tone)}</p>${body}</div>`;
}

export function code(text: string): Html {
  return h`<code>${text}</code>`;
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
