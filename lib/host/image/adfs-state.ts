// The AD FS farm state model behind every fake of the AD FS cmdlets: the image host's
// PowerShell port (adfs.json), the fake `powershell` executable and the C# fake runspace for
// Mono (test/fakes/adfs/) all run the cmdlets through runAdfsCmdlet, so they behave alike.
//
// What is modelled (the facts the AD FS adapter upgrade depends on): the farm's authentication
// providers with their type names and configuration data, the global policy's additional
// providers, parameter binding (unknown or missing parameters are refused, as PowerShell does),
// and the refusals AD FS makes: registering a name twice, unregistering a provider the global
// policy still names, naming an unregistered provider in the policy, a missing configuration
// file. Error ids are this model's own (the real ones are not documented); see docs/adfs.md.
import { badInput } from '../../errors.js';
import type { PowerShellErrorRecord } from '../ports.js';

export interface AdfsProviderState {
  name: string;
  adminName?: string;
  /** Assembly-qualified type name, as given to Register-AdfsAuthenticationProvider -TypeName. */
  typeName: string;
  /** The configuration data AD FS stores for the provider (from -ConfigurationFilePath), base64. */
  configurationData?: string;
}

/**
 * A failure to inject (rehearsals and tests): the next matching call fails. `when: 'before'`
 * (default) fails before anything changes; `'after'` makes the change and then fails, as a
 * registration that failed half-way.
 */
export interface AdfsFault {
  command: string;
  /** Only calls whose -Name is this (case-insensitive). */
  name?: string;
  /** Only calls whose -TypeName contains this. */
  typeNameContains?: string;
  message: string;
  fullyQualifiedErrorId?: string;
  category?: string;
  when?: 'before' | 'after';
  /** How many calls fail (default 1); the fault is dropped after that. */
  times?: number;
}

/** An entry of an event log (Get-WinEvent): the AD FS Admin log of this server. */
export interface AdfsEventState {
  logName: string;
  /** 2 is Error, as Windows numbers event levels. */
  level: number;
  /** ISO time. */
  timeCreated: string;
  providerName: string;
  message: string;
  id?: number;
}

export interface AdfsState {
  farmName?: string;
  providers: AdfsProviderState[];
  /**
   * What the adapter assemblies installed on the server report about themselves, by type name:
   * AD FS takes a registered provider's AdminName from its assembly, so registering a type again
   * (a rollback re-registering the old adapter) brings the same AdminName back.
   */
  adapterTypes?: Record<string, { adminName: string }>;
  globalPolicy: { additionalAuthenticationProvider: string[] };
  faults?: AdfsFault[];
  /** Get-AdfsSyncProperties: this node's role in a WID farm (PrimaryComputer when absent, as a farm of one is). */
  sync?: { role: string; primaryComputerName?: string };
  /** The event logs Get-WinEvent reads. */
  events?: AdfsEventState[];
  /**
   * Entries AD FS writes when a provider is registered (a registration whose adapter then fails to
   * load): appended, stamped with the time of the registration, when its name (or any) registers.
   */
  registerEvents?: Array<Omit<AdfsEventState, 'timeCreated'> & { name?: string }>;
}

/** File access for -FilePath / -ConfigurationFilePath (Windows paths on the AD FS server). */
export interface AdfsFileAccess {
  readFile(path: string): Promise<Buffer | undefined>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
}

/** A cmdlet's terminating error, as a fake raises it. */
export class AdfsCmdletFailure extends Error {
  constructor(readonly record: PowerShellErrorRecord) {
    super(record.message);
    this.name = 'AdfsCmdletFailure';
  }
}

type ParamType = 'string' | 'string[]' | 'switch' | 'int';
interface CmdletDef {
  name: string;
  params: Record<string, { type: ParamType; mandatory?: boolean }>;
  changes: boolean;
}

const CONFIRM = { Confirm: { type: 'switch' as const }, WhatIf: { type: 'switch' as const } };
const COMMON = { ErrorAction: { type: 'string' as const }, Verbose: { type: 'switch' as const } };

