// Produces every kind of report the way an administrator would: the built bundle
// (dist/mfa-upgrade.cjs) run on temporary copies of the sample hosts, with a secret planted in
// each copy's web.configs and AD FS adapter config (a fresh random value the report must never show).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SECTIONS = {
  plan: ['summary', 'readiness', 'plan', 'config'],
  fleet: ['summary', 'fleet'],
  run: ['summary', 'run', 'readiness', 'plan', 'config'],
  pending: ['summary', 'run', 'readiness', 'plan'],
  adfs: ['summary', 'adfs'],
};

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Replaces every password value in a host copy's web.configs and adapter config with `secret`. */
function plantSecret(hostDir, secret) {
  let planted = 0;
  for (const file of walk(join(hostDir, 'drive'))) {
    if (!/web\.config$|AdfsAdapter\.config$/i.test(file)) continue;
    const text = readFileSync(file, 'utf8');
    const next = text
      .replace(/(key="[^"]*PASSWORD[^"]*"\s+value=")[^"]*(")/gi, (_m, a, b) => `${a}${secret}${b}`)
      .replace(/(<WebServiceSdkPassword>)[^<]*(<\/WebServiceSdkPassword>)/gi, (_m, a, b) => `${a}${secret}${b}`);
    if (next !== text) {
      writeFileSync(file, next);
      planted++;
    }
  }
  return planted;
}

export function produceReports(root, work) {
  const cli = join(root, 'dist', 'mfa-upgrade.cjs');
  const packages = join(root, 'examples', 'packages');
  const out = join(work, 'reports');
  mkdirSync(out, { recursive: true });
  const secrets = ['Winter2014!sdk', 'Spring2023!adfs'];
  const reports = [];
  const run = (name, kind, args, okCodes) => {
    const file = join(out, `${name}.html`);
    const r = spawnSync(process.execPath, [cli, ...args, '--report', file], { encoding: 'utf8' });
    if (!okCodes.includes(r.status)) throw new Error(`${name}: mfa-upgrade ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
    statSync(file);
    reports.push({ name, kind, file, sections: SECTIONS[kind], exitCode: r.status });
  };
  const copy = (sample, as) => {
    const dir = join(work, 'hosts', as);
    cpSync(join(root, 'examples', 'hosts', sample), dir, { recursive: true });
    const secret = `Planted-${randomBytes(6).toString('hex')}`;
    if (plantSecret(dir, secret) > 0) secrets.push(secret);
    return dir;
  };

  for (const sample of readdirSync(join(root, 'examples', 'hosts'))) {
    run(`plan-${sample}`, 'plan', ['plan', '--host', copy(sample, `plan-${sample}`), '--packages', packages], [0, 7]);
  }
  run('fleet-contoso', 'fleet', ['plan', '--fleet', join(root, 'examples', 'fleets', 'contoso.json'), '--packages', packages], [0]);

  const pf = copy('phonefactor-5.2', 'PF01');
  const backup = join(work, 'upgrade-PF01');
  run('upgrade-what-if', 'plan', ['upgrade', '--host', pf, '--packages', packages, '--backup', backup, '--role', 'standalone', '--what-if'], [0]);
  // An unattended run needs the server's replication role (PF01 has no others).
  run('upgrade', 'run', ['upgrade', '--host', pf, '--packages', packages, '--backup', backup, '--unattended', '--role', 'standalone'], [0, 5, 3010]);
  const bundle = join(backup, 'backup', readdirSync(join(backup, 'backup'))[0]);
  run('rehearse', 'run', ['rehearse', '--backup', bundle, '--packages', packages, '--role', 'standalone'], [0, 5, 3010]);
  run('rollback-what-if', 'pending', ['upgrade', '--host', pf, '--backup', backup, '--rollback', '--what-if'], [0]);
  run('rollback', 'run', ['upgrade', '--host', pf, '--backup', backup, '--rollback'], [0, 3010]);

  const adfs = copy('mfa-8.0-adfs', 'ADFS01');
  mkdirSync(join(adfs, 'drive', 'C', 'new'), { recursive: true });
  for (const f of ['MultiFactorAuthenticationAdfsAdapter.config', 'Register-MultiFactorAuthenticationAdfsAdapter.ps1']) cpSync(join(packages, 'payload', 'adfs', f), join(adfs, 'drive', 'C', 'new', f));
  const config = 'C:\\new\\MultiFactorAuthenticationAdfsAdapter.config';
  run('adfs-what-if-farm', 'adfs', ['adfs-upgrade', '--host', adfs, '--config', config, '--servers', 'ADFS01,ADFS02,ADFS03', '--what-if'], [0]);
  // A farm of one installs the new adapter itself (without --package it is refused).
  run('adfs-upgrade', 'adfs', ['adfs-upgrade', '--host', adfs, '--config', config, '--package', join(packages, 'MultiFactorAuthenticationAdfsAdapterSetup64.msi.json')], [0]);
  return { reports, secrets };
}
