// The renderer on a hand-written model: one self-contained document (no network reference, a CSP
// whose hashes match the inline style and script), every section with its heading, every status
// in words beside its colour, and markup that nests.
import test from 'ava';
import { createHash } from 'node:crypto';
import { renderReport, sectionsOf } from '../../lib/report/render.js';
import { ALLOWED_TAGS, decodeEntities, nestingProblems, sectionIds, tags, visibleText } from './helpers/html.js';
import { fullModel } from './helpers/model.js';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64');

test('one self-contained document: the CSP allows only the inline style and script, by hash, and nothing is loaded', (t) => {
  const html = renderReport(fullModel());
  t.true(html.startsWith('<!DOCTYPE html>'));
  const csp = decodeEntities(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '');
  t.regex(csp, /default-src 'none'/);
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  t.true(csp.includes(`style-src 'sha256-${sha(style)}'`), 'the style hash matches the style element');
  t.true(csp.includes(`script-src 'sha256-${sha(script)}'`), 'the script hash matches the script element');
  // No URL anywhere but the SVG namespace name (an identifier, never fetched).
  t.deepEqual([...html.matchAll(/(?:https?:|ftp:|\/\/)[^\s"'<>)]*/g)].map((m) => m[0]).filter((u) => u !== 'http://www.w3.org/2000/svg'), []);
  t.false(/\b(src|srcset)=/.test(html));
  t.false(/@import|url\((?!#)/.test(style), 'CSS refers only to fragments in the document');
  t.is(tags(html).filter((x) => x.name === 'script' && !x.closing).length, 1);
});

test('markup nests and uses only the expected elements', (t) => {
  const html = renderReport(fullModel());
  t.deepEqual(nestingProblems(html), []);
  t.deepEqual([...new Set(tags(html).map((x) => x.name))].filter((n) => !ALLOWED_TAGS.has(n)), []);
});

test('every section of a full model is there in reading order, each with its heading and in the table of contents', (t) => {
  const model = fullModel();
  const html = renderReport(model);
  t.deepEqual(sectionIds(html), ['summary', 'run', 'readiness', 'plan', 'config', 'adfs', 'fleet']);
  for (const [id, label] of sectionsOf(model)) {
    t.regex(html, new RegExp(`<a href="#${id}">${label}</a>`));
    t.regex(html, new RegExp(`id="${id}-h"`));
  }
  t.is(tags(html).filter((x) => x.name === 'h1' && !x.closing).length, 1);
});

test('a model with only some sections renders only those', (t) => {
  const { header, format, fleet } = fullModel();
  const html = renderReport({ format, header, ...(fleet ? { fleet } : {}) });
  t.deepEqual(sectionIds(html), ['summary', 'fleet']);
  t.deepEqual(nestingProblems(html), []);
});

test('statuses are words beside their colours: readiness, run steps, checklist, plan flags, the AD FS window', (t) => {
  const text = visibleText(renderReport(fullModel()));
  for (const word of ['PASS', 'WARN', 'FAIL', 'DONE', 'FAILED', 'TO DO', 'BLOCKED', 'Manual: a person does this', 'Waits on the server', 'Reboot required', 'May ask for a reboot', 'NO ADAPTER', 'PROMOTION', 'APPLIED']) {
    t.true(text.includes(word), word);
  }
});

test('the plan is a timeline of every step with what it needs, protects and how it is undone; unknown kinds generically', (t) => {
  const html = renderReport(fullModel());
  const steps = [...html.matchAll(/<li class="step[^"]*" data-kind="([^"]+)">/g)].map((m) => m[1]);
  t.deepEqual(steps, ['backup', 'install', 'wait-conversion', 'manual', 'reboot']);
  const text = visibleText(html);
  t.true(text.includes('Wait conversion 03-wait-conversion'), 'an unknown kind is named from its kind');
  t.true(text.includes('timeoutSeconds 3600'), "an unknown kind's fields are shown");
  for (const w of ['Needs space', 'Protects all', 'Undo nothing', 'What to do: open the console']) t.true(text.includes(w), w);
});

test('the run: outcome, durations, left to do, the exact undo and resume commands', (t) => {
  const html = renderReport(fullModel());
  const text = visibleText(html);
  t.true(text.includes('30.0 s'), 'the backup took 30 s');
  t.true(text.includes('1 min 30 s'), 'the failed install took 90 s');
  t.true(text.includes('MSI 1603'));
  t.regex(html, /<pre class="command">mfa-upgrade upgrade --backup \/w --rollback<\/pre>/);
  t.regex(html, /<pre class="command">mfa-upgrade upgrade --backup \/w --resume<\/pre>/);
});

test('the AD FS timeline shades the window without the adapter and shows both halves; the fleet has a lane per server', (t) => {
  const html = renderReport(fullModel());
  t.is([...html.matchAll(/<rect class="window"/g)].length, 1);
  t.true(html.includes('Window without the adapter in the global policy'));
  t.true(html.includes('>First half<') && html.includes('>Second half<'));
  const fleetSvg = /<svg class="timeline"[^>]*aria-labelledby="fleet-1-t[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
  t.is([...fleetSvg.matchAll(/<rect class="lane"/g)].length, 2);
  t.true(fleetSvg.includes('★ promote'));
  t.true(fleetSvg.includes('quiesce replication'), 'an unknown action kind keeps its label');
  t.true(fleetSvg.includes('class="step k-other"'));
});

test('the side-by-side diff marks the changed words with del and ins, with a text marker beside the colour', (t) => {
  const html = renderReport(fullModel());
  t.regex(html, /<del>Info<\/del>/);
  t.regex(html, /<ins>Warning<\/ins>/);
  t.regex(html, /<td class="mark del" aria-label="removed">−<\/td>/);
  t.regex(html, /<td class="mark ins" aria-label="added">\+<\/td>/);
});

test('everything is readable without the script: collapsible parts are open, the script only adds a button', (t) => {
  const html = renderReport(fullModel());
  const details = tags(html).filter((x) => x.name === 'details' && !x.closing);
  t.true(details.length > 0);
  t.true(details.every((d) => /\bopen\b/.test(d.attrs)));
  t.regex(html, /<button type="button" id="toggle-all" aria-pressed="false" hidden>/);
  t.regex(html, /@media print/);
  t.regex(html, /@page\{size:A4/);
});
