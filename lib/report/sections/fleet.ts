// The order across a fleet: a lane per server, and the same order as a numbered table.
import { h, wrap, type Html } from '../escape.js';
import type { FleetSection } from '../model.js';
import { fleetTimeline } from '../svg-fleet.js';
import { badge, bullets, callout, code, facts, section } from './parts.js';

export function renderFleet(f: FleetSection): Html {
  const rows = f.actions.map(
    (a) => h`<tr class="${a.kind === 'promote' ? 'promote' : ''}"><td class="num">${a.order}</td><td>${a.servers.join(', ')}</td><th scope="row">${a.kind === 'promote' ? h`${badge('PROMOTION', 'info')} ` : h``}${wrap(a.title)}${a.command ? h`<br><code>${wrap(a.command)}</code>` : h``}</th><td class="num">${a.manual ? 'by hand' : 'mfa-upgrade'}</td></tr>`,
  );
  return section('fleet', 'Order across the fleet', [
    facts([
      ['Master', f.master],
      ['Promoted to master', f.promote ?? '(none: a single MFA Server)'],
      ['Servers', String(f.lanes.length)],
    ]),
    f.warnings.length ? callout('warn', 'WARNINGS', [bullets(f.warnings)]) : h``,
    h`<figure class="figure">${fleetTimeline('fleet-1', f)}<figcaption>One lane per server, top to bottom in order. ★ marks the promotion; dashed boxes are done by hand.</figcaption></figure>`,
    h`<div class="scroll"><table class="grid"><caption class="sr">Actions in order</caption><thead><tr><th scope="col">#</th><th scope="col">Server</th><th scope="col">Action</th><th scope="col">Who</th></tr></thead><tbody>${rows}</tbody></table></div>`,
  ]);
}
