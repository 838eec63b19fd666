// One table of AD FS adapter upgrade scenarios, run the same way through every transport
// (image host cmdlets, child process + fake powershell, edge-js + fake runspace on Mono). Each
// run gives a plain, comparable result: the outcome, the AD FS cmdlet calls in order as the fake
// received them (and adfssrv restarts), and the farm's state afterwards.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MfaError } from '../../../lib/errors.js';
import { SILENT_REPORTER } from '../../../lib/reporting/reporter.js';
import { runAdfsUpgrade, type AdfsUpgradeOptions } from '../../../lib/adfs/upgrade.js';
import type { RecordedCall } from '../../../lib/host/image/powershell.js';
import { ADAPTER_PACKAGE, editAdfs, NEW_CONFIG, readAdfs, type TestHost } from './hosts.js';

export const OLD_TYPE = 'pfadfs.AuthenticationAdapter, MultiFactorAuthAdfsAdapter, Version=8.0.0.3, Culture=neutral, PublicKeyToken=31bf3856ad364e35';
export const NEW_TYPE = 'pfadfs.AuthenticationAdapter, MultiFactorAuthAdfsAdapter, Version=8.1.1.2, Culture=neutral, PublicKeyToken=31bf3856ad364e35';
export const V63_TYPE = 'pfadfs.AuthenticationAdapter, MultiFactorAuthAdfsAdapter, Version=6.3.0.17452, Culture=neutral, PublicKeyToken=31bf3856ad364e35';
export const ADAPTER = 'AzureMfaServerAuthentication';
export const EXPORT = 'C:\\ProgramData\\mfa-upgrade\\adfs\\AzureMfaServerAuthentication.export.config';
export const SECRET = 'Spring2023!adfs';

export const REGISTERED_CONFIG = `<?xml version="1.0" encoding="utf-8"?>
<ConfigurationData>
  <UseWebServiceSdk>true</UseWebServiceSdk>
  <WebServiceSdkUrl>https://mfa02.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx</WebServiceSdkUrl>
  <WebServiceSdkUsername>CONTOSO\\svc-registered</WebServiceSdkUsername>
  <WebServiceSdkPassword>Registered#Secret1</WebServiceSdkPassword>
  <WebServiceSdkCertificateThumbprint></WebServiceSdkCertificateThumbprint>
</ConfigurationData>
`;

export interface ScenarioOutcome {
  outcome: string;
  calls: string[];
  providers: string[];
  policy: string[];
  /** SHA-256 of C:\new and the install folder's files, to show what was changed or put back. */
  files: Record<string, string>;
  /** The farm's state file as the scenario left it: 'readable', 'absent', or why it is not. */
  stateFile: string;
  withoutAdapter?: boolean;
  carriedSource?: string;
  registeredConfigHas?: string[];
}

export interface Scenario {
  name: string;
  setup?(dir: string): void;
  /** One or more invocations (a farm in halves stops at manual or remote steps). */
  runs: AdfsUpgradeOptions[];
  /** Local node name override (host.json computerName). */
  node?: string;
}

const base: AdfsUpgradeOptions = { config: NEW_CONFIG };

