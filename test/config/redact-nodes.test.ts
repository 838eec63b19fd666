// Which config nodes hold secrets (isSecretNode), the names that end in "key" yet name something,
// and secrets inside XML carried as a value, one case a line with the answer written out here.
import test from 'ava';
import { isSecretName, isSecretNode, MASK, redactEmbedded } from '../../lib/config/redact.js';

test('names ending in "key" that name something are not secrets, judged on the last part of a dotted or colon name only', (t) => {
  for (const n of ['key', 'Keys', 'PrimaryKey', 'foreignKey', 'hotkey', 'RegistryKey', 'monkey', 'keyword', 'app:key', 'settings.RegistryKey']) t.false(isSecretName(n), n);
  // Only the whole last part: a longer name that ends in "key" is still a secret.
  for (const n of ['keyxkey', 'monkeyKey', 'RegistryKey2Key', 'hotkey.signingKey', 'a.b:apikey', 'registrykey.apikey', 'x.monkey.privatekey']) t.true(isSecretName(n), n);
});

test('isSecretNode: a secret element on the path, an element whose key or name names a secret (not the key attribute itself), or a secret attribute', (t) => {
  // <WebServiceSdkPassword><Value>x</Value></WebServiceSdkPassword>
  t.true(isSecretNode(['ConfigurationData', 'WebServiceSdkPassword', 'Value'], [undefined, undefined, undefined]));
  t.true(isSecretNode(['WebServiceSdkPassword'], [undefined]));
  t.false(isSecretNode(['ConfigurationData', 'Server', 'Value'], [undefined, undefined, undefined]));
  // <add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="x"/>: the value is, the key is a name.
  const path = ['configuration', 'appSettings', 'add'];
  const ids = [undefined, undefined, 'WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD'];
  t.true(isSecretNode(path, ids, 'value'));
  t.true(isSecretNode(path, ids));
  t.false(isSecretNode(path, ids, 'key'));
  t.false(isSecretNode(path, ids, 'Name'));
  t.false(isSecretNode(path, ids, 'ID'));
  t.true(isSecretNode(path, ids, 'keyName'), 'an attribute only starting like an identity attribute is a value');
  t.true(isSecretNode(path, ids, 'valuekey'));
  // Only a secret identity counts; undefined identities are skipped.
  t.false(isSecretNode(path, [undefined, undefined, 'THEME'], 'value'));
  t.false(isSecretNode(['a', 'b'], ['LOG_LEVEL', undefined], 'value'));
  t.true(isSecretNode(['a', 'b'], [undefined, 'smtpPwd'], 'value'));
  // A secret attribute name, anywhere.
  t.true(isSecretNode(['machineKey'], [undefined], 'validationKey'));
  t.true(isSecretNode(['connection'], [undefined], 'password'));
  t.false(isSecretNode(['connection'], [undefined], 'user'));
  t.false(isSecretNode(['connection'], [undefined]));
});

test('secrets in XML carried as a value: the element text masked when the element names a secret, its attributes and the rest kept', (t) => {
  const cases: Array<[string, string]> = [
    ['<SdkPassword>x</SdkPassword>', `<SdkPassword>${MASK}</SdkPassword>`],
    ['<a:SdkPassword xmlns:a="u">p w</a:SdkPassword >', `<a:SdkPassword xmlns:a="u">${MASK}</a:SdkPassword >`],
    ['<pwd>1</pwd><user>me</user>', `<pwd>${MASK}</pwd><user>me</user>`],
    ['<password_old>s</password_old>', `<password_old>${MASK}</password_old>`],
    ['<Secret>ab</Secret>', `<Secret>${MASK}</Secret>`],
    ['<SecretName>ab</SecretNameX>', '<SecretName>ab</SecretNameX>'],
    ['<password></password>', '<password></password>'],
    ['<user>password</user>', '<user>password</user>'],
    ['<passwordHint>h</passwordHint><b>x</b>', `<passwordHint>${MASK}</passwordHint><b>x</b>`],
    ['x<mypassword attr=">">v</mypassword>', `x<mypassword attr=">">${MASK}</mypassword>`],
    ["<pwd a='>x<'>secret</pwd>", `<pwd a='>x<'>${MASK}</pwd>`],
    ['<pwd note="two words" b=\'c d\'>secret</pwd>', `<pwd note="two words" b='c d'>${MASK}</pwd>`],
  ];
  for (const [input, want] of cases) t.is(redactEmbedded(input), want, input);
});
