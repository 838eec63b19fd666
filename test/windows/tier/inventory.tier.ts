// The inventory of the Wine prefix with the PhoneFactor 5.2 fixtures installed, against the
// inventory written by hand in test/windows/expected-inventory.json.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { takeInventory } from '../../../lib/inventory/take-inventory.js';
import { host, work } from './context.js';
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
    // Left in the prefix (run.mjs --keep) to compare when the inventory's shape changes.
    writeFileSync(work('actual-inventory.json'), JSON.stringify(inventory, null, 2));
    assert.deepEqual(inventory, expected);
  });

  test('the CLI bundle (dist/mfa-upgrade.cjs), run by a renamed node.exe, finds the addon beside itself and reports the same inventory', (t) => {
    const bundle = `${env('MFA_TIER_ROOT')}\\dist\\mfa-upgrade.cjs`;
    const out = 'C:\\mfa-tier\\cli-inventory.jsonl';
    // No MFA_UPGRADE_ADDON for the child: the bundle resolves the package root from its own folder.
    // node.exe cannot write to a pipe under Wine: cmd.exe redirects its output to a file.
    mkdirSync('C:\\mfa-tier', { recursive: true });
    // A renamed node.exe, as the single executable application is: the addon's Node-API imports
    // from "node.exe" are delay-loaded and resolved to whatever executable runs it.
    const exe = 'C:\\mfa-tier\\mfa-upgrade-host.exe';
    copyFileSync(process.execPath, exe);
    const childEnv = { ...process.env };
    delete childEnv['MFA_UPGRADE_ADDON'];
    const r = spawnSync('cmd.exe', ['/d', '/s', '/c', `""${exe}" "${bundle}" inventory --json > ${out} 2>&1"`], { env: childEnv, windowsVerbatimArguments: true, stdio: 'ignore', timeout: 120_000 });
    const lines = readFileSync(out, 'utf8').split(/\r?\n/).filter(Boolean);
    assert.equal(r.status, 0, `exit ${r.status}: ${lines.slice(-5).join(' | ')}`);
    const object = lines.map((l) => JSON.parse(l) as { type: string; typeName?: string; data?: Record<string, unknown> }).find((l) => l.type === 'object');
    assert.equal(object?.typeName, 'MfaUpgrade.Deployment');
    const data = object!.data as Record<string, unknown>;
    data['host'] = { kind: (data['host'] as { kind: string }).kind };
    const expected = JSON.parse(readFileSync(env('MFA_TIER_EXPECTED'), 'utf8')) as Record<string, unknown>;
    delete expected['$comment'];
    assert.deepEqual(data, expected);
    t.note(`${lines.length} protocol lines`);
  });
}