export const SCENARIOS: Scenario[] = [
  { name: 'upgrade', runs: [base] },
  {
    name: 'registered-config',
    setup: (dir) => editAdfs(dir, (s) => void ((s.providers.find((p) => p.name === ADAPTER) as { configurationData?: string }).configurationData = Buffer.from(REGISTERED_CONFIG).toString('base64'))),
    runs: [base],
  },
  {
    name: 'other-providers',
    setup: (dir) =>
      editAdfs(dir, (s) => {
        s.providers.push({ name: 'ContosoOtp', typeName: 'Contoso.Otp.Adapter, Contoso.Otp, Version=2.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef' });
        s.globalPolicy.additionalAuthenticationProvider = ['CertificateAuthentication', ADAPTER, 'ContosoOtp'];
      }),
    runs: [base],
  },
  {
    name: 'old-name',
    setup: (dir) =>
      editAdfs(dir, (s) => {
        const p = s.providers.find((x) => x.name === ADAPTER) as { name: string; typeName: string };
        p.name = 'WindowsAzureMultiFactorAuthentication';
        p.typeName = V63_TYPE;
        s.globalPolicy.additionalAuthenticationProvider = ['WindowsAzureMultiFactorAuthentication'];
      }),
    runs: [base],
  },
  { name: 'register-fails', setup: (dir) => editAdfs(dir, (s) => void (s.faults = [{ command: 'Register-AdfsAuthenticationProvider', typeNameContains: 'Version=8.1.1.2', message: 'Could not load type pfadfs.AuthenticationAdapter from the GAC.', fullyQualifiedErrorId: 'TypeLoadFailed', category: 'InvalidData' }])), runs: [base] },
  {
    // The old adapter was registered with configuration data: a rollback must register it again with that data (the export).
    name: 'register-fails-with-config',
    setup: (dir) =>
      editAdfs(dir, (s) => {
        (s.providers.find((p) => p.name === ADAPTER) as { configurationData?: string }).configurationData = Buffer.from(REGISTERED_CONFIG).toString('base64');
        s.faults = [{ command: 'Register-AdfsAuthenticationProvider', typeNameContains: 'Version=8.1.1.2', message: 'Could not load type pfadfs.AuthenticationAdapter from the GAC.', fullyQualifiedErrorId: 'TypeLoadFailed', category: 'InvalidData' }];
      }),
    runs: [base],
  },
  { name: 'register-fails-half-way', setup: (dir) => editAdfs(dir, (s) => void (s.faults = [{ command: 'Register-AdfsAuthenticationProvider', typeNameContains: 'Version=8.1.1.2', message: 'The configuration database did not answer.', when: 'after' }])), runs: [base] },
  { name: 'unregister-fails', setup: (dir) => editAdfs(dir, (s) => void (s.faults = [{ command: 'Unregister-AdfsAuthenticationProvider', message: 'Access denied.', category: 'PermissionDenied' }])), runs: [base] },
  { name: 'not-adfs', setup: (dir) => rmSync(join(dir, 'adfs.json')), runs: [base] },
  {
    name: 'not-registered',
    setup: (dir) =>
      editAdfs(dir, (s) => {
        s.providers = s.providers.filter((p) => p.name !== ADAPTER);
        s.globalPolicy.additionalAuthenticationProvider = ['CertificateAuthentication'];
      }),
    runs: [base],
  },
  { name: 'both-registered', setup: (dir) => editAdfs(dir, (s) => void s.providers.push({ name: 'WindowsAzureMultiFactorAuthentication', typeName: V63_TYPE })), runs: [base] },
  { name: 'malformed-config', setup: (dir) => writeFileSync(join(dir, 'drive/C/new/MultiFactorAuthenticationAdfsAdapter.config'), '<ConfigurationData><UseWebServiceSdk>false</UseWebServiceSdk>\n<WebServiceSdkUrl>\n'), runs: [base] },
  {
    name: 'script-without-command',
    setup: (dir) => writeFileSync(join(dir, 'drive/C/new/Register-MultiFactorAuthenticationAdfsAdapter.ps1'), '# Register-AdfsAuthenticationProvider is mentioned in a comment only\nWrite-Host "nothing to register"\n'),
    runs: [base],
  },
  {
    name: 'two-halves',
    runs: [
      { ...base, servers: ['ADFS01', 'ADFS02'], package: ADAPTER_PACKAGE },
      { ...base, servers: ['ADFS01', 'ADFS02'], package: ADAPTER_PACKAGE, from: 'farm/install@ADFS01' },
      { ...base, servers: ['ADFS01', 'ADFS02'], package: ADAPTER_PACKAGE, from: 'farm/policy-add' },
    ],
  },
];

function hashTree(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = join(rel, e.name);
    if (e.isDirectory()) Object.assign(out, hashTree(dir, p));
    else if (statSync(join(dir, p)).isFile()) out[p] = createHash('sha256').update(readFileSync(join(dir, p))).digest('hex').slice(0, 12);
  }
  return out;
}

export function formatCall(c: RecordedCall): string {
  return `${c.command} ${JSON.stringify(c.parameters)}`;
}

/**
 * The new adapter product installed (procedure.md §3.7 b), as an administrator does before a run
 * without --package: a farm of one is refused otherwise, and no node leaves the policy without it.
 */
export function preinstallNewAdapter(dir: string): void {
  const file = join(dir, 'products.json');
  const products = JSON.parse(readFileSync(file, 'utf8')) as Array<Record<string, unknown>>;
  products.push({ productCode: '{6C9E2B4D-0A1F-4D3B-8E5C-7F2A9D1B3C46}', upgradeCode: '{C1E3B5D7-2F4A-4E6C-8B0D-4A6C8E0F2B14}', name: 'Multi-Factor Authentication AD FS Adapter', version: '8.1.1.2', publisher: 'Microsoft Corporation', installLocation: 'C:\\Program Files\\Multi-Factor Authentication Server\\', context: 'machine' });
  writeFileSync(file, JSON.stringify(products.filter((p) => p['version'] !== '8.0.0.3' || !/AD FS Adapter/.test(String(p['name']))), null, 2));
}

