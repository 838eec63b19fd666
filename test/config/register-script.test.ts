// The register-script patch on a real PowerShell parse.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { MfaError } from '../../lib/errors.js';
import { patchRegisterScript, psSingleQuoted } from '../../lib/config/ps/register-patch.js';
import { powershellParser } from '../../lib/config/ps/powershell-parser.js';

const PATH = 'C:\\ADFS\\MultiFactorAuthenticationAdfsAdapter.config';
const ARG = `-ConfigurationFilePath '${PATH}'`;
const fixture = (name: string) => ({ bytes: readFileSync(`test/fixtures/config/${name}`), file: name });
const inline = (text: string) => ({ bytes: Buffer.from(text, 'utf8'), file: 'inline.ps1' });

async function patched(input: { bytes: Buffer; file: string }, path = PATH): Promise<string> {
  return (await patchRegisterScript(input, path)).bytes.toString('utf8');
}

test('plain script: the parameter goes at the end of the command; BOM and CRLF kept', async (t) => {
  const input = fixture('register-plain.ps1');
  const r = await patchRegisterScript(input, PATH);
  t.deepEqual(r.report.commands, [{ line: 4, action: 'added' }]);
  const expected = input.bytes.toString('utf8').replace('-Name "AzureMfaServerAuthentication"\r\n', `-Name "AzureMfaServerAuthentication" ${ARG}\r\n`);
  t.is(r.bytes.toString('utf8'), expected);
  t.deepEqual([...r.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
});

test('backtick continuations: added after the last argument, before the trailing comment', async (t) => {
  const s = await patched(fixture('register-backtick.ps1'));
  t.true(s.includes(`    -Name $Name ${ARG} # the name shown in the AD FS policy\r\n`));
  t.true(s.includes('Register-AdfsAuthenticationProvider `\r\n    -TypeName $typeName `\r\n'));
});

test('splatting: the explicit parameter is added; a ConfigurationFilePath in the splatted table is replaced there', async (t) => {
  const a = await patched(fixture('register-splat.ps1'));
  t.true(a.includes(`Register-AdfsAuthenticationProvider @registration -ErrorAction Stop ${ARG} | Out-Null\n`));
  t.true(a.includes('  Register-AdfsAuthenticationProvider -TypeName $typeName -Name WindowsAzureMultiFactorAuthentication\n#>'), 'the block comment is untouched');
  const r = await patchRegisterScript(fixture('register-splat-with-path.ps1'), PATH);
  t.is(r.report.commands[0]?.action, 'replaced-in-splat');
  const b = r.bytes.toString('utf8');
  t.true(b.includes(`    ConfigurationFilePath = '${PATH}'\r\n`));
  t.true(b.includes('Register-AdfsAuthenticationProvider @registration\r\n'));
});

test('an existing -ConfigurationFilePath has its value replaced (also abbreviated or colon-bound)', async (t) => {
  const r = await patchRegisterScript(fixture('register-existing-path.ps1'), PATH);
  t.deepEqual(r.report.commands, [{ line: 2, action: 'replaced', previous: '"C:\\old\\MultiFactorAuthenticationAdfsAdapter.config"' }]);
  t.true(r.bytes.toString().includes(`-ConfigurationFilePath '${PATH}' -Verbose`));
  t.is(await patched(inline('Register-AdfsAuthenticationProvider -Config $old -Name n')), `Register-AdfsAuthenticationProvider -Config '${PATH}' -Name n`);
  t.is(await patched(inline('Register-AdfsAuthenticationProvider -ConfigurationFilePath:$old -Name n')), `Register-AdfsAuthenticationProvider -ConfigurationFilePath:'${PATH}' -Name n`);
  t.is(await patched(inline('Register-AdfsAuthenticationProvider -Name n -ConfigurationFilePath')), `Register-AdfsAuthenticationProvider -Name n -ConfigurationFilePath '${PATH}'`);
  // -Confi could be -Confirm: not taken for the path.
  t.is(await patched(inline('Register-AdfsAuthenticationProvider -Name n -Confi:$false')), `Register-AdfsAuthenticationProvider -Name n -Confi:$false ${ARG}`);
});

test('here-strings and comments that mention the command are not commands; UTF-16 script kept UTF-16', async (t) => {
  const input = fixture('register-herestring.ps1');
  const r = await patchRegisterScript(input, PATH);
  t.deepEqual(r.report.commands, [{ line: 7, action: 'added' }]);
  t.deepEqual([...r.bytes.subarray(0, 2)], [0xff, 0xfe]);
  const s = r.bytes.subarray(2).toString('utf16le');
  t.true(s.includes('Register-AdfsAuthenticationProvider -TypeName <type> -Name <name>\r\n"@'), 'the here-string is untouched');
  t.true(s.includes(`-Name "AzureMfaServerAuthentication" ${ARG}\r\n}`));
});

test('patching twice equals patching once; every registration in the script is patched; module-qualified names count', async (t) => {
  for (const f of ['register-plain.ps1', 'register-backtick.ps1', 'register-splat.ps1', 'register-splat-with-path.ps1', 'register-existing-path.ps1', 'register-herestring.ps1']) {
    const once = await patchRegisterScript(fixture(f), PATH);
    const twice = await patchRegisterScript({ bytes: once.bytes, file: f }, PATH);
    t.true(twice.bytes.equals(once.bytes), f);
    t.false(twice.report.changed, f);
  }
  const two = await patchRegisterScript(inline('if ($v7) {\n  ADFS\\Register-AdfsAuthenticationProvider -Name A\n} else {\n  register-adfsauthenticationprovider -Name B\n}\n'), PATH);
  t.deepEqual(two.report.commands.map((c) => [c.line, c.action]), [[2, 'added'], [4, 'added']]);
});

test('paths with quotes are written as literal single-quoted strings', async (t) => {
  t.is(psSingleQuoted("C:\\O'Brien\\a.config"), "'C:\\O''Brien\\a.config'");
  t.is(psSingleQuoted('C:\\$env:x\\`n.config'), "'C:\\$env:x\\`n.config'");
  const s = await patched(inline('Register-AdfsAuthenticationProvider -Name n'), "C:\\O'Brien\\a.config");
  const parser = await powershellParser();
  const tree = parser.parse(s);
  t.false(tree?.rootNode.hasError);
  t.true(s.endsWith("-ConfigurationFilePath 'C:\\O''Brien\\a.config'"));
});

test('a script without the command gets a clear error and no output', async (t) => {
  const err = await t.throwsAsync(patchRegisterScript(fixture('unregister.ps1'), PATH), { instanceOf: MfaError });
  t.is(err?.code, 'PS_NO_REGISTER_COMMAND');
  t.is(err?.target, 'unregister.ps1');
  t.regex(err?.remedy ?? '', /-ConfigurationFilePath/);
  const empty = await t.throwsAsync(patchRegisterScript(inline(''), PATH), { instanceOf: MfaError });
  t.is(empty?.code, 'FILE_EMPTY');
});
