// The applicationHost.config reader (both backends read IIS from it): any bytes are read into
// sites or refused, including nesting deep enough to break a recursive parser.
import fc from 'fast-check';
import { decodeText } from '../../../lib/config/xml/codec.js';
import { findSites, parseIisXml, readSites } from '../../../lib/host/iis/apphost-config.js';
import { movedSitesFile } from '../../../lib/host/iis/config-iis.js';
import { cleanly } from '../contract.js';
import { mutated, nested, seeds } from '../mutate.js';
import type { Target } from './target.js';

const seedList = seeds(['examples/hosts/phonefactor-5.2/drive/C/Windows/System32/inetsrv/config', 'examples/hosts/mfa-7.0/drive/C/Windows/System32/inetsrv/config', '../shared/corpus/iis'], /\.config$/i);

export const apphostTarget: Target = {
  name: 'applicationHost.config',
  arbitrary: fc.oneof({ weight: 9, arbitrary: mutated(seedList) }, { weight: 1, arbitrary: nested('<configuration><system.applicationHost><sites>', 'site', '</sites></system.applicationHost></configuration>') }),
  check(bytes: Buffer): void {
    const decoded = cleanly(() => decodeText(bytes, 'applicationHost.config'));
    if (!decoded) return;
    const doc = cleanly(() => parseIisXml(decoded.text, 'applicationHost.config'));
    if (!doc) return;
    cleanly(() => movedSitesFile(doc));
    const { sites } = cleanly(() => findSites(doc)) ?? { sites: undefined };
    if (sites) cleanly(() => readSites(sites, (s) => s));
  },
};