const CMDLETS: CmdletDef[] = [
  { name: 'Get-AdfsAuthenticationProvider', changes: false, params: { Name: { type: 'string' } } },
  { name: 'Get-AdfsGlobalAuthenticationPolicy', changes: false, params: {} },
  { name: 'Set-AdfsGlobalAuthenticationPolicy', changes: true, params: { AdditionalAuthenticationProvider: { type: 'string[]' }, ...CONFIRM } },
  { name: 'Export-AdfsAuthenticationProviderConfigurationData', changes: true, params: { Name: { type: 'string', mandatory: true }, FilePath: { type: 'string', mandatory: true }, ...CONFIRM } },
  { name: 'Import-AdfsAuthenticationProviderConfigurationData', changes: true, params: { Name: { type: 'string', mandatory: true }, FilePath: { type: 'string', mandatory: true }, ...CONFIRM } },
  { name: 'Register-AdfsAuthenticationProvider', changes: true, params: { Name: { type: 'string', mandatory: true }, TypeName: { type: 'string', mandatory: true }, ConfigurationFilePath: { type: 'string' } } },
  { name: 'Unregister-AdfsAuthenticationProvider', changes: true, params: { Name: { type: 'string', mandatory: true }, ...CONFIRM } },
  { name: 'Get-AdfsSyncProperties', changes: false, params: {} },
  { name: 'Get-WinEvent', changes: false, params: { LogName: { type: 'string', mandatory: true }, FilterXPath: { type: 'string' }, MaxEvents: { type: 'int' } } },
];
const BY_LOWER = new Map(CMDLETS.map((c) => [c.name.toLowerCase(), c]));

/** The AD FS cmdlets the model knows (canonical spelling). */
export const ADFS_CMDLET_NAMES: readonly string[] = CMDLETS.map((c) => c.name);

export function adfsCmdlet(name: string): { name: string; changes: boolean } | undefined {
  const def = BY_LOWER.get(name.toLowerCase());
  return def && { name: def.name, changes: def.changes };
}

/** Built-in providers (forms, certificate, Windows, device, Azure MFA) cannot be unregistered. */
function isBuiltIn(p: AdfsProviderState): boolean {
  return /^Microsoft\.IdentityServer\./i.test(p.typeName);
}

function fail(id: string, cmdlet: string, category: string, message: string, target?: string): never {
  const record: PowerShellErrorRecord = { message, fullyQualifiedErrorId: `${id},${cmdlet}`, category };
  if (target !== undefined) record.targetObject = target;
  throw new AdfsCmdletFailure(record);
}

function bind(def: CmdletDef, given: Record<string, unknown>): Record<string, unknown> {
  const bound: Record<string, unknown> = {};
  const known: CmdletDef['params'] = { ...def.params, ...COMMON };
  for (const [raw, value] of Object.entries(given)) {
    const entry = Object.entries(known).find(([k]) => k.toLowerCase() === raw.toLowerCase());
    if (!entry) fail('NamedParameterNotFound', def.name, 'InvalidArgument', `A parameter cannot be found that matches parameter name '${raw}'.`, raw);
    const [name, spec] = entry;
    const isList = spec.type === 'string[]';
    const ok =
      spec.type === 'string' ? typeof value === 'string'
      : spec.type === 'switch' ? typeof value === 'boolean'
      : spec.type === 'int' ? Number.isInteger(value)
      : typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!ok) fail('ParameterArgumentTransformationError', def.name, 'InvalidData', `Cannot process argument transformation on parameter '${name}': expected ${spec.type}, got ${JSON.stringify(value)}.`, name);
    bound[name] = isList && typeof value === 'string' ? [value] : value;
  }
  for (const [name, spec] of Object.entries(def.params)) {
    if (spec.mandatory && (bound[name] === undefined || bound[name] === '')) {
      fail('MissingMandatoryParameter', def.name, 'InvalidArgument', `Cannot process command because of one or more missing mandatory parameters: ${name}.`, name);
    }
  }
  return bound;
}

function findProvider(state: AdfsState, name: string): AdfsProviderState | undefined {
  return state.providers.find((p) => p.name.toLowerCase() === name.toLowerCase());
}

function takeFault(state: AdfsState, cmdlet: string, params: Record<string, unknown>): AdfsFault | undefined {
  const faults = state.faults ?? [];
  const i = faults.findIndex(
    (f) =>
      f.command.toLowerCase() === cmdlet.toLowerCase() &&
      (f.name === undefined || (typeof params['Name'] === 'string' && params['Name'].toLowerCase() === f.name.toLowerCase())) &&
      (f.typeNameContains === undefined || (typeof params['TypeName'] === 'string' && params['TypeName'].includes(f.typeNameContains))),
  );
  if (i === -1) return undefined;
  const fault = faults[i] as AdfsFault;
  const left = (fault.times ?? 1) - 1;
  if (left > 0) faults[i] = { ...fault, times: left };
  else faults.splice(i, 1);
  if (faults.length === 0) delete state.faults;
  return fault;
}

