// Redaction against literal expectations (never the code's own MASK constant), including the
// spellings a mutation of lib/config/redact.ts let through: spaces around "=", quoted values
// holding the separator, and the mask itself being something that hides.
import test from 'ava';
import { redact, redactEmbedded } from '../../lib/config/redact.js';

test('the mask is eight asterisks: never empty, never the value', (t) => {
  t.is(redact('WebServiceSdkPassword', 'Spring2023!adfs'), '********');
  t.is(redact('WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD', 'x'), '********');
});

test('embedded passwords with spaces around "=" are masked', (t) => {
  t.is(redactEmbedded('Server=db; Password = hunter2; Encrypt=true'), 'Server=db; Password = ********; Encrypt=true');
  t.is(redactEmbedded('pwd\t=\thunter2'), 'pwd\t=\t********');
});

test('a quoted embedded password holding the separator is masked whole, in either quote', (t) => {
  t.is(redactEmbedded("Data Source=x;pwd='se;cret';Encrypt=true"), 'Data Source=x;pwd=********;Encrypt=true');
  t.is(redactEmbedded('Data Source=x;Password="se;cr\'et";Encrypt=true'), 'Data Source=x;Password=********;Encrypt=true');
  for (const v of ["pwd='se;cret'", 'Password="se;cr\'et"']) t.false(redactEmbedded(v).includes('cret'), v);
});
