// The config commands end to end: options from their specs, files on this machine or in an image
// host, --what-if writing nothing, --json objects without secrets.
import test from 'ava';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../../lib/cli/args.js';
import { Output } from '../../lib/cli/output.js';
import type { CommandModule, CommandSpec } from '../../lib/cli/spec.js';
import { mergeConfigSpec } from '../../lib/cli/commands/merge-config.spec.js';
import { compareAdfsConfigSpec } from '../../lib/cli/commands/compare-adfs-config.spec.js';
import { patchRegisterScriptSpec } from '../../lib/cli/commands/patch-register-script.spec.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';
import { NEVER_CANCELLED } from '../../lib/util/cancel.js';

const FIX = 'test/fixtures/config';

async function run(spec: CommandSpec, argv: string[], json = true): Promise<{ code: number; events: Record<string, unknown>[]; text: string }> {
  let text = '';
  const out = new Output({ json, verbose: true, write: (s) => (text += s), writeErr: (s) => (text += s) });
  const mod: CommandModule = await spec.load();
  const code = await mod.run({ args: parseArgs(spec, argv), out, cancel: NEVER_CANCELLED });
  const events = json ? text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { code, events, text };
}

function objectOf(events: Record<string, unknown>[]): Record<string, unknown> {
  return events.find((e) => e['type'] === 'object')?.['data'] as Record<string, unknown>;
}

function setup(): { dir: string; oldPath: string; newPath: string; cleanup: () => void } {
  const tmp = tempDir();
  const oldPath = join(tmp.dir, 'web.config.bak');
  const newPath = join(tmp.dir, 'web.config');
  copyFileSync(join(FIX, 'userportal-phonefactor-5.2.web.config'), oldPath);
  copyFileSync(join(FIX, 'userportal-mfa-8.0.web.config'), newPath);
  return { ...tmp, oldPath, newPath };
}

test('the specs name their options as the PowerShell module will (stable names)', (t) => {
  t.deepEqual(mergeConfigSpec.options.map((o) => o.name), ['old', 'new', 'out', 'sdk-vdir', 'carry-removed', 'host', 'what-if']);
  t.deepEqual(compareAdfsConfigSpec.options.map((o) => o.name), ['old', 'new', 'out', 'sdk-vdir', 'host', 'what-if']);
  t.deepEqual(patchRegisterScriptSpec.options.map((o) => o.name), ['script', 'config-path', 'out', 'host', 'what-if']);
  for (const s of [mergeConfigSpec, compareAdfsConfigSpec, patchRegisterScriptSpec]) t.true(s.changesMachine);
});

test('merge-config --what-if prints the masked diff and writes nothing', async (t) => {
  const f = setup();
  t.teardown(f.cleanup);
  const before = readFileSync(f.newPath);
  const r = await run(mergeConfigSpec, ['--old', f.oldPath, '--new', f.newPath, '--sdk-vdir', 'default', '--what-if'], false);
  t.is(r.code, 0);
  t.true(readFileSync(f.newPath).equals(before));
  t.regex(r.text, /\+\s+<add key="USE_WEB_SERVICE_SDK" value="true" \/>/);
  t.regex(r.text, /MultiFactorAuthWebServiceSdk/);
  t.regex(r.text, /What if: nothing was written/);
  t.false(r.text.includes('Winter2014'));
});

