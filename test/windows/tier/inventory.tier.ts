// The inventory of the Wine prefix with the PhoneFactor 5.2 fixtures installed, against the
// inventory written by hand in test/windows/expected-inventory.json.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { takeInventory } from '../../../lib/inventory/take-inventory.js';
import { host } from './context.js';
import { env, test } from './harness.js';

/** IIS is not part of Wine: the test lays down the configuration IIS would hold for the three applications. */
const APPLICATION_HOST = `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <system.applicationHost>
        <sites>
            <site name="Default Web Site" id="1">
                <application path="/">
                    <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />
                </application>
                <application path="/PhoneFactor" applicationPool="PhoneFactor">
                    <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot\\PhoneFactor" />
                </application>
                <application path="/PhoneFactorPhoneAppWebService" applicationPool="PhoneFactor">
                    <virtualDirectory path="/" physicalPath="C:\\inetpub\\wwwroot\\PhoneFactorPhoneAppWebService" />
                </application>
                <application path="/PhoneFactorWebServiceSdk" applicationPool="PhoneFactor">
                    <virtualDirectory path="/" physicalPath="C:\\inetpub\\wwwroot\\PhoneFactorWebServiceSdk" />
                </application>
                <bindings>
                    <binding protocol="http" bindingInformation="*:80:" />
                </bindings>
            </site>
        </sites>
    </system.applicationHost>
</configuration>
`;

export function declareInventoryTest(): void {
test('inventory: the prefix with the PhoneFactor 5.2 fixtures installed equals the expected inventory', async () => {
  const h = await host();
  await h.files.writeFileAtomic('C:\\Windows\\System32\\inetsrv\\config\\applicationHost.config', Buffer.from(`\uFEFF${APPLICATION_HOST.replace(/\n/g, '\r\n')}`, 'utf8'));
  await h.registry.setValue('HKLM\\SOFTWARE\\Microsoft\\InetStp', 'MajorVersion', { type: 'REG_DWORD', data: 7 });
  await h.registry.setValue('HKLM\\SOFTWARE\\Microsoft\\InetStp', 'MinorVersion', { type: 'REG_DWORD', data: 5 });
  assert.deepEqual(await h.iis.version(), { majorVersion: 7, minorVersion: 5 });
  if ((await h.services.get('pfsvc'))?.state !== 'running') await h.services.start('pfsvc');
  const inventory = JSON.parse(JSON.stringify(await takeInventory(h))) as Record<string, unknown> & { host: Record<string, unknown> };
  const info = await h.info();
  assert.deepEqual(inventory.host, { computerName: info.computerName, os: info.os, kind: 'windows', location: info.location });
  inventory.host = { kind: 'windows' };
  const expected = JSON.parse(readFileSync(env('MFA_TIER_EXPECTED'), 'utf8')) as Record<string, unknown>;
  delete expected['$comment'];
  assert.deepEqual(inventory, expected);
});
}
