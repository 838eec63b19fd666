// adfs-upgrade's command definition (kept free of heavy imports: only loaded when run).
import { hostOption, reportOption, whatIfOption, type CommandSpec } from '../spec.js';

export const adfsUpgradeSpec: CommandSpec = {
  name: 'adfs-upgrade',
  summary:
    'Upgrade the MFA Server AD FS adapter: export its registered configuration, carry the settings into the new config, patch the register script, take the adapter out of the global policy, unregister the old and register the new adapter once per farm, restart AD FS, put the adapter back; undone automatically if registering fails. With --servers, the farm is done in halves.',
  changesMachine: true,
  options: [
    { name: 'config', type: 'string', valueName: 'file', required: true, description: 'The new adapter config (MultiFactorAuthenticationAdfsAdapter.config the new version ships), as this server sees it.' },
    { name: 'register-script', type: 'string', valueName: 'ps1', description: 'Register-MultiFactorAuthenticationAdfsAdapter.ps1 of the new adapter (default: beside --config); gets -ConfigurationFilePath and gives the type name to register.' },
    { name: 'out', type: 'string', valueName: 'file', description: 'Write the carried-over config here and register it from here (default: over --config; the original is kept in the backup).' },
    { name: 'old-config', type: 'string', valueName: 'file', description: 'The old adapter config, used when the registration holds no configuration data (default: the one in the MFA Server install folder).' },
    { name: 'servers', type: 'list', valueName: 'list', description: 'The AD FS servers, NAME or FARM=NAME, comma-separated: each farm is done in halves, the once-per-farm steps once; this server runs its own steps and its farm\'s once-per-farm steps.' },
    { name: 'farm', type: 'string', valueName: 'name', description: 'Name of this server\'s farm in step ids (default: farm).' },
    { name: 'type-name', type: 'string', valueName: 'type', description: 'The new adapter\'s assembly-qualified type name, when the register script does not give it literally.' },
    { name: 'name', type: 'string', valueName: 'name', description: 'The name to register the new adapter under (default: from the register script, else AzureMfaServerAuthentication).' },
    { name: 'old-type-name', type: 'string', valueName: 'type', description: 'The registered adapter\'s type name, when AD FS does not report it (needed to undo).' },
    { name: 'backup-dir', type: 'string', valueName: 'folder', description: 'Where the export, the originals of replaced files and the run state go (default C:\\ProgramData\\mfa-upgrade\\adfs).' },
    { name: 'package', type: 'string', valueName: 'msi', description: 'MultiFactorAuthenticationAdfsAdapterSetup64.msi: install it on this server as part of the sequence (otherwise installing is the administrator\'s step).' },
    { name: 'sdk-vdir', type: 'list', valueName: 'OLD=NEW', description: "The Web Service SDK's virtual directory was renamed: rewrite WebServiceSdkUrl ('default' = PhoneFactorWebServiceSdk=MultiFactorAuthWebServiceSdk)." },
    { name: 'from', type: 'string', valueName: 'step', description: 'Begin this server\'s part at this step id (the steps before it were done on other servers; the farm walk passes it); where this server has a paused run, go on with it.' },
    { name: 'resume', type: 'boolean', description: 'Go on with this server\'s paused or interrupted run, from its journal in --backup-dir (past the manual or other server\'s step it waited at).' },
    { name: 'rollback', type: 'boolean', description: 'Undo what this server\'s run did, newest step first (the registration, the policy and replaced files put back).' },
    { name: 'msi-log-dir', type: 'string', valueName: 'path', description: 'Folder for the Windows Installer log of the adapter install (default C:\\Windows\\Logs\\MfaUpgrade).' },
    hostOption,
    whatIfOption,
    reportOption,
  ],
  load: () => import('./adfs-upgrade.js'),
};
