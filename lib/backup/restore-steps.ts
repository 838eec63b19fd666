// Restore as engine steps: stop the server's services (journaled before the stop), make the
// folders the bundle needs, put each file back (what it replaces kept in the run's undo store; the
// written bytes checked against the manifest), start the services again. Failures and interrupts
// undo what was done, newest first, so a restore that cannot finish leaves the host as it was.
import { createHash } from 'node:crypto';
import { ExitCode, MfaError } from '../errors.js';
import type { EngineStep } from '../engine/step.js';
import type { Host } from '../host/ports.js';
import { windowsDirname } from '../util/winpath.js';
import { plainOf } from './format.js';
import type { ByteProgress } from './progress.js';
import { readStored, type OpenedBundle } from './read-bundle.js';
import type { TargetFile } from './restore-targets.js';

export interface RestoreEnv {
  bundle: OpenedBundle;
  progress: ByteProgress;
}

async function hashOnHost(host: Host, path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of await host.files.openRead(path)) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    hash.update(b);
    size += b.length;
  }
  return { size, sha256: hash.digest('hex') };
}

export function stopServicesStep(names: string[]): EngineStep<RestoreEnv> {
  return {
    id: 'stop-services',
    title: `Stop ${names.join(', ') || 'no service'}`,
    kind: 'services',
    async run(ctx) {
      ctx.record({ stopped: await ctx.services.stop(names, 'so the data file is replaced while nothing holds it') });
    },
    async undo(ctx) {
      await ctx.services.start([...((ctx.recorded['stopped'] as string[] | undefined) ?? [])].reverse());
    },
  };
}

export function foldersStep(folders: string[]): EngineStep<RestoreEnv> {
  return {
    id: 'folders',
    title: 'Make the folders the backed-up files need',
    kind: 'folders',
    async run(ctx) {
      const created: string[] = [];
      for (const f of folders) {
        if (await ctx.host.files.stat(f)) continue;
        await ctx.host.files.mkdirp(f);
        created.push(f);
      }
      ctx.record({ created });
    },
    async undo(ctx) {
      // Newest (deepest) first; only folders this run made, and only once they are empty again.
      for (const f of [...((ctx.recorded['created'] as string[] | undefined) ?? [])].reverse()) {
        const left = await ctx.host.files.listDir(f);
        if (left && left.length === 0) await ctx.host.files.remove(f);
      }
    },
  };
}

export function fileStep(n: number, f: TargetFile, encrypted: boolean): EngineStep<RestoreEnv> {
  const want = plainOf(f.file);
  return {
    id: `file-${String(n).padStart(3, '0')}`,
    title: `Put back ${f.target}`,
    kind: f.what,
    async run(ctx) {
      const st = await ctx.host.files.stat(f.target);
      if (st?.isDirectory) throw new MfaError('a folder stands where the restore would write a file', { code: 'RESTORE_TARGET_FOLDER', target: f.target, exitCode: ExitCode.fatal, remedy: 'Move the folder away, then restore again.' });
      await ctx.undo.keep(f.target);
      await ctx.host.files.mkdirp(windowsDirname(f.target));
      const env = ctx.env;
      const cancel = ctx.cancel;
      const source = (async function* () {
        for await (const chunk of readStored(env.bundle, f.file)) {
          // A stop request ends the copy between chunks; the atomic write leaves the target as it was.
          if (cancel.cancelled) throw new MfaError(`the restore was stopped (${cancel.reason ?? 'interrupted'})`, { code: 'INTERRUPTED', exitCode: ExitCode.interrupted, remedy: 'Run the restore again.' });
          env.progress.add(chunk.length, f.target);
          yield chunk;
        }
      })();
      await ctx.host.files.writeStreamAtomic(f.target, source);
      ctx.reporter.log('verbose', `Restored ${f.target}`);
    },
    async verify(ctx) {
      const got = await hashOnHost(ctx.host, f.target);
      if (got.size !== want.size || got.sha256 !== want.sha256) {
        // An encrypted bundle's plaintext hashes are private: not printed.
        const detail = encrypted ? '' : ` (SHA-256 ${got.sha256}, expected ${want.sha256})`;
        throw new MfaError(`the restored file does not match the backup${detail}`, { code: 'RESTORE_VERIFY_FAILED', target: f.target, exitCode: ExitCode.fatal, remedy: 'Check the disk of the target machine; the files were put back as they were.' });
      }
    },
    async undo(ctx) {
      await ctx.undo.putBack(f.target);
    },
  };
}

export function startServicesStep(names: string[]): EngineStep<RestoreEnv> {
  return {
    id: 'start-services',
    title: `Start ${names.join(', ') || 'no service'}`,
    kind: 'services',
    async run(ctx) {
      await ctx.services.start([...names].reverse());
    },
    async verify(ctx) {
      for (const name of names) {
        const s = await ctx.host.services.get(name);
        if (s && s.state !== 'running') throw new MfaError(`${name} is ${s.state} after the restore`, { code: 'SERVICE_START_FAILED', target: name, exitCode: ExitCode.fatal, remedy: `Start-Service ${name}, and read its log.` });
      }
    },
  };
}
