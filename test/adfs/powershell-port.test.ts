// The PowerShell port's transports on their own: the child-process protocol (runner script,
// response parsing, exit codes and error records mapped to typed errors, PowerShell itself
// failing), the transport choice, and the image host's AD FS cmdlets (binding, refusals).
import test from 'ava';
import { join } from 'node:path';
import { powershellParser } from '../../lib/config/ps/powershell-parser.js';
import { MfaError } from '../../lib/errors.js';
import { ImagePowerShell } from '../../lib/host/image/powershell.js';
import { ChildProcessPowerShell } from '../../lib/host/powershell/child-process.js';
import { errorFromRecord, PowerShellError } from '../../lib/host/powershell/errors.js';
import { openPowerShell } from '../../lib/host/powershell/index.js';
import { outputArray, parseResponse, RESULT_MARKER, RUNNER_SCRIPT } from '../../lib/host/powershell/protocol.js';
import { fakePowerShellExecutable, makeImage } from './helpers/hosts.js';

test('the runner script is valid PowerShell (real grammar) and never embeds the request', async (t) => {
  const tree = (await powershellParser()).parse(RUNNER_SCRIPT);
  t.false(tree?.rootNode.hasError, 'parses without errors');
  t.true(RUNNER_SCRIPT.includes('[Console]::In.ReadToEnd() | ConvertFrom-Json'));
  t.true(RUNNER_SCRIPT.includes('& $request.command @params'));
  t.true(RUNNER_SCRIPT.includes('-Depth 8 -Compress'));
});

test('responses are found after the last marker, whatever the host wrote before', (t) => {
  t.deepEqual(parseResponse(`Restart AD FS\r\nWARNING: x\r\n${RESULT_MARKER}{"ok":true,"output":{"A":1}}\r\n`), { ok: true, output: { A: 1 } });
  t.is(parseResponse('no marker'), undefined);
  t.is(parseResponse(`${RESULT_MARKER}{not json`), undefined);
  t.is(parseResponse(`${RESULT_MARKER}{"output":1}`), undefined, 'needs ok');
  t.deepEqual(outputArray({ A: 1 }), [{ A: 1 }], 'ConvertTo-Json unwraps a single object');
  t.deepEqual(outputArray(null), []);
});

test('error records map to typed errors with the record kept', (t) => {
  const nf = errorFromRecord('Get-AdfsAuthenticationProvider', { message: "The term 'Get-AdfsAuthenticationProvider' is not recognized", fullyQualifiedErrorId: 'CommandNotFoundException', category: 'ObjectNotFound' });
  t.is(nf.code, 'PS_COMMAND_NOT_FOUND');
  t.regex(nf.remedy ?? '', /AD FS server/);
  const other = errorFromRecord('Register-AdfsAuthenticationProvider', { message: 'denied', fullyQualifiedErrorId: 'X,Register-AdfsAuthenticationProvider', category: 'PermissionDenied', targetObject: 'T' });
  t.true(other instanceof PowerShellError);
  t.is(other.code, 'PS_ERROR');
  t.deepEqual(other.record, { message: 'denied', fullyQualifiedErrorId: 'X,Register-AdfsAuthenticationProvider', category: 'PermissionDenied', targetObject: 'T' });
  t.is(other.exitCode, 1603);
});

async function child(dir: string, mode?: string, timeoutMs?: number): Promise<ChildProcessPowerShell> {
  const env: NodeJS.ProcessEnv = { ...process.env, MFA_FAKE_ADFS_IMAGE: dir };
  if (mode) env['MFA_FAKE_PS_MODE'] = mode;
  return new ChildProcessPowerShell({ executable: await fakePowerShellExecutable(), env, ...(timeoutMs ? { timeoutMs } : {}) });
}

test('child process: objects, arrays, errors and missing commands through the protocol', async (t) => {
  const img = makeImage();
  const ps = await child(img.dir, 'noisy');
  t.true(await ps.hasCommand('Get-AdfsAuthenticationProvider'));
  t.false(await ps.hasCommand('Get-Nothing'));
  t.deepEqual(await ps.invoke('Get-AdfsGlobalAuthenticationPolicy'), [{ AdditionalAuthenticationProvider: ['AzureMfaServerAuthentication', 'CertificateAuthentication'] }]);
  const e = await t.throwsAsync(ps.invoke('Unregister-AdfsAuthenticationProvider', { Name: 'AzureMfaServerAuthentication', Confirm: false }));
  t.true(e instanceof PowerShellError);
  t.is((e as PowerShellError).record.fullyQualifiedErrorId, 'AuthenticationProviderInUse,Unregister-AdfsAuthenticationProvider');
  t.is((e as PowerShellError).code, 'PS_ERROR');
  const nf = await t.throwsAsync(ps.invoke('Get-Nothing'));
  t.is((nf as MfaError).code, 'PS_COMMAND_NOT_FOUND');
  const bind = await t.throwsAsync(ps.invoke('Get-AdfsAuthenticationProvider', { Nmae: 'x' }));
  t.regex((bind as PowerShellError).record.fullyQualifiedErrorId ?? '', /^NamedParameterNotFound/);
  img.cleanup();
});