function raiseFault(cmdlet: string, f: AdfsFault): never {
  throw new AdfsCmdletFailure({ message: f.message, fullyQualifiedErrorId: f.fullyQualifiedErrorId ?? `InjectedFault,${cmdlet}`, category: f.category ?? 'InvalidOperation' });
}

/**
 * Runs one AD FS cmdlet against the state (changing it in place) and returns its output objects.
 * Throws AdfsCmdletFailure with the error record PowerShell would give.
 */
export async function runAdfsCmdlet(state: AdfsState, command: string, parameters: Record<string, unknown>, files: AdfsFileAccess): Promise<unknown[]> {
  const def = BY_LOWER.get(command.toLowerCase());
  if (!def) {
    throw new AdfsCmdletFailure({
      message: `The term '${command}' is not recognized as the name of a cmdlet, function, script file, or operable program.`,
      fullyQualifiedErrorId: 'CommandNotFoundException',
      category: 'ObjectNotFound',
      targetObject: command,
    });
  }
  const p = bind(def, parameters);
  const fault = takeFault(state, def.name, p);
  if (fault && fault.when !== 'after') raiseFault(def.name, fault);
  const out = await apply(state, def, p, files);
  if (fault) raiseFault(def.name, fault);
  return out;
}

async function apply(state: AdfsState, def: CmdletDef, p: Record<string, unknown>, files: AdfsFileAccess): Promise<unknown[]> {
  const name = p['Name'] as string | undefined;
  const notFound = (n: string): never => fail('AuthenticationProviderNotFound', def.name, 'ObjectNotFound', `The authentication provider '${n}' is not registered in AD FS.`, n);
  switch (def.name) {
    case 'Get-AdfsAuthenticationProvider':
      return state.providers
        .filter((x) => name === undefined || x.name.toLowerCase() === name.toLowerCase())
        .map((x) => ({ Name: x.name, AdminName: x.adminName ?? x.name, TypeName: x.typeName }));
    case 'Get-AdfsGlobalAuthenticationPolicy':
      return [{ AdditionalAuthenticationProvider: [...state.globalPolicy.additionalAuthenticationProvider] }];
    case 'Set-AdfsGlobalAuthenticationPolicy': {
      const list = p['AdditionalAuthenticationProvider'] as string[] | undefined;
      if (list === undefined) return [];
      const canonical = list.map((n) => findProvider(state, n)?.name ?? notFound(n));
      state.globalPolicy.additionalAuthenticationProvider = canonical;
      return [];
    }
    case 'Export-AdfsAuthenticationProviderConfigurationData': {
      const provider = findProvider(state, name as string) ?? notFound(name as string);
      await files.writeFile(p['FilePath'] as string, provider.configurationData ? Buffer.from(provider.configurationData, 'base64') : Buffer.alloc(0));
      return [];
    }
    case 'Import-AdfsAuthenticationProviderConfigurationData': {
      const provider = findProvider(state, name as string) ?? notFound(name as string);
      provider.configurationData = (await readConfigFile(files, def.name, p['FilePath'] as string)).toString('base64');
      return [];
    }
    case 'Register-AdfsAuthenticationProvider': {
      const typeName = p['TypeName'] as string;
      if (findProvider(state, name as string)) {
        fail('AuthenticationProviderAlreadyExists', def.name, 'ResourceExists', `An authentication provider named '${name}' is already registered.`, name);
      }
      if (!/^[^,\s][^,]*,\s*[^,\s]/.test(typeName)) {
        fail('InvalidTypeName', def.name, 'InvalidArgument', `'${typeName}' is not an assembly-qualified type name.`, typeName);
      }
      const provider: AdfsProviderState = { name: name as string, typeName };
      const adminName = Object.entries(state.adapterTypes ?? {}).find(([t]) => t.replace(/\s+/g, '') === typeName.replace(/\s+/g, ''))?.[1].adminName;
      if (adminName !== undefined) provider.adminName = adminName;
      const path = p['ConfigurationFilePath'] as string | undefined;
      if (path !== undefined) provider.configurationData = (await readConfigFile(files, def.name, path)).toString('base64');
      state.providers.push(provider);
      const time = new Date().toISOString();
      for (const e of state.registerEvents ?? []) {
        if (e.name !== undefined && e.name.toLowerCase() !== (name as string).toLowerCase()) continue;
        const { name: _n, ...entry } = e;
        if (!state.events) state.events = [];
        state.events.push({ ...entry, timeCreated: time });
      }
      return [];
    }
    case 'Get-AdfsSyncProperties':
      return [{ Role: state.sync?.role ?? 'PrimaryComputer', PrimaryComputerName: state.sync?.primaryComputerName ?? '' }];
    case 'Get-WinEvent': {
      const log = p['LogName'] as string;
      const xpath = (p['FilterXPath'] as string | undefined) ?? '';
      const level = /Level=(\d+)/.exec(xpath)?.[1];
      const since = /@SystemTime>='([^']+)'/.exec(xpath)?.[1];
      const found = (state.events ?? [])
        .filter((e) => e.logName.toLowerCase() === log.toLowerCase() && (level === undefined || e.level === Number(level)) && (since === undefined || e.timeCreated >= since))
        .sort((a, b) => (a.timeCreated < b.timeCreated ? 1 : -1))
        .slice(0, (p['MaxEvents'] as number | undefined) ?? undefined);
      // Get-WinEvent fails when nothing matches, as it does on Windows.
      if (found.length === 0) fail('NoMatchingEventsFound', def.name, 'ObjectNotFound', 'No events were found that match the specified selection criteria.');
      return found.map((e) => ({ Id: e.id ?? 0, Level: e.level, LevelDisplayName: e.level === 2 ? 'Error' : e.level === 3 ? 'Warning' : 'Information', TimeCreated: e.timeCreated, ProviderName: e.providerName, LogName: e.logName, Message: e.message }));
    }
    case 'Unregister-AdfsAuthenticationProvider': {
      const provider = findProvider(state, name as string) ?? notFound(name as string);
      if (isBuiltIn(provider)) fail('BuiltInAuthenticationProvider', def.name, 'InvalidOperation', `'${provider.name}' is built into AD FS and cannot be unregistered.`, provider.name);
      if (state.globalPolicy.additionalAuthenticationProvider.some((n) => n.toLowerCase() === provider.name.toLowerCase())) {
        fail('AuthenticationProviderInUse', def.name, 'InvalidOperation', `The authentication provider '${provider.name}' is used by the global authentication policy; remove it from AdditionalAuthenticationProvider first.`, provider.name);
      }
      state.providers = state.providers.filter((x) => x !== provider);
      return [];
    }
    default:
      throw new Error(`unhandled cmdlet ${def.name}`);
  }
}

