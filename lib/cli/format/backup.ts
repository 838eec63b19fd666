// Human text for the backup commands. Only names, sizes and hashes are shown: never the content
// of a backed-up file (web.configs and the adapter config hold passwords).
import type { BackupPlan } from '../../backup/collect.js';
import type { RestoreResult } from '../../backup/restore.js';
import type { BackupResult } from '../../backup/take-backup.js';
import type { VerifyReport } from '../../backup/verify.js';
import { formatBytes } from '../../util/format-bytes.js';
import { table } from './table.js';

export interface BackupSummary {
  bundle: string;
  computerName: string;
  createdAt: string;
  role: string;
  encrypted: boolean;
  /** SHA-256 of the manifest: verify-backup and restore --expect-digest check it. */
  digest: string;
  files: number;
  bytes: number;
  dataFile: string | null;
  consistency: string;
  verified: boolean;
  notTaken: Array<{ item: string; reason: string }>;
  restartFailures: Array<{ service: string; message: string }>;
  durationMs: number;
}

export function summarizeBackup(r: BackupResult): BackupSummary {
  const m = r.manifest;
  return {
    bundle: r.bundle,
    computerName: m.host.computerName,
    createdAt: m.createdAt,
    role: m.role,
    encrypted: r.encrypted,
    digest: r.digest,
    files: r.files,
    bytes: r.bytes,
    dataFile: m.server?.dataFile ?? null,
    consistency: m.consistency.method === 'services-stopped' ? `copied with ${m.consistency.stopped.join(', ')} stopped` : m.consistency.method === 'services-already-stopped' ? 'copied with the services already stopped' : 'no data file',
    verified: r.verification.ok,
    notTaken: m.notTaken,
    restartFailures: r.restartFailures,
    durationMs: r.durationMs,
  };
}

export function formatBackup(s: BackupSummary): string {
  const lines = [
    `Backup bundle  ${s.bundle}`,
    `  Host         ${s.computerName} (role: ${s.role})`,
    `  Files        ${s.files}, ${formatBytes(s.bytes)}${s.encrypted ? ', encrypted' : ''}`,
    `  Data file    ${s.dataFile ?? '-'}  (${s.consistency})`,
    `  Verified     ${s.verified ? 'yes: every file re-read and re-hashed' : 'NO'}`,
    `  Digest       ${s.digest}  (keep it: restore --expect-digest accepts only this bundle)`,
  ];
  if (s.notTaken.length > 0) {
    lines.push('  Not taken:');
    for (const n of s.notTaken) lines.push(`    - ${n.item}: ${n.reason}`);
  }
  return lines.join('\n');
}

export function formatBackupPlan(plan: BackupPlan): string {
  const rows = plan.files.map((f) => [f.original, formatBytes(f.size), f.tags.join(',')]);
  const lines = [
    `What if: a backup would hold ${plan.files.length} files (${formatBytes(plan.files.reduce((n, f) => n + f.size, 0))}) plus the registry, products, services and host state.`,
    plan.toStop.length > 0 ? `It would stop ${plan.toStop.join(', ')} while the data file is copied, and start ${plan.toStop.length > 1 ? 'them' : 'it'} again.` : 'It would stop no service (none of the server\'s services is running).',
    '',
    table(['File', 'Size', 'Kind'], rows),
  ];
  for (const n of plan.notTaken) lines.push(`Not taken: ${n.item}: ${n.reason}`);
  return lines.join('\n');
}

export function formatVerify(r: VerifyReport): string {
  const lines = [
    `Bundle   ${r.bundle}`,
    `  Taken  ${r.createdAt} on ${r.computerName} (format ${r.formatVersion})`,
    `  Files  ${r.files}, ${formatBytes(r.bytes)} re-read${r.encrypted ? (r.authenticated ? ', encrypted, manifest authenticated' : ', encrypted: checked without the passphrase (manifest not authenticated)') : ''}`,
  ];
  if (r.ok) lines.push('  Result OK: every file is present and matches its SHA-256.');
  else {
    lines.push(`  Result ${r.problems.length} problem(s):`);
    lines.push(table(['Problem', 'Path', 'Detail'], r.problems.map((p) => [p.kind, p.path, p.detail])));
  }
  return lines.join('\n');
}

export function formatRestore(r: RestoreResult): string {
  const lines = [r.whatIf ? `What if: restoring ${r.bundle} onto ${r.computerName} would:` : `Restored ${r.filesRestored} file(s), ${formatBytes(r.bytes)}, from ${r.bundle} onto ${r.computerName}.`];
  const verbs: Record<string, string> = { replaceFile: 'replace', createFile: 'create', createFolder: 'create folder', skip: 'skip', stopService: 'stop service', startService: 'start service' };
  lines.push(table(['Action', 'Target', 'Note'], r.actions.map((a) => [verbs[a.kind] ?? a.kind, a.target, a.reason ?? (a.what ? `${a.what}${a.size !== undefined ? `, ${formatBytes(a.size)}` : ''}` : '')])));
  if (r.undoDir) lines.push(`The files it replaced are kept in ${r.undoDir} (undo.json lists them).`);
  return lines.join('\n');
}
