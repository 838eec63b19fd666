// Is the upgrade healthy? Checked on the machine as it is now, held to what the upgrade planned
// and what its backup found (its journal and bundle, --backup) or to the packages' versions
// (--packages): products at the target versions, MFA Server's services running with their start
// types, InstallPath unchanged and the data file where the backup found it, the data file
// converted, each web component's IIS application with a web.config that loads and holds what
// was carried, each SDK URL leading to an SDK application on this host, and each component
// answering an HTTP(S) request through the Network port.
import { isAbsolute, resolve } from 'node:path';
import { openState } from '../engine/engine.js';
import type { JournalState } from '../engine/journal.js';
import type { Host, IisSite } from '../host/ports.js';
import { MFA_SERVICES, takeInventory } from '../inventory/take-inventory.js';
import type { ComponentKind, Inventory } from '../inventory/types.js';
import { readWebConfigSettings } from '../config/webconfig/settings.js';
import { loadXmlDocument } from '../config/xml/document.js';
import type { BackupAccess } from '../upgrade/backup-access.js';
import { readPackages, type KnownPackage } from '../upgrade/packages.js';
import { COMPONENT_LABEL } from '../upgrade/plan-builder.js';
import type { UpgradePlan } from '../upgrade/plan-types.js';
import { journalPathOf, type UpgradeSpec } from '../upgrade/run-upgrade.js';
import { carryFromBackup, stillToCarry } from '../upgrade/steps/merge-config.js';
import { physicalPathOf } from '../upgrade/steps/locate.js';
import { dataFileProblem, installPathProblem } from '../upgrade/steps/server-placement.js';
import { compareVersions } from '../util/version.js';
import { joinWindowsPath } from '../util/winpath.js';
import { componentUrl, describeAnswer, healthyAnswer } from './component-url.js';
import type { HealthCheck } from './types.js';

export interface VerifyUpgradeOptions {
  /** The upgrade's folder (its journal and backup bundle). */
  workDir?: string;
  /** The packages the upgrade used: the target versions, when there is no journal. */
  packagesDir?: string;
  backup?: BackupAccess;
  /** Ask each component over HTTP(S) (default true, where the host has a Network port). */
  http?: boolean;
  httpTimeoutMs?: number;
}

export interface UpgradeHealth {
  computerName: string;
  /** What the checks were held to. */
  against: string;
  checks: HealthCheck[];
  healthy: boolean;
}

interface Facts {
  host: Host;
  inventory: Inventory;
  plan?: UpgradePlan;
  state?: JournalState;
  bundle?: string;
  packages?: KnownPackage[];
}

const pass = (id: string, title: string, evidence: string): HealthCheck => ({ id, title, status: 'pass', evidence });
const fail = (id: string, title: string, evidence: string, remedy: string): HealthCheck => ({ id, title, status: 'fail', evidence, remedy });
const warn = (id: string, title: string, evidence: string, remedy: string): HealthCheck => ({ id, title, status: 'warn', evidence, remedy });

function productsCheck(f: Facts): HealthCheck {
  const title = 'Products at the target versions';
  const installed = f.inventory.familyProducts;
  const wrong: string[] = [];
  const good: string[] = [];
  if (f.plan) {
    for (const s of f.plan.steps) {
      if (s.kind !== 'install' || s.role === 'vcredist') continue;
      const p = installed.find((x) => x.productCode.toUpperCase() === s.productCode.toUpperCase());
      if (p?.version === s.version) good.push(`${p.name} ${p.version}`);
      else wrong.push(`${s.name} ${s.version} ${p ? `is at ${p.version}` : 'is not installed'}`);
    }
  } else if (f.packages) {
    for (const p of installed) {
      if (p.role === 'unknown' || p.role === 'adfsAdapter') continue;
      const pkg = [...f.packages].filter((k) => k.role === p.role).sort((a, b) => compareVersions(b.identity.version, a.identity.version))[0];
      if (!pkg) continue;
      if (compareVersions(p.version, pkg.identity.version) === 0) good.push(`${p.name} ${p.version}`);
      else wrong.push(`${p.name} is at ${p.version}, the packages bring ${pkg.identity.version}`);
    }
  } else return warn('products', title, 'neither the upgrade\'s journal nor the packages were given, so the target versions are not known', 'Pass --backup <the upgrade\'s folder> or --packages <dir>.');
  if (wrong.length) return fail('products', title, wrong.join('; '), 'Run the upgrade again with --resume (or plan again): the journal says which step did not finish.');
  return pass('products', title, good.length ? good.join(', ') : 'no MFA product was to be upgraded');
}

