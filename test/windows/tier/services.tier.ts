// Services: state, start and stop waiting for the state, dependents, deadlines, missing services.
import assert from 'node:assert/strict';
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
    await services.stop('pfsvc', { timeoutMs: 30_000 });
    assert.equal((await services.get('pfsvc'))?.state, 'stopped');
    await services.stop('pfsvc'); // already stopped
    await services.start('pfsvc');
    assert.ok((await services.list()).some((s) => s.name === 'pfsvc' && s.state === 'running'));
    t.note(`start ${t1 - t0} ms, stop ${Date.now() - t1} ms`);
  });
}

export function declareDependentServiceTests(): void {
  test('services: stop takes the running dependents down first; a deadline is kept', async () => {
    const { services } = await host();
    assert.deepEqual((await services.get('MultiFactorAuthAdSync'))?.dependsOn, ['MultiFactorAuth']);
    assert.equal((await services.get('MultiFactorAuth'))?.dependsOn, undefined);
    await services.start('MultiFactorAuth');
    await services.start('MultiFactorAuthAdSync');
    assert.equal((await services.get('MultiFactorAuthAdSync'))?.state, 'running');
    await services.stop('MultiFactorAuth');
    assert.equal((await services.get('MultiFactorAuth'))?.state, 'stopped');
    assert.equal((await services.get('MultiFactorAuthAdSync'))?.state, 'stopped', 'the dependent was stopped');
    await services.start('MultiFactorAuth');
    // The fixture service takes 300 ms to stop: a deadline of 0 ms runs out first.
    const e = await rejectsWith(services.stop('MultiFactorAuth', { timeoutMs: 0 }), (err) => err instanceof MfaError && err['code'] === 'WIN32_1460', 'zero deadline');
    assert.match(String(e['target']), /MultiFactorAuth/);
    await services.stop('MultiFactorAuth');
    assert.equal((await services.get('MultiFactorAuth'))?.state, 'stopped');
  });
}

test('services: a service that does not exist reads as undefined; controlling it fails with 1060', async () => {
  const { services } = await host();
  assert.equal(await services.get('MfaTierNoSuchService'), undefined);
  const e = await rejectsWith(services.start('MfaTierNoSuchService'), (err) => err instanceof MfaError && err['code'] === 'WIN32_1060', 'start a missing service');
  assert.equal(e['target'], 'MfaTierNoSuchService');
  assert.match(String((e as unknown as Error).message), /OpenServiceW failed for MfaTierNoSuchService/);
  assert.ok((await services.list()).length > 0, 'Wine has services of its own');
});
