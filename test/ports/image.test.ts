// The port conformance suite (test/ports/conformance.ts) against the image backend; the Windows
// tier runs the same cases against the Windows backend under Wine.
import test from 'ava';
import { join } from 'node:path';
import { openImageHost } from '../../lib/host/image/image-host.js';
import { tempCopy } from '../helpers/temp-host.js';
import { CASES } from './conformance.js';

for (const c of CASES) {
  test(c.name, async (t) => {
    const h = tempCopy('mfa-7.0');
    t.teardown(h.cleanup);
    const host = await openImageHost(h.dir);
    await c.run({
      host,
      scratch: 'C:\\MfaConformance',
      regKey: 'HKLM\\SOFTWARE\\MfaConformance',
      pkg: { path: join('examples', 'packages', 'vc_redist.x86.msi.json'), productCode: '{8A2F3E4D-5C6B-47A8-9B9C-0D1E2F3A4B5C}', version: '14.29.30139' },
    });
    t.pass();
  });
}
