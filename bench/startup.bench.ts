// Start-up cost of the bundle, against a bare `node -e 0` measured in the same run.
// Targets (issue 2): --version at most 1.3x, inventory of the PhoneFactor sample at most 2x.
import { existsSync } from 'node:fs';
import { report, timeCommand } from './measure.js';

if (!existsSync('dist/mfa-upgrade.cjs')) throw new Error('run `npm run build` first (npm run bench does)');
const node = process.execPath;
const baseline = timeCommand(node, ['-e', '0'], 15);
const version = timeCommand(node, ['dist/mfa-upgrade.cjs', '--version'], 15);
const inventory = timeCommand(node, ['dist/mfa-upgrade.cjs', 'inventory', '--host', 'examples/hosts/phonefactor-5.2', '--json'], 15);
report('mfa-upgrade --version', version, 'node -e 0', baseline, 1.3);
report('mfa-upgrade inventory --host phonefactor-5.2 --json', inventory, 'node -e 0', baseline, 2);
