// The PowerShell port on an image host: AD FS state lives in adfs.json (present only on an AD FS
// server image), and the AD FS cmdlets read it. The state-changing cmdlets arrive with the AD FS
// adapter upgrade; until then they are refused with a clear error rather than pretended.
import { promises as fsp } from 'node:fs';
import { MfaError } from '../../errors.js';
import { expectObject, parseJson } from '../../util/json-file.js';
import type { PowerShell } from '../ports.js';

export interface ImageAdfsProvider {
  name: string;
  adminName?: string;
  typeName: string;
  /** Which part of the farm has the provider's assembly installed (for event 105 checks). */
  configurationData?: string;
}

export interface ImageAdfsState {
  farmName?: string;
  providers: ImageAdfsProvider[];
  globalPolicy: { additionalAuthenticationProvider: string[] };
}

const READERS = new Set(['get-adfsauthenticationprovider', 'get-adfsglobalauthenticationpolicy']);
const ADFS_COMMANDS = new Set([
  ...READERS,
  'export-adfsauthenticationproviderconfigurationdata',
  'import-adfsauthenticationproviderconfigurationdata',
  'register-adfsauthenticationprovider',
  'unregister-adfsauthenticationprovider',
  'set-adfsglobalauthenticationpolicy',
]);

export class ImagePowerShell implements PowerShell {
  constructor(private readonly file: string) {}

  private async state(): Promise<ImageAdfsState | undefined> {
    const text = await fsp.readFile(this.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (text === undefined) return undefined;
    const data = parseJson(text, this.file);
    expectObject(data, this.file, {});
    const s = data as ImageAdfsState;
    if (!Array.isArray(s.providers) || !Array.isArray(s.globalPolicy?.additionalAuthenticationProvider)) {
      throw new MfaError("adfs.json needs 'providers' (array) and 'globalPolicy.additionalAuthenticationProvider' (array)", { code: 'BAD_INPUT', target: this.file, exitCode: 3 });
    }
    return s;
  }

  async hasCommand(name: string): Promise<boolean> {
    return ADFS_COMMANDS.has(name.toLowerCase()) && (await this.state()) !== undefined;
  }

  async invoke(command: string, parameters: Record<string, unknown> = {}): Promise<unknown[]> {
    const state = await this.state();
    const lower = command.toLowerCase();
    if (!state || !ADFS_COMMANDS.has(lower)) {
      throw new MfaError(`The term '${command}' is not recognized as the name of a cmdlet on this host`, {
        code: 'PS_COMMAND_NOT_FOUND',
        target: command,
        remedy: 'Run AD FS commands on an AD FS server (the ADFS module comes with the AD FS role).',
      });
    }
    if (lower === 'get-adfsauthenticationprovider') {
      const name = typeof parameters['Name'] === 'string' ? parameters['Name'].toLowerCase() : undefined;
      return state.providers.filter((p) => name === undefined || p.name.toLowerCase() === name).map((p) => ({ Name: p.name, AdminName: p.adminName ?? p.name, TypeName: p.typeName }));
    }
    if (lower === 'get-adfsglobalauthenticationpolicy') {
      return [{ AdditionalAuthenticationProvider: [...state.globalPolicy.additionalAuthenticationProvider] }];
    }
    throw new MfaError(`${command} is not available on an image host yet`, {
      code: 'PS_NOT_SUPPORTED',
      target: command,
      remedy: 'Run the AD FS adapter upgrade on the AD FS server itself.',
    });
  }
}
