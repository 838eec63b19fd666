// The AD FS adapter sequence: the farms and their halves, a timeline per farm with the window
// without the adapter shaded, and every step as a table row.
import { h, wrap, type Html } from '../escape.js';
import type { AdfsSection, AdfsStepView } from '../model.js';
import { adfsTimeline, stepStatusLabel } from '../svg-adfs.js';
import { badge, bullets, callout, facts, formatDuration, section } from './parts.js';

function stepRows(steps: AdfsStepView[]): Html {
  const rows = steps.map(
    (s) => h`<tr class="${s.withoutAdapter ? 'no-adapter' : ''}"><td class="num">${s.index}</td><td class="num">${s.phase}</td><th scope="row">${wrap(s.title)}<br><code class="id">${wrap(s.id)}</code></th><td>${s.manual ? 'by hand' : s.half === 'farm' ? `farm-wide, on ${s.node}` : s.node}</td><td>${s.withoutAdapter ? badge('NO ADAPTER', 'fail') : h`<span class="muted">in policy</span>`}</td><td>${wrap(s.action)}<br><span class="muted">Undo: ${wrap(s.undo)}</span>${s.error ? h`<br><strong>Error:</strong> ${wrap(s.error)}` : h``}</td><td>${stepStatusLabel(s)}</td></tr>`,
  );
  return h`<div class="scroll"><table class="grid adfs-steps"><caption class="sr">AD FS steps</caption><thead><tr><th scope="col">#</th><th scope="col">Phase</th><th scope="col">Step</th><th scope="col">Where</th><th scope="col">Adapter in policy</th><th scope="col">What it does</th><th scope="col">Outcome</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function renderAdfs(a: AdfsSection): Html {
  const body: Html[] = [
    facts([
      ['Adapter', `${a.adapterOld} → ${a.adapterNew}`],
      ['This server', a.localNode],
      ['Status', badge(a.status.toUpperCase(), a.statusTone)],
      ['Global policy before', a.policyBefore.join(', ') || '(none)'],
      ['Global policy after', a.policyAfter ? a.policyAfter.join(', ') || '(none)' : ''],
      ['Without the adapter', a.withoutAdapterSeconds !== undefined ? formatDuration(a.withoutAdapterSeconds * 1000) : ''],
      ['Settings carried', a.carried ?? ''],
      ['Journal', a.journal ?? ''],
    ]),
  ];
  if (a.adapterOutOfPolicy) body.push(callout('fail', 'ADAPTER OUT OF POLICY', [h`<p>The adapter is out of the global authentication policy: users get no second factor until the sequence goes on.</p>`]));
  if (a.failure) body.push(callout('fail', 'FAILED', [h`<p>${a.failure}</p>`]));
  if (a.next) body.push(callout('info', 'NEXT', [h`<p>${a.next}</p>`, a.resumeCommand ? h`<p>When it is done, go on here with:</p><pre class="command">${a.resumeCommand}</pre>` : h``]));
  else if (a.resumeCommand) body.push(callout('info', 'TO FINISH', [h`<p>Run again to go on with this run:</p><pre class="command">${a.resumeCommand}</pre>`]));
  if (a.undoCommand) body.push(callout('neutral', 'TO UNDO', [h`<p>Undo what this run did on this server (the adapter registered and in the policy as it was found):</p><pre class="command">${a.undoCommand}</pre>`]));
  if (a.warnings.length) body.push(callout('warn', 'WARNINGS', [bullets(a.warnings)]));
  a.farms.forEach((f, i) => {
    const steps = a.steps.filter((s) => s.farm.toLowerCase() === f.name.toLowerCase());
    body.push(h`<h3>Farm ${f.name}${f.local ? ' (this server\u2019s farm)' : ''}</h3>`);
    body.push(h`<p>${f.secondHalf.length ? `First half: ${f.firstHalf.join(', ')}; second half: ${f.secondHalf.join(', ')}. The farm-wide steps run once, on ${f.primary}.` : `One half: ${f.firstHalf.join(', ')}; there is no other server to carry the traffic.`}</p>`);
    body.push(h`<figure class="figure">${adfsTimeline(`adfs-${i + 1}`, f, steps)}<figcaption>The shaded band is the window in which the farm's global policy has no MFA Server adapter.</figcaption></figure>`);
    body.push(stepRows(steps));
  });
  return section('adfs', 'AD FS adapter sequence', body);
}
