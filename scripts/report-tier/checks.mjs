// What the browser tier asserts of one report, each check returning problems (empty: passed).
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';

/** A4 in PDF points, and the printable width at the report's @page margins (12 mm each side) in CSS px. */
const A4 = { width: 595.28, height: 841.89 };
const A4_PRINT_WIDTH_PX = Math.floor(((210 - 24) / 25.4) * 96);

/** Opens a report in a fresh context, recording console errors, page errors and every request. */
async function open(browser, file, options = {}) {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1100, height: 900 }, javaScriptEnabled: options.javaScript !== false });
  const url = pathToFileURL(file).href;
  const seen = { console: [], requests: [] };
  context.on('request', (r) => {
    if (r.url() !== url) seen.requests.push(`${r.method()} ${r.url()}`);
  });
  // Nothing may leave the page; anything that tries is recorded above and refused here.
  await context.route((u) => u.href !== url, (route) => route.abort());
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.console.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => seen.console.push(`pageerror: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return { context, page, seen };
}

/** Distinct colours and the share of pixels that are not (near) white. */
export function pixelStats(pngBuffer) {
  const png = PNG.sync.read(pngBuffer);
  const colours = new Set();
  let ink = 0;
  const d = png.data;
  for (let i = 0; i < d.length; i += 4) {
    colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) ink++;
  }
  return { width: png.width, height: png.height, colours: colours.size, ink: ink / (png.width * png.height) };
}

/** Page sizes of a PDF (each /MediaBox), in points. */
export function pdfPageSizes(pdf) {
  const text = pdf.toString('latin1');
  const sizes = [];
  for (const m of text.matchAll(/\/Type\s*\/Page\b[^s][\s\S]*?\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/g)) {
    sizes.push({ width: Number(m[3]) - Number(m[1]), height: Number(m[4]) - Number(m[2]) });
  }
  if (sizes.length === 0) for (const m of text.matchAll(/\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/g)) sizes.push({ width: Number(m[3]) - Number(m[1]), height: Number(m[4]) - Number(m[2]) });
  return sizes;
}

export async function checkReport(browser, report, secrets, artifacts) {
  const problems = [];
  const html = readFileSync(report.file, 'utf8');
  for (const s of secrets) if (html.includes(s)) problems.push(`the HTML holds the secret ${s.slice(0, 3)}…`);
  if (/<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:|\/\/)/i.test(html)) problems.push('the HTML references something on the network');

  // Screen: no console errors, no requests, every section, accessible structure, a non-blank screenshot.
  {
    const { context, page, seen } = await open(browser, report.file);
    const facts = await page.evaluate(() => ({
      sections: [...document.querySelectorAll('[data-section]')].map((s) => ({ id: s.getAttribute('data-section'), heading: (s.querySelector('h1,h2')?.textContent ?? '').trim(), height: s.getBoundingClientRect().height })),
      h1: document.querySelectorAll('h1').length,
      lang: document.documentElement.lang,
      tablesWithoutHeaders: [...document.querySelectorAll('table')].filter((t) => t.querySelectorAll('th').length === 0).length,
      svgsWithoutLabel: [...document.querySelectorAll('svg.timeline')].filter((s) => s.getAttribute('role') !== 'img' || !s.querySelector('title')).length,
      text: document.body.innerText,
    }));
    for (const id of report.sections) {
      const s = facts.sections.find((x) => x.id === id);
      if (!s) problems.push(`section '${id}' is missing`);
      else if (!s.heading || s.height < 20) problems.push(`section '${id}' has no heading or shows nothing`);
    }
    if (facts.h1 !== 1) problems.push(`${facts.h1} h1 headings (one expected)`);
    if (facts.lang !== 'en') problems.push('no lang on <html>');
    if (facts.tablesWithoutHeaders) problems.push(`${facts.tablesWithoutHeaders} table(s) without header cells`);
    if (facts.svgsWithoutLabel) problems.push(`${facts.svgsWithoutLabel} timeline(s) without role=img and a title`);
    for (const s of secrets) if (facts.text.includes(s)) problems.push('the rendered text holds a secret');
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(`${artifacts}.png`, png);
    const px = pixelStats(png);
    report.pixels = px;
    if (px.colours < 16 || px.ink < 0.02) problems.push(`the screenshot looks blank (${px.colours} colours, ${(px.ink * 100).toFixed(1)}% ink)`);
    await page.waitForTimeout(50);
    problems.push(...seen.console.map((c) => `console: ${c}`), ...seen.requests.map((r) => `network request: ${r}`));
    await context.close();
  }

  // A narrow window (a phone, a split screen): nothing wider than the window.
  {
    const { context, page, seen } = await open(browser, report.file, { viewport: { width: 360, height: 740 } });
    const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    if (w.scroll > w.client + 1) problems.push(`at 360 px the page is ${w.scroll} px wide`);
    problems.push(...seen.console.map((c) => `console (narrow): ${c}`), ...seen.requests.map((r) => `network request (narrow): ${r}`));
    await context.close();
  }

  // Without scripts: every section there and shown, collapsible parts open.
  {
    const { context, page } = await open(browser, report.file, { javaScript: false });
    const noJs = await page.evaluate(() => ({
      shown: [...document.querySelectorAll('[data-section]')].filter((s) => s.getBoundingClientRect().height > 20).map((s) => s.getAttribute('data-section')),
      closed: [...document.querySelectorAll('details')].filter((d) => !d.open).length,
    }));
    for (const id of report.sections) if (!noJs.shown.includes(id)) problems.push(`without scripts, section '${id}' is not shown`);
    if (noJs.closed) problems.push(`without scripts, ${noJs.closed} collapsible part(s) are closed`);
    await context.close();
  }

  // Print: A4 pages, and nothing wider than the printable width.
  {
    const { context, page, seen } = await open(browser, report.file, { viewport: { width: A4_PRINT_WIDTH_PX, height: 1000 } });
    await page.emulateMedia({ media: 'print' });
    const w = await page.evaluate(() => {
      const W = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > W + 1).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
      return { scroll: document.documentElement.scrollWidth, client: W, wide: wide.slice(0, 3) };
    });
    if (w.scroll > w.client + 1) problems.push(`in print the page is ${w.scroll} px wide for ${w.client} px of A4 (${w.wide.join(', ')})`);
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    writeFileSync(`${artifacts}.pdf`, pdf);
    const sizes = pdfPageSizes(pdf);
    report.pages = sizes.length;
    if (sizes.length === 0) problems.push('the PDF has no pages');
    const off = sizes.filter((s) => Math.abs(s.width - A4.width) > 2 || Math.abs(s.height - A4.height) > 2);
    if (off.length) problems.push(`${off.length} PDF page(s) are not A4 (${off[0].width}x${off[0].height} pt)`);
    problems.push(...seen.console.map((c) => `console (print): ${c}`), ...seen.requests.map((r) => `network request (print): ${r}`));
    await context.close();
  }
  return problems;
}
