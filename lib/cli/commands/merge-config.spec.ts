// merge-config's command definition (kept free of heavy imports: only loaded when run).
import { hostOption, whatIfOption, type CommandSpec } from '../spec.js';

export const mergeConfigSpec: CommandSpec = {
  name: 'merge-config',
  summary: 'Carry appSettings and applicationSettings values (and the SDK URL) from a backed-up web.config into the newly installed one, changing nothing else.',
  changesMachine: true,
  options: [
    { name: 'old', type: 'string', valueName: 'file', required: true, description: 'The backed-up web.config of the old version.' },
    { name: 'new', type: 'string', valueName: 'file', required: true, description: 'The web.config the new version installed; it receives the values.' },
    { name: 'out', type: 'string', valueName: 'file', description: 'Write the result here instead of over --new.' },
    { name: 'sdk-vdir', type: 'list', valueName: 'OLD=NEW', description: "The Web Service SDK's virtual directory was renamed: rewrite URLs through it ('default' = PhoneFactorWebServiceSdk=MultiFactorAuthWebServiceSdk)." },
    { name: 'carry-removed', type: 'boolean', description: 'Also carry keys the new version no longer has.' },
    hostOption,
    whatIfOption,
  ],
  load: () => import('./merge-config.js'),
};
