// What the two real-PowerShell AD FS tiers (pwsh as a child process, and the real SMA in process)
// share: an image host whose PowerShell port is theirs, recording every call the fake ADFS module
// logged and every service stop/start; and the form their calls are compared in.
import type { ImageHost } from '../../../lib/host/image/image-host.js';
import type { RecordedCall } from '../../../lib/host/image/powershell.js';
import type { PowerShell } from '../../../lib/host/ports.js';
import { loggedPowerShell, recordingHost, type TestHost } from '../../adfs/helpers/hosts.js';
import type { ScenarioOutcome } from '../../adfs/helpers/scenarios.js';

/** The image host with `ps` as its PowerShell port; the fake module appends its calls to `log` (JSONL). */
export function fakeAdfsHost(image: ImageHost, ps: PowerShell, log: string): TestHost {
  const calls: RecordedCall[] = [];
  return { host: recordingHost(image, loggedPowerShell(ps, log, calls), calls), calls: () => calls };
}

/** A call with its parameters in name order (a splatted hashtable binds in no fixed order), the Admin log's time filter normalised (each run registers at its own time). */
function canonical(call: string): string {
  call = call.replace(/@SystemTime>='[^']*'/, "@SystemTime>='T'");
  const at = call.indexOf(' ');
  const params = JSON.parse(call.slice(at + 1)) as Record<string, unknown>;
  return `${call.slice(0, at)} ${JSON.stringify(Object.fromEntries(Object.entries(params).sort(([a], [b]) => a.localeCompare(b))))}`;
}

/** A scenario's outcome in the form two transports are compared in. */
export function comparable(o: ScenarioOutcome): ScenarioOutcome {
  return { ...o, calls: o.calls.map(canonical) };
}
