// The bad-input corpus: each input is refused with an error naming the file and the problem
// (and the line when there is one), through the pure merge and through the command, which then
// writes nothing.
import test from 'ava';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MfaError } from '../../lib/errors.js';
import { mergeWebConfig } from '../../lib/config/webconfig/merge.js';
import { compareAdapterConfigs } from '../../lib/config/adfs/adapter-config.js';
import { parseArgs } from '../../lib/cli/args.js';
import { mergeConfigSpec } from '../../lib/cli/commands/merge-config.spec.js';
import { run as runMerge } from '../../lib/cli/commands/merge-config.js';
import { Output } from '../../lib/cli/output.js';
import { tempDir } from '../helpers/temp-host.js';
import { NEVER_CANCELLED } from '../../lib/util/cancel.js';

const GOOD = readFileSync('test/fixtures/config/userportal-mfa-8.0.web.config');

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE configuration [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol9 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<configuration><appSettings><add key="A" value="&lol9;" /></appSettings></configuration>`;

const cases: { name: string; bytes: Buffer; code: string; message: RegExp; line?: number }[] = [
  { name: 'malformed.config', bytes: Buffer.from('<configuration>\n  <appSettings>\n    <add key="A" value="1">\n  </appSettings>\n</configuration>'), code: 'XML_MALFORMED', message: /malformed XML/, line: 4 },
  { name: 'billion-laughs.config', bytes: Buffer.from(billionLaughs), code: 'XML_DOCTYPE', message: /declares entities.*not expanded/, line: 2 },
  { name: 'external-entity.config', bytes: Buffer.from('<?xml version="1.0"?>\n<!DOCTYPE configuration SYSTEM "http://attacker.example/evil.dtd">\n<configuration />'), code: 'XML_DOCTYPE', message: /external DTD/, line: 2 },
  { name: 'external-entity-in-subset.config', bytes: Buffer.from('<!DOCTYPE c [<!ENTITY x SYSTEM "file:///c:/windows/win.ini">]>\n<configuration>&x;</configuration>'), code: 'XML_DOCTYPE', message: /entities/, line: 1 },
  { name: 'huge.config', bytes: Buffer.concat([Buffer.from('<configuration><!--'), Buffer.alloc(5 * 1024 * 1024, 0x20), Buffer.from('--></configuration>')]), code: 'FILE_TOO_LARGE', message: /5\.0 MB/ },
  { name: 'empty.config', bytes: Buffer.alloc(0), code: 'FILE_EMPTY', message: /empty/ },
  { name: 'blank.config', bytes: Buffer.from('\r\n  \r\n'), code: 'FILE_EMPTY', message: /white space/ },
  { name: 'not-a-webconfig.xml', bytes: Buffer.from('<?xml version="1.0"?>\r\n<Project Sdk="Microsoft.NET.Sdk">\r\n</Project>\r\n'), code: 'XML_NOT_CONFIG', message: /not a web\.config.*<Project>/, line: 2 },
  { name: 'not-xml.config', bytes: Buffer.from('USE_WEB_SERVICE_SDK=true\n'), code: 'XML_MALFORMED', message: /malformed XML/ },
  { name: 'utf16-truncated.config', bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<configuration/>', 'utf16le').subarray(0, 9)]), code: 'TEXT_ENCODING', message: /odd number of bytes/ },
  { name: 'bad-utf8.config', bytes: Buffer.concat([Buffer.from('<configuration>\n<appSettings><add key="A" value="caf'), Buffer.from([0xe9]), Buffer.from('" /></appSettings></configuration>')]), code: 'TEXT_ENCODING', message: /not valid UTF-8/, line: 2 },
  { name: 'declares-utf16-no-bom.config', bytes: Buffer.from('<?xml version="1.0" encoding="utf-16"?><configuration/>'), code: 'TEXT_ENCODING', message: /no UTF-16 byte order mark/ },
  { name: 'shift-jis.config', bytes: Buffer.from('<?xml version="1.0" encoding="shift_jis"?><configuration/>'), code: 'TEXT_ENCODING', message: /shift_jis/ },
  { name: 'unknown-entity.config', bytes: Buffer.from('<configuration>\n<appSettings>\n<add key="A" value="&nbsp;" /></appSettings></configuration>'), code: 'XML_MALFORMED', message: /attribute value of <add>: an unknown entity reference/, line: 3 },
  { name: 'duplicate-section.config', bytes: Buffer.from('<configuration>\n<appSettings />\n<appSettings />\n</configuration>'), code: 'WEBCONFIG_DUPLICATE_SECTION', message: /second time/, line: 3 },
];

for (const c of cases) {
  for (const side of ['old', 'new'] as const) {
    test(`bad input ${c.name} as the ${side} file: ${c.code}`, (t) => {
      const bad = { bytes: c.bytes, file: c.name };
      const good = { bytes: GOOD, file: 'good.config' };
      const err = t.throws(() => (side === 'old' ? mergeWebConfig(bad, good) : mergeWebConfig(good, bad)), { instanceOf: MfaError }) as MfaError;
      t.is(err.code, c.code);
      t.is(err.target, c.name);
      t.regex(err.message, c.message);
      if (c.line !== undefined) t.is(err.line, c.line);
      t.truthy(err.remedy);
      t.is(err.exitCode, 3);
    });
  }
}

test('billion laughs is refused at once, nothing expanded', (t) => {
  const t0 = process.hrtime.bigint();
  t.throws(() => mergeWebConfig({ bytes: Buffer.from(billionLaughs), file: 'x' }, { bytes: GOOD, file: 'y' }));
  // Expanding lol9 would build 10^9 characters; refusing takes well under a second.
  t.true(Number(process.hrtime.bigint() - t0) / 1e6 < 1000);
});

test('a UTF-16 web.config is read, merged and written back as UTF-16', (t) => {
  const u16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD.toString('utf8').replace(/^\uFEFF/, '').replace('encoding="utf-8"', 'encoding="utf-16"'), 'utf16le')]);
  const old = readFileSync('test/fixtures/config/userportal-phonefactor-5.2.web.config');
  const r = mergeWebConfig({ bytes: old, file: 'old' }, { bytes: u16, file: 'new-utf16' });
  t.deepEqual(r.report.format, { encoding: 'utf-16le', bom: true, eol: '\r\n' });
  t.deepEqual([...r.bytes.subarray(0, 2)], [0xff, 0xfe]);
  t.true(r.bytes.subarray(2).toString('utf16le').includes('<add key="USE_WEB_SERVICE_SDK" value="true" />'));
});

test('the AD FS compare refuses a file that is not an adapter config', (t) => {
  const adapter = readFileSync('test/fixtures/config/adfs-adapter-8.0.config');
  const err = t.throws(() => compareAdapterConfigs({ bytes: GOOD, file: 'web.config' }, { bytes: adapter, file: 'a.config' }), { instanceOf: MfaError }) as MfaError;
  t.is(err.code, 'ADFS_NOT_ADAPTER_CONFIG');
  t.is(err.target, 'web.config');
});

function capture(): { out: Output; text: () => string } {
  let s = '';
  return { out: new Output({ json: true, verbose: false, write: (x) => (s += x), writeErr: (x) => (s += x) }), text: () => s };
}

for (const c of cases.filter((x) => ['billion-laughs.config', 'malformed.config', 'huge.config', 'empty.config'].includes(x.name))) {
  test(`merge-config command: ${c.name} gets its error and nothing is written`, async (t) => {
    const tmp = tempDir();
    t.teardown(tmp.cleanup);
    const oldPath = join(tmp.dir, 'old.config');
    const newPath = join(tmp.dir, 'web.config');
    writeFileSync(oldPath, c.bytes);
    writeFileSync(newPath, GOOD);
    const before = statSync(newPath).mtimeMs;
    const { out } = capture();
    const err = await t.throwsAsync(runMerge({ args: parseArgs(mergeConfigSpec, ['--old', oldPath, '--new', newPath]), out, cancel: NEVER_CANCELLED }), { instanceOf: MfaError });
    t.is(err?.code, c.code);
    t.is(err?.target, oldPath);
    t.true(readFileSync(newPath).equals(GOOD));
    t.is(statSync(newPath).mtimeMs, before);
  });
}
