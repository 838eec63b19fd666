// The Windows tier's tests, in the order they run (later ones build on what earlier ones
// installed). Bundled by scripts/windows-tier/run.mjs and run in node.exe under Wine.
import './addon.tier.js';
import './registry.tier.js';
import './files.tier.js';
import './services.tier.js';
import './installer.tier.js';
import { declareServerUninstall, declareUpgradeTests } from './installer.tier.js';
import { declareAgentServiceTests, declareDependentServiceTests } from './services.tier.js';
import { declareInventoryTest } from './inventory.tier.js';
import { declareInstallerThreadTests } from './msi-run.tier.js';
import { declareConformanceTests } from './conformance.tier.js';
import { runAll } from './harness.js';

declareConformanceTests();
declareAgentServiceTests();
declareInventoryTest();
declareUpgradeTests();
declareDependentServiceTests();
declareServerUninstall();
declareInstallerThreadTests();

runAll().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
