// The port conformance suite (test/ports/conformance.ts) against the Windows backend, in node.exe
// under Wine: the same cases the image backend passes in npm test.
import { CASES } from '../../ports/conformance.js';
import { AGENT, host, msi, work } from './context.js';
import { test } from './harness.js';

export function declareConformanceTests(): void {
  for (const c of CASES) {
    test(`conformance: ${c.name}`, async () => {
      await c.run({ host: await host(), scratch: work('conformance'), regKey: 'HKLM\\SOFTWARE\\MfaConformance', pkg: { path: msi(AGENT.file), productCode: AGENT.productCode, version: '5.2.1.12' } });
    });
  }
}
