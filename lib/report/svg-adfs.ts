// The AD FS sequence of one farm as a vertical timeline: one column per half of the farm, the
// farm-wide and manual steps across both, and the window in which the farm has no adapter in its
// global policy (users get no second factor) shaded and labelled.
import { h, type Html } from './escape.js';
import type { AdfsFarmView, AdfsStepView } from './model.js';
import { box, figure, text } from './svg.js';

const WIDTH = 760;
const GUTTER = 56;
const STATUS = 130;
const HEAD = 46;
const ROW = 26;
const GAP = 6;
const BAND_LABEL = 18;

export function stepStatusLabel(s: AdfsStepView): string {
  if (s.status) return `${s.status}${s.ms !== undefined ? ` ${(s.ms / 1000).toFixed(1)} s` : ''}`;
  if (s.manual) return 'by hand';
  return s.runsHere ? 'runs here' : `on ${s.node}`;
}

function toneOf(s: AdfsStepView): string {
  switch (s.status) {
    case 'done':
      return 't-ok';
    case 'failed':
    case 'undo-failed':
      return 't-fail';
    case 'undone':
      return 't-warn';
    case undefined:
      return s.manual ? 't-neutral' : 't-info';
    default:
      return 't-neutral';
  }
}

export function adfsTimeline(id: string, farm: AdfsFarmView, steps: AdfsStepView[]): Html {
  const halves = farm.secondHalf.length ? 2 : 1;
  const laneArea = WIDTH - GUTTER - STATUS;
  const laneWidth = laneArea / halves;
  const first = steps.findIndex((s) => s.withoutAdapter);
  let last = -1;
  steps.forEach((s, i) => {
    if (s.withoutAdapter) last = i;
  });
  // Row tops, leaving room for the band's labels above the window and below it.
  const tops: number[] = [];
  let y = HEAD;
  steps.forEach((_, i) => {
    if (i === first) y += BAND_LABEL;
    tops.push(y);
    y += ROW + GAP;
    if (i === last) y += BAND_LABEL;
  });
  const height = y + 8;
  const body: Html[] = [];

  const laneTitle = (i: number) => (halves === 1 ? `${farm.firstHalf.join(', ')} (the farm's only half)` : i === 0 ? `First half: ${farm.firstHalf.join(', ')}` : `Second half: ${farm.secondHalf.join(', ')}`);
  for (let i = 0; i < halves; i++) {
    const x = GUTTER + i * laneWidth;
    body.push(h`<rect class="lane" x="${x + 2}" y="${HEAD - 6}" width="${laneWidth - 4}" height="${height - HEAD}"></rect>`);
    body.push(text(x + laneWidth / 2, 18, i === 0 ? 'First half' : 'Second half', { anchor: 'middle', size: 12, className: 'lane-title' }));
    body.push(text(x + laneWidth / 2, 34, laneTitle(i).replace(/^(First|Second) half: /, ''), { anchor: 'middle', size: 10, width: laneWidth - 8 }));
  }
  if (first !== -1) {
    const startRow = Math.max(0, first - 1);
    const endRow = Math.min(steps.length - 1, last + 1);
    const top = (tops[startRow] as number) + ROW / 2;
    const bottom = (tops[endRow] as number) + ROW / 2;
    body.push(h`<rect class="window" x="4" y="${top}" width="${WIDTH - 8}" height="${bottom - top}"></rect>`);
    body.push(text(GUTTER, (tops[first] as number) - 6, 'Window without the adapter in the global policy: users of this farm get no second factor', { className: 'window-label', size: 11, width: laneArea + STATUS - 8 }));
    body.push(text(GUTTER, (tops[last] as number) + ROW + GAP + 12, 'Adapter back in the global policy', { className: 'window-label', size: 11 }));
  }

  body.push(text(GUTTER / 2, 34, 'Step', { anchor: 'middle', size: 10 }));
  body.push(text(WIDTH - STATUS + 6, 34, 'Where / outcome', { size: 10 }));

  steps.forEach((s, i) => {
    const top = tops[i] as number;
    const spans = s.half === 'farm' || s.half === 'both' || halves === 1;
    const lane = s.half === 'second' ? 1 : 0;
    const x = spans ? GUTTER + 4 : GUTTER + lane * laneWidth + 4;
    const width = spans ? laneArea - 8 : laneWidth - 8;
    const prefix = s.manual ? 'By hand: ' : s.half === 'farm' ? `Farm-wide (on ${s.node}): ` : '';
    body.push(text(6, top + ROW / 2 + 4, `${s.index}${s.phase.length === 1 ? ` ${s.phase}` : ''}`, { size: 11 }));
    body.push(box({ x, y: top, width, height: ROW, label: `${prefix}${s.title}`, title: `${s.index}. ${s.id}: ${s.title}${s.withoutAdapter ? ' (no adapter in the policy)' : ''}`, className: `step ${toneOf(s)}${s.manual ? ' manual' : ''}` }));
    body.push(text(WIDTH - STATUS + 6, top + ROW / 2 + 4, stepStatusLabel(s), { size: 11, width: STATUS - 10, className: `status ${toneOf(s)}` }));
  });

  const window = first === -1 ? 'The adapter never leaves the global policy in this sequence.' : `Steps ${steps[first]?.index ?? ''} to ${steps[last]?.index ?? ''} run while the adapter is out of the global policy.`;
  return figure(id, WIDTH, height, `AD FS sequence for farm ${farm.name}`, `${steps.length} steps; ${halves === 2 ? `first half ${farm.firstHalf.join(', ')}, second half ${farm.secondHalf.join(', ')}` : `servers ${farm.firstHalf.join(', ')}`}. ${window}`, body);
}
