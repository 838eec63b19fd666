// A fake `powershell` executable for the child-process transport's tests on Linux: it speaks the
// protocol of lib/host/powershell/protocol.ts (arguments, JSON request on stdin, marker + JSON
// response on stdout, exit 0/1) and runs the AD FS cmdlets on an image host's adfs.json through
// the same state model as every other fake (lib/host/image/adfs-state.ts).
//
//   MFA_FAKE_ADFS_IMAGE   the image host folder (adfs.json, drive/...) standing for the AD FS server
//   MFA_FAKE_ADFS_LOG     optional: append each call received, one JSON line each
//   MFA_FAKE_PS_MODE      optional: crash | garbage | hang | noisy (PowerShell itself misbehaving)
//
// Run through test/fakes/adfs/powershell (tsx), or as a bundle (the tests build one).
import { appendFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MfaError } from '../../../lib/errors.js';
import { ImagePowerShell } from '../../../lib/host/image/powershell.js';
import { PowerShellError } from '../../../lib/host/powershell/errors.js';
import { CHILD_ARGS, RESULT_MARKER, RUNNER_SCRIPT, type PowerShellRequest } from '../../../lib/host/powershell/protocol.js';

function respond(body: unknown, code: number): never {
  writeSync(1, `\r\n${RESULT_MARKER}${JSON.stringify(body)}\r\n`);
  process.exit(code);
}

function usage(message: string): never {
  process.stderr.write(`fake powershell: ${message}\n`);
  process.exit(64);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const fixed = CHILD_ARGS.length;
  if (args.length !== fixed + 1 || CHILD_ARGS.some((a, i) => args[i]?.toLowerCase() !== a.toLowerCase())) usage(`unexpected arguments: ${args.join(' ')}`);
  const script = Buffer.from(args[fixed] as string, 'base64').toString('utf16le');
  if (script !== RUNNER_SCRIPT) usage('-EncodedCommand is not the mfa-upgrade runner script');
  const mode = process.env['MFA_FAKE_PS_MODE'];
  if (mode === 'crash') {
    process.stderr.write('powershell.exe : The term is not recognized\r\nAt line:1 char:1\r\n');
    process.exit(3);
  }
  if (mode === 'hang') {
    setInterval(() => undefined, 1000);
    return;
  }
  const image = process.env['MFA_FAKE_ADFS_IMAGE'];
  if (!image) usage('MFA_FAKE_ADFS_IMAGE is not set');
  const request = JSON.parse(await readStdin()) as PowerShellRequest;
  if (mode === 'garbage') {
    writeSync(1, `${RESULT_MARKER}{not json\r\n`);
    process.exit(0);
  }
  if (mode === 'noisy') writeSync(1, 'Restart the AD FS service on every server of the farm.\r\nWARNING: noise on stdout\r\n');
  const log = process.env['MFA_FAKE_ADFS_LOG'];
  const ps = new ImagePowerShell(join(image, 'adfs.json'), {
    onCall: (call) => {
      if (log) appendFileSync(log, `${JSON.stringify({ via: 'child-process', ...call })}\n`);
    },
  });
  try {
    if (request.op === 'hasCommand') respond({ ok: true, exists: await ps.hasCommand(request.command) }, 0);
    const output = await ps.invoke(request.command, request.parameters ?? {});
    // ConvertTo-Json writes a one-element array as the element itself when not wrapped: the runner
    // wraps, so arrays stay arrays; an empty result is [].
    respond({ ok: true, output }, 0);
  } catch (e) {
    if (e instanceof PowerShellError) respond({ ok: false, error: { ...e.record, exceptionType: 'System.Management.Automation.RuntimeException' } }, 1);
    if (e instanceof MfaError && e.code === 'PS_COMMAND_NOT_FOUND') {
      respond({ ok: false, error: { message: e.message, fullyQualifiedErrorId: 'CommandNotFoundException', category: 'ObjectNotFound', targetObject: request.command, exceptionType: 'System.Management.Automation.CommandNotFoundException' } }, 1);
    }
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(2);
  }
}

void main();
