// The command line as administrators and the PowerShell module meet it.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { tempCopy } from '../helpers/temp-host.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

test('the bundle starts, prints its version and runs a command', (t) => {
  const v = spawnSync(process.execPath, ['dist/mfa-upgrade.cjs', '--version'], { encoding: 'utf8' });
  t.is(v.status, 0);
  t.is(v.stdout.trim(), pkg.version);
  const inv = spawnSync(process.execPath, ['dist/mfa-upgrade.cjs', 'inventory', '--host', 'examples/hosts/mfa-7.0', '--json'], { encoding: 'utf8' });
  t.is(inv.status, 0, inv.stderr);
  const events = inv.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
  t.deepEqual(events.map((e) => e.type), ['log', 'object', 'result']);
});

test('--json: one JSON object per line, pipeline objects typed, a closing result', async (t) => {
  const r = await runCli(['inventory', '--host', 'examples/hosts/phonefactor-5.2', '--json']);
  t.is(r.code, 0);
  const obj = r.events.find((e) => e['type'] === 'object');
  t.is(obj?.['typeName'], 'MfaUpgrade.Deployment');
  t.is((obj?.['data'] as { server: { product: { version: string } } }).server.product.version, '5.2.1.12');
  t.deepEqual(r.events.at(-1), { type: 'result', exitCode: 0 });
  t.is(r.stderr, '');
});

test('human output: a readable summary on stdout', async (t) => {
  const r = await runCli(['inventory', '--host', 'examples/hosts/phonefactor-5.2']);
  t.is(r.code, 0);
  t.regex(r.stdout, /PhoneFactor Agent 5\.2\.1\.12/);
  t.regex(r.stdout, /User Portal\s+5\.2\.1\.12\s+Default Web Site\/PhoneFactor\s/);
  t.regex(r.stdout, /Phonefactor\.pfdata\s+3\.0 MB/);
});

test('without --host off Windows it says plainly what to do (exit 6)', async (t) => {
  const r = await runCli(['inventory']);
  t.is(r.code, process.platform === 'win32' ? 0 : 6);
  if (process.platform !== 'win32') {
    t.regex(r.stderr, /no live Windows machine to inspect here/);
    t.regex(r.stderr, /--host <image folder>/);
  }
});

test('usage errors exit 2 and say how to get help', async (t) => {
  for (const argv of [['inventory', '--hots', 'x'], ['inventory', '--host'], ['frobnicate'], ['inventory', 'extra']]) {
    const r = await runCli(argv);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.stderr, /--help/);
  }
  const json = await runCli(['inventory', '--bogus', '--json']);
  t.like(json.events[0], { type: 'error', code: 'USAGE', message: 'unknown option --bogus' });
  t.deepEqual(json.events.at(-1), { type: 'result', exitCode: 2 });
});

test('help lists the commands and each command\'s options', async (t) => {
  const all = await runCli(['--help']);
  t.regex(all.stdout, /inventory\s+Discover what is installed/);
  const one = await runCli(['inventory', '--help']);
  t.regex(one.stdout, /--host <folder>/);
  t.regex(one.stdout, /--json/);
});

test('a malformed registry export: exit 3, an error naming the file and the line, nothing else printed', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  writeFileSync(join(dir, 'registry.reg'), 'Windows Registry Editor Version 5.00\r\n\r\n[HKLM\\SOFTWARE\\X\r\n');
  const r = await runCli(['inventory', '--host', dir, '--json']);
  t.is(r.code, 3);
  t.like(r.events.find((e) => e['type'] === 'error'), { code: 'REG_PARSE', target: join(dir, 'registry.reg'), line: 3, message: 'key line without closing bracket' });
  t.false(r.events.some((e) => e['type'] === 'object'));
});

test('a CMTrace log is written when asked', async (t) => {
  const { dir, cleanup } = tempCopy('mfa-7.0');
  t.teardown(cleanup);
  const log = join(dir, 'mfa-upgrade.log');
  await runCli(['inventory', '--host', dir, '--log', log, '--verbose']);
  const text = readFileSync(log, 'utf8');
  t.regex(text, /^<!\[LOG\[Inspecting image host .*\]LOG\]!><time="\d\d:\d\d:\d\d\.\d{3}[+-]\d+" date="\d\d-\d\d-\d{4}" component="mfa-upgrade" context="" type="1" thread="\d+" file="">\r\n/);
});
