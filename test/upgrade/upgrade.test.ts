// The upgrade command end to end on image hosts: what it changes, what it refuses, and how it
// behaves when Windows Installer is busy, fails half-way or asks for a reboot.
import test from 'ava';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { takeInventory } from '../../lib/inventory/take-inventory.js';
import { strictHostDifferences, strictHostState } from '../helpers/host-state.js';
import { completionLines, pfdataState } from '../helpers/pfdata.js';
import { runCli } from '../helpers/run-cli.js';
import { tempCopy, tempDir } from '../helpers/temp-host.js';
import { treeHash } from '../helpers/tree-hash.js';

const PKG = 'examples/packages';

function workspace(sample: string) {
  const host = tempCopy(sample);
  const work = tempDir();
  return { host: host.dir, work: work.dir, cleanup: () => (host.cleanup(), work.cleanup()) };
}

function upgrade(ws: { host: string; work: string }, ...extra: string[]) {
  return runCli(['upgrade', '--host', ws.host, '--packages', PKG, '--backup', ws.work, '--json', '--retry-delay', '0', '--role', 'standalone', ...extra]);
}

function result(events: Array<Record<string, unknown>>): Record<string, unknown> | undefined {
  return events.find((e) => e['type'] === 'object' && e['typeName'] === 'MfaUpgrade.UpgradeResult')?.['data'] as Record<string, unknown> | undefined;
}

/** A copy of the sample packages with one manifest changed. */
function packagesWith(name: string, change: (m: Record<string, unknown>) => void): { dir: string; cleanup: () => void } {
  const d = tempDir();
  cpSync(PKG, d.dir, { recursive: true });
  const file = join(d.dir, name);
  const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(m);
  writeFileSync(file, JSON.stringify(m, null, 2));
  return d;
}

test('--what-if shows the plan and changes nothing', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const before = treeHash(ws.host);
  const r = await upgrade(ws, '--what-if');
  t.is(r.code, 0);
  t.true(r.events.some((e) => e['typeName'] === 'MfaUpgrade.UpgradePlan'));
  t.deepEqual(treeHash(ws.host), before);
  t.deepEqual(readdirSync(ws.work), []);
});

test('a blocked plan exits 7 and changes nothing, not even a journal', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const empty = tempDir();
  t.teardown(empty.cleanup);
  const before = treeHash(ws.host);
  const r = await runCli(['upgrade', '--host', ws.host, '--packages', empty.dir, '--backup', ws.work, '--json']);
  t.is(r.code, 7);
  t.like(r.events.find((e) => e['type'] === 'error'), { code: 'PLAN_BLOCKED' });
  t.deepEqual(treeHash(ws.host), before);
  t.false(existsSync(join(ws.work, 'upgrade-journal.jsonl')));
});

test('PhoneFactor 5.2 unattended: upgraded, settings carried, the data file converted once and otherwise intact, activation left to do (exit 5)', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const data = readFileSync(join(ws.host, 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata'));
  const r = await upgrade(ws, '--unattended');
  t.is(r.code, 5);
  const res = result(r.events);
  t.like(res, { outcome: 'completed', exitCode: 5, rebootRequired: false });
  t.deepEqual((res?.['leftToDo'] as Array<{ id: string }>).map((m) => m.id), ['10-manual-activate']);
  const inv = await takeInventory(await openImageHost(ws.host));
  t.is(inv.server?.product.version, '8.1.1.2');
  t.is(inv.server?.installPath, 'C:\\Program Files\\PhoneFactor\\');
  // MFA Server converted the agent's data file on its first start: the original bytes behind the
  // image's header, from the schema pfsvc.log recorded (18), and the completion line logged once.
  const converted = pfdataState(readFileSync(join(ws.host, 'drive/C/Program Files/PhoneFactor/Data/Phonefactor.pfdata')));
  t.deepEqual(converted.body, data);
  t.deepEqual(converted.header, { schema: 25, from: 18, state: 0, pollsLeft: 0 });
  t.deepEqual(completionLines(readFileSync(join(ws.host, 'drive/C/Program Files/PhoneFactor/Logs/MultiFactorAuthSvc.log'), 'utf8')), [{ from: 18, to: 25 }]);
  const mobile = readFileSync(join(ws.host, 'drive/C/inetpub/wwwroot/PhoneFactorPhoneAppWebService/web.config'), 'utf8');
  t.regex(mobile, /WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="Winter2014!sdk"/);
  t.regex(mobile, /NOTIFICATION_TIMEOUT_SECONDS/);
  t.regex(mobile, /<value>https:\/\/pf01\.contoso\.com\/PhoneFactorWebServiceSdk\/PfWsSdk\.asmx<\/value>/);
  t.true(existsSync(join(ws.host, 'drive/C/inetpub/wwwroot/PhoneFactor/App_Themes/Contoso/Contoso.css')));
  // The password reached the file, never the output.
  t.false(JSON.stringify(r.events).includes('Winter2014'));
  // MSI logs beside each other on the host.
  t.true(existsSync(join(ws.host, 'drive/C/Windows/Logs/MfaUpgrade/08-install-server.log')));
  // The run waited for the data file conversion before going on.
  t.like((res?.['steps'] as Array<{ id: string }>).find((s) => s.id === '09-wait-conversion'), { status: 'done' });
});

test('with the new vdir names the SDK URL follows the SDK', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  t.is((await upgrade(ws, '--unattended', '--vdir-names', 'new')).code, 5);
  const mobile = readFileSync(join(ws.host, 'drive/C/inetpub/wwwroot/MultiFactorAuthMobileAppWebService/web.config'), 'utf8');
  t.regex(mobile, /<value>https:\/\/pf01\.contoso\.com\/MultiFactorAuthWebServiceSdk\/PfWsSdk\.asmx<\/value>/);
  const inv = await takeInventory(await openImageHost(ws.host));
  t.deepEqual(inv.webComponents.map((w) => w.vdir).sort(), ['MultiFactorAuth', 'MultiFactorAuthMobileAppWebService', 'MultiFactorAuthWebServiceSdk']);
});