/** Runs a scenario's invocations on a prepared image through a host made by `open`. */
export async function runScenario(s: Scenario, dir: string, open: (dir: string) => Promise<TestHost>): Promise<ScenarioOutcome> {
  // Runs without --package install nothing: the administrator installed the new adapter first.
  if (s.runs.length && s.runs.every((r) => r.package === undefined)) preinstallNewAdapter(dir);
  s.setup?.(dir);
  const t = await open(dir);
  const outcomes: string[] = [];
  let withoutAdapter: boolean | undefined;
  let carriedSource: string | undefined;
  let clock = 1_700_000_000_000;
  for (const options of s.runs) {
    try {
      const r = await runAdfsUpgrade(t.host, options, SILENT_REPORTER, () => (clock += 1500));
      outcomes.push(r.failure ? `${r.status}:${r.failure.step}:${r.failure.code ?? ''}` : r.next ? `${r.status}:${r.next.id}` : r.status);
      if (r.withoutAdapterSeconds !== undefined) withoutAdapter = r.withoutAdapterSeconds > 0;
      if (r.carried) carriedSource = r.carried.source;
    } catch (e) {
      outcomes.push(`error:${e instanceof MfaError ? e.code : String(e)}`);
    }
  }
  let providers: string[] = [];
  let policy: string[] = [];
  let registeredConfigHas: string[] | undefined;
  const stateFile = checkStateFile(dir);
  if (stateFile === 'readable') {
    const state = readAdfs(dir);
    providers = state.providers.map((p) => `${p.name}|${p.typeName}${p.configurationData ? '|data' : ''}`);
    policy = state.globalPolicy.additionalAuthenticationProvider;
    const mfa = state.providers.find((p) => /AzureMfaServer|WindowsAzureMulti/.test(p.name));
    if (mfa?.configurationData) {
      const text = Buffer.from(mfa.configurationData, 'base64').toString('utf8');
      registeredConfigHas = ['mfa01', 'mfa02', 'svc-mfasdk', 'svc-registered', 'TimeoutSeconds'].filter((k) => text.includes(k));
    }
  }
  const files = { ...hashTree(join(dir, 'drive/C/new')), ...prefixed('install/', hashTree(join(dir, 'drive/C/Program Files/Multi-Factor Authentication Server'))) };
  return {
    outcome: outcomes.join(' ; '),
    calls: t.calls().map(formatCall),
    providers,
    policy,
    files,
    stateFile,
    ...(withoutAdapter !== undefined ? { withoutAdapter } : {}),
    ...(carriedSource ? { carriedSource } : {}),
    ...(registeredConfigHas ? { registeredConfigHas } : {}),
  };
}

/**
 * Whether the AD FS state file the scenario left is one AD FS could load: JSON, every provider
 * named and typed once, the policy a list of names each of which is registered (AD FS refuses a
 * policy naming an unknown provider). Checked on the scenario's own folder, before it is removed.
 */
function checkStateFile(dir: string): string {
  let text: string;
  try {
    text = readFileSync(join(dir, 'adfs.json'), 'utf8');
  } catch {
    return 'absent';
  }
  try {
    const state = JSON.parse(text) as { providers?: unknown; globalPolicy?: { additionalAuthenticationProvider?: unknown } };
    if (!Array.isArray(state.providers)) return 'unreadable: providers is not a list';
    const names = new Set<string>();
    for (const p of state.providers as Array<Record<string, unknown>>) {
      if (typeof p['name'] !== 'string' || typeof p['typeName'] !== 'string') return 'unreadable: a provider without name or typeName';
      if (names.has(p['name'].toLowerCase())) return `unreadable: provider ${p['name']} registered twice`;
      names.add(p['name'].toLowerCase());
    }
    const list = state.globalPolicy?.additionalAuthenticationProvider;
    if (!Array.isArray(list) || list.some((n) => typeof n !== 'string')) return 'unreadable: the global policy is not a list of names';
    const unknown = (list as string[]).filter((n) => !names.has(n.toLowerCase()));
    if (unknown.length) return `unreadable: the global policy names unregistered ${unknown.join(', ')}`;
    return 'readable';
  } catch (e) {
    return `unreadable: ${(e as Error).message}`;
  }
}

function prefixed(prefix: string, o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [prefix + k, v]));
}