async function servicesCheck(f: Facts): Promise<HealthCheck> {
  const title = 'MFA Server services running, with their start types';
  if (!f.inventory.server) return pass('services', title, 'no MFA Server on this host');
  const list = await f.host.services.list();
  const problems: string[] = [];
  const seen: string[] = [];
  for (const name of MFA_SERVICES) {
    const s = list.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!s) {
      if (name === 'MultiFactorAuth') problems.push(`${name} is not installed`);
      continue;
    }
    seen.push(`${s.name} ${s.state} (${s.startType})`);
    if (s.startType === 'disabled') problems.push(`${s.name} is disabled`);
    if (name === 'MultiFactorAuth' && s.state !== 'running') problems.push(`${s.name} is ${s.state}`);
    if (name === 'MultiFactorAuth' && s.startType !== 'auto') problems.push(`${s.name} starts ${s.startType}, not automatically`);
  }
  // What ran before the upgrade (its journal recorded it) runs again.
  for (const name of f.state?.running ?? []) {
    if (!MFA_SERVICES.some((n) => n.toLowerCase() === name.toLowerCase())) continue;
    const s = list.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (s && s.state !== 'running' && !problems.some((p) => p.startsWith(s.name))) problems.push(`${s.name} ran before the upgrade and is ${s.state} now`);
  }
  if (problems.length) return fail('services', title, `${problems.join('; ')} (found: ${seen.join(', ') || 'none'})`, 'Read <install folder>\\Logs\\MultiFactorAuthSvc.log, then Start-Service MultiFactorAuth; Set-Service MultiFactorAuth -StartupType Automatic. Do not restart it while it converts the data file.');
  return pass('services', title, seen.join(', '));
}

async function placementCheck(f: Facts): Promise<HealthCheck> {
  const title = 'MFA Server in its old folder, with the data file the backup found';
  const server = f.inventory.server;
  if (!server) return pass('placement', title, 'no MFA Server on this host');
  const before = f.plan?.server?.installPath;
  const data = f.state?.data['dataFile'] as { path: string; size: number } | undefined;
  if (!before && !data) {
    if (!server.dataFile.exists) return fail('placement', title, `the data file ${server.dataFile.path} is missing`, 'Restore it from the backup bundle (mfa-upgrade restore).');
    return warn('placement', title, `InstallPath ${server.installPath ?? '(none)'}; data file ${server.dataFile.path} (${server.dataFile.size} bytes); without the upgrade's journal they are not compared with what was found before`, 'Pass --backup <the upgrade\'s folder>.');
  }
  const problems = [...(before ? [await installPathProblem(f.host, before)] : []), ...(data ? [await dataFileProblem(f.host, data)] : [])].filter((p) => p !== undefined);
  if (problems.length) return fail('placement', title, problems.map((p) => p?.what).join('; '), problems[0]?.remedy ?? '');
  return pass('placement', title, `InstallPath ${server.installPath ?? before ?? ''} as before; data file ${data?.path ?? server.dataFile.path} (${server.dataFile.size ?? '?'} bytes, ${data?.size ?? '?'} when backed up)`);
}

function conversionCheck(f: Facts): HealthCheck | undefined {
  const wait = f.plan?.steps.find((s) => s.kind === 'wait-conversion');
  if (!wait || !f.state) return undefined;
  const title = 'Data file converted by the new version';
  const d = f.state.stepData.get(wait.id) ?? {};
  const c = d['converted'] as { from: number; to: number; file: string } | undefined;
  if (c) return pass('conversion', title, `the service logged the conversion from ${c.from} to ${c.to} (${c.file})`);
  if (d['confirmedBy']) return warn('conversion', title, 'the wait timed out and a person confirmed the conversion', 'Check MultiFactorAuthSvc.log for "Completed performing tasks to upgrade from <n> to <m>".');
  return fail('conversion', title, `the upgrade did not see the conversion finish (its step ${wait.id} is ${f.state.phases.get(wait.id) ?? 'not run'})`, 'Run the upgrade again with --resume; do not restart MultiFactorAuth while it converts.');
}