test('without a terminal or --unattended, a manual step pauses the run (exit 5); --resume goes on from there', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const paused = await upgrade(ws);
  t.is(paused.code, 5, JSON.stringify(paused.events.filter((e) => e['type'] === 'error' || e['type'] === 'log')));
  t.like(result(paused.events), { outcome: 'paused' });
  t.regex(JSON.stringify(paused.events), /Paused at a manual step: Activate MFA Server/);
  // The portal has not been upgraded yet.
  const mid = await takeInventory(await openImageHost(ws.host));
  t.is(mid.webComponents[0]?.product?.version, '7.0.2.1');
  // The host is half way: a fresh upgrade is refused (the paused run holds the host), naming how to go on.
  const again = await upgrade(ws);
  t.is(again.code, 5);
  t.like(again.events.find((e) => e['type'] === 'error'), { code: 'RUN_PAUSED' });
  t.regex(String(again.events.find((e) => e['type'] === 'error')?.['remedy']), /--resume/);
  const resumed = await runCli(['upgrade', '--host', ws.host, '--backup', ws.work, '--resume', '--json']);
  t.is(resumed.code, 0);
  const after = await takeInventory(await openImageHost(ws.host));
  t.is(after.webComponents[0]?.product?.version, '8.1.1.2');
  t.is(after.webComponents[0]?.vdir, 'MFAPortal');
});

test('another installation holding Windows Installer: retried with backoff, then 1618; --resume after it ends', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  t.teardown(() => sleeper.kill());
  writeFileSync(join(ws.host, 'msiexec.lock'), String(sleeper.pid));
  const busy = await upgrade(ws, '--unattended', '--retry-1618', '3');
  t.is(busy.code, 1618);
  t.is(JSON.stringify(busy.events).match(/another installation is in progress \(1618\); trying again/g)?.length, 2);
  t.like(busy.events.find((e) => e['type'] === 'error'), { code: 'MSI_1618' });
  sleeper.kill();
  await new Promise((r) => sleeper.once('exit', r));
  const resumed = await runCli(['upgrade', '--host', ws.host, '--backup', ws.work, '--resume', '--unattended', '--json']);
  t.is(resumed.code, 5);
  t.is((await takeInventory(await openImageHost(ws.host))).server?.product.version, '8.1.1.2');
});

test('a package failing half-way (1603): the error names its log; --rollback brings the original back, --resume finishes once it is fixed', async (t) => {
  const failing = packagesWith('MultiFactorAuthenticationUserPortalSetup64.msi.json', (m) => {
    m['customActions'] = [{ name: 'ConfigureIisApplication', exitCode: 1603, message: 'The application pool could not be created' }];
  });
  t.teardown(failing.cleanup);
  for (const next of ['rollback', 'resume'] as const) {
    const ws = workspace('phonefactor-5.2');
    t.teardown(ws.cleanup);
    const original = strictHostState(ws.host);
    const r = await runCli(['upgrade', '--host', ws.host, '--packages', failing.dir, '--backup', ws.work, '--unattended', '--json', '--role', 'standalone']);
    t.is(r.code, 1603);
    const err = r.events.find((e) => e['type'] === 'error');
    t.like(err, { code: 'MSI_1603', target: 'C:\\Windows\\Logs\\MfaUpgrade\\12-install-userPortal.log' });
    t.regex(String(err?.['remedy']), /--resume.*--rollback/s);
    t.regex(readFileSync(join(ws.host, 'drive/C/Windows/Logs/MfaUpgrade/12-install-userPortal.log'), 'utf8'), /CustomAction ConfigureIisApplication returned actual error code 1603/);
    if (next === 'rollback') {
      const back = await runCli(['upgrade', '--host', ws.host, '--backup', ws.work, '--rollback', '--json']);
      t.is(back.code, 0);
      // Everything as it was, the converted data file included. Left on purpose: the MSI logs of the
      // run (C:\Windows\Logs\MfaUpgrade) and the log MFA Server's service wrote while it ran,
      // files no package laid down, which Windows Installer leaves as it leaves any such file.
      t.deepEqual(strictHostDifferences(ws.host, original, { ignoreFiles: ['drive/C/Windows/Logs', 'drive/C/Program Files/PhoneFactor/Logs/MultiFactorAuthSvc.log'] }), []);
    } else {
      // The administrator fixes the package (here: the good one) and resumes from the journal.
      cpSync(join(PKG, 'MultiFactorAuthenticationUserPortalSetup64.msi.json'), join(failing.dir, 'MultiFactorAuthenticationUserPortalSetup64.msi.json'));
      const resumed = await runCli(['upgrade', '--host', ws.host, '--backup', ws.work, '--resume', '--unattended', '--json']);
      t.is(resumed.code, 5);
      t.is((await takeInventory(await openImageHost(ws.host))).webComponents.find((w) => w.component === 'userPortal')?.product?.version, '8.1.1.2');
    }
  }
});

