// The human view of an inventory.
import type { Inventory } from '../../inventory/types.js';
import { formatBytes } from '../../util/format-bytes.js';
import { table } from './table.js';

const COMPONENT_NAMES = { userPortal: 'User Portal', mobileAppWebService: 'Mobile App Web Service', webServiceSdk: 'Web Service SDK' } as const;

export function formatInventory(inv: Inventory): string {
  const out: string[] = [`Host ${inv.host.computerName} (${inv.host.os}${inv.host.kind === 'image' ? `, image at ${inv.host.location}` : ''})`, ''];
  const s = inv.server;
  if (!s) out.push('MFA Server / PhoneFactor Agent: not installed');
  else {
    out.push(`${s.product.name} ${s.product.version}  [${s.generation === 'phonefactor-agent' ? 'PhoneFactor Agent 5.x era' : 'MFA Server'}${s.versionKnown ? '' : ', UNKNOWN VERSION'}]`);
    out.push(`  ProductCode   ${s.product.productCode}`);
    out.push(`  Install path  ${s.installPath ?? '(not recorded)'}   (registry 32-bit: ${s.installPathRegistry['32'] ?? '-'}, 64-bit: ${s.installPathRegistry['64'] ?? '-'})`);
    out.push(`  Data file     ${s.dataFile.path}  ${s.dataFile.exists ? formatBytes(s.dataFile.size) : 'MISSING'}`);
    out.push(`  Log           ${s.logFile.path}${s.logFile.exists ? '' : ' (absent)'}`);
    out.push(`  Services      ${s.services.length ? s.services.map((x) => `${x.name} (${x.state}, ${x.startType})`).join(', ') : 'none found'}`);
  }
  out.push('');
  if (inv.webComponents.length === 0) out.push('Web components: none found in IIS');
  else {
    out.push('Web components:');
    out.push(
      table(
        ['Component', 'Version', 'Site / vdir', 'Physical path', 'SDK URL', 'Themes'],
        inv.webComponents.map((w) => [
          COMPONENT_NAMES[w.component],
          w.product?.version ?? '(no product)',
          `${w.site}/${w.vdir}`,
          w.physicalPath,
          w.sdkUrl ?? '-',
          w.themes.join(', ') || '-',
        ]),
      ),
    );
  }
  out.push('');
  const a = inv.adfsAdapter;
  out.push(a ? `AD FS adapter: ${a.product.name} ${a.product.version}, config ${a.configFile ? `${a.configFile.path}${a.configFile.exists ? '' : ' (MISSING)'}` : '(no install folder known)'}` : 'AD FS adapter: not installed');
  if (a?.registered) {
    const r = a.registered;
    out.push(`  Registered in AD FS as ${r.name} (version ${r.version ?? 'unknown'}), ${r.inGlobalPolicy ? 'enabled' : 'NOT enabled'} in the global authentication policy`);
  }
  for (const p of inv.unrecognisedProducts) out.push(`Unrecognised MFA-like product: ${p.name} ${p.version} (${p.productCode})`);
  if (inv.warnings.length) {
    out.push('', 'Warnings:');
    for (const w of inv.warnings) out.push(`  - ${w}`);
  }
  return out.join('\n');
}
