// Services: state, start and stop waiting for the state, dependents, deadlines, missing services.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { MfaError } from '../../../lib/errors.js';
import { host, rejectsWith } from './context.js';
import { test } from './harness.js';

export function declareAgentServiceTests(): void {
  test('services: the agent service installed by its package, started and stopped with waits', async (t) => {
    const { services } = await host();
    const before = await services.get('PFSVC'); // names are case-insensitive
    assert.ok(before, 'pfsvc is registered');
    assert.equal(before.name, 'pfsvc');
    assert.equal(before.displayName, 'PhoneFactor Agent Service');
    assert.equal(before.startType, 'auto');
    assert.match(before.path, /^"?C:\\Program Files\\PhoneFactor\\pfsvc\.exe"?$/i);
    const t0 = Date.now();
    await services.start('pfsvc', { timeoutMs: 30_000 });
    assert.equal((await services.get('pfsvc'))?.state, 'running');
    await services.start('pfsvc'); // already running: nothing to do
    const t1 = Date.now();
    assert.deepEqual(await services.stop('pfsvc', { timeoutMs: 30_000 }), ['pfsvc']);
    assert.equal((await services.get('pfsvc'))?.state, 'stopped');
    assert.deepEqual(await services.stop('pfsvc'), []); // already stopped
    await services.start('pfsvc');
    assert.ok((await services.list()).some((s) => s.name === 'pfsvc' && s.state === 'running'));
    t.note(`start ${t1 - t0} ms, stop ${Date.now() - t1} ms`);
  });
}

