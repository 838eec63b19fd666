// The backup commands' definitions: backup, verify-backup, restore (kept free of heavy imports:
// each command's code is loaded only when it runs).
import { hostOption, whatIfOption, type CommandSpec, type OptionSpec } from '../spec.js';

export const passphraseFileOption: OptionSpec = {
  name: 'passphrase-file',
  type: 'string',
  valueName: 'file',
  description: 'A file holding the passphrase (UTF-8, at most 1 KiB, one trailing line break ignored): the bundle is encrypted (AES-256-GCM, key from scrypt). Never pass a passphrase on the command line.',
};

export const expectDigestOption: OptionSpec = {
  name: 'expect-digest',
  type: 'string',
  valueName: 'sha256:hex',
  description: 'The digest backup printed for the bundle: a bundle whose manifest has another digest (changed or swapped) is refused. An unencrypted bundle is authenticated only this way.',
};

export const backupSpec: CommandSpec = {
  name: 'backup',
  summary: 'Back up the data file (with the server stopped for the copy), web.configs, themes, the AD FS adapter config, the PhoneFactor registry key and an image of the machine into a verified bundle.',
  changesMachine: true,
  options: [
    { name: 'out', type: 'string', valueName: 'folder', required: true, description: 'The bundle folder to create (it must not exist). Written as <folder>.partial and renamed when complete and verified.' },
    hostOption,
    passphraseFileOption,
    { name: 'role', type: 'string', valueName: 'master|subordinate|standalone', description: "This server's role in its replication group (Windows does not record it in a documented place): a subordinate only holds a read-only replica; standalone: a server without others (as upgrade and plan take it)." },
    whatIfOption,
  ],
  load: () => import('./backup.js'),
};

export const verifyBackupSpec: CommandSpec = {
  name: 'verify-backup',
  summary: 'Re-read and re-hash every file of a backup bundle; name each missing, extra or altered file (exit code 4 when there is any).',
  changesMachine: false,
  positionals: [{ name: 'bundle', description: 'The bundle folder.', required: true }],
  options: [passphraseFileOption, expectDigestOption],
  load: () => import('./verify-backup.js'),
};

export const restoreSpec: CommandSpec = {
  name: 'restore',
  summary: 'Restore the data file from a verified bundle (stop MultiFactorAuth, replace atomically, start), and web.configs and themes when asked; the replaced files are kept aside.',
  changesMachine: true,
  positionals: [{ name: 'bundle', description: 'The bundle folder.', required: true }],
  options: [
    hostOption,
    whatIfOption,
    { name: 'include', type: 'list', valueName: 'web,themes', description: 'Also restore the web components\' web.config files (web) and the portal themes (themes).' },
    passphraseFileOption,
    expectDigestOption,
    { name: 'undo-dir', type: 'string', valueName: 'folder', description: 'Where the files the restore replaces are kept (default: beside the bundle).' },
  ],
  load: () => import('./restore.js'),
};

export const backupSpecs: CommandSpec[] = [backupSpec, verifyBackupSpec, restoreSpec];
