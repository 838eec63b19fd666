// Entry of the live-machine backend (the native addon). The native-addon work replaces this file
// with the real implementation; until it lands, the live backend refuses plainly.
import { ExitCode, MfaError } from '../../errors.js';
import type { Host } from '../ports.js';

export async function openWindowsHost(): Promise<Host> {
  throw new MfaError('the live Windows backend is not part of this build yet', {
    code: 'NOT_WINDOWS',
    exitCode: ExitCode.notWindows,
    remedy: 'Pass --host <image folder> to work on an image of a Windows host.',
  });
}