test('child process: PowerShell crashing, answering garbage or hanging, or missing, are typed errors', async (t) => {
  const img = makeImage();
  t.is(((await t.throwsAsync((await child(img.dir, 'crash')).invoke('Get-AdfsGlobalAuthenticationPolicy'))) as MfaError).code, 'PS_HOST_FAILED');
  t.regex(((await t.throwsAsync((await child(img.dir, 'crash')).invoke('Get-AdfsGlobalAuthenticationPolicy'))) as MfaError).message, /exited with code 3.*not recognized/);
  t.is(((await t.throwsAsync((await child(img.dir, 'garbage')).invoke('Get-AdfsGlobalAuthenticationPolicy'))) as MfaError).code, 'PS_HOST_FAILED');
  t.is(((await t.throwsAsync((await child(img.dir, 'hang', 1500)).invoke('Get-AdfsGlobalAuthenticationPolicy'))) as MfaError).code, 'PS_TIMEOUT');
  const missing = new ChildProcessPowerShell({ executable: join(img.dir, 'no-such-powershell') });
  t.is(((await t.throwsAsync(missing.invoke('Get-AdfsGlobalAuthenticationPolicy'))) as MfaError).code, 'PS_NOT_FOUND');
  img.cleanup();
});

test('transport choice: edge-js only when present, the child process otherwise, with the reason', (t) => {
  const off = openPowerShell({ env: { ...process.env, MFA_UPGRADE_EDGE_JS: 'off' } });
  t.is(off.transport, 'child-process');
  t.regex(off.fallbackReason ?? '', /off/);
  const missing = openPowerShell({ env: { ...process.env, MFA_UPGRADE_EDGE_JS: '/nonexistent/edge-js' } });
  t.is(missing.transport, 'child-process');
  t.regex(missing.fallbackReason ?? '', /could not be loaded/);
  t.is(openPowerShell({ transport: 'child', env: {} }).transport, 'child-process');
  t.throws(() => openPowerShell({ transport: 'edge', env: { MFA_UPGRADE_EDGE_JS: 'off' } }), { message: /edge-js transport was asked for/ });
  t.throws(() => openPowerShell({ env: { MFA_UPGRADE_POWERSHELL_TRANSPORT: 'wmi' } }), { message: /auto, edge or child/ });
});

test('image host cmdlets: AD FS refusals and parameter binding as PowerShell would', async (t) => {
  const img = makeImage();
  const ps = new ImagePowerShell(join(img.dir, 'adfs.json'));
  const code = async (p: Promise<unknown>) => ((await t.throwsAsync(p)) as PowerShellError).record.fullyQualifiedErrorId?.split(',')[0];
  t.is(await code(ps.invoke('Register-AdfsAuthenticationProvider', { TypeName: 'a.b, c', Name: 'azuremfaserverauthentication' })), 'AuthenticationProviderAlreadyExists');
  t.is(await code(ps.invoke('Register-AdfsAuthenticationProvider', { TypeName: 'no-assembly', Name: 'X' })), 'InvalidTypeName');
  t.is(await code(ps.invoke('Register-AdfsAuthenticationProvider', { TypeName: 'a.b, c', Name: 'X', ConfigurationFilePath: 'C:\\missing.config' })), 'FileNotFound');
  t.is(await code(ps.invoke('Unregister-AdfsAuthenticationProvider', { Name: 'FormsAuthentication' })), 'BuiltInAuthenticationProvider');
  t.is(await code(ps.invoke('Set-AdfsGlobalAuthenticationPolicy', { AdditionalAuthenticationProvider: ['Nope'] })), 'AuthenticationProviderNotFound');
  t.is(await code(ps.invoke('Export-AdfsAuthenticationProviderConfigurationData', { Name: 'AzureMfaServerAuthentication' })), 'MissingMandatoryParameter');
  t.is(await code(ps.invoke('Set-AdfsGlobalAuthenticationPolicy', { AdditionalAuthenticationProvider: [1] })), 'ParameterArgumentTransformationError');
  // Import replaces the stored configuration data; a single string binds to String[].
  await ps.invoke('Import-AdfsAuthenticationProviderConfigurationData', { Name: 'AzureMfaServerAuthentication', FilePath: 'C:\\new\\MultiFactorAuthenticationAdfsAdapter.config' });
  await ps.invoke('Export-AdfsAuthenticationProviderConfigurationData', { Name: 'AzureMfaServerAuthentication', FilePath: 'C:\\out\\x.config' });
  const { readFileSync } = await import('node:fs');
  t.deepEqual(readFileSync(join(img.dir, 'drive/C/out/x.config')), readFileSync(join(img.dir, 'drive/C/new/MultiFactorAuthenticationAdfsAdapter.config')));
  await ps.invoke('Set-AdfsGlobalAuthenticationPolicy', { AdditionalAuthenticationProvider: 'certificateauthentication' });
  t.deepEqual(await ps.invoke('Get-AdfsGlobalAuthenticationPolicy'), [{ AdditionalAuthenticationProvider: ['CertificateAuthentication'] }]);
  img.cleanup();
});