test('merge-config writes atomically, keeps BOM and CRLF, and a second run changes nothing', async (t) => {
  const f = setup();
  t.teardown(f.cleanup);
  const r = await run(mergeConfigSpec, ['--old', f.oldPath, '--new', f.newPath, '--json']);
  t.is(r.code, 0);
  const data = objectOf(r.events);
  t.is(r.events.find((e) => e['type'] === 'object')?.['typeName'], 'MfaUpgrade.WebConfigMerge');
  t.true(data['written'] as boolean);
  t.false(JSON.stringify(r.events).includes('Winter2014'));
  const written = readFileSync(f.newPath);
  t.deepEqual([...written.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  t.true(written.toString().includes('<add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="Winter2014!sdk&amp;&quot;x" />\r\n'));
  const mtime = statSync(f.newPath).mtimeMs;
  const again = await run(mergeConfigSpec, ['--old', f.oldPath, '--new', f.newPath, '--json']);
  t.false(objectOf(again.events)['written'] as boolean);
  t.false(objectOf(again.events)['changed'] as boolean);
  t.is(statSync(f.newPath).mtimeMs, mtime);
});

test('merge-config --out leaves the installed file alone; a missing input is named', async (t) => {
  const f = setup();
  t.teardown(f.cleanup);
  const before = readFileSync(f.newPath);
  const out = join(f.dir, 'merged.config');
  await run(mergeConfigSpec, ['--old', f.oldPath, '--new', f.newPath, '--out', out, '--carry-removed']);
  t.true(readFileSync(f.newPath).equals(before));
  t.true(readFileSync(out).toString().includes('<add key="LEGACY_PIN_MODE" value="Standard" />'));
  const missing = join(f.dir, 'nope.config');
  const err = await t.throwsAsync(run(mergeConfigSpec, ['--old', missing, '--new', f.newPath]));
  t.is((err as { code?: string }).code, 'FILE_NOT_FOUND');
  t.is((err as { target?: string }).target, missing);
});

test('merge-config on an image host: Windows paths inside the image', async (t) => {
  const host = tempCopy('phonefactor-5.2');
  t.teardown(host.cleanup);
  const portal = join(host.dir, 'drive/C/inetpub/wwwroot/MultiFactorAuth');
  mkdirSync(portal, { recursive: true });
  copyFileSync(join(FIX, 'userportal-mfa-8.0.web.config'), join(portal, 'web.config'));
  const r = await run(mergeConfigSpec, ['--host', host.dir, '--old', 'C:\\inetpub\\wwwroot\\PhoneFactor\\web.config', '--new', 'C:\\inetpub\\wwwroot\\MultiFactorAuth\\web.config', '--json']);
  t.is(r.code, 0);
  const s = readFileSync(join(portal, 'web.config')).toString();
  t.true(s.includes('<add key="THEME" value="Contoso" />'));
  t.true(s.includes('<add key="WEB_SERVICE_SDK_AUTHENTICATION_USERNAME" value="CONTOSO\\svc-pfsdk" />'));
});

test('compare-adfs-config reports, and writes the carried file only with --out', async (t) => {
  const tmp = tempDir();
  t.teardown(tmp.cleanup);
  const out = join(tmp.dir, 'MultiFactorAuthenticationAdfsAdapter.config');
  const r = await run(compareAdfsConfigSpec, ['--old', join(FIX, 'adfs-adapter-6.3.config'), '--new', join(FIX, 'adfs-adapter-8.0.config'), '--json']);
  t.is(r.code, 0);
  t.is((objectOf(r.events)['changed'] as unknown[]).length, 4);
  t.false(objectOf(r.events)['written'] as boolean);
  t.false(JSON.stringify(r.events).includes('Winter2014'));
  await run(compareAdfsConfigSpec, ['--old', join(FIX, 'adfs-adapter-6.3.config'), '--new', join(FIX, 'adfs-adapter-8.0.config'), '--out', out, '--sdk-vdir', 'default']);
  t.true(readFileSync(out).toString().includes('<WebServiceSdkUrl>https://pf01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx</WebServiceSdkUrl>'));
});

test('patch-register-script patches in place; --what-if and a script without the command write nothing', async (t) => {
  const tmp = tempDir();
  t.teardown(tmp.cleanup);
  const script = join(tmp.dir, 'Register-MultiFactorAuthenticationAdfsAdapter.ps1');
  copyFileSync(join(FIX, 'register-backtick.ps1'), script);
  const before = readFileSync(script);
  const w = await run(patchRegisterScriptSpec, ['--script', script, '--config-path', 'C:\\ADFS\\a.config', '--what-if'], false);
  t.regex(w.text, /\+\s+-Name \$Name -ConfigurationFilePath 'C:\\ADFS\\a\.config'/);
  t.true(readFileSync(script).equals(before));
  await run(patchRegisterScriptSpec, ['--script', script, '--config-path', 'C:\\ADFS\\a.config']);
  t.true(readFileSync(script).toString().includes("-Name $Name -ConfigurationFilePath 'C:\\ADFS\\a.config' # the name"));
  const un = join(tmp.dir, 'Unregister.ps1');
  writeFileSync(un, readFileSync(join(FIX, 'unregister.ps1')));
  const unBefore = readFileSync(un);
  await t.throwsAsync(run(patchRegisterScriptSpec, ['--script', un, '--config-path', 'C:\\x.config']), { message: /no Register-AdfsAuthenticationProvider command/ });
  t.true(readFileSync(un).equals(unBefore));
});
