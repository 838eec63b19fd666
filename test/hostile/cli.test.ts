// Hostile command lines: an option's value that is another option, numbers out of range or not
// numbers at all, options given twice, single-dash slips, unknown commands and options. Each is
// refused with exit 2 before anything runs (the host is never touched, no folder is created).
import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expectRefusal, workspace } from './harness.js';

interface CliCase {
  name: string;
  argv: (host: string, root: string) => string[];
  message: RegExp;
}

const cases: CliCase[] = [
  // Issue 12.
  { name: 'issue 12: upgrade --backup --what-if (--what-if is not a folder)', argv: (h, r) => ['upgrade', '--host', h, '--packages', 'examples/packages', '--backup', '--what-if', join(r, 'x')], message: /--backup needs a value .* '--what-if' looks like an option; write --backup=--what-if/ },
  { name: 'issue 12: backup --out --json (no bundle named --json)', argv: (h) => ['backup', '--host', h, '--out', '--json'], message: /--out needs a value/ },
  { name: 'issue 12: check --users -1', argv: (h) => ['check', '--host', h, '--users', '-1'], message: /--users needs a value/ },
  { name: 'issue 12: check --users=-1', argv: (h) => ['check', '--host', h, '--users=-1'], message: /--users takes a whole number from 1 to 100000000, not -1/ },
  { name: 'issue 12: upgrade --retry-1618 -5', argv: (h, r) => ['upgrade', '--host', h, '--packages', 'examples/packages', '--backup', join(r, 'b'), '--retry-1618', '-5'], message: /--retry-1618 needs a value/ },
  { name: 'issue 12: upgrade --retry-1618=-5', argv: (h, r) => ['upgrade', '--host', h, '--packages', 'examples/packages', '--backup', join(r, 'b'), '--retry-1618=-5'], message: /--retry-1618 takes a whole number from 1 to 100/ },
  // Our own.
  { name: 'a number in hex', argv: (h) => ['check', '--host', h, '--users', '0x10'], message: /whole number/ },
  { name: 'a number with an exponent', argv: (h) => ['check', '--host', h, '--users', '1e3'], message: /whole number/ },
  { name: 'a fractional user count', argv: (h) => ['check', '--host', h, '--users', '2.5'], message: /whole number/ },
  { name: 'a number with blanks', argv: (h) => ['check', '--host', h, '--users', ' 5'], message: /whole number/ },
  { name: 'an empty number', argv: (h) => ['check', '--host', h, '--users='], message: /--users needs a value/ },
  { name: 'Infinity users', argv: (h) => ['check', '--host', h, '--users', 'Infinity'], message: /whole number/ },
  { name: 'a retry delay of a day', argv: (h, r) => ['upgrade', '--host', h, '--packages', 'examples/packages', '--backup', join(r, 'b'), '--retry-delay', '86400'], message: /from 0 to 3600/ },
  { name: 'zero retries', argv: (h, r) => ['upgrade', '--host', h, '--packages', 'examples/packages', '--backup', join(r, 'b'), '--retry-1618', '0'], message: /from 1 to 100/ },
  { name: 'a value given twice', argv: (h, r) => ['backup', '--host', h, '--out', join(r, 'a'), '--out', join(r, 'b')], message: /--out is given twice/ },
  { name: 'a single-dash option', argv: (h, r) => ['backup', '--host', h, '-out', join(r, 'a')], message: /unknown option -out; did you mean --out\?/ },
  { name: 'a mistyped option', argv: (h, r) => ['backup', '--host', h, '--ot', join(r, 'a')], message: /unknown option --ot; did you mean --out\?/ },
  { name: 'an option of another command', argv: (h) => ['inventory', '--host', h, '--packages', 'x'], message: /unknown option --packages/ },
  { name: 'a flag given a value', argv: (h, r) => ['backup', '--host', h, '--out', join(r, 'a'), '--what-if=yes'], message: /--what-if takes no value/ },
  { name: 'an empty list item', argv: (h, r) => ['restore', join(r, 'b'), '--host', h, '--include', 'web,,themes'], message: /empty item/ },
  { name: 'a positional that looks like an option', argv: (h) => ['verify-backup', '-bundle', '--host', h], message: /unknown option -bundle/ },
  { name: 'an extra positional', argv: (h, r) => ['verify-backup', join(r, 'a'), join(r, 'b')], message: /unexpected argument/ },
  { name: 'a required option missing', argv: (h) => ['backup', '--host', h], message: /--out is required/ },
  { name: 'a digest that is not one', argv: (h, r) => ['verify-backup', join(r, 'x'), '--expect-digest', 'md5:abc'], message: /--expect-digest takes the digest backup printed/ },
];

for (const c of cases) {
  test(`exit 2: ${c.name}`, async (t) => {
    const ws = await workspace('mfa-7.0');
    try {
      await expectRefusal(t, { argv: c.argv(ws.host, ws.root), watch: [ws.host], exit: 2, code: 'USAGE', message: c.message });
      t.deepEqual(readdirSync(ws.root).sort(), ['host'], 'no folder or file was created beside the host');
      t.false(existsSync('--json'));
    } finally {
      ws.cleanup();
    }
  });
}

test('exit 2: an unknown command, with the nearest one', async (t) => {
  const ws = await workspace('mfa-7.0');
  try {
    await expectRefusal(t, { argv: ['upgarde', '--host', ws.host], watch: [ws.host], exit: 2, code: 'USAGE', message: /unknown command 'upgarde'; did you mean 'upgrade'\?/ });
  } finally {
    ws.cleanup();
  }
});
