// The AD FS adapter upgrade plan for one or more farms (procedure.md §3.7, steps a-j). A farm of one
// server gets the short sequence (no halves: there is nothing to move traffic to); a farm of two
// or more is split in halves, this host (or the farm's first server) in the first half, and the
// once-per-farm steps (policy, unregister, register) placed once, on the first half's first server.
// Several farms follow one another, each complete before the next starts.
import { badInput } from '../errors.js';
import {
  carryStep,
  exportStep,
  installStep,
  manualStep,
  patchScriptStep,
  policyAddStep,
  policyRemoveStep,
  registerStep,
  restartStep,
  stageStep,
  unregisterStep,
  sameNode,
  type AdfsStep,
  type FarmInputs,
} from './steps.js';

export interface FarmSpec {
  name: string;
  nodes: string[];
}

/**
 * --servers: "ADFS01,ADFS02" is one farm; "sts1=ADFS01,sts1=ADFS02,sts2=ADFS11" names farms.
 * Servers without a farm name belong to the local farm (named after `defaultFarm`).
 */
export function parseServers(items: string[], defaultFarm: string): FarmSpec[] {
  const farms: FarmSpec[] = [];
  const seen = new Set<string>();
  for (const raw of items) {
    const m = /^(?:([^=]+)=)?(.+)$/.exec(raw.trim());
    const farm = (m?.[1] ?? defaultFarm).trim();
    const node = (m?.[2] ?? '').trim();
    if (!node || !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(node)) throw badInput(`'${raw}' is not a server name`, '--servers', { code: 'USAGE', exitCode: 2, remedy: 'List servers as NAME or FARM=NAME, separated by commas.' });
    if (seen.has(node.toLowerCase())) throw badInput(`server ${node} is listed twice`, '--servers', { code: 'USAGE', exitCode: 2 });
    seen.add(node.toLowerCase());
    let f = farms.find((x) => x.name.toLowerCase() === farm.toLowerCase());
    if (!f) farms.push((f = { name: farm, nodes: [] }));
    f.nodes.push(node);
  }
  return farms;
}

export interface AdfsPlan {
  farms: Array<FarmSpec & { firstHalf: string[]; secondHalf: string[]; primary: string; local: boolean }>;
  steps: AdfsStep[];
}


export function planFarm(farm: FarmSpec, localNode: string, inputs: FarmInputs | undefined, withPackage: boolean): { steps: AdfsStep[]; firstHalf: string[]; secondHalf: string[]; primary: string; local: boolean } {
  const localIndex = farm.nodes.findIndex((n) => sameNode(n, localNode));
  const ordered = localIndex === -1 ? [...farm.nodes] : [farm.nodes[localIndex] as string, ...farm.nodes.filter((_, i) => i !== localIndex)];
  const primary = ordered[0] as string;
  const a = { farm: farm.name, primary, localNode, ...(localIndex !== -1 && inputs ? { inputs } : {}) };
  const steps: AdfsStep[] = [stageStep(a, 'prep', primary), exportStep(a), carryStep(a), patchScriptStep(a)];
  if (ordered.length === 1) {
    // A farm of one cannot be drained; without --package the run is refused before it is planned (upgrade.ts).
    if (withPackage) steps.push(installStep(a, 'b', primary, true));
    steps.push(policyRemoveStep(a), unregisterStep(a), registerStep(a), restartStep(a, 'f', primary), policyAddStep(a));
    return { steps, firstHalf: ordered, secondHalf: [], primary, local: localIndex !== -1 };
  }
  // The smaller half is drained first, so the larger half keeps serving meanwhile.
  const half = Math.floor(ordered.length / 2);
  const first = ordered.slice(0, half);
  const second = ordered.slice(half);
  steps.push(manualStep(localNode, farm.name, 'a', 'drain-first-half', `Take ${first.join(', ')} out of the load balancer (the other servers keep serving)`, first));
  for (const n of first) steps.push(...(sameNode(n, primary) ? [] : [stageStep(a, 'b', n)]), installStep(a, 'b', n, withPackage));
  steps.push(policyRemoveStep(a), unregisterStep(a), registerStep(a));
  for (const n of first) steps.push(restartStep(a, 'f', n));
  steps.push(manualStep(localNode, farm.name, 'g', 'swap-halves', `Put ${first.join(', ')} back into the load balancer and take ${second.join(', ')} out`, [...first, ...second]));
  steps.push(policyAddStep(a));
  for (const n of second) steps.push(stageStep(a, 'i', n), installStep(a, 'i', n, withPackage), restartStep(a, 'i', n));
  steps.push(manualStep(localNode, farm.name, 'j', 'restore-second-half', `Put ${second.join(', ')} back into the load balancer`, second));
  return { steps, firstHalf: first, secondHalf: second, primary, local: localIndex !== -1 };
}

export function planAdfsUpgrade(farms: FarmSpec[], localNode: string, inputs: FarmInputs | undefined, withPackage: boolean): AdfsPlan {
  const plan: AdfsPlan = { farms: [], steps: [] };
  for (const farm of farms) {
    const p = planFarm(farm, localNode, inputs, withPackage);
    plan.farms.push({ ...farm, firstHalf: p.firstHalf, secondHalf: p.secondHalf, primary: p.primary, local: p.local });
    plan.steps.push(...p.steps);
  }
  return plan;
}

/** Whether this host runs the step (its own node steps and its farm's once-per-farm steps). */
export function runsHere(step: AdfsStep, localNode: string): boolean {
  return !step.manual && step.scope !== 'manual' && sameNode(step.node, localNode);
}

export { sameNode };

/** Step ids inside a farm's no-MFA window: from taking the adapter out of the policy (c) until it is back (h). */
export function noMfaWindow(plan: AdfsPlan): Set<string> {
  const out = new Set<string>();
  let open = false;
  for (const s of plan.steps) {
    if (s.id.endsWith('/policy-remove')) open = true;
    if (s.id.endsWith('/policy-add')) open = false;
    if (open) out.add(s.id);
  }
  return out;
}

/** The plan as data (for --what-if and --json). */
export function planData(plan: AdfsPlan, localNode: string): Array<Record<string, unknown>> {
  const window = noMfaWindow(plan);
  return plan.steps.map((s, i) => ({
    index: i + 1,
    id: s.id,
    phase: s.phase,
    title: s.title,
    scope: s.scope,
    node: s.node,
    manual: s.manual === true,
    runsHere: runsHere(s, localNode),
    action: s.describe(),
    undo: s.undoText ?? (s.manual ? 'by hand' : 'none'),
    noMfa: window.has(s.id),
  }));
}
