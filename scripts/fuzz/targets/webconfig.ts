// The web.config and AD FS adapter config readers, through the merge and the compare: any
// bytes on either side are merged or refused; a merge's output is well-formed XML that our own
// reader loads, and merging again changes nothing.
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import { compareAdapterConfigs } from '../../../lib/config/adfs/adapter-config.js';
import { mergeWebConfig } from '../../../lib/config/webconfig/merge.js';
import { loadXmlDocument } from '../../../lib/config/xml/document.js';
import { cleanly, Finding } from '../contract.js';
import { mutated, nested, seeds } from '../mutate.js';
import type { Target } from './target.js';

const webSeeds = seeds(['test/fixtures/config', 'examples/hosts/phonefactor-5.2/drive/C/inetpub/wwwroot/PhoneFactor', 'examples/hosts/mfa-7.0/drive/C/inetpub/wwwroot/MFAPortal', '../shared/corpus/webconfig'], /(web\.config|\.config)$/i).filter((b) => !b.includes(Buffer.from('ConfigurationData')));
const adapterSeeds = seeds(['test/fixtures/config', 'examples/packages/payload/adfs'], /adapter.*\.config$/i);
const PORTAL = readFileSync('test/fixtures/config/userportal-mfa-8.0.web.config');
const ADAPTER = readFileSync('test/fixtures/config/adfs-adapter-8.0.config');

function wellFormed(bytes: Buffer, what: string): void {
  try {
    loadXmlDocument(bytes, what);
  } catch (e) {
    throw new Finding(`the ${what} written does not load again: ${(e as Error).message}`);
  }
  const text = bytes.toString(bytes[0] === 0xff ? 'utf16le' : 'utf8').replace(/^\uFEFF/, '');
  if (XMLValidator.validate(text) !== true && bytes[0] !== 0xfe) throw new Finding(`the ${what} written is not well-formed for fast-xml-parser`);
}

const input = fc.tuple(fc.constantFrom('web-old', 'web-new', 'adapter-old', 'adapter-new'), fc.oneof({ weight: 9, arbitrary: mutated(webSeeds) }, { weight: 1, arbitrary: nested('<configuration><system.web>', 'x', '</system.web></configuration>') }));

export const webconfigTarget: Target = {
  name: 'webconfig',
  arbitrary: input.map(([side, b]) => Buffer.concat([Buffer.from(`${side}\n`), b])),
  check(packed: Buffer): void {
    const nl = packed.indexOf(10);
    const side = packed.subarray(0, nl).toString();
    const bytes = packed.subarray(nl + 1);
    if (side.startsWith('web')) {
      const [oldIn, newIn] = side === 'web-old' ? [{ bytes, file: 'fuzz' }, { bytes: PORTAL, file: 'portal' }] : [{ bytes: PORTAL, file: 'portal' }, { bytes, file: 'fuzz' }];
      for (const carryRemoved of [false, true]) {
        const r = cleanly(() => mergeWebConfig(oldIn, newIn, { carryRemoved, sdkVdir: [{ from: 'PhoneFactorWebServiceSdk', to: 'MultiFactorAuthWebServiceSdk' }] }));
        if (!r) continue;
        wellFormed(r.bytes, 'merged web.config');
        const again = cleanly(() => mergeWebConfig(oldIn, { bytes: r.bytes, file: 'merged' }, { carryRemoved, sdkVdir: [{ from: 'PhoneFactorWebServiceSdk', to: 'MultiFactorAuthWebServiceSdk' }] }));
        if (!again) throw new Finding('the merged web.config is refused when merged again');
        if (!again.bytes.equals(r.bytes)) throw new Finding('merging the old file into the merged one changes it again');
      }
    } else {
      const [oldIn, newIn] = side === 'adapter-old' ? [{ bytes, file: 'fuzz' }, { bytes: ADAPTER, file: 'adapter' }] : [{ bytes: ADAPTER, file: 'adapter' }, { bytes, file: 'fuzz' }];
      const r = cleanly(() => compareAdapterConfigs(oldIn, newIn));
      if (r && r.report.changedOutput) wellFormed(r.bytes, 'carried adapter config');
    }
  },
};

export const webSeedCount = webSeeds.length + adapterSeeds.length;
