// The adfs-upgrade command (run() with parsed arguments and captured output), its plan for farms,
// and the register script reader.
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../../lib/cli/args.js';
import { adfsUpgradeSpec } from '../../lib/cli/commands/adfs-upgrade.spec.js';
import { Output } from '../../lib/cli/output.js';
import { parseServers, planAdfsUpgrade, runsHere } from '../../lib/adfs/plan.js';
import { readRegisterCall } from '../../lib/adfs/register-script.js';
import { policyWithAdapter } from '../../lib/adfs/steps.js';
import { editAdfs, makeImage, NEW_CONFIG } from './helpers/hosts.js';
import { preinstallNewAdapter, REGISTERED_CONFIG, SECRET } from './helpers/scenarios.js';
import { NEVER_CANCELLED } from '../../lib/util/cancel.js';

async function runCommand(argv: string[], json = true): Promise<{ code: number; stdout: string; stderr: string; events: Array<Record<string, unknown>> }> {
  let stdout = '';
  let stderr = '';
  const out = new Output({ json, verbose: true, write: (s) => void (stdout += s), writeErr: (s) => void (stderr += s), isTty: false });
  const mod = await adfsUpgradeSpec.load();
  const code = await mod.run({ args: parseArgs(adfsUpgradeSpec, argv), out, cancel: NEVER_CANCELLED });
  const events = json ? stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { code, stdout, stderr, events };
}

/** The sample with the new adapter installed already (procedure.md §3.7 b), as the runs without --package need. */
function adfsImage(): ReturnType<typeof makeImage> {
  const img = makeImage();
  preinstallNewAdapter(img.dir);
  return img;
}

const objectOf = (events: Array<Record<string, unknown>>) => events.find((e) => e['type'] === 'object')?.['data'] as Record<string, unknown>;

test('--what-if: the plan as objects, nothing changed', async (t) => {
  const img = adfsImage();
  const before = readFileSync(join(img.dir, 'adfs.json'));
  const r = await runCommand(['--host', img.dir, '--config', NEW_CONFIG, '--what-if', '--json']);
  t.is(r.code, 0);
  const data = objectOf(r.events);
  t.is(data['status'], 'what-if');
  t.deepEqual((data['steps'] as Array<{ id: string }>).map((s) => s.id), ['farm/stage@ADFS01', 'farm/export', 'farm/carry-config', 'farm/patch-register-script', 'farm/policy-remove', 'farm/unregister', 'farm/register', 'farm/restart@ADFS01', 'farm/policy-add']);
  // The no-MFA window: from the adapter leaving the policy until it is back.
  t.deepEqual((data['steps'] as Array<{ id: string; noMfa: boolean }>).filter((s) => s.noMfa).map((s) => s.id), ['farm/policy-remove', 'farm/unregister', 'farm/register', 'farm/restart@ADFS01']);
  t.deepEqual(readFileSync(join(img.dir, 'adfs.json')), before);
  img.cleanup();
});

test('a full run: report with the time without the adapter; the SDK password never in the output or the log', async (t) => {
  const img = adfsImage();
  editAdfs(img.dir, (s) => void ((s.providers.find((p) => p.name === 'AzureMfaServerAuthentication') as { configurationData?: string }).configurationData = Buffer.from(REGISTERED_CONFIG).toString('base64')));
  const log = join(img.dir, '..', 'run.log');
  const human = await runCommand(['--host', img.dir, '--config', NEW_CONFIG, '--log', log, '--verbose'], false);
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, /The farm was without the adapter in its policy for [0-9.]+ s\./);
  t.regex(human.stdout, /AzureMfaServerAuthentication 8\.0\.0\.3 -> AzureMfaServerAuthentication 8\.1\.1\.2/);
  t.regex(human.stderr, /carried WebServiceSdkPassword: "" -> "\*+"/);
  for (const text of [human.stdout, human.stderr]) {
    t.false(text.includes('Registered#Secret1'));
    t.false(text.includes(SECRET));
  }
  img.cleanup();
});

