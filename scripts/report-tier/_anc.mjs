import { launch } from './browser.mjs';
const b = await launch();
const [f, w, sel] = process.argv.slice(2);
const page = await b.context.newPage();
await page.setViewportSize({ width: Number(w), height: 900 });
await page.goto('file://' + f);
console.log(await page.evaluate((sel) => {
  let el = document.querySelector(sel); const out = [];
  while (el) { const r = el.getBoundingClientRect(); out.push(`${el.tagName}.${el.className} w=${Math.round(r.width)} right=${Math.round(r.right)}`); el = el.parentElement; }
  return out.join('\n');
}, sel));
await b.close();
