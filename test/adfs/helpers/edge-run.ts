// Runs the scenario table through the edge-js transport, in its own Node process because Mono
// needs LD_PRELOAD=/usr/lib/libmono-2.0.so.1 from the start (the ava test starts this with it).
// Prints one JSON object: { clr, results: { [scenario]: ScenarioOutcome } } or { error }.
import { buildFakeSma, attachFakeAdfs } from '../../fakes/adfs/edge-backend.js';
import { EdgePowerShell, loadEdge } from '../../../lib/host/powershell/edge.js';
import { makeImage, testHost } from './hosts.js';
import { runScenario, SCENARIOS, type ScenarioOutcome } from './scenarios.js';

async function main(): Promise<void> {
  const loaded = loadEdge();
  if (!loaded.ok) throw new Error(loaded.reason);
  const sma = buildFakeSma();
  const backend = await attachFakeAdfs(loaded.edge, sma);
  const powershell = new EdgePowerShell(loaded.edge, { references: [sma] });
  const only = process.argv.slice(2);
  const results: Record<string, ScenarioOutcome> = {};
  for (const s of SCENARIOS.filter((x) => only.length === 0 || only.includes(x.name))) {
    const img = makeImage();
    backend.setImage(img.dir);
    try {
      results[s.name] = await runScenario(s, img.dir, (dir) => testHost(dir, 'edge-js', { powershell, record: (fn) => void (backend.onCall = fn) }));
    } finally {
      img.cleanup();
    }
  }
  process.stdout.write(`${JSON.stringify({ from: loaded.from, results })}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) })}\n`);
    process.exit(1);
  },
);
