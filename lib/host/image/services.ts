// The Services port over an image's services.json. Stopping and starting change the recorded
// state; dependents are recorded with "dependsOn" and stopped first, as the SCM does.
import { promises as fsp } from 'node:fs';
import { MfaError } from '../../errors.js';
import { expectArrayOf, parseJson } from '../../util/json-file.js';
import { writeFileAtomicLocal } from '../../util/local-fs.js';
import type { ServiceInfo, Services } from '../ports.js';

const STATES = new Set(['stopped', 'start_pending', 'stop_pending', 'running', 'continue_pending', 'pause_pending', 'paused']);
const START_TYPES = new Set(['boot', 'system', 'auto', 'manual', 'disabled']);

export class ImageServices implements Services {
  private services: ServiceInfo[] | undefined;
  constructor(private readonly file: string) {}

  /** Forgets what was read, so the next call reads the file again. */
  reload(): void {
    this.services = undefined;
  }

  private async load(): Promise<ServiceInfo[]> {
    if (!this.services) {
      const text = await fsp.readFile(this.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return '[]';
        throw e;
      });
      const list = expectArrayOf<ServiceInfo>(parseJson(text, this.file), this.file, {
        name: 'string',
        displayName: 'string',
        state: 'string',
        startType: 'string',
        path: 'string',
      });
      list.forEach((s, i) => {
        if (!STATES.has(s.state)) throw new MfaError(`element ${i} (${s.name}): unknown state '${s.state}'`, { code: 'BAD_INPUT', target: this.file, exitCode: 3 });
        if (!START_TYPES.has(s.startType)) throw new MfaError(`element ${i} (${s.name}): unknown startType '${s.startType}'`, { code: 'BAD_INPUT', target: this.file, exitCode: 3 });
      });
      this.services = list;
    }
    return this.services;
  }

  private async save(): Promise<void> {
    await writeFileAtomicLocal(this.file, Buffer.from(`${JSON.stringify(this.services, null, 2)}\n`));
  }

  async list(): Promise<ServiceInfo[]> {
    return (await this.load()).map((s) => ({ ...s }));
  }

  async get(name: string): Promise<ServiceInfo | undefined> {
    return (await this.list()).find((s) => s.name.toLowerCase() === name.toLowerCase());
  }

  private async find(name: string): Promise<ServiceInfo> {
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
    }
    return stopped;
  }

  async start(name: string): Promise<void> {
    const target = await this.find(name);
    if (target.startType === 'disabled') {
      throw new MfaError(`service '${name}' is disabled and cannot be started`, { code: 'WIN32_1058', target: name, remedy: `Set-Service ${name} -StartupType Manual, then start it.` });
    }
    for (const d of target.dependsOn ?? []) await this.start(d);
    target.state = 'running';
    await this.save();
  }

  /** Registers or removes services (package manifests install them). */
  async register(service: ServiceInfo): Promise<void> {
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
