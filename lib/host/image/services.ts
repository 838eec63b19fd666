// The Services port over an image's services.json. Stopping and starting change the recorded
// state; dependents are recorded with "dependsOn" and stopped first, as the SCM does. A service
// installed with a data conversion (package manifests' "dataConversion") converts its data file
// when it starts, as MFA Server does (data-conversion.ts).
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { MfaError } from '../../errors.js';
import { expectArrayOf, parseJson } from '../../util/json-file.js';
import { writeFileAtomicLocal } from '../../util/local-fs.js';
import type { ServiceInfo, Services } from '../ports.js';
import { ImageDataConversions, type DataConversion } from './data-conversion.js';
import { ImagePaths } from './paths.js';

/** A services.json entry: the port's fields, and what the image's service does when it starts. */
export interface ImageServiceInfo extends ServiceInfo {
  dataConversion?: DataConversion;
}

function portView(s: ImageServiceInfo): ServiceInfo {
  const { dataConversion: _c, ...info } = s;
  return { ...info };
}

const STATES = new Set(['stopped', 'start_pending', 'stop_pending', 'running', 'continue_pending', 'pause_pending', 'paused']);
const START_TYPES = new Set(['boot', 'system', 'auto', 'manual', 'disabled']);

export class ImageServices implements Services {
  private services: ImageServiceInfo[] | undefined;
  private readonly conversions: ImageDataConversions;
  constructor(private readonly file: string) {
    this.conversions = new ImageDataConversions(new ImagePaths(dirname(file)));
  }

  /** Forgets what was read, so the next call reads the file again. */
  reload(): void {
    this.services = undefined;
  }

  private async load(): Promise<ImageServiceInfo[]> {
    if (!this.services) {
      const text = await fsp.readFile(this.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return '[]';
        throw e;
      });
      const list = expectArrayOf<ImageServiceInfo>(parseJson(text, this.file), this.file, {
        name: 'string',
        displayName: 'string',
        state: 'string',
        startType: 'string',
        path: 'string',
      });
      list.forEach((s, i) => {
        if (!STATES.has(s.state)) throw new MfaError(`element ${i} (${s.name}): unknown state '${s.state}'`, { code: 'BAD_INPUT', target: this.file, exitCode: 3 });
        if (!START_TYPES.has(s.startType)) throw new MfaError(`element ${i} (${s.name}): unknown startType '${s.startType}'`, { code: 'BAD_INPUT', target: this.file, exitCode: 3 });
        const c = s.dataConversion;
        if (c !== undefined && (typeof c !== 'object' || c === null || typeof c.dataFile !== 'string' || typeof c.log !== 'string' || !Number.isInteger(c.schema) || (c.polls !== undefined && !(Number.isInteger(c.polls) && c.polls >= 0)))) {
          throw new MfaError(`element ${i} (${s.name}): dataConversion needs dataFile, log (strings), schema and optional polls (whole numbers)`, { code: 'BAD_INPUT', target: this.file, exitCode: 3 });
        }
      });
      this.services = list;
    }
    return this.services;
  }

  private async save(): Promise<void> {
    await writeFileAtomicLocal(this.file, Buffer.from(`${JSON.stringify(this.services, null, 2)}\n`));
  }

  /** Each status query is time passing for the services it shows: conversions in progress move on. */
  private async tick(services: ImageServiceInfo[]): Promise<void> {
    for (const s of services) if (s.dataConversion && s.state === 'running') await this.conversions.onPoll(s.dataConversion);
  }

  async list(): Promise<ServiceInfo[]> {
    const all = await this.load();
    await this.tick(all);
    return all.map(portView);
  }

  async get(name: string): Promise<ServiceInfo | undefined> {
    const s = (await this.load()).find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!s) return undefined;
    await this.tick([s]);
    return portView(s);
  }

  private async find(name: string): Promise<ImageServiceInfo> {
    const s = (await this.load()).find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!s) throw new MfaError(`service '${name}' does not exist`, { code: 'WIN32_1060', target: name, remedy: 'Check the service name with Get-Service.' });
    return s;
  }

  async stop(name: string): Promise<string[]> {
    const services = await this.load();
    const target = await this.find(name);
    const stopped: string[] = [];
    for (const dep of services.filter((s) => s.dependsOn?.some((d) => d.toLowerCase() === target.name.toLowerCase()))) {
      if (dep.state !== 'stopped') stopped.push(...(await this.stop(dep.name)));
    }
    if (target.state !== 'stopped') {
      target.state = 'stopped';
      stopped.push(target.name);
      await this.save();
      if (target.dataConversion) await this.conversions.onStop(target.dataConversion);
    }
    return stopped;
  }

  async start(name: string): Promise<void> {
    const target = await this.find(name);
    if (target.startType === 'disabled') {
      throw new MfaError(`service '${name}' is disabled and cannot be started`, { code: 'WIN32_1058', target: name, remedy: `Set-Service ${name} -StartupType Manual, then start it.` });
    }
    for (const d of target.dependsOn ?? []) await this.start(d);
    if (target.state === 'running') return;
    if (target.dataConversion) {
      // A damaged data file stops the service at once (onStart throws): its state stays stopped.
      await this.conversions.onStart(target.name, target.dataConversion);
    }
    target.state = 'running';
    await this.save();
  }

  /** Registers or removes services (package manifests install them). */
  async register(service: ImageServiceInfo): Promise<void> {
    const services = await this.load();
    const idx = services.findIndex((s) => s.name.toLowerCase() === service.name.toLowerCase());
    if (idx === -1) services.push(service);
    else services[idx] = service;
    await this.save();
  }

  async unregister(name: string): Promise<void> {
    const services = await this.load();
    const idx = services.findIndex((s) => s.name.toLowerCase() === name.toLowerCase());
    if (idx !== -1) {
      services.splice(idx, 1);
      await this.save();
    }
  }
}
