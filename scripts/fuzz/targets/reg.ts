// The .reg reader and writer: any bytes decode, parse or are refused; whatever parses is
// written back as text that parses to the same tree, and writing is stable.
import fc from 'fast-check';
import { decodeRegBytes } from '../../../lib/host/image/reg-file.js';
import { RegistryTree } from '../../../lib/host/image/registry-tree.js';
import { cleanly, Finding } from '../contract.js';
import { mutated, seeds } from '../mutate.js';
import type { Target } from './target.js';

const seedList = seeds(['examples/hosts/phonefactor-5.2', 'examples/hosts/mfa-7.0', 'examples/hosts/mfa-8.0-adfs', 'test/fixtures/reg', '../shared/corpus/reg'], /\.reg$/i);

export const regTarget: Target = {
  name: 'reg',
  arbitrary: mutated(seedList),
  check(bytes: Buffer): void {
    const text = cleanly(() => decodeRegBytes(bytes));
    if (text === undefined) return;
    const tree = cleanly(() => RegistryTree.fromText(text, 'fuzz.reg'));
    if (!tree) return;
    const out = tree.toText();
    let again: RegistryTree;
    try {
      again = RegistryTree.fromText(out, 'written.reg');
    } catch (e) {
      throw new Finding(`what the writer wrote does not parse: ${(e as Error).message}`);
    }
    if (again.toText() !== out) throw new Finding('writing a parsed tree twice gives different text');
  },
};

export const regSeedCount = seedList.length;
void fc;
