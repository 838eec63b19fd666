// Opens the host a command acts on: an image folder when given, otherwise this machine.
// The Windows backend is loaded only when needed, so other platforms never touch the addon.
import { ExitCode, MfaError } from '../errors.js';
import type { Host } from './ports.js';

export async function openHost(hostFolder: string | undefined): Promise<Host> {
  if (hostFolder !== undefined) {
    const { openImageHost } = await import('./image/image-host.js');
    return openImageHost(hostFolder);
  }
  if (process.platform !== 'win32') {
    throw new MfaError(`there is no live Windows machine to inspect here (this is ${process.platform})`, {
      code: 'NOT_WINDOWS',
      exitCode: ExitCode.notWindows,
      remedy: 'Pass --host <image folder> to work on an image of a Windows host (for example --host examples/hosts/phonefactor-5.2), or run on the MFA Server itself.',
    });
  }
  const { openWindowsHost } = await import('./windows/index.js');
  return openWindowsHost();
}