async function readConfigFile(files: AdfsFileAccess, cmdlet: string, path: string): Promise<Buffer> {
  const data = await files.readFile(path);
  if (data === undefined) fail('FileNotFound', cmdlet, 'ObjectNotFound', `Could not find file '${path}'.`, path);
  return data;
}

/** Parses and checks adfs.json (docs/image-host.md), naming the field that is wrong. */
export function parseAdfsState(data: unknown, file: string): AdfsState {
  const shape = (message: string) => badInput(`adfs.json: ${message}`, file, { code: 'BAD_INPUT', exitCode: 3 });
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw shape('expected an object');
  const s = data as Record<string, unknown>;
  const policy = s['globalPolicy'] as Record<string, unknown> | undefined;
  if (!Array.isArray(s['providers']) || !Array.isArray(policy?.['additionalAuthenticationProvider'])) {
    throw shape("needs 'providers' (array) and 'globalPolicy.additionalAuthenticationProvider' (array)");
  }
  (s['providers'] as unknown[]).forEach((p, i) => {
    const r = p as Record<string, unknown>;
    if (typeof r !== 'object' || r === null || typeof r['name'] !== 'string' || typeof r['typeName'] !== 'string') throw shape(`providers[${i}] needs 'name' and 'typeName' (strings)`);
    if (r['configurationData'] !== undefined && typeof r['configurationData'] !== 'string') throw shape(`providers[${i}].configurationData must be a base64 string`);
  });
  if (!(policy?.['additionalAuthenticationProvider'] as unknown[]).every((n) => typeof n === 'string')) throw shape('globalPolicy.additionalAuthenticationProvider must hold strings');
  if (s['faults'] !== undefined && !Array.isArray(s['faults'])) throw shape("'faults' must be an array");
  return data as AdfsState;
}
