// Renders a ReportModel as one self-contained HTML file: inline CSS and SVG, nothing loaded from
// anywhere (a Content-Security-Policy forbids it), readable without scripts; the one inline
// script only adds "collapse all / expand all" and opens everything before printing.
import { createHash } from 'node:crypto';
import { h, raw, type Html } from './escape.js';
import type { ReportModel } from './model.js';
import { renderAdfs } from './sections/adfs.js';
import { renderFleet } from './sections/fleet.js';
import { renderHeader } from './sections/header.js';
import { renderMerges } from './sections/merges.js';
import { renderPlan } from './sections/plan.js';
import { renderReadiness } from './sections/readiness.js';
import { renderRun } from './sections/run.js';
import { STYLES } from './styles.js';

const SCRIPT = `(function(){var b=document.getElementById('toggle-all');if(!b)return;b.hidden=false;
b.addEventListener('click',function(){var open=b.getAttribute('aria-pressed')==='true';var d=document.querySelectorAll('details');
for(var i=0;i<d.length;i++)d[i].open=open;b.setAttribute('aria-pressed',open?'false':'true');b.textContent=open?'Collapse all':'Expand all';});
window.addEventListener('beforeprint',function(){var d=document.querySelectorAll('details');for(var i=0;i<d.length;i++)d[i].open=true;});})();`;

/** The sections a model has, in reading order: [id, table-of-contents label]. */
export function sectionsOf(model: ReportModel): Array<[string, string]> {
  const out: Array<[string, string]> = [['summary', 'Summary']];
  if (model.run) out.push(['run', model.run.mode === 'rehearsal' ? 'Rehearsal' : 'Run']);
  if (model.readiness) out.push(['readiness', 'Readiness']);
  if (model.plan) out.push(['plan', 'Plan']);
  if (model.merges) out.push(['config', 'web.config']);
  if (model.adfs) out.push(['adfs', 'AD FS']);
  if (model.fleet) out.push(['fleet', 'Fleet order']);
  return out;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

export function renderReport(model: ReportModel): string {
  const parts: Html[] = [renderHeader(model.header)];
  if (model.run) parts.push(renderRun(model.run));
  if (model.readiness) parts.push(renderReadiness(model.readiness));
  if (model.plan) parts.push(renderPlan(model.plan));
  if (model.merges) parts.push(renderMerges(model.merges));
  if (model.adfs) parts.push(renderAdfs(model.adfs));
  if (model.fleet) parts.push(renderFleet(model.fleet));
  const toc = sectionsOf(model).map(([id, label]) => h`<li><a href="#${id}">${label}</a></li>`);
  const csp = `default-src 'none'; style-src 'sha256-${sha256(STYLES)}'; script-src 'sha256-${sha256(SCRIPT)}'; img-src 'none'; base-uri 'none'; form-action 'none'`;
  const doc = h`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="mfa-upgrade ${model.header.toolVersion}">
<meta name="referrer" content="no-referrer">
<title>${model.header.title}</title>
<style>${raw(STYLES)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the report</a>
<svg width="0" height="0" aria-hidden="true" focusable="false" class="defs"><defs><pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#fde2e1"></rect><line x1="0" y1="0" x2="0" y2="8" stroke="#f3a6a1" stroke-width="3"></line></pattern></defs></svg>
<nav class="toc" aria-label="Sections"><ul>${toc}</ul></nav>
<p class="controls"><button type="button" id="toggle-all" aria-pressed="false" hidden>Collapse all</button></p>
<main id="main">
${parts}
</main>
<footer><p>Written by mfa-upgrade ${model.header.toolVersion}. Passwords and other secrets are masked (********) throughout. This file loads nothing from the network.</p></footer>
<script>${raw(SCRIPT)}</script>
</body>
</html>
`;
  return doc.html;
}
