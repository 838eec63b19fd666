// The PowerShell port on an image host: AD FS state lives in adfs.json (present only on an AD FS
// server image), and the AD FS cmdlets read and change it through the shared model in
// adfs-state.ts. -FilePath / -ConfigurationFilePath are paths inside the image's drives.
// Changes are written back atomically after each changing cmdlet, also when the cmdlet failed
// half-way (an injected 'after' fault), as AD FS keeps a half-done change.
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { MfaError } from '../../errors.js';
import { parseJson } from '../../util/json-file.js';
import { writeFileAtomicLocal } from '../../util/local-fs.js';
import { windowsDirname } from '../../util/winpath.js';
import type { PowerShell } from '../ports.js';
import { errorFromRecord } from '../powershell/errors.js';
import { AdfsCmdletFailure, adfsCmdlet, parseAdfsState, runAdfsCmdlet, type AdfsFileAccess, type AdfsProviderState, type AdfsState } from './adfs-state.js';
import { ImageFiles } from './files.js';
import { ImagePaths } from './paths.js';

/** @deprecated names kept for existing imports: the model is adfs-state.ts. */
export type ImageAdfsProvider = AdfsProviderState;
export type ImageAdfsState = AdfsState;

/** One cmdlet call as the fake received it (for tests comparing call sequences). */
export interface RecordedCall {
  command: string;
  parameters: Record<string, unknown>;
}

export interface ImagePowerShellOptions {
  /** Called with every invoke(), before it runs (also for calls that then fail). */
  onCall?: (call: RecordedCall) => void;
}

export class ImagePowerShell implements PowerShell {
  private readonly files: ImageFiles;

  constructor(
    private readonly file: string,
    private readonly options: ImagePowerShellOptions = {},
  ) {
    this.files = new ImageFiles(new ImagePaths(dirname(file)));
  }

  private async state(): Promise<AdfsState | undefined> {
    const text = await fsp.readFile(this.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (text === undefined) return undefined;
    return parseAdfsState(parseJson(text, this.file), this.file);
  }

  private fileAccess(): AdfsFileAccess {
    return {
      readFile: async (path) => ((await this.files.stat(path))?.isDirectory === false ? this.files.readFile(path) : undefined),
      writeFile: async (path, data) => {
        await this.files.mkdirp(windowsDirname(path));
        await this.files.writeFileAtomic(path, data);
      },
    };
  }

  async hasCommand(name: string): Promise<boolean> {
    return adfsCmdlet(name) !== undefined && (await this.state()) !== undefined;
  }

  async invoke(command: string, parameters: Record<string, unknown> = {}): Promise<unknown[]> {
    this.options.onCall?.({ command, parameters: JSON.parse(JSON.stringify(parameters)) as Record<string, unknown> });
    const state = await this.state();
    const def = adfsCmdlet(command);
    if (!state || !def) {
      throw new MfaError(`The term '${command}' is not recognized as the name of a cmdlet on this host`, {
        code: 'PS_COMMAND_NOT_FOUND',
        target: command,
        remedy: 'Run AD FS commands on an AD FS server (the ADFS module comes with the AD FS role).',
      });
    }
    const before = JSON.stringify(state);
    try {
      return await runAdfsCmdlet(state, command, parameters, this.fileAccess());
    } catch (e) {
      if (e instanceof AdfsCmdletFailure) throw errorFromRecord(def.name, e.record, e);
      throw e;
    } finally {
      if (JSON.stringify(state) !== before) await writeFileAtomicLocal(this.file, Buffer.from(`${JSON.stringify(state, null, 2)}\n`));
    }
  }
}
