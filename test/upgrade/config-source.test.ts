// The upgrade carries settings an administrator keeps in configSource files (appSettings moved to
// appSettings.config beside the web.config): read from the backed-up file, carried into the new
// configuration, and undone by --rollback. Checked with the saxes oracle, not lib/.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attr, elements, parseXmlBytes } from '../helpers/xml-oracle.js';
import { runCli } from '../helpers/run-cli.js';
import { strictHostDifferences, strictHostState } from '../helpers/host-state.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';

const PKG = join(process.cwd(), 'examples', 'packages');

/** Every appSettings key/value a web.config holds, inline or in its configSource file. */
function appSettings(folder: string): Record<string, string> {
  const root = parseXmlBytes(readFileSync(join(folder, 'web.config'))).root;
  const out: Record<string, string> = {};
  for (const section of elements(root, 'appSettings')) {
    const source = attr(section, 'configSource');
    const holder = source ? parseXmlBytes(readFileSync(join(folder, source))).root : section;
    for (const add of elements(holder, 'add')) out[attr(add, 'key') as string] = attr(add, 'value') as string;
  }
  return out;
}

test('appSettings kept in a configSource file are carried into the new portal, and --rollback puts both files back', async (t) => {
  const h = tempCopy('mfa-7.0');
  const w = tempDir();
  t.teardown(() => (h.cleanup(), w.cleanup()));
  const portal = join(h.dir, 'drive/C/inetpub/wwwroot/MFAPortal');
  const web = readFileSync(join(portal, 'web.config'), 'utf8');
  const inline = /<appSettings>[\s\S]*?<\/appSettings>/.exec(web)?.[0] as string;
  t.truthy(inline, 'the sample portal has inline appSettings to move out');
  writeFileSync(join(portal, 'appSettings.config'), `<?xml version="1.0" encoding="utf-8"?>\r\n${inline}\r\n`);
  writeFileSync(join(portal, 'web.config'), web.replace(inline, '<appSettings configSource="appSettings.config" />'));
  const before = appSettings(portal);
  t.true(Object.keys(before).length >= 3);
  const original = strictHostState(h.dir);
  const r = await runCli(['upgrade', '--host', h.dir, '--packages', PKG, '--backup', w.dir, '--unattended', '--retry-delay', '0', '--json', '--role', 'standalone']);
  t.is(r.code, 5, r.stdout.slice(-1500));
  const after = appSettings(portal);
  for (const [k, v] of Object.entries(before)) t.is(after[k], v, `${k} carried`);
  const rolled = await runCli(['upgrade', '--host', h.dir, '--backup', w.dir, '--rollback', '--json']);
  t.is(rolled.code, 0, rolled.stdout.slice(-1500));
  t.deepEqual(strictHostDifferences(h.dir, original, { ignoreFiles: ['drive/C/Windows/Logs', 'drive/C/Program Files/Multi-Factor Authentication Server/Logs/MultiFactorAuthSvc.log'] }), []);
});
