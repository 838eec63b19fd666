// The first step of every upgrade: a verified backup bundle of everything later steps could lose.
// Nothing that changes the server runs before it is done.
import { isAbsolute, join, relative } from 'node:path';
import type { EngineStep } from '../../engine/step.js';
import { faultPoint } from '../../util/fault.js';
import type { BackupStep } from '../plan-types.js';
import { bundleOf, type UpgradeEnv } from './env.js';

export function backupStep(step: BackupStep): EngineStep<UpgradeEnv> {
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    async run(ctx) {
      faultPoint('before:backup');
      // take() verifies the bundle (every file re-read) before it is renamed into place; until
      // then it is an unfinished .partial folder that a killed run must not leave behind.
      const out = join(ctx.env.workDir, 'backup', `mfa-backup-${new Date(ctx.now()).toISOString().replace(/[:.]/g, '-')}`);
      ctx.addTemp(`${out}.partial`);
      const role = ctx.env.plan.replication?.role;
      const { bundle, digest } = await ctx.env.backup.take(ctx.host, out, ctx.reporter, ctx.services, ctx.cancel, role ?? undefined);
      // Kept relative to the work folder, so the folder can be moved or copied as a whole.
      const rel = relative(ctx.env.workDir, bundle);
      // The data file's size when it was backed up: a server that comes back with a fresh empty
      // one fails the install's postcondition.
      const path = ctx.env.plan.server?.dataFile;
      const st = path ? await ctx.host.files.stat(path) : undefined;
      const dataFile = path && st ? { path, size: st.size } : undefined;
      // The digest goes into the journal: a resumed run or a rollback trusts only this bundle.
      ctx.setRunData({ bundle: rel.startsWith('..') || isAbsolute(rel) ? bundle : rel, digest, ...(dataFile ? { dataFile } : {}) });
      faultPoint('after:backup');
    },
    async verify(ctx) {
      await ctx.env.backup.verify(bundleOf(ctx));
    },
  };
}
