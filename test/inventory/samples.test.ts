import test from 'ava';
import { readFileSync } from 'node:fs';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { takeInventory } from '../../lib/inventory/take-inventory.js';

// Expected results are written by hand from what each sample host holds (see examples/hosts/*).
for (const sample of ['phonefactor-5.2', 'mfa-7.0', 'mfa-8.0-adfs']) {
  test(`inventory of ${sample} equals the expected result`, async (t) => {
    const expected = JSON.parse(readFileSync(`test/fixtures/inventory/${sample}.json`, 'utf8')) as Record<string, unknown>;
    const inv = await takeInventory(await openImageHost(`examples/hosts/${sample}`));
    t.deepEqual({ ...inv, host: { ...inv.host, location: '<image>' } }, expected);
  });
}