test('--json: registration failure gives the report, an error line and 1603; AD FS as found', async (t) => {
  const img = adfsImage();
  editAdfs(img.dir, (s) => void (s.faults = [{ command: 'Register-AdfsAuthenticationProvider', typeNameContains: '8.1.1.2', message: 'Could not load file or assembly MultiFactorAuthAdfsAdapter' }]));
  const before = JSON.parse(readFileSync(join(img.dir, 'adfs.json'), 'utf8')) as { providers: unknown; globalPolicy: unknown };
  const r = await runCommand(['--host', img.dir, '--config', NEW_CONFIG, '--json']);
  t.is(r.code, 1603);
  const data = objectOf(r.events);
  t.is(data['status'], 'rolled-back');
  t.like(data['failure'] as object, { step: 'farm/register', code: 'PS_ERROR' });
  const error = r.events.find((e) => e['type'] === 'error') as Record<string, unknown>;
  t.regex(String(error['message']), /farm\/register failed: Register-AdfsAuthenticationProvider: Could not load/);
  t.regex(String(error['remedy']), /as it was found/);
  const after = JSON.parse(readFileSync(join(img.dir, 'adfs.json'), 'utf8')) as { providers: unknown; globalPolicy: unknown };
  // The old adapter registered again, with the AdminName its assembly reports (as AD FS does).
  t.deepEqual(after.providers, before.providers);
  t.deepEqual(after.globalPolicy, before.globalPolicy);
  t.false(r.stdout.includes(SECRET));
  img.cleanup();
});

test('a farm in halves: exit 5 at each hand-over, the next step named; a fresh run is refused while one is open', async (t) => {
  const img = adfsImage();
  const common = ['--host', img.dir, '--config', NEW_CONFIG, '--servers', 'ADFS01,ADFS02,ADFS03', '--json'];
  const first = await runCommand(common);
  t.is(first.code, 5);
  t.like(objectOf(first.events), { status: 'paused', next: { id: 'farm/drain-first-half', manual: true }, resumeFrom: 'farm/policy-remove' });
  // The paused run holds the host: a fresh run is refused, naming how to go on.
  const again = await runCommand(common).catch((e: { code: string; exitCode: number; remedy: string }) => e);
  t.like(again, { code: 'RUN_PAUSED', exitCode: 5 });
  t.regex((again as { remedy: string }).remedy, /--resume/);
  const second = await runCommand([...common, '--from', 'farm/policy-remove']);
  t.is(second.code, 5);
  const data = objectOf(second.events);
  // The smaller half (this server alone) was drained; the larger half keeps serving: the next hand-over is the swap.
  t.like(data, { status: 'paused', next: { id: 'farm/swap-halves', manual: true }, adapterOutOfPolicy: true });
  t.is(data['resumeFrom'], 'farm/policy-add');
  img.cleanup();
});

test('bad input on the command line and the files', async (t) => {
  const img = adfsImage();
  const missing = await runCommand(['--host', img.dir, '--config', 'C:\\new\\nothing.config', '--json']).catch((e: { code: string }) => e);
  t.is((missing as { code: string }).code, 'FILE_NOT_FOUND');
  const notInFarm = await runCommand(['--host', img.dir, '--config', NEW_CONFIG, '--servers', 'ADFS07,ADFS08']).catch((e: { code: string }) => e);
  t.is((notInFarm as { code: string }).code, 'ADFS_NOT_IN_FARM');
  writeFileSync(join(img.dir, 'drive/C/new/Register-MultiFactorAuthenticationAdfsAdapter.ps1'), '$t = Get-TypeName\nRegister-AdfsAuthenticationProvider -TypeName $t -Name AzureMfaServerAuthentication\n');
  const computed = await runCommand(['--host', img.dir, '--config', NEW_CONFIG, '--what-if']).catch((e: { code: string }) => e);
  t.is((computed as { code: string }).code, 'ADFS_NEW_TYPE_UNKNOWN');
  const given = await runCommand(['--host', img.dir, '--config', NEW_CONFIG, '--what-if', '--json', '--type-name', 'pfadfs.AuthenticationAdapter, MultiFactorAuthAdfsAdapter, Version=8.1.1.2']);
  t.is(given.code, 0);
  img.cleanup();
});