test('an install asking for a reboot: the run goes on and exits 3010, which outranks manual steps left to do', async (t) => {
  const reboot = packagesWith('MultiFactorAuthenticationServerSetup64.msi.json', (m) => {
    m['scheduleReboot'] = true;
  });
  t.teardown(reboot.cleanup);
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  const r = await runCli(['upgrade', '--host', ws.host, '--packages', reboot.dir, '--backup', ws.work, '--unattended', '--json', '--role', 'standalone']);
  t.is(r.code, 3010);
  t.like(result(r.events), { outcome: 'completed', rebootRequired: true });
  t.is((await takeInventory(await openImageHost(ws.host))).webComponents[0]?.product?.version, '8.1.1.2');
});

test('--what-if with --resume or --rollback lists what they would do, from the journal', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  await upgrade(ws);
  const resume = await runCli(['upgrade', '--host', ws.host, '--backup', ws.work, '--resume', '--what-if', '--json']);
  t.is(resume.code, 0);
  const steps = (resume.events.find((e) => e['typeName'] === 'MfaUpgrade.PendingSteps')?.['data'] as { steps: Array<{ id: string }> }).steps.map((s) => s.id);
  t.deepEqual(steps, ['05-manual-activate', '06-install-userPortal', '07-merge-config-userPortal', '08-keep-theme']);
  const rollback = await runCli(['upgrade', '--host', ws.host, '--backup', ws.work, '--rollback', '--what-if', '--json']);
  const undo = (rollback.events.find((e) => e['typeName'] === 'MfaUpgrade.PendingSteps')?.['data'] as { steps: Array<{ id: string }> }).steps.map((s) => s.id);
  t.deepEqual(undo, ['03-install-server', '02-install-vcredist-x86']);
});

test('rehearse: the upgrade on a copy of the backup\'s snapshot; neither the host nor the bundle changes', async (t) => {
  const ws = workspace('phonefactor-5.2');
  t.teardown(ws.cleanup);
  const bundle = join(ws.work, 'bundle');
  t.is((await runCli(['backup', '--host', ws.host, '--out', bundle])).code, 0);
  const hostBefore = treeHash(ws.host);
  const bundleBefore = treeHash(bundle);
  const r = await runCli(['rehearse', '--backup', bundle, '--packages', PKG, '--json', '--role', 'standalone']);
  t.is(r.code, 0);
  const rehearsal = r.events.find((e) => e['typeName'] === 'MfaUpgrade.Rehearsal')?.['data'] as { outcome: string; after: { server: { product: { version: string } } } };
  t.is(rehearsal.outcome, 'completed');
  t.is(rehearsal.after.server.product.version, '8.1.1.2');
  t.true(r.events.filter((e) => e['typeName'] === 'MfaUpgrade.WebConfigMerge').length === 2);
  t.deepEqual(treeHash(ws.host), hostBefore);
  t.deepEqual(treeHash(bundle), bundleBefore);
});

test('safe to run twice: the second run finds everything at the packages\' versions and changes nothing (exit 0)', async (t) => {
  const ws = workspace('mfa-7.0');
  t.teardown(ws.cleanup);
  t.is((await upgrade(ws, '--unattended')).code, 5);
  const before = treeHash(ws.host);
  const second = tempDir();
  t.teardown(second.cleanup);
  const again = await runCli(['upgrade', '--host', ws.host, '--packages', PKG, '--backup', second.dir, '--unattended', '--json', '--role', 'standalone']);
  t.is(again.code, 0);
  const plan = again.events.find((e) => e['typeName'] === 'MfaUpgrade.UpgradePlan')?.['data'] as { upToDate: boolean; steps: unknown[] };
  t.true(plan.upToDate);
  t.deepEqual(plan.steps, []);
  t.deepEqual(treeHash(ws.host), before);
  t.deepEqual(readdirSync(second.dir), []);
});
