#!/usr/bin/env node
// The browser tier (npm run test:report): every kind of change report, produced by the built
// bundle from the sample hosts, opened in Debian's chromium (headless, driven by playwright-core
// over the DevTools protocol) and rendered to PNG and PDF. Asserted of each report:
//   - no console error or warning, no page error, and no network request at all (every request
//     other than the file itself is recorded and refused);
//   - every section the report must have is there, with a heading, and shown;
//   - one h1, lang, a header cell in every table, every timeline an SVG with role=img and a title;
//   - the secrets planted in the host copies appear neither in the HTML nor in the rendered text;
//   - a non-blank full-page screenshot (distinct colours and the share of non-white pixels);
//   - at 360 px wide, nothing wider than the window; without scripts, every section shown and
//     every collapsible part open;
//   - in print, nothing wider than A4's printable width, and a PDF whose pages are all A4.
// Chromium is installed with apt-get when missing (as root). Artifacts: .cache/report-tier/.
// Closing line: "N passed, N failed". --update-docs also writes docs/report-upgrade.png.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, LAUNCH_ARGS } from './browser.mjs';
import { checkReport } from './checks.mjs';
import { produceReports } from './produce.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, '.cache', 'report-tier');
const UPDATE_DOCS = process.argv.includes('--update-docs');
const started = Date.now();
const timings = [];
const log = (...a) => console.log('[report-tier]', ...a);

async function timed(name, fn) {
  const t0 = Date.now();
  const r = await fn();
  timings.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r;
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  log('installing chromium (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-q'], ['install', '-y', '-q', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.status})`);
  }
}

async function docsScreenshot(browser, file) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 1300 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`file://${file}`);
  const target = join(ROOT, 'docs', 'report-upgrade.png');
  await page.screenshot({ path: target, clip: { x: 0, y: 0, width: 1000, height: 1300 } });
  await context.close();
  log(`wrote ${relative(ROOT, target)} (${Math.round(statSync(target).size / 1024)} KB)`);
}

async function main() {
  await timed('chromium', () => ensureChromium());
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const { reports, secrets } = await timed('produce reports (bundle)', () => produceReports(ROOT, OUT));
  const browser = await timed('launch', () => chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS }));
  let passed = 0;
  let failed = 0;
  try {
    for (const report of reports) {
      const problems = await timed(report.name, () => checkReport(browser, report, secrets, join(OUT, report.name)));
      if (problems.length) {
        failed++;
        log(`FAIL ${report.name}`);
        for (const p of problems) log(`  - ${p}`);
      } else {
        passed++;
        log(`ok   ${report.name}: sections ${report.sections.join(', ')}; ${report.pixels.colours} colours, ${(report.pixels.ink * 100).toFixed(0)}% ink; ${report.pages} A4 page(s)`);
      }
    }
    if (UPDATE_DOCS) await docsScreenshot(browser, reports.find((r) => r.name === 'upgrade').file);
  } finally {
    await browser.close();
  }
  writeFileSync(join(OUT, 'timings.txt'), `${timings.join('\n')}\n`);
  log(`artifacts in ${relative(ROOT, OUT)}; ${timings.join(', ')}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(`[report-tier] ${e.stack ?? e}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
});
