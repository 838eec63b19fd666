// Start-up cost of the bundle, against a bare `node -e 0` measured in the same run.
// Targets (issue 2): --version at most 1.3x, inventory of the PhoneFactor sample at most 2x.
import { existsSync } from 'node:fs';
import { report, timeCommandsInterleaved } from './measure.js';

if (!existsSync('dist/mfa-upgrade.cjs')) throw new Error('run `npm run build` first (npm run bench does)');
const node = process.execPath;
const [baseline, version, inventory] = timeCommandsInterleaved([
  [node, ['-e', '0']],
  [node, ['dist/mfa-upgrade.cjs', '--version']],
  [node, ['dist/mfa-upgrade.cjs', 'inventory', '--host', 'examples/hosts/phonefactor-5.2', '--json']],
]) as [number, number, number];
report('mfa-upgrade --version', version, 'node -e 0', baseline, 1.3);
report('mfa-upgrade inventory --host phonefactor-5.2 --json', inventory, 'node -e 0', baseline, 2);
