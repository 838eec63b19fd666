// The command table. Each command's code is loaded only when it runs.
import { adfsUpgradeSpec } from './commands/adfs-upgrade.spec.js';
import { backupSpec, expectDigestOption, passphraseFileOption, restoreSpec, verifyBackupSpec } from './commands/backup.spec.js';
import { compareAdfsConfigSpec } from './commands/compare-adfs-config.spec.js';
import { mergeConfigSpec } from './commands/merge-config.spec.js';
import { patchRegisterScriptSpec } from './commands/patch-register-script.spec.js';
import { planOptionSpecs } from './commands/plan-options.js';
import { hostOption, whatIfOption, type CommandSpec } from './spec.js';

export const commands: CommandSpec[] = [
  {
    name: 'inventory',
    summary: 'Discover what is installed: MFA Server or PhoneFactor Agent, services, data file, web components, AD FS adapter.',
    changesMachine: false,
    options: [hostOption],
    load: () => import('./commands/inventory.js'),
  },
  {
    name: 'check',
    summary: 'Check prerequisites: .NET, VC++ runtimes, IIS features, memory for N users, disk, pending reboot, installer busy, elevation, outbound 443.',
    changesMachine: false,
    options: [
      hostOption,
      { name: 'users', type: 'number', valueName: 'N', integer: true, min: 1, max: 100000000, description: 'Regularly authenticating users, to check memory against the sizing table.' },
      { name: 'packages', type: 'string', valueName: 'dir', description: 'The installers to be used (their version decides what is required).' },
    ],
    load: () => import('./commands/check.js'),
  },
  backupSpec,
  verifyBackupSpec,
  restoreSpec,
  {
    name: 'plan',
    summary: 'Show the upgrade plan: ordered steps with preconditions, what each protects and its undo; blockers if it cannot run.',
    changesMachine: false,
    options: [hostOption, ...planOptionSpecs, { name: 'fleet', type: 'string', valueName: 'file', description: 'A JSON file of servers and roles: gives the order across them instead of one server\'s steps.' }],
    load: () => import('./commands/plan.js'),
  },
  {
    name: 'upgrade',
    summary: 'Run the upgrade: verified backup first, every step journaled; --resume after a crash, --rollback to undo.',
    changesMachine: true,
    options: [
      hostOption,
      ...planOptionSpecs,
      { name: 'backup', type: 'string', valueName: 'dir', description: 'Folder for the backup bundle and the journal (keep it: resume and rollback need it).', required: true },
      whatIfOption,
      { name: 'resume', type: 'boolean', description: 'Finish an interrupted upgrade from its journal.' },
      { name: 'rollback', type: 'boolean', description: 'Undo what an upgrade did, newest step first, and restore from its backup.' },
      { name: 'unattended', type: 'boolean', description: 'Never wait for a person: manual steps are recorded as left to do (exit 5 at the end).' },
      { name: 'retry-1618', type: 'number', valueName: 'N', integer: true, min: 1, max: 100, description: 'Attempts for an install that finds another installation running (default 6).' },
      { name: 'retry-delay', type: 'number', valueName: 'seconds', integer: true, min: 0, max: 3600, description: 'First wait before retrying 1618, doubled each time (default 30).' },
      { name: 'msi-log-dir', type: 'string', valueName: 'path', description: 'Folder on the server for the Windows Installer logs (default C:\\Windows\\Logs\\MfaUpgrade).' },
      { name: 'fleet', type: 'string', valueName: 'file', description: 'The fleet file (as for plan --fleet): this server\'s role and load balancer, and its subordinates\' versions ("version") for a master.' },
      { name: 'conversion-timeout', type: 'number', valueName: 'minutes', description: 'How long to follow the MFA Server service log for the end of the data file conversion after its install (default 60); then the run pauses for a person to confirm (exit 5).' },
    ],
    load: () => import('./commands/upgrade.js'),
  },
  {
    name: 'rehearse',
    summary: 'Rehearse the upgrade on a copy of the machine taken from a backup bundle, in a temporary folder: the plan, each merged web.config, the outcome. Touches nothing else.',
    changesMachine: false,
    options: [
      { name: 'backup', type: 'string', valueName: 'bundle', description: 'The backup bundle whose snapshot is rehearsed on.', required: true },
      ...planOptionSpecs,
      passphraseFileOption,
      expectDigestOption,
      { name: 'keep', type: 'boolean', description: 'Keep the rehearsed copy (and say where) instead of deleting it.' },
    ],
    load: () => import('./commands/rehearse.js'),
  },
  {
    name: 'verify-upgrade',
    summary: 'Check that the upgrade is healthy: products at the target versions, services running with their start types, InstallPath and the data file as the backup found them, the data file converted, each web component\'s IIS application with a web.config that loads and holds the carried settings, SDK URLs leading to the SDK, and each component answering over HTTP(S). Exit 4 when a check fails.',
    changesMachine: false,
    options: [
      hostOption,
      { name: 'backup', type: 'string', valueName: 'dir', description: 'The upgrade\'s folder (as given to upgrade --backup): its journal and bundle say what was planned, carried and found before.' },
      { name: 'packages', type: 'string', valueName: 'dir', description: 'The packages the upgrade used, for the target versions when there is no journal.' },
      { name: 'no-http', type: 'boolean', description: 'Do not send HTTP(S) requests to the web components.' },
      { name: 'http-timeout', type: 'number', valueName: 'seconds', description: 'How long to wait for each component\'s answer (default 10).' },
    ],
    load: () => import('./commands/verify-upgrade.js'),
  },
  mergeConfigSpec,
  compareAdfsConfigSpec,
  patchRegisterScriptSpec,
  adfsUpgradeSpec,
];

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((c) => c.name === name);
}