async function siteOf(host: Host, name: string): Promise<IisSite | undefined> {
  return (await host.iis.sites()).find((s) => s.name.toLowerCase() === name.toLowerCase());
}

/** Each web component: its IIS application, its web.config loading and holding what was carried, its answer over HTTP. */
async function componentChecks(f: Facts, o: VerifyUpgradeOptions): Promise<HealthCheck[]> {
  const out: HealthCheck[] = [];
  const expected = new Map<ComponentKind, { site: string; vdir: string }>();
  for (const s of f.plan?.steps ?? []) if (s.kind === 'install' && s.component && s.placement?.site && s.placement.vdir) expected.set(s.component, { site: s.placement.site, vdir: s.placement.vdir });
  for (const w of f.inventory.webComponents) if (!expected.has(w.component)) expected.set(w.component, { site: w.site, vdir: w.vdir });
  for (const [kind, at] of expected) {
    const label = COMPONENT_LABEL[kind];
    const id = `iis-${kind}`;
    const title = `${label}: IIS application ${at.site}/${at.vdir} with a web.config that loads`;
    const folder = await physicalPathOf(f.host, at.site, at.vdir, '');
    if (folder === '') {
      out.push(fail(id, title, `IIS serves no application ${at.site}/${at.vdir}`, `Reinstall the ${label} (upgrade --resume, or its installer with the same vdir), then verify again.`));
      continue;
    }
    const config = joinWindowsPath(folder, 'web.config');
    let loads = true;
    try {
      if (await f.host.files.stat(config)) readWebConfigSettings(loadXmlDocument(await f.host.files.readFile(config), config, 'web.config'));
      out.push(pass(id, title, `${at.site}/${at.vdir} -> ${folder}`));
    } catch (e) {
      loads = false;
      out.push(fail(id, title, `${config} does not load: ${e instanceof Error ? e.message : String(e)}`, 'Restore it from the backup bundle (mfa-upgrade restore --include web) or fix it, then carry the settings again with merge-config.'));
    }
    const merge = f.plan?.steps.find((s) => s.kind === 'merge-config' && s.component === kind);
    if (loads && merge && merge.kind === 'merge-config' && f.bundle && o.backup) {
      const mid = `carried-${kind}`;
      const mtitle = `${label}: web.config holds the carried settings`;
      try {
        const { outcome } = await carryFromBackup(merge, f.host, o.backup, f.bundle, config);
        const missing = [...outcome.report.changes.map((c) => c.key), ...outcome.report.elements.entries.filter((e) => e.action === 'carried').map((e) => e.path)];
        if (stillToCarry(outcome)) out.push(fail(mid, mtitle, `${config} lacks what the upgrade carried: ${missing.join(', ')}`, `Carry them again: mfa-upgrade merge-config --old <the backed-up web.config> --new ${config} (or upgrade --resume).`));
        else out.push(pass(mid, mtitle, `every setting carried from ${merge.original} is in ${config}${outcome.report.leftToDo.length ? `; left to a person: ${outcome.report.leftToDo.map((l) => l.title).join('; ')}` : ''}`));
      } catch (e) {
        out.push(warn(mid, mtitle, `could not be compared with the backup: ${e instanceof Error ? e.message : String(e)}`, 'Check the bundle with mfa-upgrade verify-backup.'));
      }
    }
    if (o.http !== false && f.host.network) {
      const site = await siteOf(f.host, at.site);
      const url = site ? componentUrl(site, at.vdir, kind) : undefined;
      const hid = `http-${kind}`;
      const htitle = `${label} answers over HTTP(S)`;
      if (!url) out.push(warn(hid, htitle, `site ${at.site} has no http or https binding`, 'Check the site bindings in IIS Manager.'));
      else {
        const r = await f.host.network.httpProbe(url, o.httpTimeoutMs ?? 10_000);
        if (healthyAnswer(r)) out.push(pass(hid, htitle, `${url}: ${describeAnswer(r)}`));
        else out.push(fail(hid, htitle, `${url}: ${describeAnswer(r)}`, r.status !== undefined && r.status >= 500 ? `The application fails: read the Application event log and ${config} (recycle its application pool after fixing it).` : 'Check that the site is started and the application exists (IIS Manager), then verify again.'));
      }
    }
  }
  return out;
}

