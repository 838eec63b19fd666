// The report's second net under the merge's masking: secrets in config text shown in a diff are
// masked wherever they stand, and what is not secret is left as it is.
import test from 'ava';
import { MASK } from '../../lib/config/redact.js';
import { alignHunk, renderDiffTable } from '../../lib/report/diff-view.js';
import { maskConfigLines, maskConfigText } from '../../lib/report/mask.js';

const SECRET = 'S3cr3t-Planted!';

test('an unchanged password on the same line as a changed value (a one-line web.config) is masked', (t) => {
  const line = `<appSettings><add key="LOG_LEVEL" value="Warning" /><add key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${SECRET}" /></appSettings>`;
  const masked = maskConfigText(line);
  t.false(masked.includes(SECRET));
  t.true(masked.includes('value="Warning"'), 'other values stay');
  t.true(masked.includes(`key="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" value="${MASK}"`));
});

test('attribute order, single quotes and an empty password', (t) => {
  t.is(maskConfigText(`<add value='${SECRET}' key='SdkPassword'/>`), `<add value='${MASK}' key='SdkPassword'/>`);
  t.is(maskConfigText('<add key="WebServiceSdkPassword" value="" />'), '<add key="WebServiceSdkPassword" value="" />', 'empty stays empty (an approver should see it is unset)');
});

test('attributes named like secrets (machineKey keys, connection strings, password=) are masked; key and name are not', (t) => {
  const m = maskConfigText(`<machineKey validationKey="${SECRET}" decryptionKey="${SECRET}" validation="SHA1" /><add name="db" connectionString="Server=x;Password=${SECRET}" /><identity impersonate="true" userName="u" password="${SECRET}" />`);
  t.false(m.includes(SECRET));
  t.true(m.includes('validation="SHA1"') && m.includes('name="db"') && m.includes('userName="u"'));
});

test('an applicationSettings password whose <value> is on another line than its <setting>', (t) => {
  const lines = ['<setting name="WEB_SERVICE_SDK_AUTHENTICATION_PASSWORD" serializeAs="String">', `  <value>${SECRET}</value>`, '</setting>', '<setting name="LOG_LEVEL" serializeAs="String">', '  <value>Info</value>', '</setting>'];
  const masked = maskConfigLines(lines);
  t.is(masked.length, lines.length);
  t.false(masked.join('\n').includes(SECRET));
  t.is(masked[4], '  <value>Info</value>');
});

test('a <value> cut off at the end of a block is masked to its end', (t) => {
  t.false(maskConfigText(`<setting name="ApiKey"><value>${SECRET}`).includes(SECRET));
});

test('secrets embedded in ordinary values: Password= in a string, user:pass@ in a URL', (t) => {
  const m = maskConfigText(`<add key="Conn" value="Data Source=x;User ID=u;Password=${SECRET};" /><add key="Url" value="https://svc:${SECRET}@sdk.contoso.com/x" />`);
  t.false(m.includes(SECRET));
  t.true(m.includes('https://svc:'));
});

test('the diff table masks both sides even when the producer passed the secret through', (t) => {
  const hunk = { line: 3, before: [`<add key="SdkPassword" value="${SECRET}" /><add key="A" value="1" />`], after: [`<add key="SdkPassword" value="${SECRET}x" /><add key="A" value="2" />`] };
  const rows = alignHunk(hunk);
  t.deepEqual(rows.map((r) => r.kind), ['changed']);
  const html = renderDiffTable([hunk], 'c', 'b', 'a').html;
  t.false(html.includes(SECRET));
  t.regex(html, /<del>1<\/del>/);
});

test('alignment: equal lines side by side, a removed run paired with the added run after it, extra lines one-sided', (t) => {
  const rows = alignHunk({ line: 10, before: ['a', 'b', 'c', 'd'], after: ['a', 'B', 'C', 'X', 'd'] });
  t.deepEqual(
    rows.map((r) => [r.kind, r.line ?? null, r.before ?? null, r.after ?? null]),
    [
      ['same', 10, 'a', 'a'],
      ['changed', 11, 'b', 'B'],
      ['changed', 12, 'c', 'C'],
      ['added', null, null, 'X'],
      ['same', 13, 'd', 'd'],
    ],
  );
});
