// A report model with every section filled, written by hand (not by a producer), for the renderer
// tests; and a way to put the same text into every string of it.
import { REPORT_FORMAT, type ReportModel } from '../../../lib/report/model.js';

export function fullModel(): ReportModel {
  return {
    format: REPORT_FORMAT,
    header: { title: 'Upgrade of PF01', command: 'mfa-upgrade upgrade --host PF01', servers: ['PF01'], from: 'PhoneFactor Agent 5.2.1.12', to: 'Multi-Factor Authentication Server 8.1.1.2', toolVersion: '0.1.0', generatedAt: '2026-01-02T03:04:05.000Z', outcome: { label: 'COMPLETED', tone: 'ok' }, notes: ['a note'] },
    readiness: [
      { id: 'dotnet', title: '.NET 4.5', status: 'pass', evidence: 'Release = 378389' },
      { id: 'vcredist-x86', title: 'VC++ x86', status: 'warn', evidence: 'not installed', remedy: 'install it' },
      { id: 'disk', title: 'Disk', status: 'fail', evidence: '10 MB free', remedy: 'free space' },
    ],
    plan: {
      route: 'PhoneFactor Agent 5.x to MFA Server',
      blockers: [{ message: 'a blocker', remedy: 'its remedy' }],
      warnings: ['a warning'],
      upToDate: false,
      steps: [
        { id: '01-backup', kind: 'backup', title: 'Back up', description: 'd', needs: ['space'], protects: ['all'], undo: 'nothing', manual: false, wait: false, details: [] },
        { id: '02-install-server', kind: 'install', title: 'Install MFA Server', description: 'd', needs: [], protects: ['data'], undo: 'uninstall', manual: false, wait: false, reboot: 'possible', details: [{ label: 'Package', value: 'x.msi' }] },
        { id: '03-wait-conversion', kind: 'wait-conversion', title: 'Wait for the data file conversion', description: 'follows the log', needs: [], protects: [], undo: 'nothing', manual: false, wait: true, details: [{ label: 'timeoutSeconds', value: '3600' }] },
        { id: '04-manual-activate', kind: 'manual', title: 'Activate', description: 'd', needs: [], protects: [], undo: 'nothing', manual: true, wait: false, instructions: 'open the console', details: [] },
        { id: '05-restart', kind: 'reboot', title: 'Restart the server', description: 'd', needs: [], protects: [], undo: 'nothing', manual: false, wait: false, reboot: 'required', details: [] },
      ],
    },
    merges: {
      note: 'merge note',
      items: [
        {
          title: 'User Portal (Default Web Site/PhoneFactor)',
          stepId: '12-merge-config-userPortal',
          oldFile: 'C:\\inetpub\\wwwroot\\PhoneFactor\\web.config',
          newFile: 'C:\\inetpub\\wwwroot\\PhoneFactor\\web.config',
          state: 'applied',
          decision: 'carry',
          hunks: [{ line: 15, before: ['    <add key="LOG_LEVEL" value="Info" />'], after: ['    <add key="LOG_LEVEL" value="Warning" />'] }],
          changes: [{ key: 'LOG_LEVEL', scope: '', old: 'Info', new: 'Warning', why: 'carried', secret: false }],
          checklist: [{ text: 'Re-apply THEME', detail: 'Old value: Contoso', done: false }],
          warnings: ['merge warning'],
        },
      ],
    },
    adfs: {
      localNode: 'ADFS01',
      status: 'completed',
      statusTone: 'ok',
      adapterOld: 'AzureMfaServerAuthentication 8.0.0.3',
      adapterNew: 'AzureMfaServerAuthentication 8.1.1.2',
      policyBefore: ['AzureMfaServerAuthentication'],
      policyAfter: ['AzureMfaServerAuthentication'],
      farms: [{ name: 'sts', firstHalf: ['ADFS01'], secondHalf: ['ADFS02'], primary: 'ADFS01', local: true }],
      steps: [
        { index: 1, id: 'sts/policy-remove', farm: 'sts', phase: 'c', title: 'Take it out', node: 'ADFS01', half: 'farm', manual: false, runsHere: true, withoutAdapter: false, action: 'Set-AdfsGlobalAuthenticationPolicy', undo: 'put back', status: 'done', ms: 1200 },
        { index: 2, id: 'sts/register', farm: 'sts', phase: 'e', title: 'Register', node: 'ADFS01', half: 'farm', manual: false, runsHere: true, withoutAdapter: true, action: 'Register-AdfsAuthenticationProvider', undo: 'unregister', status: 'done', ms: 800 },
        { index: 3, id: 'sts/policy-add', farm: 'sts', phase: 'h', title: 'Put it back', node: 'ADFS01', half: 'farm', manual: false, runsHere: true, withoutAdapter: false, action: 'Set-AdfsGlobalAuthenticationPolicy', undo: 'none', status: 'done', ms: 300 },
        { index: 4, id: 'sts/restart@ADFS02', farm: 'sts', phase: 'i', title: 'Restart ADFS02', node: 'ADFS02', half: 'second', manual: false, runsHere: false, withoutAdapter: false, action: 'Restart-Service adfssrv', undo: 'none' },
      ],
      withoutAdapterSeconds: 2.3,
      adapterOutOfPolicy: false,
      warnings: ['adfs warning'],
    },
    fleet: {
      master: 'MFA01',
      promote: 'MFA02',
      lanes: [
        { server: 'MFA01', role: 'master' },
        { server: 'MFA02', role: 'subordinate' },
      ],
      actions: [
        { order: 1, servers: ['MFA02'], kind: 'backup', label: 'backup', title: 'Backup MFA02', manual: false },
        { order: 1, servers: ['MFA02'], kind: 'upgrade', label: 'upgrade', title: 'Upgrade MFA02', manual: false, command: 'mfa-upgrade upgrade' },
        { order: 2, servers: ['MFA02'], kind: 'promote', label: 'promote', title: 'Promote MFA02', manual: true },
        { order: 3, servers: ['MFA01', 'MFA02'], kind: 'quiesce-replication', label: 'quiesce replication', title: 'A kind the renderer does not know', manual: false },
      ],
      warnings: [],
    },
    run: {
      mode: 'run',
      outcome: 'failed',
      outcomeTone: 'fail',
      exitCode: 1603,
      startedAt: '2026-01-02T03:04:05.000Z',
      endedAt: '2026-01-02T03:06:05.000Z',
      journal: '/w/upgrade-journal.jsonl',
      backup: '/w/backup/b',
      steps: [
        { id: '01-backup', title: 'Back up', status: 'done', startedAt: '2026-01-02T03:04:05.000Z', endedAt: '2026-01-02T03:04:35.000Z' },
        { id: '02-install-server', title: 'Install MFA Server', status: 'failed', startedAt: '2026-01-02T03:04:35.000Z', endedAt: '2026-01-02T03:06:05.000Z', error: 'MSI 1603' },
      ],
      leftToDo: [{ id: '04-manual-activate', title: 'Activate', instructions: 'open the console' }],
      rebootRequired: false,
      undoCommand: 'mfa-upgrade upgrade --backup /w --rollback',
      resumeCommand: 'mfa-upgrade upgrade --backup /w --resume',
      notes: ['run note'],
    },
  };
}

/** The model with every string replaced by f(string) (keys and enum-like fields kept). */
export function mapStrings<T>(value: T, f: (s: string, key: string) => string, key = ''): T {
  if (typeof value === 'string') return f(value, key) as unknown as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f, key)) as unknown as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = mapStrings(v, f, k);
    return out as T;
  }
  return value;
}

/** Fields whose values select behaviour (enums) rather than carry text. */
export const ENUM_FIELDS = new Set(['format', 'kind', 'tone', 'status', 'statusTone', 'outcomeTone', 'state', 'mode', 'half', 'reboot', 'generatedAt', 'startedAt', 'endedAt']);