/** SDK URLs that lead to this host must lead to an SDK application that exists here. */
async function sdkUrlChecks(f: Facts): Promise<HealthCheck[]> {
  const out: HealthCheck[] = [];
  const sites = await f.host.iis.sites();
  const me = f.inventory.host.computerName.toLowerCase();
  for (const w of f.inventory.webComponents) {
    if (!w.sdkUrl) continue;
    const id = `sdk-url-${w.component}`;
    const title = `${COMPONENT_LABEL[w.component]}: the SDK URL leads to the Web Service SDK`;
    if (w.useWebServiceSdk === false) {
      out.push(pass(id, title, `not used: USE_WEB_SERVICE_SDK is false in ${w.webConfigPath} (${w.sdkUrl})`));
      continue;
    }
    let u: URL;
    try {
      u = new URL(w.sdkUrl);
    } catch {
      out.push(fail(id, title, `${w.sdkUrlSetting ?? 'the SDK URL'} is not a URL: ${w.sdkUrl}`, 'Correct it in the web.config (the setting ending in _pfwssdk_PfWsSdk).'));
      continue;
    }
    const hostName = u.hostname.toLowerCase();
    const bound = (s: IisSite) => s.bindings.some((b) => b.protocol.toLowerCase() === u.protocol.replace(':', '') && Number(b.bindingInformation.split(':')[1]) === Number(u.port || (u.protocol === 'https:' ? 443 : 80)));
    const local = hostName === 'localhost' || hostName === '127.0.0.1' || hostName === me || hostName.startsWith(`${me}.`) || sites.some((s) => s.bindings.some((b) => b.bindingInformation.split(':')[2]?.toLowerCase() === hostName));
    if (!local) {
      out.push(pass(id, title, `${w.sdkUrl} is on another server: not checked here (verify-upgrade there)`));
      continue;
    }
    const site = sites.find(bound);
    if (!site) {
      out.push(warn(id, title, `${w.sdkUrl}: no IIS site here listens on ${u.protocol}//:${u.port || (u.protocol === 'https:' ? 443 : 80)}, so it is not an IIS application of this host`, 'Check that the URL is the one the SDK answers on (mfa-upgrade inventory shows the SDK\'s site and vdir).'));
      continue;
    }
    const segments = decodeURIComponent(u.pathname).split('/').filter(Boolean);
    const vdir = segments.length > 1 ? segments.slice(0, -1).join('/') : '';
    const sdk = f.inventory.webComponents.find((c) => c.component === 'webServiceSdk' && c.site.toLowerCase() === site.name.toLowerCase() && c.vdir.toLowerCase() === vdir.toLowerCase());
    if (sdk) out.push(pass(id, title, `${w.sdkUrl} -> ${sdk.site}/${sdk.vdir} (${sdk.physicalPath})`));
    else out.push(fail(id, title, `${w.sdkUrl} leads to ${site.name}/${vdir || '(root)'}, where this host has no Web Service SDK`, `Point ${w.sdkUrlSetting ?? 'the SDK URL setting'} in ${w.webConfigPath} at the SDK's vdir (mfa-upgrade inventory shows it), e.g. with merge-config --sdk-vdir OLD=NEW.`));
  }
  return out;
}

export async function verifyUpgrade(host: Host, o: VerifyUpgradeOptions): Promise<UpgradeHealth> {
  const f: Facts = { host, inventory: await takeInventory(host) };
  const against: string[] = [];
  if (o.workDir !== undefined) {
    f.state = openState(journalPathOf(o.workDir));
    f.plan = (f.state.begin.spec as UpgradeSpec).plan;
    const b = f.state.data['bundle'];
    if (typeof b === 'string') f.bundle = isAbsolute(b) ? b : resolve(o.workDir, b);
    against.push(`the upgrade journal ${journalPathOf(o.workDir)} (run ${f.state.begin.runId})`);
  }
  if (o.packagesDir !== undefined && !f.plan) {
    f.packages = await readPackages(host, o.packagesDir);
    against.push(`the packages in ${o.packagesDir}`);
  }
  const checks: HealthCheck[] = [productsCheck(f), await servicesCheck(f), await placementCheck(f)];
  const conversion = conversionCheck(f);
  if (conversion) checks.push(conversion);
  checks.push(...(await componentChecks(f, o)), ...(await sdkUrlChecks(f)));
  return { computerName: f.inventory.host.computerName, against: against.join('; ') || 'the machine alone (no journal, no packages)', checks, healthy: !checks.some((c) => c.status === 'fail') };
}
