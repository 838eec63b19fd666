// compare-adfs-config's command definition (kept free of heavy imports: only loaded when run).
import { hostOption, whatIfOption, type CommandSpec } from '../spec.js';

export const compareAdfsConfigSpec: CommandSpec = {
  name: 'compare-adfs-config',
  summary: 'Compare an old MultiFactorAuthenticationAdfsAdapter.config (file or AD FS export) with the new one; with --out, write the new one with the old values carried over.',
  changesMachine: true,
  options: [
    { name: 'old', type: 'string', valueName: 'file', required: true, description: 'The old adapter config, or the file Export-AdfsAuthenticationProviderConfigurationData wrote.' },
    { name: 'new', type: 'string', valueName: 'file', required: true, description: 'The adapter config the new version ships.' },
    { name: 'out', type: 'string', valueName: 'file', description: 'Write the carried-over config here (may be the --new file).' },
    { name: 'sdk-vdir', type: 'list', valueName: 'OLD=NEW', description: "The Web Service SDK's virtual directory was renamed: rewrite WebServiceSdkUrl ('default' = PhoneFactorWebServiceSdk=MultiFactorAuthWebServiceSdk)." },
    hostOption,
    whatIfOption,
  ],
  load: () => import('./compare-adfs-config.js'),
};