export function declareDependentServiceTests(): void {
  test('services: stop returns what it stopped, dependents first; restarted in reverse; a deadline is kept', async () => {
    const { services } = await host();
    assert.deepEqual((await services.get('MultiFactorAuthAdSync'))?.dependsOn, ['MultiFactorAuth']);
    assert.equal((await services.get('MultiFactorAuth'))?.dependsOn, undefined);
    await services.start('MultiFactorAuth');
    await services.start('MultiFactorAuthAdSync');
    assert.equal((await services.get('MultiFactorAuthAdSync'))?.state, 'running');
    const stopped = await services.stop('multifactorauth'); // the caller's case: the SCM's names come back
    assert.deepEqual(stopped, ['MultiFactorAuthAdSync', 'MultiFactorAuth']);
    assert.equal((await services.get('MultiFactorAuth'))?.state, 'stopped');
    assert.equal((await services.get('MultiFactorAuthAdSync'))?.state, 'stopped', 'the dependent was stopped');
    // What the callers do: start again in reverse, and the dependent is back too.
    for (const name of [...stopped].reverse()) await services.start(name);
    assert.equal((await services.get('MultiFactorAuthAdSync'))?.state, 'running', 'the dependent is running again');
    assert.deepEqual(await services.stop('MultiFactorAuthAdSync'), ['MultiFactorAuthAdSync']);
    assert.deepEqual(await services.stop('MultiFactorAuth'), ['MultiFactorAuth'], 'a stopped dependent is not stopped again');
    assert.deepEqual(await services.stop('MultiFactorAuth'), [], 'already stopped');
    await services.start('MultiFactorAuth');
    // The fixture service takes 300 ms to stop: a deadline of 0 ms runs out first.
    const e = await rejectsWith(services.stop('MultiFactorAuth', { timeoutMs: 0 }), (err) => err instanceof MfaError && err['code'] === 'WIN32_1460', 'zero deadline');
    assert.match(String(e['target']), /MultiFactorAuth/);
    await services.stop('MultiFactorAuth');
    assert.equal((await services.get('MultiFactorAuth'))?.state, 'stopped');
  });

  test('services: a service still starting (START_PENDING) is waited for, then stopped', async (t) => {
    const { services } = await host();
    const name = 'MfaTierSlowStart';
    sc(['create', name, 'binpath=', `"${SERVICE_EXE}" --start-delay 2500`, 'start=', 'demand']);
    try {
      sc(['start', name]); // returns while the service says START_PENDING
      const state = (await services.get(name))?.state;
      const stopped = await services.stop(name, { timeoutMs: 30_000 });
      assert.deepEqual(stopped, [name]);
      assert.equal((await services.get(name))?.state, 'stopped');
      t.note(`it was ${state} when the stop was asked for`);
      if (state !== 'start_pending') t.note(`(the start had already finished: ${state})`);
    } finally {
      sc(['delete', name]);
    }
  });

  test('services: the configuration walk (where EnumDependentServicesW says nothing) follows +Group and ends on a cycle', async (t) => {
    const { services, registry, addon } = await host();
    const created = ['MfaTierGroupMember', 'MfaTierGroupUser', 'MfaTierCycleA', 'MfaTierCycleB'];
    sc(['create', 'MfaTierGroupMember', 'binpath=', `"${SERVICE_EXE}"`, 'start=', 'demand', 'group=', 'MfaTierGroup']);
    sc(['create', 'MfaTierGroupUser', 'binpath=', `"${SERVICE_EXE}"`, 'start=', 'demand']);
    sc(['create', 'MfaTierCycleA', 'binpath=', `"${SERVICE_EXE}"`, 'start=', 'demand']);
    sc(['create', 'MfaTierCycleB', 'binpath=', `"${SERVICE_EXE}"`, 'start=', 'demand']);
    try {
      // Written where the service control manager keeps them (Windows refuses a cycle through the API).
      const key = (n: string) => `HKLM\\SYSTEM\\CurrentControlSet\\Services\\${n}`;
      await registry.setValue(key('MfaTierGroupMember'), 'Group', { type: 'REG_SZ', data: 'MfaTierGroup' });
      await registry.setValue(key('MfaTierGroupUser'), 'DependOnGroup', { type: 'REG_MULTI_SZ', data: ['MfaTierGroup'] });
      await registry.setValue(key('MfaTierCycleA'), 'DependOnService', { type: 'REG_MULTI_SZ', data: ['MfaTierCycleB'] });
      await registry.setValue(key('MfaTierCycleB'), 'DependOnService', { type: 'REG_MULTI_SZ', data: ['MfaTierCycleA'] });
      for (const n of created) sc(['start', n]);
      for (const n of created) await waitRunning(n);
      assert.deepEqual(await services.stop('MfaTierGroupMember'), ['MfaTierGroupUser', 'MfaTierGroupMember'], 'the +Group dependent first');
      assert.deepEqual(await services.stop('MfaTierCycleA', { timeoutMs: 30_000 }), ['MfaTierCycleB', 'MfaTierCycleA'], 'the cycle ends');
      t.note(addon.wineVersion() ? 'under Wine: EnumDependentServicesW is a stub, so this was the configuration walk' : 'on Windows: EnumDependentServicesW answered');
    } finally {
      for (const n of created) {
        await services.stop(n).catch(() => undefined);
        sc(['delete', n]);
      }
    }
  });
}

/** The fixture service as the MFA Server 8.1 package installed it. */
const SERVICE_EXE = 'C:\\Program Files\\PhoneFactor\\MultiFactorAuthSvc.exe';

function sc(args: string[]): void {
  const r = spawnSync('sc.exe', args, { stdio: 'ignore', timeout: 60_000 });
  if (r.status !== 0 && args[0] !== 'delete') throw new Error(`sc.exe ${args.join(' ')} failed (exit ${r.status})`);
}

async function waitRunning(name: string): Promise<void> {
  const { services } = await host();
  for (let i = 0; i < 100; i++) {
    if ((await services.get(name))?.state === 'running') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start: ${JSON.stringify(await services.get(name))}`);
}

test('services: a service that does not exist reads as undefined; controlling it fails with 1060', async () => {
  const { services } = await host();
  assert.equal(await services.get('MfaTierNoSuchService'), undefined);
  const e = await rejectsWith(services.start('MfaTierNoSuchService'), (err) => err instanceof MfaError && err['code'] === 'WIN32_1060', 'start a missing service');
  assert.equal(e['target'], 'MfaTierNoSuchService');
  assert.match(String((e as unknown as Error).message), /OpenServiceW failed for MfaTierNoSuchService/);
  assert.ok((await services.list()).length > 0, 'Wine has services of its own');
});
