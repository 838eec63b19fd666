// A report path that cannot be written is refused before anything runs (exit 2, the host and the
// backup folder untouched); hostile names on a host (a vdir, a setting key) reach the report as
// text only.
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostState } from '../helpers/host-state.js';
import { runCli } from '../helpers/run-cli.js';
import { ALLOWED_TAGS, nestingProblems, tags, visibleText } from './helpers/html.js';
import { PKG, workspace } from './helpers/hosts.js';

for (const [what, path] of [
  ['a folder that does not exist', (dir: string) => join(dir, 'no-such-folder', 'r.html')],
  ['a folder, not a file', (dir: string) => dir],
] as const) {
  test(`--report naming ${what}: exit 2 before anything runs, nothing changed`, async (t) => {
    const ws = workspace('phonefactor-5.2');
    t.teardown(ws.cleanup);
    const before = await hostState(ws.host);
    const target = path(join(ws.report('x'), '..'));
    const r = await runCli(['upgrade', '--host', ws.host, '--packages', PKG, '--backup', ws.work, '--role', 'standalone', '--unattended', '--report', target, '--json']);
    t.is(r.code, 2);
    const err = r.events.find((e) => e['type'] === 'error') as Record<string, unknown>;
    t.is(err['code'], 'USAGE');
    t.truthy(err['target']);
    t.regex(String(err['remedy']), /--report/);
    t.false(existsSync(ws.work), 'no backup, no journal');
    t.deepEqual(await hostState(ws.host), before);
  });
}

test('a hostile vdir name and setting key on the host: shown as text, never as markup', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const payload = '"><img src=x onerror=alert(1)><script>alert(2)</script>';
  const xmlAttr = payload.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  // The portal's application path and a key in its web.config carry the payload (XML-escaped, as a file would).
  const ahc = join(ws.host, 'drive/C/Windows/System32/inetsrv/config/applicationHost.config');
  writeFileSync(ahc, readFileSync(ahc, 'utf8').replace('<application path="/PhoneFactor" ', `<application path="/PhoneFactor${xmlAttr}" `));
  const webConfig = join(ws.host, 'drive/C/inetpub/wwwroot/PhoneFactor/web.config');
  writeFileSync(webConfig, readFileSync(webConfig, 'utf8').replace('<add key="THEME"', `<add key="X${xmlAttr}" value="1" />\n    <add key="THEME"`));
  const file = ws.report('hostile');
  const r = await runCli(['plan', '--host', ws.host, '--packages', PKG, '--report', file]);
  t.true(r.code === 0 || r.code === 7, r.stderr);
  const html = readFileSync(file, 'utf8');
  t.deepEqual(nestingProblems(html), []);
  t.deepEqual([...new Set(tags(html).map((x) => x.name))].filter((n) => !ALLOWED_TAGS.has(n)), []);
  t.is(tags(html).filter((x) => x.name === 'script' && !x.closing).length, 1);
  t.false(tags(html).some((x) => /\son[a-z]+=/i.test(x.attrs.replace(/="[^"]*"/g, '=""'))));
  const text = visibleText(html);
  t.true(text.includes(`PhoneFactor${payload}`), 'the vdir is shown as it is');
  t.true(text.includes(`X${payload}`), 'the key is shown as it is');
});
