// The order across a fleet: one vertical lane per server, one row per action in order (drain,
// backup, upgrade, return, the promotion marked, an AD FS farm in halves). Kinds this file does
// not know are drawn with their label, so new action kinds need no change here.
import { h, type Html } from './escape.js';
import type { FleetSection } from './model.js';
import { box, figure, text } from './svg.js';

const GUTTER = 40;
const HEAD = 50;
const ROW = 30;
const GAP = 6;

const KNOWN_KINDS = new Set(['drain', 'backup', 'upgrade', 'return', 'promote', 'adfs-first-half', 'adfs-second-half']);

export function fleetTimeline(id: string, fleet: FleetSection): Html {
  const lanes = fleet.lanes;
  const laneWidth = Math.max(92, Math.floor(760 / Math.max(1, lanes.length)));
  const width = GUTTER + lanes.length * laneWidth + 4;
  const height = HEAD + fleet.actions.length * (ROW + GAP) + 6;
  const laneIndex = new Map(lanes.map((l, i) => [l.server.toLowerCase(), i]));
  const body: Html[] = [];
  lanes.forEach((l, i) => {
    const x = GUTTER + i * laneWidth;
    body.push(h`<rect class="lane" x="${x + 2}" y="4" width="${laneWidth - 4}" height="${height - 8}"></rect>`);
    body.push(text(x + laneWidth / 2, 20, l.server, { anchor: 'middle', size: 11, width: laneWidth - 6, className: 'lane-title' }));
    body.push(text(x + laneWidth / 2, 36, l.role, { anchor: 'middle', size: 9, width: laneWidth - 6 }));
  });
  fleet.actions.forEach((a, row) => {
    const y = HEAD + row * (ROW + GAP);
    body.push(text(6, y + ROW / 2 + 4, String(a.order), { size: 11 }));
    const kind = KNOWN_KINDS.has(a.kind) ? `k-${a.kind}` : 'k-other';
    // Contiguous lanes get one box; lanes apart get one box each.
    const idx = a.servers.map((s) => laneIndex.get(s.toLowerCase())).filter((i): i is number => i !== undefined).sort((p, q) => p - q);
    const runs: Array<[number, number]> = [];
    for (const i of idx) {
      const lastRun = runs[runs.length - 1];
      if (lastRun && lastRun[1] === i - 1) lastRun[1] = i;
      else runs.push([i, i]);
    }
    for (const [from, to] of runs) {
      body.push(
        box({
          x: GUTTER + from * laneWidth + 4,
          y,
          width: (to - from + 1) * laneWidth - 8,
          height: ROW,
          label: `${a.kind === 'promote' ? '★ ' : ''}${a.label}`,
          ...(a.manual ? { sublabel: 'by hand' } : {}),
          title: `${a.order}. ${a.title}${a.manual ? ' (by hand)' : ''}`,
          className: `step ${kind}${a.manual ? ' manual' : ''}`,
          fontSize: 10,
        }),
      );
    }
  });
  const promote = fleet.promote ? ` ${fleet.promote} is promoted to master before ${fleet.master} is upgraded.` : '';
  return figure(id, width, height, 'Order across the fleet', `${lanes.length} servers, ${fleet.actions.length} actions in order.${promote}`, body);
}
