// Merge of a ~1 MB web.config against parsing the same file with fast-xml-parser alone, in the
// same run. The merge reads and validates both files, locates every value, edits and re-encodes;
// the baseline only parses one file, with attributes (what reading appSettings needs).
import { XMLParser } from 'fast-xml-parser';
import { mergeWebConfig } from '../lib/config/webconfig/merge.js';
import { bigWebConfig } from '../test/config/helpers/gen-webconfig.js';
import { report, timeIt } from './measure.js';

const SIZE = 1024 * 1024;
const oldBytes = bigWebConfig(SIZE, (i) => (i % 3 === 0 ? `https://pf01.contoso.com/PhoneFactorWebServiceSdk/item/${i}` : `value ${i} & more`));
const newBytes = bigWebConfig(SIZE, (i) => (i % 3 === 0 ? '' : `value ${i} & more`));
const newText = newBytes.toString('utf8');
const parser = () => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false });

const sample = mergeWebConfig({ bytes: oldBytes, file: 'old' }, { bytes: newBytes, file: 'new' }, { sdkVdir: [{ from: 'PhoneFactorWebServiceSdk', to: 'MultiFactorAuthWebServiceSdk' }] });
console.log(`web.config ${(newBytes.length / 1048576).toFixed(2)} MB, ${sample.report.changes.length} values carried, strategy ${sample.report.strategy}`);

const parse = await timeIt(() => parser().parse(newText));
const merge = await timeIt(() => mergeWebConfig({ bytes: oldBytes, file: 'old' }, { bytes: newBytes, file: 'new' }, { sdkVdir: [{ from: 'PhoneFactorWebServiceSdk', to: 'MultiFactorAuthWebServiceSdk' }] }));
report('merge-config (1 MB old + 1 MB new)', merge, 'fast-xml-parser parse (1 MB)', parse, 3);
