// The plan as a vertical timeline of steps: what each does, what it needs, what it protects and
// how it is undone; manual steps, waits and reboots marked with words. Step kinds are shown as
// they come, so a new kind needs nothing here.
import { h, type Html } from '../escape.js';
import type { PlanSection, PlanStepView } from '../model.js';
import { badge, bullets, callout, section } from './parts.js';

const KIND_LABEL: Record<string, string> = {
  backup: 'Backup',
  install: 'Install',
  uninstall: 'Uninstall',
  'merge-config': 'Carry web.config',
  'restore-themes': 'Restore themes',
  manual: 'By hand',
};

export function kindLabel(kind: string): string {
  return KIND_LABEL[kind] ?? kind.replace(/[-_]+/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

function flags(s: PlanStepView): Html[] {
  const out: Html[] = [];
  if (s.manual) out.push(badge('Manual: a person does this', 'warn'));
  if (s.wait) out.push(badge('Waits on the server', 'info'));
  if (s.reboot === 'required') out.push(badge('Reboot required', 'warn'));
  if (s.reboot === 'possible') out.push(badge('May ask for a reboot (3010, done after the run)', 'neutral'));
  return out;
}

function step(s: PlanStepView, n: number): Html {
  const cls = `step${s.manual ? ' manual' : ''}${s.wait ? ' wait' : ''}`;
  return h`<li class="${cls}" data-kind="${s.kind}">
<div class="step-head"><span class="step-no" aria-hidden="true">${n}</span><h3><span class="sr">Step ${n}: </span>${s.title}</h3></div>
<p class="step-meta"><span class="kind">${kindLabel(s.kind)}</span> <code class="id">${s.id}</code> ${flags(s)}</p>
<p>${s.description}</p>
${s.instructions ? h`<p class="instructions"><strong>What to do:</strong> ${s.instructions}</p>` : h``}
<dl class="step-facts">
${s.needs.length ? h`<dt>Needs</dt><dd>${bullets(s.needs)}</dd>` : h``}
${s.protects.length ? h`<dt>Protects</dt><dd>${bullets(s.protects)}</dd>` : h``}
<dt>Undo</dt><dd>${s.undo || '-'}</dd>
${s.details.map((d) => h`<dt>${d.label}</dt><dd>${d.value}</dd>`)}
</dl>
</li>`;
}

export function renderPlan(p: PlanSection): Html {
  const body: Html[] = [h`<p>${p.route}</p>`];
  if (p.blockers.length) {
    body.push(
      callout('fail', 'BLOCKED', [
        h`<p>The plan cannot run until these are fixed; nothing was changed.</p>`,
        h`<ul>${p.blockers.map((b) => h`<li>${b.message}<br><strong>What to do:</strong> ${b.remedy}</li>`)}</ul>`,
      ]),
    );
  }
  if (p.warnings.length) body.push(callout('warn', 'WARNINGS', [bullets(p.warnings)]));
  if (p.upToDate) body.push(h`<p>${badge('UP TO DATE', 'ok')} Everything is already at the packages' versions: nothing to do.</p>`);
  const manual = p.steps.filter((s) => s.manual).length;
  if (p.steps.length) {
    body.push(h`<p>${p.steps.length} steps${manual ? `, ${manual} of them by hand` : ''}.</p>`);
    body.push(h`<ol class="steps">${p.steps.map((s, i) => step(s, i + 1))}</ol>`);
  }
  return section('plan', 'Plan', body);
}