test('plan: servers into farms; halves with this server first; once-per-farm steps once; farms one after another', (t) => {
  const farms = parseServers(['sts1=ADFS01', 'sts1=ADFS02', 'sts1=ADFS03', 'sts1=ADFS04', 'sts2=ADFS11', 'sts2=ADFS12'], 'farm');
  t.deepEqual(farms, [{ name: 'sts1', nodes: ['ADFS01', 'ADFS02', 'ADFS03', 'ADFS04'] }, { name: 'sts2', nodes: ['ADFS11', 'ADFS12'] }]);
  const plan = planAdfsUpgrade(farms, 'ADFS03', undefined, false);
  t.deepEqual(plan.farms[0]?.firstHalf, ['ADFS03', 'ADFS01']);
  t.deepEqual(plan.farms[0]?.secondHalf, ['ADFS02', 'ADFS04']);
  const ids = plan.steps.map((s) => `${s.phase}:${s.id}@${s.node}`);
  t.deepEqual(ids.slice(0, 25), [
    'prep:sts1/stage@ADFS03@ADFS03',
    'prep:sts1/export@ADFS03',
    'prep:sts1/carry-config@ADFS03',
    'prep:sts1/patch-register-script@ADFS03',
    'a:sts1/drain-first-half@ADFS03,ADFS01',
    'b:sts1/install@ADFS03@ADFS03',
    'b:sts1/stage@ADFS01@ADFS01',
    'b:sts1/install@ADFS01@ADFS01',
    'c:sts1/policy-remove@ADFS03',
    'd:sts1/unregister@ADFS03',
    'e:sts1/register@ADFS03',
    'f:sts1/restart@ADFS03@ADFS03',
    'f:sts1/restart@ADFS01@ADFS01',
    'g:sts1/swap-halves@ADFS03,ADFS01,ADFS02,ADFS04',
    'h:sts1/policy-add@ADFS03',
    'i:sts1/stage@ADFS02@ADFS02',
    'i:sts1/install@ADFS02@ADFS02',
    'i:sts1/restart@ADFS02@ADFS02',
    'i:sts1/stage@ADFS04@ADFS04',
    'i:sts1/install@ADFS04@ADFS04',
    'i:sts1/restart@ADFS04@ADFS04',
    'j:sts1/restore-second-half@ADFS02,ADFS04',
    'prep:sts2/stage@ADFS11@ADFS11',
    'prep:sts2/export@ADFS11',
    'prep:sts2/carry-config@ADFS11',
  ]);
  // Odd farms: the smaller half is drained first, so the larger half keeps serving.
  const odd = planAdfsUpgrade(parseServers(['A1', 'A2', 'A3'], 'f'), 'A2', undefined, false).farms[0];
  t.deepEqual([odd?.firstHalf, odd?.secondHalf], [['A2'], ['A1', 'A3']]);
  const five = planAdfsUpgrade(parseServers(['A1', 'A2', 'A3', 'A4', 'A5'], 'f'), 'A1', undefined, false).farms[0];
  t.deepEqual([five?.firstHalf.length, five?.secondHalf.length], [2, 3]);
  for (const id of ['policy-remove', 'unregister', 'register', 'policy-add']) t.is(plan.steps.filter((s) => s.id === `sts1/${id}`).length, 1);
  t.false(plan.steps.some((s) => s.id.startsWith('sts2/') && runsHere(s, 'ADFS03')), 'the other farm runs elsewhere');
  t.false(runsHere(plan.steps.find((s) => s.id === 'sts1/install@ADFS03')!, 'ADFS03'), 'installing without --package is the administrator\'s');
  t.throws(() => parseServers(['ADFS01', 'adfs01'], 'farm'), { message: /listed twice/ });
});

test('the adapter goes back where it was in the policy; other providers as they are now', (t) => {
  t.deepEqual(policyWithAdapter(['Cert', 'Otp'], ['Cert', 'WindowsAzureMultiFactorAuthentication', 'Otp'], 'AzureMfaServerAuthentication'), ['Cert', 'AzureMfaServerAuthentication', 'Otp']);
  t.deepEqual(policyWithAdapter([], ['AzureMfaServerAuthentication'], 'AzureMfaServerAuthentication'), ['AzureMfaServerAuthentication']);
  t.deepEqual(policyWithAdapter(['Otp'], ['AzureMfaServerAuthentication', 'Cert', 'Otp'], 'AzureMfaServerAuthentication'), ['AzureMfaServerAuthentication', 'Otp']);
});

test('register script reader: literals, variables, -Param:value, abbreviations; refuses none and two', async (t) => {
  const read = (s: string) => readRegisterCall(Buffer.from(s), 'r.ps1');
  t.like(await read("$typeName = \"T.A, Asm, Version=8.1.1.2\"\nRegister-AdfsAuthenticationProvider -TypeName $typeName -Name \"AzureMfaServerAuthentication\"\n"), { typeName: 'T.A, Asm, Version=8.1.1.2', name: 'AzureMfaServerAuthentication', line: 2 });
  t.like(await read("Register-AdfsAuthenticationProvider -TypeName:'it''s, A' -Na X -ConfigurationFilePath 'C:\\a.config'\n"), { typeName: "it's, A", name: 'X' });
  t.like(await read('Register-AdfsAuthenticationProvider -TypeName "T, $v" -Name X\n'), { name: 'X', typeName: undefined });
  await t.throwsAsync(read('# Register-AdfsAuthenticationProvider\n'), { message: /no Register-AdfsAuthenticationProvider/ });
  await t.throwsAsync(read("Register-AdfsAuthenticationProvider -TypeName 'A, B' -Name X\nRegister-AdfsAuthenticationProvider -TypeName 'C, D' -Name Y\n"), { message: /more than one/ });
});
