// The single redaction helper: which names are secrets, and secrets inside ordinary values.
import test from 'ava';
import { isSecretName, MASK, redact, redactEmbedded } from '../../lib/config/redact.js';

test('secret names: SDK passwords, the AD FS adapter password, keys, connection strings', (t) => {
  for (const n of ['WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD', 'WebServiceSdkPassword', 'MasterPassword', 'smtpPwd', 'ClientSecret', 'API_KEY', 'validationKey', 'decryptionKey', 'StorageAccessKey', 'DbConnectionString']) {
    t.true(isSecretName(n), n);
  }
  for (const n of ['USE_WEB_SERVICE_SDK', 'WEB_SERVICE_SDK_AUTHENTICATION_USERNAME', 'SSL_REQUIRED', 'WebServiceSdkUrl', 'WebServiceSdkCertificateThumbprint', 'keyboardLayout', 'LOG_LEVEL']) {
    t.false(isSecretName(n), n);
  }
});

test('redact masks secret values whole, and embedded passwords and URL credentials elsewhere', (t) => {
  t.is(redact('WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD', 'Winter2014!'), MASK);
  t.is(redact('WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD', ''), '', 'an empty secret shows that it is empty');
  t.is(redact('THEME', 'Contoso'), 'Contoso');
  t.is(redact('x', undefined), undefined);
  t.is(redactEmbedded('Server=db;User Id=sa;Password=p@ss w0rd;Encrypt=true'), `Server=db;User Id=sa;Password=${MASK};Encrypt=true`);
  t.is(redactEmbedded('Data Source=x;pwd="a;b"'), `Data Source=x;pwd=${MASK}`);
  t.is(redactEmbedded('https://svc:hunter2@pf01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx'), `https://svc:${MASK}@pf01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx`);
  t.is(redactEmbedded('https://pf01.contoso.com/PfWsSdk.asmx'), 'https://pf01.contoso.com/PfWsSdk.asmx');
});
