import { launch } from './browser.mjs';
const b = await launch();
const [f, w] = process.argv.slice(2);
const page = await b.context.newPage();
await page.setViewportSize({ width: Number(w ?? 1100), height: 900 });
await page.goto('file://' + f);
await page.evaluate(() => { window.__all = true; });
const r = await page.evaluate(() => {
  const W = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const rc = el.getBoundingClientRect();
    if (rc.right > W + 1 && (window.__all || !el.closest('.scroll'))) out.push(`${el.tagName}.${el.className} ${Math.round(rc.right)} ${el.textContent.slice(0, 60)}`);
  }
  return { W, sw: document.documentElement.scrollWidth, out: out.slice(0, 10) };
});
console.log(JSON.stringify(r, null, 1));
await b.close();
