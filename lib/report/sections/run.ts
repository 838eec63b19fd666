// An executed run: each step's outcome and actual duration, what is left to do, and the exact
// commands that finish or undo it.
import { h, wrap, type Html } from '../escape.js';
import type { RunSection, RunStepStatus, RunStepView, Tone } from '../model.js';
import { checklist } from './merges.js';
import { badge, bullets, callout, code, facts, formatDuration, formatTime, section } from './parts.js';

const STATUS: Record<RunStepStatus, [string, Tone]> = {
  done: ['DONE', 'ok'],
  failed: ['FAILED', 'fail'],
  'left-to-do': ['LEFT TO DO', 'warn'],
  undone: ['UNDONE', 'info'],
  undoing: ['UNDO STARTED', 'warn'],
  'undo-failed': ['UNDO FAILED', 'fail'],
  started: ['STARTED, NOT FINISHED', 'warn'],
  paused: ['PAUSED HERE', 'warn'],
  'not-run': ['NOT RUN', 'neutral'],
  skipped: ['SKIPPED', 'neutral'],
};

function duration(s: RunStepView): string {
  if (!s.startedAt || !s.endedAt) return '';
  const ms = Date.parse(s.endedAt) - Date.parse(s.startedAt);
  return Number.isFinite(ms) ? formatDuration(ms) : '';
}

function stepRow(s: RunStepView): Html {
  const [label, tone] = STATUS[s.status];
  return h`<tr class="s-${s.status}"><th scope="row">${wrap(s.title)}<br><code class="id">${wrap(s.id)}</code></th><td>${badge(label, tone)}${s.rebootRequired ? h` ${badge('REBOOT', 'warn')}` : h``}</td><td class="num">${formatTime(s.startedAt)}</td><td class="num">${duration(s)}</td><td>${wrap(s.error ?? '')}</td></tr>`;
}

export function renderRun(r: RunSection): Html {
  const total = r.startedAt && r.endedAt ? formatDuration(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : '';
  const body: Html[] = [
    facts([
      ['Outcome', badge(r.outcome.toUpperCase(), r.outcomeTone)],
      ['Exit code', r.exitCode !== undefined ? String(r.exitCode) : ''],
      ['Started', formatTime(r.startedAt)],
      ['Ended', formatTime(r.endedAt)],
      ['Took', total],
      ['Journal', r.journal ?? ''],
      ['Backup', r.backup ?? ''],
      ['Reboot', r.rebootRequired ? 'required to finish (exit 3010)' : ''],
    ]),
  ];
  if (r.notes.length) body.push(bullets(r.notes, 'notes'));
  if (r.leftToDo.length) {
    body.push(h`<h3>Left to do by hand</h3>`);
    body.push(checklist(r.leftToDo.map((m) => ({ text: m.title, detail: m.instructions, done: false }))));
  }
  if (r.resumeCommand) body.push(callout('info', 'TO FINISH', [h`<p>Run again to finish this run:</p>`, h`<pre class="command">${r.resumeCommand}</pre>`]));
  if (r.undoCommand) body.push(callout('neutral', 'TO UNDO', [h`<p>Undo everything this run did, newest step first, then put the data file, web.configs and themes back from its backup:</p>`, h`<pre class="command">${r.undoCommand}</pre>`]));
  if (r.pending && r.pending.length) body.push(h`<h3>${r.mode === 'what-if' ? 'Would run next' : 'Pending'}</h3>`, h`<ol>${r.pending.map((p) => h`<li>${code(p)}</li>`)}</ol>`);
  if (r.steps.length) {
    body.push(
      h`<div class="scroll"><table class="grid run"><caption>Steps as the journal recorded them</caption><thead><tr><th scope="col">Step</th><th scope="col">Outcome</th><th scope="col">Started</th><th scope="col">Took</th><th scope="col">Error</th></tr></thead><tbody>${r.steps.map(stepRow)}</tbody></table></div>`,
    );
  }
  return section('run', r.mode === 'rehearsal' ? 'Rehearsal run' : r.mode === 'what-if' ? 'Recorded run' : 'Executed run', body);
}
