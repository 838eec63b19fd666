// The hosts, commands and comparisons the two kill tiers share (the crash tier's kill points and
// the random-kill test's SIGKILLs at random times): a fresh copy of a sample, of the AD FS image,
// or of a damaged host with the bundle taken before the damage; the command each runs; what the
// whole-host comparison leaves out, and why; and two children at a time (two cores).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preinstallNewAdapter } from '../adfs/helpers/scenarios.js';
import { makeImage, NEW_CONFIG } from '../adfs/helpers/hosts.js';
import { compareStrictHostStates, type StrictHostState } from './host-state.js';

export const PKG = join(process.cwd(), 'examples', 'packages');

/** A run's folder: the host image and the tool's work folder (backup, journal; for a restore, the bundle). */
export interface Work {
  root: string;
  host: string;
  work: string;
}

export type Mode = '--resume' | '--rollback';

export function freshSample(sample: string): Work {
  const root = mkdtempSync(join(tmpdir(), 'mfa-kill-'));
  cpSync(join('examples/hosts', sample), join(root, 'host'), { recursive: true });
  return { root, host: join(root, 'host'), work: join(root, 'work') };
}

/** A copy of a run's whole folder (host and work), to finish one killed run two ways. */
export function copyRun(from: Work): Work {
  const root = mkdtempSync(join(tmpdir(), 'mfa-kill-'));
  cpSync(from.root, root, { recursive: true });
  return { root, host: join(root, 'host'), work: join(root, 'work') };
}

// A wait that never sees the conversion end pauses after a minute (left to do), not after 60.
export const upgradeArgs = (w: Work, mode?: Mode): string[] => ['upgrade', '--host', w.host, '--packages', PKG, '--backup', w.work, '--unattended', '--retry-delay', '0', '--json', '--role', 'standalone', '--conversion-timeout', '1', ...(mode ? [mode] : [])];

export function freshAdfs(): Work {
  const img = makeImage();
  preinstallNewAdapter(img.dir);
  const root = join(img.dir, '..');
  return { root, host: img.dir, work: join(root, 'work') };
}

export const adfsArgs = (w: Work, mode?: Mode): string[] => ['adfs-upgrade', '--host', w.host, '--config', NEW_CONFIG, '--json', ...(mode ? [mode] : [])];

/**
 * Fresh copies of an MFA 7.0 host whose data file was damaged and whose portal web.config changed
 * after a backup (in `work`) was taken: the restore puts them back. The bundle is made once.
 */
export function restoreHosts(): () => Work {
  let template: Work | undefined;
  return () => {
    if (!template) {
      const root = mkdtempSync(join(tmpdir(), 'mfa-kill-restore-'));
      cpSync('examples/hosts/mfa-7.0', join(root, 'host'), { recursive: true });
      const r = spawnSync(process.execPath, [join(process.cwd(), 'dist', 'mfa-upgrade.cjs'), 'backup', '--host', join(root, 'host'), '--out', join(root, 'work'), '--json'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`the backup a restore starts from: ${r.stdout.slice(-1000)}`);
      writeFileSync(join(root, 'host', 'drive/C/Program Files/Multi-Factor Authentication Server/Data/PhoneFactor.pfdata'), Buffer.alloc(64 * 1024, 0x42));
      writeFileSync(join(root, 'host', 'drive/C/inetpub/wwwroot/MFAPortal/web.config'), '<configuration />\n');
      template = { root, host: join(root, 'host'), work: join(root, 'work') };
    }
    return copyRun(template);
  };
}

export const restoreArgs = (w: Work): string[] => ['restore', w.work, '--host', w.host, '--include', 'web,themes', '--json'];

/**
 * Left out of the whole-host comparison, each for its reason: Windows Installer's verbose logs (one
 * per attempt, by design); the MFA service's own log, which a started MFA Server writes and a
 * rollback keeps (no package laid it down, as on Windows); for AD FS, the tool's records (its
 * journal and export under ProgramData, kept on purpose).
 */
export const IGNORE = ['drive/C/Windows/Logs'];
export const upgradeIgnore = (hostDir: string): string[] => [
  ...IGNORE,
  ...readdirSync(join(hostDir, 'drive/C/Program Files'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `drive/C/Program Files/${e.name}/Logs/MultiFactorAuthSvc.log`),
];
export const adfsIgnore = (): string[] => [...IGNORE, 'drive/C/ProgramData'];

/** Where a host differs from what was expected (the first few), or '' when it does not. */
export function differs(dir: string, actual: StrictHostState, expected: StrictHostState, ignore: string[]): string {
  return compareStrictHostStates(actual, expected, { ignoreFiles: ignore, actualDir: dir }).slice(0, 6).join('; ');
}

/** The steps an upgrade left to do (a resume that pauses at the conversion wait also exits 5). */
export function leftToDo(events: Array<Record<string, unknown>>): string {
  const result = events.find((e) => e['typeName'] === 'MfaUpgrade.UpgradeResult')?.['data'] as { leftToDo?: Array<{ id: string }> } | undefined;
  return (result?.leftToDo ?? []).map((l) => l.id).join(', ');
}

/** Runs at most two of the given jobs at a time: the machine has two cores. */
export function twoAtATime(): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    if (running >= 2) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

export function removeRun(w: Work): void {
  rmSync(w.root, { recursive: true, force: true });
}
